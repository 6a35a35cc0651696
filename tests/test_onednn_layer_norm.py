"""float32 layer normalization through oneDNN (glassnet.backends.onednn.layer_norm_kernel,
used by glassnet.ops.norm.LayerNorm) against glassnet's own NumPy passes
(``onednn.disabled()``) and against PyTorch: the output and every gradient,
normalized over one and two trailing dims, with and without γ and β, several
ε, only some gradients asked for; which path runs (float64, empty input and
``onednn.disabled()`` keep glassnet's; oneDNN off by backward time); NaN and
±inf rows; an in-place change after forward; second derivatives
(create_graph); the cache."""

import contextlib

import numpy as np
import pytest
from opcheck import assert_close

import glassnet as gn
from glassnet import nn
from glassnet.backends import onednn

pytestmark = pytest.mark.usefixtures("needs_onednn")

RTOL = 2e-5  # float32: a few ulps of sums over a row (oneDNN and NumPy sum in other orders)

# (x shape, number of trailing dims normalized)
SHAPES = [((7, 16), 1), ((3, 5, 12), 1), ((3, 5, 12), 2), ((2, 3, 4, 5), 2), ((1, 1), 1)]
AFFINE = ["both", "weight", "bias", "none"]


def _arrays(shape, ndim, seed=0, dtype=np.float32):
    """x (shifted and scaled rows), γ, β and an upstream gradient."""
    rng = np.random.default_rng(seed)
    normalized = shape[len(shape) - ndim :]
    x = (rng.standard_normal(shape) * 3.0 + 2.0).astype(dtype)
    weight = rng.standard_normal(normalized).astype(dtype)
    bias = rng.standard_normal(normalized).astype(dtype)
    up = rng.standard_normal(shape).astype(dtype)
    return x, weight, bias, up


def _layer_norm(arrays, ndim, affine, eps, fused, need=(True, True, True)):
    """layer_norm's output, the gradients asked for (None for the others) and its node."""
    x, weight, bias, up = arrays
    t = gn.tensor(x, requires_grad=need[0])
    w = gn.tensor(weight, requires_grad=need[1]) if affine in ("both", "weight") else None
    b = gn.tensor(bias, requires_grad=need[2]) if affine in ("both", "bias") else None
    with contextlib.nullcontext() if fused else onednn.disabled():
        y = nn.functional.layer_norm(t, x.shape[x.ndim - ndim :], w, b, eps)
        y.backward(gn.tensor(up))
    grads = [None if p is None or p.grad is None else p.grad.numpy() for p in (t, w, b)]
    return y.detach().numpy(), grads, y.grad_fn


@pytest.mark.parametrize("shape, ndim", SHAPES)
@pytest.mark.parametrize("affine", AFFINE)
@pytest.mark.parametrize("eps", [1e-5, 0.1])
def test_onednn_layer_norm_equals_the_numpy_path(shape, ndim, affine, eps):
    arrays = _arrays(shape, ndim)
    y, grads, node = _layer_norm(arrays, ndim, affine, eps, fused=True)
    y_np, grads_np, node_np = _layer_norm(arrays, ndim, affine, eps, fused=False)
    assert hasattr(node, "ln_kernel") and not hasattr(node_np, "ln_kernel")
    assert y.dtype == np.float32 and y.shape == shape
    assert_close(y, y_np, RTOL, "output")
    for name, g, g_np in zip(("x", "weight", "bias"), grads, grads_np):
        assert (g is None) == (g_np is None), name
        if g is not None:
            assert g.dtype == np.float32 and g.shape == g_np.shape, name
            assert_close(g, g_np, RTOL, f"gradient of {name}")
    assert (grads[1] is None) == (affine not in ("both", "weight"))
    assert (grads[2] is None) == (affine not in ("both", "bias"))


@pytest.mark.parametrize("shape, ndim", SHAPES[:4])
@pytest.mark.parametrize("affine", AFFINE)
def test_onednn_layer_norm_matches_torch(torch, shape, ndim, affine):
    arrays = _arrays(shape, ndim, seed=3)
    x, weight, bias, up = arrays
    y, grads, _ = _layer_norm(arrays, ndim, affine, 1e-5, fused=True)
    tx = torch.tensor(x, requires_grad=True)
    tw = torch.tensor(weight, requires_grad=True) if affine in ("both", "weight") else None
    tb = torch.tensor(bias, requires_grad=True) if affine in ("both", "bias") else None
    ty = torch.nn.functional.layer_norm(tx, x.shape[x.ndim - ndim :], tw, tb, 1e-5)
    ty.backward(torch.tensor(up))
    assert_close(y, ty.detach().numpy(), RTOL, "output")
    for name, g, tp in zip(("x", "weight", "bias"), grads, (tx, tw, tb)):
        if tp is None:
            assert g is None, name
        else:
            assert_close(g, tp.grad.numpy(), RTOL, f"gradient of {name}")


@pytest.mark.parametrize("need", [(True, False, False), (False, True, False), (False, False, True)])
def test_only_the_gradients_asked_for(need):
    arrays = _arrays((4, 6, 10), 1, seed=1)
    _, grads, node = _layer_norm(arrays, 1, "both", 1e-5, fused=True, need=need)
    _, grads_np, _ = _layer_norm(arrays, 1, "both", 1e-5, fused=False, need=need)
    assert hasattr(node, "ln_kernel")
    for asked, g, g_np in zip(need, grads, grads_np):
        assert (g is not None) == asked
        if asked:
            assert_close(g, g_np, RTOL, "gradient")


