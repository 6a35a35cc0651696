"""Pooling against PyTorch and finite differences: F.max_pool2d (with
indices, ties and NaNs), F.avg_pool2d (count_include_pad, divisor_override),
F.adaptive_avg_pool2d, over hypothesis-drawn sizes, kernels, strides,
paddings, dilations and ceil_mode; outputs and input gradients (float64 to
1e-9, float32 to 1e-4); gn.gradcheck on small sizes; the nn layers' reprs and
errors."""

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from opcheck import DTYPES, FEW, SETTINGS, check_grad, compare, distinct, normal, seeds

import glassnet as gn
from glassnet import nn
from glassnet.errors import DTypeError, ShapeError
from glassnet.nn import functional as F
from glassnet.ops.pool import AdaptiveAvgPool2d

TOL = {np.dtype(np.float64): 1e-9, np.dtype(np.float32): 1e-4}


def _tol(dtype):
    return TOL[np.dtype(dtype)]


@st.composite
def pool_cases(draw, max_pool=True, max_extra=4):
    """Arguments of a valid max or average pooling (PyTorch's limits: padding at
    most half the kernel (torch 2.13 checks the undilated kernel for max pooling
    too); average pooling has no dilation)."""
    kernel = tuple(draw(st.integers(1, 4)) for _ in range(2))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(2)) if max_pool else (1, 1)
    stride = draw(st.none() | st.tuples(st.integers(1, 3), st.integers(1, 3)))
    reach = [d * (k - 1) + 1 for k, d in zip(kernel, dilation)]
    half = [k // 2 for k in kernel]
    padding = tuple(draw(st.integers(0, min(2, h))) for h in half)
    size = tuple(
        draw(st.integers(max(1, r - 2 * p), max(1, r - 2 * p) + max_extra))
        for r, p in zip(reach, padding)
    )
    case = dict(
        shape=(draw(st.integers(1, 2)), draw(st.integers(1, 3))) + size,
        kernel_size=kernel,
        stride=stride,
        padding=padding,
        ceil_mode=draw(st.booleans()),
    )
    if max_pool:
        case["dilation"] = dilation
    else:
        case["count_include_pad"] = draw(st.booleans())
        case["divisor_override"] = draw(st.none() | st.integers(1, 5))
    return case


def _args(case):
    return {k: v for k, v in case.items() if k != "shape"}


# ---- max pooling ---------------------------------------------------------------------------
@pytest.mark.torch
@pytest.mark.parametrize("dtype", DTYPES)
@SETTINGS
@given(case=pool_cases(), seed=seeds, return_indices=st.booleans())
def test_max_pool2d_matches_torch(torch, dtype, case, seed, return_indices):
    kw = dict(_args(case), return_indices=return_indices)
    x = distinct(seed, case["shape"], dtype)
    # a window whose dilated taps all fall in the padding has no input to pass its
    # gradient to (PyTorch writes it to an arbitrary element): not a meaningful case
    assume(np.isfinite(F.max_pool2d(gn.tensor(x), **_args(case)).numpy()).all())
    outs = compare(
        torch,
        lambda t: F.max_pool2d(t, **kw),
        lambda t: torch.nn.functional.max_pool2d(t, **kw),
        x,
        rtol=_tol(dtype),
    )
    assert outs[0].dtype == dtype
    if return_indices:
        assert outs[1].dtype == np.int64


@pytest.mark.torch
@pytest.mark.parametrize(
    "kw",
    [
        dict(kernel_size=2),
        dict(kernel_size=3, stride=1, padding=1),
        dict(kernel_size=(2, 3), stride=(1, 2), dilation=(2, 1), ceil_mode=True),
    ],
)
def test_max_pool2d_ties_go_to_the_first_maximum_like_torch(torch, kw):
    """After a ReLU many windows are all zeros: the gradient goes to the first
    maximum in row-major order, as in PyTorch (and so do the indices)."""
    x = np.maximum(np.round(normal(4, (2, 3, 9, 8)) * 2), 0)
    compare(
        torch,
        lambda t: F.max_pool2d(t, return_indices=True, **kw),
        lambda t: torch.nn.functional.max_pool2d(t, return_indices=True, **kw),
        x,
        rtol=1e-12,
    )


@pytest.mark.torch
def test_max_pool2d_nan_wins_like_torch(torch):
    x = normal(5, (1, 2, 6, 6))
    x[0, 0, 1, 1] = x[0, 1, 4, 5] = x[0, 1, 4, 4] = np.nan
    out, idx = F.max_pool2d(gn.tensor(x), 2, return_indices=True)
    t_out, t_idx = torch.nn.functional.max_pool2d(torch.tensor(x), 2, return_indices=True)
    np.testing.assert_array_equal(out.numpy(), t_out.numpy())  # NaNs in the same places
    np.testing.assert_array_equal(idx.numpy(), t_idx.numpy())


@FEW
@given(case=pool_cases(max_extra=2), seed=seeds)
def test_max_pool2d_gradcheck(case, seed):
    kw = _args(case)
    x = distinct(seed, case["shape"], gap=0.01)
    assume(np.isfinite(F.max_pool2d(gn.tensor(x), **kw).numpy()).all())
    check_grad(lambda t: F.max_pool2d(t, **kw), x)


def test_max_pool2d_values_without_torch():
    x = np.arange(32.0).reshape(1, 2, 4, 4)
    x[0, 0, 0, 0] = 100
    t = gn.tensor(x, requires_grad=True)
    out, idx = F.max_pool2d(t, 2, return_indices=True)
    np.testing.assert_array_equal(out.detach().numpy()[0, 0], [[100, 7], [13, 15]])
    np.testing.assert_array_equal(idx.numpy()[0, 0], [[0, 7], [13, 15]])
    out.sum().backward()
    want = np.zeros((4, 4))
    want.flat[[0, 7, 13, 15]] = 1  # each window's gradient goes to its maximum only
    np.testing.assert_array_equal(t.grad.numpy()[0, 0], want)
    # overlapping windows: an element that is the maximum of four windows gets four shares
    x[0, 0, 2, 2] = 200
    t = gn.tensor(x, requires_grad=True)
    F.max_pool2d(t, 3, stride=1).sum().backward()
    assert t.grad.numpy()[0, 0, 2, 2] == 4 and t.grad.numpy()[0, 0].sum() == 4


# ---- average pooling ------------------------------------------------------------------------
@pytest.mark.torch
@pytest.mark.parametrize("dtype", DTYPES)
@SETTINGS
@given(case=pool_cases(max_pool=False), seed=seeds)
def test_avg_pool2d_matches_torch(torch, dtype, case, seed):
    kw = _args(case)
    (out,) = compare(
        torch,
        lambda x: F.avg_pool2d(x, **kw),
        lambda x: torch.nn.functional.avg_pool2d(x, **kw),
        normal(seed, case["shape"], dtype),
        rtol=_tol(dtype),
    )
    assert out.dtype == dtype


@FEW
@given(case=pool_cases(max_pool=False, max_extra=2), seed=seeds)
def test_avg_pool2d_gradcheck(case, seed):
    kw = _args(case)
    check_grad(lambda x: F.avg_pool2d(x, **kw), normal(seed, case["shape"]))


def test_avg_pool2d_divisors_without_torch():
    x = gn.ones(1, 1, 3, 3, dtype=np.float64)
    # the corner window of a padded 2×2 pool sees 1 input and 3 padding zeros
    assert F.avg_pool2d(x, 2, padding=1).numpy()[0, 0, 0, 0] == 0.25
    assert F.avg_pool2d(x, 2, padding=1, count_include_pad=False).numpy()[0, 0, 0, 0] == 1
    assert F.avg_pool2d(x, 2, padding=1, divisor_override=2).numpy()[0, 0, 0, 0] == 0.5


# ---- adaptive average pooling -----------------------------------------------------------------
@st.composite
def adaptive_cases(draw):
    size = (draw(st.integers(1, 9)), draw(st.integers(1, 9)))
    out = draw(
        st.integers(1, 6) | st.tuples(st.none() | st.integers(1, 6), st.none() | st.integers(1, 6))
    )
    return dict(shape=(draw(st.integers(1, 2)), draw(st.integers(1, 3))) + size, output_size=out)


@pytest.fixture(params=["dense", "separable"])
def adaptive_path(request, monkeypatch):
    """Run a test through both ways AdaptiveAvgPool2d computes (see its docstring)."""
    limit = 10**9 if request.param == "dense" else 0
    monkeypatch.setattr(AdaptiveAvgPool2d, "DENSE_LIMIT", limit)
    return request.param


@pytest.mark.torch
@pytest.mark.parametrize("dtype", DTYPES)
@FEW
@given(case=adaptive_cases(), seed=seeds)
def test_adaptive_avg_pool2d_matches_torch(torch, adaptive_path, dtype, case, seed):
    size = case["output_size"]
    (out,) = compare(
        torch,
        lambda x: F.adaptive_avg_pool2d(x, size),
        lambda x: torch.nn.functional.adaptive_avg_pool2d(x, size),
        normal(seed, case["shape"], dtype),
        rtol=_tol(dtype),
    )
    assert out.dtype == dtype


def test_adaptive_avg_pool2d_windows_and_gradcheck(adaptive_path):
    """Output row o averages rows ⌊o·H/OH⌋ … ⌈(o + 1)·H/OH⌉ − 1: for H = 5,
    OH = 3 those are 0-1, 1-3, 3-4 (windows may overlap)."""
    x = np.arange(5.0).reshape(1, 1, 5, 1)
    out = F.adaptive_avg_pool2d(gn.tensor(x), (3, 1))
    np.testing.assert_allclose(out.numpy().ravel(), [0.5, 2.0, 3.5])
    check_grad(lambda t: F.adaptive_avg_pool2d(t, (3, 2)), normal(1, (2, 2, 5, 4)))
    check_grad(lambda t: F.adaptive_avg_pool2d(t, (4, None)), normal(2, (1, 2, 3, 2)))


# ---- the layers -------------------------------------------------------------------------------
LAYERS = [
    ("MaxPool2d", (2,), {}),
    ("MaxPool2d", (3,), dict(stride=2, padding=1, dilation=1)),
    ("MaxPool2d", ((3, 2),), dict(stride=(1, 2), ceil_mode=True, dilation=(2, 1))),
    ("AvgPool2d", (2,), {}),
    ("AvgPool2d", (3,), dict(stride=2, padding=1, count_include_pad=False)),
    ("AvgPool2d", ((2, 3),), dict(ceil_mode=True, divisor_override=3)),
    ("AdaptiveAvgPool2d", ((3, None),), {}),
    ("AdaptiveAvgPool2d", (1,), {}),
]


@pytest.mark.torch
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name,args,kwargs", LAYERS)
def test_layers_match_torch(torch, dtype, name, args, kwargs):
    layer, t_layer = getattr(nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs)
    assert repr(layer) == repr(t_layer)
    assert layer.state_dict() == {} and list(layer.parameters()) == []
    for shape in [(2, 3, 7, 8), (3, 7, 8)]:  # batched and unbatched
        compare(torch, layer, t_layer, distinct(6, shape, dtype), rtol=_tol(dtype))


@pytest.mark.torch
def test_max_pool2d_layer_return_indices(torch):
    layer = nn.MaxPool2d(2, return_indices=True)
    x = distinct(1, (3, 6, 5))  # unbatched
    out, idx = layer(gn.tensor(x))
    t_out, t_idx = torch.nn.MaxPool2d(2, return_indices=True)(torch.tensor(x))
    np.testing.assert_array_equal(out.numpy(), t_out.numpy())
    np.testing.assert_array_equal(idx.numpy(), t_idx.numpy())


def test_pooling_keeps_float32_and_stride_defaults_to_kernel():
    x = gn.tensor(
        np.random.default_rng(0).random((2, 3, 8, 8), dtype=np.float32), requires_grad=True
    )
    layer = nn.MaxPool2d(2)
    assert layer.stride == 2
    for out in (layer(x), nn.AvgPool2d(2)(x), nn.AdaptiveAvgPool2d(3)(x)):
        assert out.dtype == np.float32
        out.sum().backward()
        assert x.grad.dtype == np.float32
    assert nn.MaxPool2d(2)(x).shape == nn.AvgPool2d(2)(x).shape == (2, 3, 4, 4)


# ---- errors -------------------------------------------------------------------------------------
def test_errors_name_the_layer_the_shapes_and_what_was_expected():
    with pytest.raises(
        ShapeError,
        match=r"MaxPool2d\(kernel_size=3.*input of shape "
        r"\(1, 1, 2, 2\) is too small for kernel \(3, 3\)",
    ):
        nn.MaxPool2d(3)(gn.zeros(1, 1, 2, 2))
    with pytest.raises(
        ShapeError,
        match=r"AvgPool2d\(kernel_size=2.*3-D \(unbatched\) or 4-D "
        r"\(batched\) input \(N, C, H, W\), got shape \(4, 4\)",
    ):
        nn.AvgPool2d(2)(gn.zeros(4, 4))
    with pytest.raises(
        ValueError,
        match=r"MaxPool2d.*padding \(2, 2\) should be at most half "
        r"of the effective kernel size",
    ):
        nn.MaxPool2d(3, padding=2)(gn.zeros(1, 1, 8, 8))
    with pytest.raises(ValueError, match=r"avg_pool2d: padding \(2, 2\) should be at most half"):
        F.avg_pool2d(gn.zeros(1, 1, 8, 8), 3, padding=2)
    with pytest.raises(DTypeError, match="max_pool2d: expected a floating-point input, got int64"):
        F.max_pool2d(gn.tensor(np.zeros((1, 1, 4, 4), dtype=np.int64)), 2)
    with pytest.raises(ValueError, match="divisor_override must be a non-zero int"):
        F.avg_pool2d(gn.zeros(1, 1, 4, 4), 2, divisor_override=0)
    with pytest.raises(
        ValueError,
        match=r"AdaptiveAvgPool2d: output_size must be a positive int "
        r"or a pair",
    ):
        nn.AdaptiveAvgPool2d((0, 2))
    with pytest.raises(ShapeError, match=r"adaptive_avg_pool2d: .*\(1, 1, 0, 3\) has an empty"):
        F.adaptive_avg_pool2d(gn.zeros(1, 1, 0, 3), 2)
    with pytest.raises(ValueError, match="MaxPool2d: kernel_size must be a positive int"):
        nn.MaxPool2d(0)
    with pytest.raises(TypeError, match="expected a Tensor input, got list"):
        F.max_pool2d([[1.0]], 1)
