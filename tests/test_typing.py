"""The public API's type hints, seen by mypy: a snippet that uses glassnet
as a user would type-checks clean, and wrong calls are flagged."""
import os
import subprocess
import sys
import textwrap

import pytest
from conftest import need

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _mypy(tmp_path, code):
    """mypy's findings (one per line) on ``code``, with glassnet from this checkout."""
    need("mypy", "pip install mypy (or run .ci/lint)")
    path = tmp_path / "snippet.py"
    path.write_text(textwrap.dedent(code))
    env = dict(os.environ, MYPYPATH=ROOT)
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "--python-version", "3.10", "--no-incremental",
         "--cache-dir", os.devnull, "--config-file", os.devnull, "--follow-imports", "silent",
         "--show-error-codes", str(path)],
        capture_output=True, text=True, cwd=tmp_path, env=env)
    if proc.returncode not in (0, 1):
        pytest.fail(f"mypy crashed: {proc.stdout}{proc.stderr}")
    return [line for line in proc.stdout.splitlines() if ": error:" in line or ": note:" in line]


def test_public_api_typechecks(tmp_path):
    found = _mypy(tmp_path, """
        import numpy as np
        import glassnet as gn

        x: gn.Tensor = gn.tensor([1.0, 2.0], requires_grad=True)
        y = x.exp().sum()
        reveal_type(y)
        z = (x * 2 + 1.0) @ gn.ones(2)
        reveal_type(z)
        reveal_type(x.shape)
        reveal_type(gn.zeros(2, 3, dtype=np.float64))
        reveal_type(gn.max(x, dim=0))
        reveal_type(x.max())
        reveal_type(gn.split(x, 1))
        y.backward()
        with gn.no_grad():
            x -= 0.1 * x.grad if x.grad is not None else 0.0
        g = gn.manual_seed(0)
        w = gn.randn(3, 2, generator=g)
        reveal_type(w.T)
        reveal_type(gn.allclose(w, w))
    """)
    errors = [f for f in found if ": error:" in f]
    assert errors == []
    revealed = [f.split('Revealed type is "')[1].rstrip('"') for f in found if "Revealed" in f]
    assert revealed == ["glassnet.tensor.Tensor", "glassnet.tensor.Tensor", "tuple[int, ...]",
                        "glassnet.tensor.Tensor",
                        "tuple[glassnet.tensor.Tensor, glassnet.tensor.Tensor, "
                        "fallback=glassnet.functions.math.MinMax]",
                        "glassnet.tensor.Tensor", "tuple[glassnet.tensor.Tensor, ...]",
                        "glassnet.tensor.Tensor", "bool"], revealed


@pytest.mark.parametrize("call, message", [
    ('gn.zeros("a")', 'Argument 1 to "zeros" has incompatible type "str"'),
    ("gn.tensor([1.0]).exp(2)", "Too many arguments"),
    ('gn.ones(2).sum(keepdim="yes")', 'Argument "keepdim"'),
    ("gn.manual_seed(0.5)", 'Argument 1 to "manual_seed" has incompatible type "float"'),
    ("gn.cat(gn.ones(2))", 'Argument 1 to "cat" has incompatible type "Tensor"'),
])
def test_wrong_calls_are_flagged(tmp_path, call, message):
    found = _mypy(tmp_path, f"import glassnet as gn\n{call}\n")
    assert any(message in f for f in found), found