def test_the_module_runs_onednn_for_float32_only():
    layer = nn.LayerNorm(12)
    x = gn.tensor(_arrays((2, 3, 12), 1)[0], requires_grad=True)
    assert hasattr(layer(x).grad_fn, "ln_kernel")
    layer64 = nn.LayerNorm(12, dtype=gn.float64)
    assert not hasattr(layer64(x.double()).grad_fn, "ln_kernel")  # float64: NumPy's passes
    with onednn.disabled():
        assert not hasattr(layer(x).grad_fn, "ln_kernel")
    empty = layer(gn.zeros(0, 12, requires_grad=True))  # empty: NumPy's path, no kernel
    assert empty.shape == (0, 12) and not hasattr(empty.grad_fn, "ln_kernel")
    with gn.no_grad():
        y = layer(x)  # not recorded: oneDNN's forward, nothing saved
    assert_close(y.numpy(), layer(x).detach().numpy(), 0.0, "output without grad")


def test_a_backward_with_onednn_off_since_forward_runs_numpys_passes():
    """oneDNN's forward, then oneDNN turned off (a forked child, ``disabled()``):
    backward takes NumPy's passes on x̂ from the saved x, μ and σ²."""
    x0, w0, b0, up = _arrays((3, 4, 10), 1, seed=6)
    results = []
    for off_at_backward in (True, False):
        x, w, b = (gn.tensor(a, requires_grad=True) for a in (x0, w0, b0))
        y = nn.functional.layer_norm(x, (10,), w, b)
        assert hasattr(y.grad_fn, "ln_kernel")
        with onednn.disabled() if off_at_backward else contextlib.nullcontext():
            y.backward(gn.tensor(up))
        results.append([p.grad.numpy() for p in (x, w, b)])
    for name, a, b in zip(("x", "weight", "bias"), *results):
        assert_close(a, b, RTOL, f"gradient of {name}")


def test_nan_and_inf_rows_propagate_as_in_the_numpy_path():
    """A row with a NaN or an ±inf gives NaN in that row (output and ∂L/∂x)
    and in the columns of ∂L/∂γ, as glassnet's NumPy passes and PyTorch do;
    the other rows are untouched."""
    arrays = list(_arrays((4, 6), 1, seed=2))
    arrays[0][1, 2] = np.nan
    arrays[0][2, 3] = np.inf
    arrays[0][3, :2] = (-np.inf, np.inf)
    with np.errstate(invalid="ignore"):
        y, grads, _ = _layer_norm(arrays, 1, "both", 1e-5, fused=True)
        y_np, grads_np, _ = _layer_norm(arrays, 1, "both", 1e-5, fused=False)
    assert np.isnan(y[1:]).all() and np.isfinite(y[0]).all()
    assert_close(y, y_np, RTOL, "output")  # (equal_nan)
    assert np.isnan(grads[0][1:]).all() and np.isfinite(grads[0][0]).all()
    for g, g_np in zip(grads, grads_np):
        np.testing.assert_array_equal(np.isnan(g), np.isnan(g_np))


def test_an_in_place_change_to_x_after_forward_is_an_error():
    x = gn.tensor(_arrays((3, 8), 1)[0], requires_grad=True)
    h = x * 1.0
    y = nn.functional.layer_norm(h, (8,))
    assert hasattr(y.grad_fn, "ln_kernel")
    h.add_(1.0)
    with pytest.raises(RuntimeError, match="in-place"):
        y.sum().backward()


@pytest.mark.parametrize("shape, ndim", [((3, 10), 1), ((2, 3, 4), 2)])
def test_second_derivatives_through_the_onednn_forward(shape, ndim):
    """create_graph: ∂L/∂x and ∂L/∂γ as recorded ops (the composite, which needs
    nothing the oneDNN forward saved), then a Hessian-vector product: the same
    as through glassnet's own forward."""
    x0, w0, b0, up = _arrays(shape, ndim, seed=4)
    v = gn.tensor(np.random.default_rng(5).standard_normal(shape).astype(np.float32))
    results = []
    for fused in (True, False):
        x = gn.tensor(x0, requires_grad=True)
        w = gn.tensor(w0, requires_grad=True)
        b = gn.tensor(b0, requires_grad=True)
        with contextlib.nullcontext() if fused else onednn.disabled():
            y = nn.functional.layer_norm(x, shape[len(shape) - ndim :], w, b)
        assert hasattr(y.grad_fn, "ln_kernel") == fused
        loss = (y * gn.tensor(up)).sum() + (y**2).sum()
        gx, gw = gn.autograd.grad(loss, (x, w), create_graph=True)
        hx, hw = gn.autograd.grad((gx * v).sum() + gw.sum(), (x, w))
        results.append([t.detach().numpy() for t in (gx, gw, hx, hw)])
    for name, a, b in zip(("gx", "gw", "Hv x", "Hv w"), *results):
        assert np.abs(a).max() > 0, name
        assert_close(a, b, 1e-4, name)


def test_the_kernel_cache_keeps_one_kernel_per_shape_eps_and_affine():
    onednn.clear_caches()
    x = gn.tensor(_arrays((4, 5, 8), 1)[0])
    w = gn.ones(8)
    for _ in range(3):
        nn.functional.layer_norm(x, (8,), w, None)
    nn.functional.layer_norm(x, (8,), w, None, eps=1e-3)
    nn.functional.layer_norm(x, (5, 8))
    assert list(onednn.cached("layer_norm")) == [
        (20, 8, 1e-5, True, False),
        (20, 8, 1e-3, True, False),
        (4, 40, 1e-5, False, False),
    ]
    onednn.clear_caches()
    assert len(onednn.cached("layer_norm")) == 0


def test_the_kernel_refuses_a_missing_scale():
    kernel = onednn.layer_norm_kernel(2, 3, 1e-5, True, False)
    x = np.ones((2, 3), np.float32)
    with pytest.raises(ValueError, match="needs scale"):
        kernel.forward(x, np.empty_like(x))
