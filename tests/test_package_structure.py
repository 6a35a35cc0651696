"""The package's shape: no module imports another that (through others)
imports it back at module level, no file over 500 lines, a small root.

The import graph is read from the source (ast), not by importing: an edge
a -> b for every import statement that runs when a is imported (at module
level, also inside ``if``/``try``/``class`` bodies; not inside functions).
"""

import ast
import pathlib

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parent.parent / "glassnet"
MAX_LINES = 500
MAX_ROOT_MODULES = 14


def _modules():
    """{dotted name: path} of every module in glassnet/."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _module_level(body):
    """The import statements among ``body`` that run at import time."""
    for node in body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        elif isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            yield from _module_level(node.orelse)  # imports for type hints only never run
        else:
            for field in ("body", "orelse", "finalbody", "handlers"):
                yield from _module_level(getattr(node, field, None) or [])


def _imports(name, path, modules):
    """The glassnet modules that ``name`` imports at module level."""
    is_package = path.name == "__init__.py"
    package = name if is_package else name.rpartition(".")[0]
    targets = set()
    for node in _module_level(ast.parse(path.read_text(encoding="utf-8")).body):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
            continue
        if node.level:
            base = package.split(".")
            base = base[: len(base) - (node.level - 1)]
            origin = ".".join(base + ([node.module] if node.module else []))
        else:
            origin = node.module
        for alias in node.names:
            sub = f"{origin}.{alias.name}"
            targets.add(sub if sub in modules else origin)
    return {t for t in targets if t in modules and t != name}


def import_graph():
    modules = _modules()
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def find_cycle(graph):
    """One cycle of ``graph`` as a list [a, b, ..., a], or None (iterative DFS)."""
    color = dict.fromkeys(graph, 0)  # 0 unseen, 1 on the current path, 2 done
    for start in sorted(graph):
        if color[start]:
            continue
        path, stack = [start], [iter(sorted(graph[start]))]
        color[start] = 1
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                color[path.pop()] = 2
                stack.pop()
            elif color[nxt] == 1:
                return path[path.index(nxt) :] + [nxt]
            elif color[nxt] == 0:
                color[nxt] = 1
                path.append(nxt)
                stack.append(iter(sorted(graph[nxt])))
    return None


def test_the_graph_reader_sees_relative_imports_and_cycles():
    graph = import_graph()
    assert "glassnet.tensor" in graph["glassnet.autograd"]  # from .tensor import Tensor
    assert "glassnet.dtypes" in graph["glassnet.tensor"]  # from . import dtypes
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_module_level_import_cycle():
    cycle = find_cycle(import_graph())
    assert cycle is None, "module-level import cycle: " + " -> ".join(cycle)


@pytest.mark.parametrize(
    "path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE))
)
def test_no_file_over_500_lines(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, (
        f"{path.relative_to(PACKAGE.parent)} has {lines} lines (at most {MAX_LINES})"
    )


def test_the_root_holds_at_most_14_modules():
    root = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(root) <= MAX_ROOT_MODULES, f"{len(root)} modules in glassnet/: {root}"


MAKERS = {"empty", "zeros", "ones", "full"}


def test_ops_and_factories_make_new_arrays_only_through_alloc():
    """np.empty/zeros/ones/full in glassnet/ops/** or the tensor factories
    (creation.py) would bypass glassnet/alloc.py (NumPy's *_like functions are
    fine: they follow their input's array type)."""
    found = []
    for path in sorted((PACKAGE / "ops").rglob("*.py")) + [PACKAGE / "creation.py"]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in MAKERS
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id in ("np", "numpy")
            ):
                found.append(
                    f"{path.relative_to(PACKAGE.parent)}:{node.lineno} np.{node.func.attr}"
                )
    assert not found, "arrays made past glassnet/alloc.py:\n" + "\n".join(found)


def test_dtypes_holds_dtypes_only():
    import glassnet.dtypes as dtypes
    from glassnet import alloc

    assert not MAKERS & set(vars(dtypes)) and not hasattr(dtypes, "xp")
    assert alloc.zeros((2, 3), "float32").dtype == "float32"
    assert alloc.full(2, 7, "int64").tolist() == [7, 7]
    assert alloc.ones(3).dtype == "float64" and alloc.empty((0, 2)).shape == (0, 2)
