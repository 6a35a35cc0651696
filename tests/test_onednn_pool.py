"""float32 max pooling through oneDNN (glassnet.backends.onednn.pool_kernel, used by
glassnet.ops.pool.MaxPool2d) against glassnet's own walk over the taps and
against PyTorch: output and gradient, bit for bit, over hypothesis-drawn
sizes, kernels, strides, paddings, dilations and ceil_mode, with ties;
which path runs (float64, NaN, return_indices and ``onednn.disabled()``
keep glassnet's); second derivatives through the oneDNN forward; the cache."""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from opcheck import SETTINGS

import glassnet as gn
from glassnet import nn
from glassnet.backends import onednn

pytestmark = pytest.mark.usefixtures("needs_onednn")


def _pool(x, up, fused, **kw):
    """max_pool2d's output and ∂L/∂x, by oneDNN (``fused``) or glassnet's walk, and its node."""
    t = gn.tensor(x, requires_grad=True)
    if fused:
        y = nn.functional.max_pool2d(t, **kw)
    else:
        with onednn.disabled():
            y = nn.functional.max_pool2d(t, **kw)
    y.backward(gn.tensor(up(y.shape)))
    return y.detach().numpy(), t.grad.numpy(), y.grad_fn


geometry = st.fixed_dictionaries(
    {
        "kernel_size": st.tuples(st.integers(1, 4), st.integers(1, 4)),
        "stride": st.tuples(st.integers(1, 3), st.integers(1, 3)),
        "dilation": st.tuples(st.integers(1, 2), st.integers(1, 2)),
        "ceil_mode": st.booleans(),
        "pad": st.tuples(st.integers(0, 2), st.integers(0, 2)),
    }
)


@settings(SETTINGS, max_examples=60)
@given(
    g=geometry,
    n=st.integers(1, 3),
    c=st.integers(1, 5),
    h=st.integers(1, 12),
    w=st.integers(1, 12),
    seed=st.integers(0, 2**16),
    ties=st.booleans(),
)
def test_onednn_pooling_equals_glassnets_walk(g, n, c, h, w, seed, ties):
    kernel, dilation = g["kernel_size"], g["dilation"]
    padding = tuple(min(p, (d * (k - 1) + 1) // 2) for p, k, d in zip(g["pad"], kernel, dilation))
    assume(
        all(s + 2 * p >= d * (k - 1) + 1 for s, p, k, d in zip((h, w), padding, kernel, dilation))
    )
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, c, h, w)).astype(np.float32)
    if ties:  # few distinct values: windows with several maxima (the first one wins)
        x = np.round(x).astype(np.float32)
    kw = dict(
        kernel_size=kernel,
        stride=g["stride"],
        padding=padding,
        dilation=dilation,
        ceil_mode=g["ceil_mode"],
    )

    def up(shape):
        return np.random.default_rng(seed + 1).standard_normal(shape).astype(np.float32)

    y0, gx0, _ = _pool(x, up, False, **kw)
    y1, gx1, _ = _pool(x, up, True, **kw)
    np.testing.assert_array_equal(y1, y0)
    # the same winners; where windows overlap an element's gradients are summed
    # in another order (float rounding)
    np.testing.assert_allclose(gx1, gx0, rtol=2e-6, atol=2e-6)
    assert ((gx1 == 0) == (gx0 == 0)).all()


def _runs_onednn(x, **kw):
    """Did max_pool2d on x make a oneDNN pooling kernel?"""
    onednn.clear_caches()
    nn.functional.max_pool2d(gn.tensor(x, requires_grad=True), **kw)
    return len(onednn.cached("pool")) == 1


def test_which_path_runs():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 8, 8)).astype(np.float32)
    assert _runs_onednn(x, kernel_size=2)
    assert not _runs_onednn(x.astype(np.float64), kernel_size=2)  # float64: glassnet's
    assert not _runs_onednn(x, kernel_size=2, dilation=2)  # a window may lie in the padding
    with onednn.disabled():
        assert not _runs_onednn(x, kernel_size=2)
    onednn.clear_caches()
    nn.functional.max_pool2d(gn.tensor(x), kernel_size=2, return_indices=True)
    assert len(onednn.cached("pool")) == 0  # indices: glassnet's walk gives them
    nan = x.copy()
    nan[1, 2, 3, 4] = np.nan
    assert not _runs_onednn(nan, kernel_size=2)  # oneDNN's maximum would pass over the NaN
    y = nn.functional.max_pool2d(gn.tensor(nan), kernel_size=2).numpy()
    assert np.isnan(y[1, 2, 1, 2]) and np.isnan(y).sum() == 1  # the NaN wins its window


@pytest.mark.torch
def test_onednn_pooling_matches_torch(torch):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((8, 4, 13, 11)).astype(np.float32)
    g = rng.standard_normal((8, 4, 7, 6)).astype(np.float32)
    kw = dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)
    t = gn.tensor(x, requires_grad=True)
    y = nn.functional.max_pool2d(t, **kw)
    y.backward(gn.tensor(g))
    tt = torch.tensor(x, requires_grad=True)
    ty = torch.nn.functional.max_pool2d(tt, **kw)
    ty.backward(torch.tensor(g))
    np.testing.assert_array_equal(y.detach().numpy(), ty.detach().numpy())
    np.testing.assert_allclose(t.grad.numpy(), tt.grad.numpy(), rtol=2e-6, atol=2e-6)  # (sums)
    assert len(onednn.cached("pool")) >= 1


def test_second_derivative_through_the_onednn_forward():
    """backward_graph finds the winners again: ∂/∂x of (∂L/∂x · v) is 0 for a
    max pool (piecewise linear), and a Hessian-vector product through
    pool-then-square equals glassnet's own path's."""
    rng = np.random.default_rng(5)
    x0 = rng.standard_normal((2, 2, 6, 6)).astype(np.float32)
    v = gn.tensor(rng.standard_normal((2, 2, 6, 6)).astype(np.float32))
    results = []
    for fused in (True, False):
        x = gn.tensor(x0, requires_grad=True)
        if fused:
            y = nn.functional.max_pool2d(x, 2)
        else:
            with onednn.disabled():
                y = nn.functional.max_pool2d(x, 2)
        (gx,) = gn.autograd.grad((y**2).sum(), x, create_graph=True)
        (hv,) = gn.autograd.grad((gx * v).sum(), x)
        results.append((gx.detach().numpy(), hv.numpy()))
    np.testing.assert_array_equal(results[0][0], results[1][0])
    np.testing.assert_array_equal(results[0][1], results[1][1])
    assert np.abs(results[0][1]).sum() > 0


def test_the_kernel_cache_keeps_one_kernel_per_geometry():
    onednn.clear_caches()
    x = gn.tensor(np.ones((2, 3, 8, 8), np.float32))
    for _ in range(3):
        nn.functional.max_pool2d(x, 2)
    nn.functional.max_pool2d(x, 3, stride=1)
    assert len(onednn.cached("pool")) == 2
    onednn.clear_caches()
    assert len(onednn.cached("pool")) == 0
