"""bench.onednn_lstm: oneDNN's LSTM primitive alone, the floor under the
LSTM workload's steps. It must run the very kernel glassnet's fused LSTM
layer runs (its numbers are the same as the layer's), count the FLOPs the
report divides by, and say why when oneDNN is not there."""

import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import onednn_lstm  # noqa: E402
from bench.workloads.common import measure  # noqa: E402


def test_flops_are_three_times_the_forward_products():
    # forward: T·B rows through (n + H) × 4H, 2 FLOPs a multiply-add; backward twice that
    assert onednn_lstm.lstm_flops(50, 32, 32, 128) == 3 * 2 * 50 * 32 * 512 * 160
    assert onednn_lstm.lstm_flops(1, 1, 1, 1) == 3 * 2 * 4 * 2


def test_the_step_runs_the_kernel_of_glassnets_fused_layer(needs_onednn):
    """The step's kernel is the one glassnet's nn.LSTM trains with on these
    shapes (the layer finds it in the cache, makes none of its own)."""
    import glassnet as gn
    from glassnet.backends import onednn

    onednn.clear_caches()
    steps, batch, n_in, hidden = 3, 2, 4, 5
    step = onednn_lstm.primitive_step(batch, steps, n_in, hidden)
    assert not onednn.lstm.KERNELS.kept()  # (nothing until it is first run)
    step()
    step()  # (built once, run again)
    made = onednn.lstm.KERNELS.kept()
    assert list(made) == [(steps, batch, n_in, hidden, False, True)]

    layer = gn.nn.LSTM(n_in, hidden)
    x = np.random.default_rng(1).standard_normal((steps, batch, n_in), dtype=np.float32)
    out, _ = layer(gn.tensor(x))
    out.sum().backward()
    assert onednn.lstm.KERNELS.kept() == made
    assert out.grad_fn.name() == "LSTMLayerBackward"  # (the fused layer ran)


def test_without_onednn_the_step_says_so():
    from glassnet.backends import onednn

    step = onednn_lstm.primitive_step(2, 3, 4, 5)
    with onednn.disabled(), pytest.raises(RuntimeError, match="oneDNN's LSTM primitive"):
        step()


def test_a_reference_step_that_cannot_run_is_reported_not_raised(monkeypatch):
    """With oneDNN off in the workers, the LSTM row is still measured; the
    primitive's step gives its reason to the row's extra and the report."""
    from bench.config import Config
    from bench.frameworks import Sides
    from bench.report import lstm_primitive_table
    from bench.workloads import BY_NAME
    from bench.workloads.common import row

    monkeypatch.setenv("GLASSNET_ONEDNN", "0")
    cfg = Config.make(quick=True)
    workload = BY_NAME["lstm"]
    results, extra_times = measure(
        workload, workload.measured(cfg, Sides(use_torch=False)), cfg, 4, reps=1, memory_steps=1
    )
    assert results["glassnet"]["status"] == "ok" and results["pytorch"]["status"] == "n/a"
    assert set(extra_times) == {"onednn-lstm"}
    assert "LSTM primitive is not available" in extra_times["onednn-lstm"]["error"]
    extra = workload.extra(cfg, results, extra_times)
    assert "not available" in extra["primitive_error"]
    table = lstm_primitive_table([{**row(workload, results, 4, extra=extra), "threads": 1}])
    assert "| 1 | n/a (RuntimeError: oneDNN's LSTM primitive is not available" in table
