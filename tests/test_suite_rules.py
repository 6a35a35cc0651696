"""Rules the test suite keeps so that its tests test what they claim, read
from the tests' source (ast):

- a hypothesis test never ``return``s early: an example it cannot use is
  rejected with ``assume()``, so hypothesis draws another instead of counting
  a test that checked nothing as passed;
- ``@settings`` sits on a hypothesis test (on a helper it changes nothing,
  and the test silently runs with the default settings).
"""

import ast
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
FILES = sorted(TESTS.glob("*.py"))


def _parse(path):
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _settings_names(tree, imported):
    """Names bound to ``settings(...)`` in the module, and those it imports
    from the shared opcheck module that are."""
    names = {
        t.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign) and _is_call_to(node.value, "settings")
        for t in node.targets
        if isinstance(t, ast.Name)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module in imported:
            names |= {a.asname or a.name for a in node.names} & imported[node.module]
    return names


def _is_call_to(node, name):
    func = node.func if isinstance(node, ast.Call) else None
    return (isinstance(func, ast.Name) and func.id == name) or (
        isinstance(func, ast.Attribute) and func.attr == name
    )


def _decorations(fn, settings_names):
    """(is a hypothesis test, has a settings decorator)."""
    given = any(_is_call_to(d, "given") for d in fn.decorator_list)
    configured = any(
        _is_call_to(d, "settings") or (isinstance(d, ast.Name) and d.id in settings_names)
        for d in fn.decorator_list
    )
    return given, configured


def _own_returns(fn):
    """The return statements of ``fn`` itself (not of functions inside it)."""
    found, stack = [], list(fn.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        if isinstance(node, ast.Return):
            found.append(node)
        stack.extend(ast.iter_child_nodes(node))
    return found


def _functions(tree):
    return [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]


OPCHECK = TESTS / "opcheck.py"
SHARED = {"opcheck": _settings_names(_parse(OPCHECK), {})}


def _problems(path):
    tree = _parse(path)
    settings_names = _settings_names(tree, SHARED)
    out = []
    for fn in _functions(tree):
        given, configured = _decorations(fn, settings_names)
        if given:
            out += [
                f"{path.name}:{r.lineno}: {fn.name} returns early; use hypothesis.assume()"
                for r in _own_returns(fn)
            ]
        elif configured:
            out.append(
                f"{path.name}:{fn.lineno}: @settings on {fn.name}, which is not a "
                "@given test (the settings never reach a test)"
            )
    return out


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_hypothesis_tests_assume_and_their_settings_reach_them(path):
    assert _problems(path) == []


def test_the_rules_see_what_they_forbid(tmp_path):
    bad = tmp_path / "test_bad.py"
    bad.write_text(
        "from hypothesis import given, settings\n"
        "from opcheck import SETTINGS\n"
        "FAST = settings(max_examples=5)\n"
        "@FAST\n"
        "def helper():\n"
        "    return 1\n"
        "@SETTINGS\n"
        "@given(x=st.integers())\n"
        "def test_early(x):\n"
        "    def inner():\n"
        "        return 2\n"
        "    if x:\n"
        "        return\n",
        encoding="utf-8",
    )
    assert SHARED["opcheck"] >= {"SETTINGS", "FEW"}
    assert _problems(bad) == [
        "test_bad.py:5: @settings on helper, which is not a @given test (the settings never "
        "reach a test)",
        "test_bad.py:13: test_early returns early; use hypothesis.assume()",
    ]
