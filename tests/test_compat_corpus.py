"""The PyTorch-compatibility corpus (compat/): every script run with PyTorch and with
only its imports changed to glassnet, the two results compared by the script's own rule.

A script listed in compat/known_failures.py is xfail(strict=True) with its reason: when
it starts to run unchanged, its test fails until the list (and README's figure) is
updated. The committed docs/api-coverage.md is checked against the generator.
"""

import ast
from pathlib import Path

import pytest

from compat import runner, table
from compat.known_failures import KNOWN_FAILURES
from compat.rewrite import to_glassnet
from compat.script import Rule, read_result, read_rule, scripts

ROOT = Path(__file__).resolve().parent.parent
CORPUS = scripts()


def _param(script):
    reason = KNOWN_FAILURES.get(script.name)
    marks = [pytest.mark.torch]
    if reason:
        marks.append(pytest.mark.xfail(strict=True, reason=reason))
    return pytest.param(script, id=script.name, marks=marks)


@pytest.mark.parametrize("script", [_param(s) for s in CORPUS])
def test_script_runs_unchanged_under_glassnet(script, torch):
    result = runner.compare(script, timeout=180)
    assert result.torch.value is not None, f"broken under PyTorch: {result.torch.error}"
    assert result.ok, "\n" + table.text([result])


def test_the_corpus_is_large_enough_and_every_known_failure_is_in_it():
    assert len(CORPUS) >= 22
    names = {s.name for s in CORPUS}
    assert set(KNOWN_FAILURES) <= names, set(KNOWN_FAILURES) - names
    assert all(reason.strip() for reason in KNOWN_FAILURES.values())


@pytest.mark.parametrize("script", CORPUS, ids=lambda s: s.name)
def test_the_rewrite_changes_only_import_lines(script):
    before, after = script.source().splitlines(), to_glassnet(script.source()).splitlines()
    assert len(before) == len(after)
    changed = [(a, b) for a, b in zip(before, after) if a != b]
    assert changed, "the script imports nothing from torch"
    assert all(a.lstrip().startswith(("import torch", "from torch")) for a, _ in changed)
    tree = ast.parse("\n".join(after))
    modules = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    modules += [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    assert not [m for m in modules if m and m.split(".")[0] == "torch"]
    assert f'print(f"RESULT {script.name} ' in script.source()


def test_the_rewrite_of_each_import_form():
    source = (
        "import torch\nimport torch.nn as nn\nimport numpy as np, torch.optim\n"
        "from torch import nn, optim\nfrom torch.utils.data import (DataLoader,\n"
        "    TensorDataset)\ndef f():\n    import torch  # inside\n"
        "text = 'import torch'\n"
    )
    assert to_glassnet(source) == (
        "import glassnet as torch\nimport glassnet.nn as nn\n"
        "import numpy as np, glassnet.optim, glassnet as torch\n"
        "from glassnet import nn, optim\nfrom glassnet.utils.data import (DataLoader,\n"
        "    TensorDataset)\ndef f():\n    import glassnet as torch  # inside\n"
        "text = 'import torch'\n"
    )


def test_the_comparison_rules_and_the_result_line():
    rule = read_rule("# x\n# compare: rtol 1e-3 - weights from NumPy\n", "x")
    assert rule == Rule("rtol", 1e-3, "weights from NumPy")
    assert rule.passes(1.0, 1.0009) and not rule.passes(1.0, 1.002)
    assert not rule.passes(float("nan"), float("nan"))
    at_least = read_rule("# compare: at-least 0.9 - accuracy\n", "x")
    assert at_least.passes(0.91, 0.95) and not at_least.passes(0.91, 0.89)
    assert read_rule("# compare: at-most 0.1 - loss\n", "x").passes(0.05, 0.1)
    with pytest.raises(ValueError, match="compare: rtol"):
        read_rule("import torch\n", "x")
    assert read_result("RESULT a 1\nRESULT b 2\nRESULT a 3.5\n", "a") == 3.5
    assert read_result("RESULT b 2\n", "a") is None


def test_a_failing_glassnet_run_reports_its_error_line():
    stderr = (
        'Traceback (most recent call last):\n  File "/tmp/x/quickstart.py", line 12, '
        'in <module>\n    device = torch.device("cpu")\n'
        "AttributeError: module 'glassnet' has no attribute 'device'\n"
    )
    assert runner.first_error(stderr, "quickstart") == (
        "line 12: AttributeError: module 'glassnet' has no attribute 'device'"
    )


@pytest.mark.torch
def test_the_committed_api_coverage_table_is_what_the_generator_writes(torch):
    from compat import coverage

    committed = (ROOT / "docs" / "api-coverage.md").read_text(encoding="utf-8")
    assert committed == coverage.markdown(), (
        "docs/api-coverage.md is stale: regenerate it with "
        "`python -m compat.coverage --markdown docs/api-coverage.md`"
    )
