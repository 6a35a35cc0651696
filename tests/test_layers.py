"""The package's folders are layers, and each imports only the ones below it
(DESIGN.md, "Layers"). Every import counts, at module level or inside a
function: a lazy import upward is still a dependency upward."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "glassnet"

# bottom to top; the modules at the root are the core, the lowest layer;
# __init__ and __main__ (the public API, the entry point) may import anything
LAYERS = (
    (
        "core",
        {p.stem for p in PACKAGE.glob("*.py")} - {"__init__", "__main__"} | {"devices", "cuda"},
    ),
    ("backends", {"backends"}),
    ("ops", {"ops"}),
    ("functions", {"functions"}),
    ("func", {"func"}),
    ("distributed", {"distributed"}),
    ("nn", {"nn"}),
    ("optim", {"optim"}),
    ("data", {"data"}),
    ("utils", {"utils"}),
    ("io", {"io"}),
    ("onnx", {"onnx"}),
    ("train", {"train"}),
    ("sklearn", {"sklearn"}),
    ("explain", {"explain"}),
    ("playground", {"playground"}),
    ("cli", {"cli"}),
)


def layer_of(module):
    """The index in LAYERS of ``glassnet.<head>...``; None for the package itself."""
    parts = module.split(".")
    if len(parts) == 1 or parts[1] in ("__init__", "__main__"):
        return None
    for i, (_, heads) in enumerate(LAYERS):
        if parts[1] in heads:
            return i
    raise AssertionError(f"{module}: in no layer of tests/test_layers.py (add its folder)")


def modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        is_package = parts[-1] == "__init__"
        name = ".".join(parts[:-1] if is_package else parts)
        yield path, name, name if is_package else name.rpartition(".")[0]


def _runtime_nodes(tree):
    """Every node of ``tree`` except what ``if TYPE_CHECKING:`` holds (imports for
    type hints only, which never run)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            stack.extend(node.orelse)
            continue
        stack.extend(ast.iter_child_nodes(node))


def imported(tree, package):
    """(line, module) for every glassnet module ``tree`` imports when it runs,
    anywhere in it."""
    for node in _runtime_nodes(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target == "glassnet":  # from glassnet import nn: the names are modules
                for alias in node.names:
                    yield node.lineno, f"glassnet.{alias.name}"
            elif target.startswith("glassnet."):
                yield node.lineno, target
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("glassnet."):
                    yield node.lineno, alias.name


def test_every_import_goes_down_the_layers():
    upward = []
    for path, name, package in modules():
        mine = layer_of(name)
        if mine is None:
            continue
        for line, target in imported(ast.parse(path.read_text(encoding="utf-8")), package):
            theirs = layer_of(target)
            if theirs is not None and theirs > mine:
                upward.append(
                    f"{path.relative_to(PACKAGE.parent)}:{line}: {LAYERS[mine][0]} "
                    f"imports {target} ({LAYERS[theirs][0]})"
                )
    assert not upward, "imports up the layers:\n" + "\n".join(upward)


def test_the_check_sees_an_upward_import(tmp_path):
    """The walk itself: an ops module importing nn is caught (the test can fail)."""
    tree = ast.parse(
        "def f():\n    from ..nn import Linear\nif TYPE_CHECKING:\n    from ..train import fit\n"
    )
    found = [t for _, t in imported(tree, "glassnet.ops")]
    assert found == ["glassnet.nn"] and layer_of(found[0]) > layer_of("glassnet.ops.arith")


def test_the_package_does_not_import_the_benchmark_suite():
    for path, _, _ in modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                assert all(a.name.split(".")[0] != "bench" for a in node.names), path
            if isinstance(node, ast.ImportFrom) and not node.level:
                assert (node.module or "").split(".")[0] != "bench", path
