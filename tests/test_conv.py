"""Convolutions against PyTorch and finite differences: F.conv1d, F.conv2d,
F.conv_transpose2d and nn.Conv1d / nn.Conv2d / nn.ConvTranspose2d over
hypothesis-drawn sizes, strides, paddings (numbers, 'same', 'valid'),
dilations and groups; outputs and the gradients of input, weight and bias
(float64 to 1e-9, float32 to 1e-4); gn.gradcheck on small sizes; weights
loaded from a PyTorch module's state_dict; PyTorch's default init, reprs and
errors. A loop-by-loop reference (the formula in glassnet.ops.conv) checks
the values without torch."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from opcheck import DTYPES, FEW, SETTINGS, check_grad, compare, normal, seeds

import glassnet as gn
from glassnet import nn
from glassnet.errors import DTypeError, ShapeError
from glassnet.nn import functional as F
from glassnet.ops import conv as conv_ops

TOL = {np.dtype(np.float64): 1e-9, np.dtype(np.float32): 1e-4}
same_padding_warning = pytest.mark.filterwarnings("ignore:Using padding='same'")


def _tol(dtype):
    return TOL[np.dtype(dtype)]


# ---- what the hypothesis tests draw --------------------------------------------------
@st.composite
def conv_cases(draw, dims=2, max_kernel=4, max_dilation=3, max_extra=5, max_n=2):
    """Arguments of a valid convolution with ``dims`` spatial axes."""
    groups = draw(st.integers(1, 3))
    c_in = groups * draw(st.integers(1, 2))
    c_out = groups * draw(st.integers(1, 2))
    kernel = tuple(draw(st.integers(1, max_kernel)) for _ in range(dims))
    dilation = tuple(draw(st.integers(1, max_dilation)) for _ in range(dims))
    mode = draw(st.sampled_from(["numbers", "numbers", "same", "valid"]))
    if mode == "numbers":
        stride = tuple(draw(st.integers(1, 3)) for _ in range(dims))
        padding = tuple(draw(st.integers(0, 3)) for _ in range(dims))
        pads = padding
    else:
        stride, padding, pads = (1,) * dims, mode, (0,) * dims
    reach = [d * (k - 1) + 1 for k, d in zip(kernel, dilation)]
    smallest = [1 if mode == "same" else max(1, r - 2 * p) for r, p in zip(reach, pads)]
    size = tuple(draw(st.integers(s, s + max_extra)) for s in smallest)
    return dict(
        n=draw(st.integers(1, max_n)),
        c_in=c_in,
        c_out=c_out,
        kernel=kernel,
        size=size,
        stride=stride,
        padding=padding,
        dilation=dilation,
        groups=groups,
        bias=draw(st.booleans()),
    )


def _conv_arrays(case, seed, dtype):
    x = normal(seed, (case["n"], case["c_in"]) + case["size"], dtype)
    w = normal(seed + 1, (case["c_out"], case["c_in"] // case["groups"]) + case["kernel"], dtype)
    b = normal(seed + 2, (case["c_out"],), dtype)
    return (x, w, b) if case["bias"] else (x, w)


def _kwargs(case, *names):
    return {k: case[k] for k in names}


@pytest.fixture(params=["whole rows", "windows"])
def layout(request, monkeypatch):
    """Run a test through both im2col layouts of glassnet.ops.conv (stride-1
    convolutions pick one by size; see whole_rows)."""
    rows = request.param == "whole rows"
    monkeypatch.setattr(conv_ops, "whole_rows", lambda values, channels: rows)
    return request.param


# ---- conv2d / conv1d against PyTorch ----------------------------------------------------
@same_padding_warning
@pytest.mark.torch
@pytest.mark.parametrize("dtype", DTYPES)
@SETTINGS
@given(case=conv_cases(), seed=seeds)
def test_conv2d_matches_torch(torch, layout, dtype, case, seed):
    kw = _kwargs(case, "stride", "padding", "dilation", "groups")
    (out,) = compare(
        torch,
        lambda *a: F.conv2d(*a, **kw),
        lambda *a: torch.nn.functional.conv2d(*a, **kw),
        *_conv_arrays(case, seed, dtype),
        rtol=_tol(dtype),
    )
    assert out.dtype == dtype


@same_padding_warning
@pytest.mark.torch
@pytest.mark.parametrize("dtype", DTYPES)
@SETTINGS
@given(case=conv_cases(dims=1), seed=seeds)
def test_conv1d_matches_torch(torch, layout, dtype, case, seed):
    kw = _kwargs(case, "stride", "padding", "dilation", "groups")
    (out,) = compare(
        torch,
        lambda *a: F.conv1d(*a, **kw),
        lambda *a: torch.nn.functional.conv1d(*a, **kw),
        *_conv_arrays(case, seed, dtype),
        rtol=_tol(dtype),
    )
    assert out.dtype == dtype


@FEW
@given(case=conv_cases(max_kernel=3, max_dilation=2, max_extra=1, max_n=1), seed=seeds)
def test_conv2d_gradcheck(layout, case, seed):
    kw = _kwargs(case, "stride", "padding", "dilation", "groups")
    check_grad(lambda *a: F.conv2d(*a, **kw), *_conv_arrays(case, seed, np.float64))


def test_conv1d_gradcheck():
    x, w, b = normal(1, (2, 4, 7)), normal(2, (6, 2, 3)), normal(3, (6,))
    check_grad(lambda *a: F.conv1d(*a, stride=2, padding=2, dilation=2, groups=2), x, w, b)


@pytest.mark.torch
@same_padding_warning
@pytest.mark.parametrize(
    "kernel,dilation", [((2, 2), (1, 1)), ((4, 3), (1, 2)), ((2, 4), (3, 2)), ((1, 2), (2, 3))]
)
def test_same_padding_with_even_kernels_and_dilation(torch, layout, kernel, dilation):
    """'same' pads d·(k − 1) in all, the odd one at the bottom/right, as PyTorch."""
    x, w, b = normal(1, (2, 3, 7, 6)), normal(2, (4, 3) + kernel), normal(3, (4,))
    kw = dict(padding="same", dilation=dilation)
    (out,) = compare(
        torch,
        lambda *a: F.conv2d(*a, **kw),
        lambda *a: torch.nn.functional.conv2d(*a, **kw),
        x,
        w,
        b,
        rtol=1e-9,
    )
    assert out.shape == (2, 4, 7, 6)
    kw = dict(padding="same", dilation=dilation[1])
    (out,) = compare(
        torch,
        lambda *a: F.conv1d(*a, **kw),
        lambda *a: torch.nn.functional.conv1d(*a, **kw),
        normal(4, (2, 3, 9)),
        normal(5, (4, 3, kernel[1])),
        rtol=1e-9,
    )
    assert out.shape == (2, 4, 9)


@pytest.mark.torch
@pytest.mark.parametrize("dtype", DTYPES)
def test_depthwise_and_grouped_convolutions(torch, dtype):
    x = normal(1, (2, 6, 9, 8), dtype)
    for groups, c_out in ((6, 6), (6, 12), (3, 6), (2, 4)):
        w = normal(2, (c_out, 6 // groups, 3, 3), dtype)
        b = normal(3, (c_out,), dtype)
        kw = dict(groups=groups, padding=1, stride=(1, 2))
        compare(
            torch,
            lambda *a: F.conv2d(*a, **kw),
            lambda *a: torch.nn.functional.conv2d(*a, **kw),
            x,
            w,
            b,
            rtol=_tol(dtype),
        )


@pytest.mark.torch
def test_non_contiguous_inputs_and_unbatched_inputs(torch, layout):
    base = normal(1, (2, 3, 8, 7))
    w, b = normal(2, (4, 3, 3, 2)), normal(3, (4,))
    x = gn.tensor(base, requires_grad=True)
    tx = torch.tensor(base, requires_grad=True)
    out = F.conv2d(x.transpose(2, 3), gn.tensor(w), gn.tensor(b), padding=1)
    t_out = torch.nn.functional.conv2d(
        tx.transpose(2, 3), torch.tensor(w), torch.tensor(b), padding=1
    )
    np.testing.assert_allclose(out.detach().numpy(), t_out.detach().numpy(), rtol=1e-9, atol=1e-9)
    out.sum().backward()
    t_out.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-9, atol=1e-9)
    # an unbatched (C, H, W) input gives the batched result without the batch axis
    one = F.conv2d(gn.tensor(base[0]), gn.tensor(w), gn.tensor(b), stride=2)
    np.testing.assert_allclose(
        one.numpy(), F.conv2d(gn.tensor(base[:1]), gn.tensor(w), gn.tensor(b), stride=2).numpy()[0]
    )
    line = F.conv1d(gn.tensor(base[0, :, 0]), gn.tensor(w[:, :, 0]))
    assert line.shape == (4, 6)


def _reference_conv2d(x, w, b, stride, padding, dilation, groups):
    """The formula in glassnet.ops.conv, one output element at a time."""
    n, c = x.shape[:2]
    o, cg, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding[0],) * 2, (padding[1],) * 2))
    oh = (xp.shape[2] - dilation[0] * (kh - 1) - 1) // stride[0] + 1
    ow = (xp.shape[3] - dilation[1] * (kw - 1) - 1) // stride[1] + 1
    out = np.zeros((n, o, oh, ow))
    for ni in range(n):
        for oi in range(o):
            g = oi // (o // groups)
            for p in range(oh):
                for q in range(ow):
                    total = b[oi]
                    for ci in range(cg):
                        for i in range(kh):
                            for j in range(kw):
                                total += (
                                    w[oi, ci, i, j]
                                    * xp[
                                        ni,
                                        g * cg + ci,
                                        p * stride[0] + i * dilation[0],
                                        q * stride[1] + j * dilation[1],
                                    ]
                                )
                    out[ni, oi, p, q] = total
    return out


def test_conv2d_matches_the_formula_without_torch():
    x, b = normal(1, (2, 4, 7, 6)), normal(3, (6,))
    for stride, padding, dilation, groups in [
        ((1, 1), (0, 0), (1, 1), 1),
        ((2, 1), (1, 2), (1, 2), 2),
    ]:
        w = normal(2, (6, 4 // groups, 3, 2))
        got = F.conv2d(
            gn.tensor(x),
            gn.tensor(w),
            gn.tensor(b),
            stride=stride,
            padding=padding,
            dilation=dilation,
            groups=groups,
        )
        want = _reference_conv2d(x, w, b, stride, padding, dilation, groups)
        np.testing.assert_allclose(got.numpy(), want, rtol=1e-12, atol=1e-12)


# ---- conv_transpose2d ----------------------------------------------------------------------
@st.composite
def conv_transpose_cases(draw):
    groups = draw(st.integers(1, 3))
    stride = tuple(draw(st.integers(1, 3)) for _ in range(2))
    dilation = tuple(draw(st.integers(1, 3)) for _ in range(2))
    kernel = tuple(draw(st.integers(1, 4)) for _ in range(2))
    output_padding = tuple(draw(st.integers(0, max(s, d) - 1)) for s, d in zip(stride, dilation))
    size = tuple(draw(st.integers(1, 5)) for _ in range(2))
    full = [
        (n - 1) * s + d * (k - 1) + op + 1
        for n, s, d, k, op in zip(size, stride, dilation, kernel, output_padding)
    ]
    padding = tuple(draw(st.integers(0, min(3, (f - 1) // 2))) for f in full)
    return dict(
        n=draw(st.integers(1, 2)),
        c_in=groups * draw(st.integers(1, 2)),
        c_out=groups * draw(st.integers(1, 2)),
        kernel=kernel,
        size=size,
        stride=stride,
        padding=padding,
        output_padding=output_padding,
        dilation=dilation,
        groups=groups,
        bias=draw(st.booleans()),
    )


def _transpose_arrays(case, seed, dtype):
    x = normal(seed, (case["n"], case["c_in"]) + case["size"], dtype)
    w = normal(seed + 1, (case["c_in"], case["c_out"] // case["groups"]) + case["kernel"], dtype)
    b = normal(seed + 2, (case["c_out"],), dtype)
    return (x, w, b) if case["bias"] else (x, w)


@pytest.mark.torch
@pytest.mark.parametrize("dtype", DTYPES)
@SETTINGS
@given(case=conv_transpose_cases(), seed=seeds)
def test_conv_transpose2d_matches_torch(torch, dtype, case, seed):
    kw = _kwargs(case, "stride", "padding", "output_padding", "groups", "dilation")
    (out,) = compare(
        torch,
        lambda *a: F.conv_transpose2d(*a, **kw),
        lambda *a: torch.nn.functional.conv_transpose2d(*a, **kw),
        *_transpose_arrays(case, seed, dtype),
        rtol=_tol(dtype),
    )
    assert out.dtype == dtype


@FEW
@given(case=conv_transpose_cases(), seed=seeds)
def test_conv_transpose2d_gradcheck(case, seed):
    case = dict(case, n=1, size=tuple(min(s, 3) for s in case["size"]), padding=(0, 0))
    kw = _kwargs(case, "stride", "padding", "output_padding", "groups", "dilation")
    check_grad(lambda *a: F.conv_transpose2d(*a, **kw), *_transpose_arrays(case, seed, np.float64))


def test_conv_transpose2d_is_the_adjoint_of_conv2d():
    """⟨conv2d(x, W), y⟩ = ⟨x, conv_transpose2d(y, W)⟩ for the same weight."""
    x, w, y = normal(1, (2, 4, 9, 8)), normal(2, (6, 2, 3, 2)), normal(3, (2, 6, 5, 4))
    kw = dict(stride=2, padding=1, dilation=(1, 2), groups=2)
    fwd = F.conv2d(gn.tensor(x), gn.tensor(w), **kw).numpy()
    back = F.conv_transpose2d(gn.tensor(y), gn.tensor(w), output_padding=(0, 1), **kw).numpy()
    assert back.shape == x.shape
    assert np.isclose(np.sum(fwd * y), np.sum(x * back), rtol=1e-12)


# ---- the layers -------------------------------------------------------------------------------
LAYERS = [
    ("Conv1d", (3, 4, 3), dict(stride=2, padding=1), (2, 3, 11)),
    ("Conv1d", (4, 6, 4), dict(padding="same", dilation=2, groups=2, bias=False), (2, 4, 9)),
    ("Conv2d", (3, 4, 3), {}, (2, 3, 8, 7)),
    (
        "Conv2d",
        (4, 6, (3, 2)),
        dict(stride=(2, 1), padding=(1, 2), dilation=(2, 1), groups=2),
        (2, 4, 9, 8),
    ),
    ("Conv2d", (4, 4, 4), dict(padding="same", groups=4, bias=False), (1, 4, 6, 5)),
    ("Conv2d", (2, 3, 2), dict(padding="valid"), (3, 2, 5, 5)),
    ("ConvTranspose2d", (3, 4, 3), dict(stride=2, padding=1, output_padding=1), (2, 3, 5, 4)),
    (
        "ConvTranspose2d",
        (4, 6, (2, 3)),
        dict(stride=(1, 2), dilation=(2, 1), groups=2, bias=False),
        (2, 4, 4, 5),
    ),
]


@same_padding_warning
@pytest.mark.torch
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name,args,kwargs,shape", LAYERS)
def test_layer_with_torch_weights_matches_torch(torch, dtype, name, args, kwargs, shape):
    """Weights loaded from the PyTorch module's state_dict: same outputs, same
    gradients of input, weight and bias; same parameter names, shapes and repr."""
    t_layer = getattr(torch.nn, name)(*args, **kwargs).to(getattr(torch, np.dtype(dtype).name))
    layer = getattr(nn, name)(*args, **kwargs, dtype=dtype)
    assert repr(layer) == repr(t_layer)
    assert [(k, v.shape) for k, v in layer.state_dict().items()] == [
        (k, tuple(v.shape)) for k, v in t_layer.state_dict().items()
    ]
    layer.load_state_dict({k: v.numpy() for k, v in t_layer.state_dict().items()})
    x = normal(7, shape, dtype)
    gx, tx = gn.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, t_out = layer(gx), t_layer(tx)
    tol = _tol(dtype)
    assert out.dtype == dtype
    np.testing.assert_allclose(out.detach().numpy(), t_out.detach().numpy(), rtol=tol, atol=tol)
    up = normal(8, out.shape, dtype)
    out.backward(up)
    t_out.backward(torch.tensor(up))
    np.testing.assert_allclose(gx.grad.numpy(), tx.grad.numpy(), rtol=tol, atol=tol)
    t_params = dict(t_layer.named_parameters())
    for key, p in layer.named_parameters():
        assert p.grad.dtype == dtype
        np.testing.assert_allclose(
            p.grad.numpy(), t_params[key].grad.numpy(), rtol=tol, atol=tol, err_msg=key
        )


def test_default_init_is_pytorchs():
    """kaiming_uniform_(a=√5): U(±1/√fan_in) for weight and bias, fan_in =
    weight.shape[1]·kernel area (for ConvTranspose2d that is out/groups)."""
    gn.manual_seed(3)
    for layer, fan_in in [
        (nn.Conv2d(8, 32, 3), 8 * 9),
        (nn.Conv1d(6, 40, 5, groups=2), 3 * 5),
        (nn.ConvTranspose2d(8, 32, (3, 2), groups=4), 8 * 6),
    ]:
        bound = 1 / math.sqrt(fan_in)
        w, b = layer.weight.detach().numpy(), layer.bias.detach().numpy()
        assert w.dtype == b.dtype == np.float32
        assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
        assert abs(w.std() - bound / math.sqrt(3)) < 0.1 * bound  # uniform's std
    a, b = nn.Conv2d(2, 3, 3), nn.Conv2d(2, 3, 3)
    assert not np.array_equal(a.weight.detach().numpy(), b.weight.detach().numpy())
    gn.manual_seed(5)
    c = nn.Conv2d(2, 3, 3)
    gn.manual_seed(5)
    assert np.array_equal(c.weight.detach().numpy(), nn.Conv2d(2, 3, 3).weight.detach().numpy())


def test_layer_attributes_follow_pytorch():
    conv = nn.Conv2d(4, 8, 3, stride=2, padding=1, bias=False)
    assert (conv.kernel_size, conv.stride, conv.padding, conv.dilation) == (
        (3, 3),
        (2, 2),
        (1, 1),
        (1, 1),
    )
    assert conv.bias is None and conv.weight.shape == (8, 4, 3, 3)
    assert [k for k, _ in conv.named_parameters()] == ["weight"]
    line = nn.Conv1d(2, 4, 5, padding="same")
    assert line.kernel_size == (5,) and line.padding == "same"
    up = nn.ConvTranspose2d(4, 6, 2, stride=2, groups=2)
    assert up.weight.shape == (4, 3, 2, 2) and up.bias.shape == (6,)
    assert up.output_padding == (0, 0) and up.transposed and not conv.transposed
    assert nn.Conv2d(1, 1, 3, dtype=np.float64).weight.dtype == np.float64


@pytest.mark.torch
def test_conv_transpose2d_output_size(torch):
    layer = nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1)
    t_layer = torch.nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1).double()
    layer.to(np.float64)
    layer.load_state_dict({k: v.numpy() for k, v in t_layer.state_dict().items()})
    x = normal(1, (1, 2, 4, 5))
    for size in [(7, 9), (8, 10), (1, 3, 8, 9)]:
        out = layer(gn.tensor(x), output_size=size)
        want = t_layer(torch.tensor(x), output_size=size).detach().numpy()
        assert out.shape == want.shape
        np.testing.assert_allclose(out.detach().numpy(), want, rtol=1e-9, atol=1e-9)
    with pytest.raises(ValueError, match=r"ConvTranspose2d\(.*valid sizes are 7 to 8"):
        layer(gn.tensor(x), output_size=(9, 9))


@pytest.mark.torch
def test_small_cnn_step_matches_torch(torch):
    """The benchmark CNN (conv-relu-pool ×2, linear) with torch's weights: the
    same loss and the same gradient for every parameter."""

    def build(m):
        return m.Sequential(
            m.Conv2d(1, 8, 3),
            m.ReLU(),
            m.MaxPool2d(2),
            m.Conv2d(8, 16, 3),
            m.ReLU(),
            m.MaxPool2d(2),
            m.Flatten(),
            m.Linear(400, 10),
        )

    t_net, net = build(torch.nn), build(nn)
    net.load_state_dict({k: v.numpy() for k, v in t_net.state_dict().items()})
    r = np.random.default_rng(0)
    x, y = r.random((8, 1, 28, 28), dtype=np.float32), r.integers(0, 10, 8)
    loss = nn.CrossEntropyLoss()(net(gn.tensor(x)), gn.tensor(y))
    t_loss = torch.nn.CrossEntropyLoss()(t_net(torch.tensor(x)), torch.tensor(y))
    assert loss.dtype == np.float32
    assert abs(loss.item() - t_loss.item()) < 1e-5
    loss.backward()
    t_loss.backward()
    t_params = dict(t_net.named_parameters())
    for key, p in net.named_parameters():
        assert p.grad.dtype == np.float32
        np.testing.assert_allclose(
            p.grad.numpy(), t_params[key].grad.numpy(), rtol=1e-4, atol=1e-5, err_msg=key
        )


def test_small_cnn_learns():
    gn.manual_seed(0)
    r = np.random.default_rng(0)
    x = r.standard_normal((32, 1, 8, 8)).astype(np.float32)
    y = (x[:, 0, :4].sum(axis=(1, 2)) > x[:, 0, 4:].sum(axis=(1, 2))).astype(np.int64)
    net = nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(4, 4, 3, padding="same"),
        nn.ReLU(),
        nn.AdaptiveAvgPool2d(2),
        nn.Flatten(),
        nn.Linear(16, 2),
    )
    opt = gn.optim.Adam(net.parameters(), lr=0.02)
    first = None
    for _ in range(60):
        opt.zero_grad()
        loss = nn.CrossEntropyLoss()(net(gn.tensor(x)), gn.tensor(y))
        loss.backward()
        opt.step()
        first = loss.item() if first is None else first
    assert loss.item() < 0.3 * first


# ---- errors -------------------------------------------------------------------------------------
def test_errors_name_the_layer_the_shapes_and_what_was_expected():
    conv = nn.Conv2d(3, 8, 3)
    with pytest.raises(
        ShapeError,
        match=r"Conv2d\(3, 8, kernel_size=\(3, 3\).*\(2, 1, 28, 28\) "
        r"has 1 channels, expected 3",
    ):
        conv(gn.zeros(2, 1, 28, 28))
    with pytest.raises(
        ShapeError,
        match=r"Conv2d\(3, 8.*3-D \(unbatched\) or 4-D \(batched\) "
        r"input \(N, C, H, W\), got shape \(28, 28\)",
    ):
        conv(gn.zeros(28, 28))
    with pytest.raises(ShapeError, match=r"Conv2d.*\(1, 3, 2, 5\) is too small.*\(3, 3\)"):
        conv(gn.zeros(1, 3, 2, 5))
    with pytest.raises(DTypeError, match=r"Conv2d.*input is float64 but the weight is float32"):
        conv(gn.zeros(1, 3, 5, 5, dtype=np.float64))
    with pytest.raises(DTypeError, match="floating-point input, got int64"):
        conv(gn.tensor(np.zeros((1, 3, 5, 5), dtype=np.int64)))
    with pytest.raises(TypeError, match="expected a Tensor input, got ndarray"):
        conv(np.zeros((1, 3, 5, 5), dtype=np.float32))
    with pytest.raises(ShapeError, match=r"Conv1d\(2, 4.*3-D \(batched\) input \(N, C, L\)"):
        nn.Conv1d(2, 4, 3)(gn.zeros(1, 2, 5, 5))
    with pytest.raises(ShapeError, match=r"ConvTranspose2d\(4, 2.*has 3 channels, expected 4"):
        nn.ConvTranspose2d(4, 2, 3)(gn.zeros(1, 3, 5, 5))


def test_constructor_errors():
    with pytest.raises(ValueError, match="in_channels=3 must be divisible by groups=2"):
        nn.Conv2d(3, 4, 3, groups=2)
    with pytest.raises(ValueError, match="out_channels=5 must be divisible by groups=2"):
        nn.Conv2d(4, 5, 3, groups=2)
    with pytest.raises(ValueError, match="padding='same' is not supported for strided"):
        nn.Conv2d(1, 1, 3, stride=2, padding="same")
    with pytest.raises(ValueError, match="invalid padding string 'full'"):
        nn.Conv2d(1, 1, 3, padding="full")
    with pytest.raises(NotImplementedError, match="padding_mode='reflect' is not supported"):
        nn.Conv2d(1, 1, 3, padding_mode="reflect")
    with pytest.raises(ValueError, match="padding_mode must be one of"):
        nn.Conv2d(1, 1, 3, padding_mode="mirror")
    with pytest.raises(ValueError, match="kernel_size must be a positive int or a pair"):
        nn.Conv2d(1, 1, (3, 0))
    with pytest.raises(ValueError, match=r"kernel_size must be an int or a 1-tuple"):
        nn.Conv1d(1, 1, (3, 3))
    with pytest.raises(ValueError, match="in_channels must be a positive int"):
        nn.Conv2d(0, 1, 3)
    with pytest.raises(
        ValueError,
        match=r"output_padding \(2, 2\) must be smaller than either "
        r"stride \(2, 2\) or dilation \(1, 1\)",
    ):
        nn.ConvTranspose2d(1, 1, 3, stride=2, output_padding=2)
    with pytest.raises(ValueError, match="'same'/'valid' are for Conv2d"):
        nn.ConvTranspose2d(1, 1, 3, padding="same")


def test_functional_errors():
    x, w = gn.zeros(1, 4, 6, 6), gn.zeros(6, 2, 3, 3)
    with pytest.raises(
        ShapeError,
        match=r"conv2d: input of shape \(1, 4, 6, 6\) has 4 channels, "
        r"expected 2 \(weight \(6, 2, 3, 3\) with groups=1",
    ):
        F.conv2d(x, w)
    with pytest.raises(
        ShapeError,
        match=r"conv2d: bias of shape \(4,\) does not fit 6 output "
        r"channels; expected \(6,\)",
    ):
        F.conv2d(x, w, gn.zeros(4), groups=2)
    with pytest.raises(ShapeError, match=r"conv2d: expected a 4-D weight"):
        F.conv2d(x, gn.zeros(6, 2, 3))
    with pytest.raises(ShapeError, match="not divisible by groups=4"):
        F.conv2d(x, gn.zeros(6, 1, 3, 3), groups=4)
    with pytest.raises(ValueError, match="conv2d: groups must be a positive int"):
        F.conv2d(x, w, groups=0)
    with pytest.raises(ValueError, match="conv2d: stride must be a positive int"):
        F.conv2d(x, w, groups=2, stride=0)
    with pytest.raises(
        ShapeError,
        match=r"conv_transpose2d: input of shape \(1, 4, 6, 6\) gives "
        r"an empty output",
    ):
        F.conv_transpose2d(x, gn.zeros(4, 1, 1, 1), padding=3)
    with pytest.raises(ValueError, match="conv_transpose2d: output_padding"):
        F.conv_transpose2d(x, gn.zeros(4, 1, 3, 3), output_padding=1)
