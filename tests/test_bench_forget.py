"""bench/frameworks.py's ``glassnet_forget``: before a memory pass it empties
oneDNN's kernel caches and the recurrent layers' array pool, through
``onednn.clear_caches()``, and also in a glassnet copy from before that
function existed (what ``bench.ab`` loads as revision A)."""

import importlib
import sys
from pathlib import Path

import pytest

import glassnet as gn
from glassnet.backends import onednn
from glassnet.ops.recurrent.pool import POOL

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import ab  # noqa: E402
from bench.frameworks import GLASSNET, glassnet_forget  # noqa: E402

# glassnet copies from before onednn.clear_caches: (revision, where its pool is)
OLDER = [
    ("34f8930", "ops.recurrent"),  # glassnet/onednn.py, ops/recurrent.py modules
    ("9075eed", "ops.recurrent.pool"),
]  # glassnet/backends/onednn.py a module


def _run_lstm_and_conv(package):
    """A float32 LSTM and a convolution, forward and backward, in ``package``."""
    out, _ = package.nn.LSTM(2, 3)(package.zeros(4, 1, 2))
    out.sum().backward()
    package.nn.Conv2d(1, 2, 3)(package.ones(1, 1, 5, 5, requires_grad=True)).sum().backward()


def test_forget_empties_the_kernel_caches_and_the_pool(needs_onednn):
    _run_lstm_and_conv(gn)
    assert onednn.cached("lstm") and onednn.cached("conv") and POOL.nbytes > 0
    GLASSNET.forget()
    assert not onednn.cached("lstm") and not onednn.cached("conv")
    assert POOL.nbytes == 0 and not POOL.arrays


@pytest.mark.parametrize("revision, pool_module", OLDER)
def test_forget_reaches_into_a_copy_from_before_clear_caches(
    needs_onednn, tmp_path, revision, pool_module
):
    name = f"glassnet_{revision}"
    try:
        old = ab.load_copy(revision, name, str(tmp_path))
    except SystemExit as exc:  # (a shallow clone without that revision)
        pytest.skip(str(exc))
    try:
        assert not hasattr(old.onednn, "clear_caches")
        _run_lstm_and_conv(old)
        pool = importlib.import_module(f"{name}.{pool_module}").POOL
        assert old.onednn._kernels and old.onednn._conv_kernels and pool.nbytes > 0
        glassnet_forget(old)()
        assert not old.onednn._kernels and not old.onednn._conv_kernels
        assert pool is not POOL and pool.nbytes == 0
    finally:
        for module in [m for m in sys.modules if m.split(".")[0] == name]:
            del sys.modules[module]


def test_cached_names_the_kinds_it_knows():
    with pytest.raises(
        ValueError,
        match=r"unknown kind 'rnn'; expected one of "
        r"\['adam', 'conv', 'gru', 'layer_norm', 'lstm', 'pool', 'softmax'\]",
    ):
        onednn.cached("rnn")


def test_cached_is_a_copy(needs_onednn):
    _run_lstm_and_conv(gn)
    snapshot = onednn.cached("lstm")
    snapshot.clear()
    assert onednn.cached("lstm")
