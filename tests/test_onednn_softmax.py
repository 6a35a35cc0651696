"""float32 softmax and log-softmax through oneDNN (glassnet.backends.onednn.softmax_kernel,
used by glassnet.ops.softmax's Softmax and LogSoftmax and by attention's weights) against
the math, against glassnet's own NumPy passes (``onednn.disabled()``) and against
PyTorch: outputs and gradients over every dim, in place, NaN and ±inf rows as
PyTorch gives them, attention with and without a mask, and which path runs."""

import numpy as np
import pytest
from opcheck import assert_close

import glassnet as gn
from glassnet.backends import onednn
from glassnet.ops import softmax as softmax_ops

pytestmark = pytest.mark.usefixtures("needs_onednn")

RTOL = 2e-5  # float32: sums over a row in another order than NumPy's
BIG = (8, 16, 32)  # 4,096 values: above ops.softmax.ONEDNN_MIN


def _reference(x, axis, log):
    shifted = x.astype(np.float64) - x.max(axis=axis, keepdims=True)
    logp = shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
    return logp if log else np.exp(logp)


@pytest.mark.parametrize("log", [False, True])
@pytest.mark.parametrize("shape", [(6, 5, 7), (40, 64, 1), (1, 300, 3)])
def test_the_kernel_is_the_softmax_over_the_middle_axis_both_ways_and_in_place(shape, log):
    rng = np.random.default_rng(1)
    x = (rng.standard_normal(shape) * 4).astype(np.float32)
    up = rng.standard_normal(shape).astype(np.float32)
    kernel = onednn.softmax_kernel(*shape, log=log)
    out = np.full_like(x, np.nan)
    kernel.forward(x, out)
    assert_close(out, _reference(x, 1, log), RTOL, "forward")
    y = out.astype(np.float64)
    p = np.exp(y) if log else y
    if log:
        expected = up - p * up.sum(1, keepdims=True)
    else:
        expected = p * (up - (p * up).sum(1, keepdims=True))
    d_x = np.full_like(x, np.nan)
    kernel.backward(out, up, d_x)
    assert_close(d_x, expected, RTOL, "backward")
    same = x.copy()
    kernel.forward(same, same)
    np.testing.assert_array_equal(same, out)
    grad = up.copy()
    kernel.backward(out, grad, grad)
    np.testing.assert_array_equal(grad, d_x)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@pytest.mark.parametrize("dim", [0, 1, 2, -1])
def test_softmax_ops_match_pytorch_and_glassnets_own_passes(torch, name, dim):
    rng = np.random.default_rng(2)
    x = (rng.standard_normal(BIG) * 3).astype(np.float32)
    up = rng.standard_normal(BIG).astype(np.float32)
    onednn.clear_caches()
    results = []
    for fused in (True, False):
        xt = gn.tensor(x, requires_grad=True)
        if fused:
            y = getattr(gn, name)(xt, dim)
        else:
            with onednn.disabled():
                y = getattr(gn, name)(xt, dim)
        y.backward(gn.tensor(up))
        results.append((y.detach().numpy(), xt.grad.numpy()))
    d = dim % 3
    key = (int(np.prod(BIG[:d])), BIG[d], int(np.prod(BIG[d + 1 :])), name == "log_softmax")
    assert key in onednn.cached("softmax")  # the fused path took oneDNN's kernel
    xt = torch.tensor(x, requires_grad=True)
    yt = getattr(torch, name)(xt, dim)
    yt.backward(torch.tensor(up))
    for (out, grad), what in zip(results, ("oneDNN", "NumPy")):
        assert_close(out, yt.detach().numpy(), RTOL, f"{name} {what} forward")
        assert_close(grad, xt.grad.numpy(), RTOL, f"{name} {what} backward")


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_a_row_with_nan_or_inf_comes_out_as_pytorchs(torch, name):
    """oneDNN's maximum skips a NaN: without the check a NaN or +∞ would leave
    0s beside it instead of a NaN row."""
    x = np.zeros((4, 512), np.float32)
    x[0, 3] = np.inf
    x[1, :] = -np.inf
    x[2, 5] = np.nan
    x[3, 7] = -np.inf
    ours = getattr(gn, name)(gn.tensor(x), -1).numpy()
    theirs = getattr(torch, name)(torch.tensor(x), -1).numpy()
    assert np.isnan(ours[:3]).all()
    np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=1e-6, equal_nan=True)


@pytest.mark.parametrize(
    "make",
    [
        lambda: gn.tensor(np.ones((4, 8), np.float32)),  # below ONEDNN_MIN
        lambda: gn.tensor(np.ones(BIG, np.float64)),  # float64
        lambda: gn.tensor(np.ones((32, 64), np.float32))[:, ::2],  # a strided view
    ],
    ids=["small", "float64", "strided"],
)
def test_what_the_kernel_cannot_take_stays_with_numpy(make):
    x = make()
    onednn.clear_caches()
    assert softmax_ops.onednn_kernel(x.numpy(), -1) is None
    out = gn.softmax(x, -1).numpy()
    np.testing.assert_allclose(out, 1.0 / x.shape[-1], rtol=1e-6)
    assert not onednn.cached("softmax")


@pytest.mark.parametrize("mask", [None, "bool", "float"])
def test_attention_weights_and_gradients_match_pytorch(torch, mask):
    """Without a mask or with an additive one oneDNN computes P in place; with a
    boolean one NumPy does, and oneDNN's backward still takes P. A row whose keys
    are all blocked (False, or −∞ in the additive mask) gets 0, as in PyTorch."""
    rng = np.random.default_rng(3)
    q, k, v = (rng.standard_normal((2, 4, 16, 8)).astype(np.float32) for _ in range(3))
    up = rng.standard_normal((2, 4, 16, 8)).astype(np.float32)
    attn_mask = None
    if mask is not None:
        keep = rng.random((16, 16)) > 0.3
        keep[0] = False  # a row with every key blocked
        attn_mask = keep if mask == "bool" else np.where(keep, 0.0, -np.inf).astype(np.float32)
    onednn.clear_caches()
    ours = [gn.tensor(a, requires_grad=True) for a in (q, k, v)]
    out = gn.nn.functional.scaled_dot_product_attention(
        *ours, attn_mask=None if attn_mask is None else gn.tensor(attn_mask)
    )
    out.backward(gn.tensor(up))
    assert (2 * 4 * 16, 16, 1, False) in onednn.cached("softmax")
    if mask is not None:
        assert not out.detach().numpy()[:, :, 0].any()  # the blocked row: 0, not NaN
    theirs = [torch.tensor(a, requires_grad=True) for a in (q, k, v)]
    expected = torch.nn.functional.scaled_dot_product_attention(
        *theirs, attn_mask=None if attn_mask is None else torch.tensor(attn_mask)
    )
    expected.backward(torch.tensor(up))
    assert_close(out.detach().numpy(), expected.detach().numpy(), RTOL, "attention")
    for a, b, what in zip(ours, theirs, "qkv"):
        assert_close(a.grad.numpy(), b.grad.numpy(), RTOL, f"∂L/∂{what}")
