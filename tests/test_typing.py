"""The public API's type hints, seen by mypy: a snippet that uses glassnet
as a user would type-checks clean, and wrong calls are flagged. (mypy is
slow to start: each test runs it once on a whole snippet.)"""

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
        [
            sys.executable,
            "-m",
            "mypy",
            "--python-version",
            "3.10",
            "--no-incremental",
            "--cache-dir",
            os.devnull,
            "--config-file",
            os.devnull,
            "--follow-imports",
            "silent",
            "--show-error-codes",
            str(path),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
    )
    if proc.returncode not in (0, 1):
        pytest.fail(f"mypy crashed: {proc.stdout}{proc.stderr}")
    return [line for line in proc.stdout.splitlines() if ": error:" in line or ": note:" in line]


def test_public_api_typechecks(tmp_path):
    found = _mypy(
        tmp_path,
        """
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

        from glassnet import nn
        import glassnet.nn.functional as F
        model = nn.Sequential(nn.Linear(2, 3), nn.ReLU())
        h = model(w)
        reveal_type(h)
        reveal_type(nn.Linear(2, 3)(w))
        loss = F.cross_entropy(h, gn.tensor([0, 1, 2])) + F.mse_loss(h, np.zeros((3, 3)))
        reveal_type(loss)
        reveal_type(model.parameters())
        opt = gn.optim.Adam(model.parameters(), lr=1e-3)
        sched = gn.optim.lr_scheduler.StepLR(opt, step_size=10)
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        reveal_type(model.train())
        reveal_type(model[0])
        out, (h_n, c_n) = nn.LSTM(2, 4)(w.reshape(3, 1, 2))
        reveal_type(c_n)
        reveal_type(nn.Conv2d(1, 2, 3)(gn.zeros(1, 1, 5, 5)))
        reveal_type(F.max_pool2d(gn.zeros(1, 1, 4, 4), 2, return_indices=True))
        reveal_type(nn.init.xavier_uniform_(model[0].weight))
    """,
    )
    errors = [f for f in found if ": error:" in f]
    assert errors == []
    revealed = [f.split('Revealed type is "')[1].rstrip('"') for f in found if "Revealed" in f]
    assert revealed == [
        "glassnet.tensor.Tensor",
        "glassnet.tensor.Tensor",
        "glassnet.tensor.Size",
        "glassnet.tensor.Tensor",
        "tuple[glassnet.tensor.Tensor, glassnet.tensor.Tensor, "
        "fallback=glassnet.functions.math.MinMax]",
        "glassnet.tensor.Tensor",
        "tuple[glassnet.tensor.Tensor, ...]",
        "glassnet.tensor.Tensor",
        "bool",
        # through nn: a module's call is typed as its forward
        "glassnet.tensor.Tensor",
        "glassnet.tensor.Tensor",
        "glassnet.tensor.Tensor",
        "typing.Iterator[glassnet.nn.parameter.Parameter]",
        "glassnet.nn.container.Sequential",
        "glassnet.nn.module.Module",
        "glassnet.tensor.Tensor",
        "glassnet.tensor.Tensor",
        "tuple[glassnet.tensor.Tensor, glassnet.tensor.Tensor]",
        "glassnet.tensor.Tensor",
    ], revealed


WRONG_CALLS = [  # (the call, what mypy says about it)
    ('gn.zeros("a")', 'Argument 1 to "zeros" has incompatible type "str"'),
    ("gn.tensor([1.0]).exp(2)", "Too many arguments"),
    ('gn.ones(2).sum(keepdim="yes")', 'Argument "keepdim"'),
    ("gn.manual_seed(0.5)", 'Argument 1 to "manual_seed" has incompatible type "float"'),
    ("gn.cat(gn.ones(2))", 'Argument 1 to "cat" has incompatible type "Tensor"'),
    ('nn.Linear("a", 3)', 'Argument 1 to "Linear" has incompatible type "str"'),
    (
        'nn.Linear(2, 3)("x")',
        'Argument 1 to "__call__" of "Module" has incompatible type "str"; expected "Tensor"',
    ),
    ("nn.Linear(2, 3)(gn.ones(2), gn.ones(2))", 'Too many arguments for "__call__"'),
    (
        'gn.optim.SGD(nn.Linear(2, 3).parameters(), lr="fast")',
        'Argument "lr" to "SGD" has incompatible type "str"',
    ),
    ('nn.Dropout(p="half")', 'Argument "p" to "Dropout" has incompatible type "str"'),
    (
        "nn.Sequential(nn.Linear(2, 3), F.relu)",
        'No overload variant of "Sequential" matches argument types "Linear", "Callable[',
    ),
    (
        "F.cross_entropy(gn.ones(2, 3), [0, 1], label_smoothing=None)",
        'Argument "label_smoothing" to "cross_entropy" has incompatible type "None"',
    ),
    (
        "nn.LSTM(2, 4)(gn.ones(3, 2))[1][0].relu(), nn.RNN(2, 4)(gn.ones(3, 2))[1][0].foo",
        '"Tensor" has no attribute "foo"',
    ),
]


def test_wrong_calls_are_flagged(tmp_path):
    head = "import glassnet as gn\nfrom glassnet import nn\nimport glassnet.nn.functional as F\n"
    found = _mypy(tmp_path, head + "".join(call + "\n" for call, _ in WRONG_CALLS))
    first = head.count("\n") + 1
    for line, (call, message) in enumerate(WRONG_CALLS, first):
        on_line = [f for f in found if f.split(":")[1] == str(line)]
        assert any(message in f for f in on_line), (call, on_line)
    assert len({f.split(":")[1] for f in found}) == len(WRONG_CALLS), found
