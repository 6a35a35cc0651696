"""Elementwise ops against PyTorch and finite differences: arithmetic with
broadcasting and Python scalars, pow in all three forms, the unary
functions and activations, clamp, maximum/minimum (with their tie rule),
where, and comparisons (no gradient)."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from opcheck import (
    DTYPES,
    FEW,
    SETTINGS,
    away_from,
    broadcast_shapes,
    compare,
    normal,
    seeds,
    shapes,
    uniform,
    verify,
)

import glassnet as gn

pytestmark = pytest.mark.torch


# ---- binary arithmetic with broadcasting ---------------------------------------
def _pos(seed, shape, dtype):
    return uniform(seed, shape, 0.5, 2.0, dtype)


def _nonzero(seed, shape, dtype):
    return away_from(seed, shape, (0.0,), gap=0.5, dtype=dtype)


BINARY = {
    # name: (glassnet, torch, sampler of a, sampler of b)
    "add": (gn.add, lambda a, b: a + b, normal, normal),
    "sub": (gn.sub, lambda a, b: a - b, normal, normal),
    "mul": (gn.mul, lambda a, b: a * b, normal, normal),
    "div": (gn.div, lambda a, b: a / b, normal, _nonzero),
    "pow": (gn.pow, lambda a, b: a**b, _pos, normal),
    "maximum": (gn.maximum, lambda a, b: a.maximum(b), normal, normal),
    "minimum": (gn.minimum, lambda a, b: a.minimum(b), normal, normal),
    "operator+": (lambda a, b: a + b, lambda a, b: a + b, normal, normal),
    "operator-": (lambda a, b: a - b, lambda a, b: a - b, normal, normal),
    "operator*": (lambda a, b: a * b, lambda a, b: a * b, normal, normal),
    "operator/": (lambda a, b: a / b, lambda a, b: a / b, normal, _nonzero),
    "operator**": (lambda a, b: a**b, lambda a, b: a**b, _pos, normal),
    "add alpha": (
        lambda a, b: gn.add(a, b, alpha=-2.5),
        lambda a, b: a.add(b, alpha=-2.5),
        normal,
        normal,
    ),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", list(BINARY))
@SETTINGS
@given(shp=broadcast_shapes(2), seed=seeds)
def test_binary_broadcasting(torch, name, dtype, shp, seed):
    gfn, tfn, sample_a, sample_b = BINARY[name]
    sa, sb = shp.input_shapes
    verify(torch, gfn, tfn, sample_a(seed, sa, dtype=dtype), sample_b(seed + 1, sb, dtype=dtype))


@pytest.mark.parametrize("dtype", DTYPES)
@SETTINGS
@given(shp=broadcast_shapes(2), seed=seeds, which=st.sampled_from([0, 1]))
def test_binary_with_one_input_constant(torch, dtype, shp, seed, which):
    """Only one operand requires grad: the other gets none, and the one that
    does still gets its broadcast-undone gradient."""
    sa, sb = shp.input_shapes
    a, b = normal(seed, sa, dtype), _nonzero(seed + 1, sb, dtype)
    grads = [which == 0, which == 1]
    for fn in (lambda x, y: x * y, lambda x, y: x / y, lambda x, y: x - y):
        verify(torch, fn, fn, a, b, grads=grads)


@pytest.mark.parametrize("dtype", DTYPES)
@FEW
@given(shape=shapes(), seed=seeds, c=st.sampled_from([2.5, -0.75, 3, -2, 0.0]))
def test_python_scalar_operands_keep_dtype(torch, dtype, shape, seed, c):
    x = _nonzero(seed, shape, dtype)
    for fn in (
        lambda t: t + c,
        lambda t: c + t,
        lambda t: t - c,
        lambda t: c - t,
        lambda t: t * c,
        lambda t: c * t,
        lambda t: t / (c or 1.5),
        lambda t: c / t,
        lambda t: -t,
        lambda t: t.neg(),
    ):
        (out,) = verify(torch, fn, fn, x)
        assert out.dtype == dtype


# ---- pow: tensor exponent, scalar exponent, scalar base ------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("p", [2, 3, 0, 1, -1, -2, 0.5, 2.5, -1.5])
@FEW
@given(shape=shapes(), seed=seeds)
def test_pow_scalar_exponent(torch, dtype, p, shape, seed):
    # positive bases: non-integer exponents of negatives are NaN in both libraries
    x = (
        uniform(seed, shape, 0.3, 2.0, dtype)
        if not float(p).is_integer()
        else away_from(seed, shape, (0.0,), gap=0.3, dtype=dtype)
    )
    (out,) = verify(torch, lambda t: t**p, lambda t: t**p, x)
    verify(torch, lambda t: gn.pow(t, p), lambda t: t.pow(p), x)
    assert out.dtype == dtype


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("base", [2.0, 0.5, np.e, 3])
@FEW
@given(shape=shapes(), seed=seeds)
def test_pow_scalar_base(torch, dtype, base, shape, seed):
    x = normal(seed, shape, dtype)
    (out,) = verify(torch, lambda t: base**t, lambda t: base**t, x)
    assert out.dtype == dtype


def test_pow_zero_base_with_tensor_exponent(torch):
    # d(a^b)/db = a^b·ln a, defined as 0 at a = 0 for b ≥ 0 (PyTorch's rule)
    a = np.array([0.0, 0.0, 1.5, 2.0])
    b = np.array([1.0, 2.0, 0.5, -1.0])
    compare(torch, lambda x, y: x**y, lambda x, y: x**y, a, b)


# ---- unary functions and activations ---------------------------------------------------
def _kinks(*points, gap=0.1):
    return lambda seed, shape, dtype: away_from(seed, shape, points, gap=gap, dtype=dtype)


def _scaled(scale):
    return lambda seed, shape, dtype: normal(seed, shape, dtype, scale=scale)


def _range(lo, hi):
    return lambda seed, shape, dtype: uniform(seed, shape, lo, hi, dtype)


def _torch_f(name, **kw):
    return lambda t: getattr(__import__("torch").nn.functional, name)(t, **kw)


UNARY = {
    # name: (glassnet, torch, sampler)
    "neg": (gn.neg, lambda t: -t, _scaled(1)),
    "exp": (gn.exp, lambda t: t.exp(), _scaled(2)),
    "log": (gn.log, lambda t: t.log(), _range(0.05, 5)),
    "sqrt": (gn.sqrt, lambda t: t.sqrt(), _range(0.05, 5)),
    "abs": (gn.abs, lambda t: t.abs(), _kinks(0.0)),
    "sin": (gn.sin, lambda t: t.sin(), _scaled(3)),
    "cos": (gn.cos, lambda t: t.cos(), _scaled(3)),
    "tanh": (gn.tanh, lambda t: t.tanh(), _scaled(2)),
    "sigmoid": (gn.sigmoid, lambda t: t.sigmoid(), _scaled(3)),
    "relu": (gn.relu, lambda t: t.relu(), _kinks(0.0)),
    "leaky_relu": (gn.leaky_relu, _torch_f("leaky_relu"), _kinks(0.0)),
    "leaky_relu 0.2": (
        lambda t: gn.leaky_relu(t, 0.2),
        _torch_f("leaky_relu", negative_slope=0.2),
        _kinks(0.0),
    ),
    "elu": (gn.elu, _torch_f("elu"), _kinks(0.0)),
    "elu 0.5": (lambda t: gn.elu(t, alpha=0.5), _torch_f("elu", alpha=0.5), _kinks(0.0)),
    "gelu": (gn.gelu, _torch_f("gelu"), _scaled(2)),
    "gelu tanh": (
        lambda t: gn.gelu(t, approximate="tanh"),
        _torch_f("gelu", approximate="tanh"),
        _scaled(2),
    ),
    "softplus": (gn.softplus, _torch_f("softplus"), _scaled(3)),
    "softplus beta 2 threshold 1": (
        lambda t: gn.softplus(t, beta=2.0, threshold=1.0),
        _torch_f("softplus", beta=2.0, threshold=1.0),
        _kinks(0.5),
    ),
    "clamp": (lambda t: gn.clamp(t, -0.5, 0.8), lambda t: t.clamp(-0.5, 0.8), _kinks(-0.5, 0.8)),
    "clamp min": (lambda t: t.clamp(min=0.3), lambda t: t.clamp(min=0.3), _kinks(0.3)),
    "clamp max": (lambda t: t.clamp(max=-0.2), lambda t: t.clamp(max=-0.2), _kinks(-0.2)),
    "square": (gn.square, lambda t: t.square(), _scaled(1)),
    "abs operator": (lambda t: abs(t), lambda t: abs(t), _kinks(0.0)),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", list(UNARY))
@SETTINGS
@given(shape=shapes(), seed=seeds)
def test_unary(torch, name, dtype, shape, seed):
    gfn, tfn, sample = UNARY[name]
    (out,) = verify(torch, gfn, tfn, sample(seed, shape, dtype))
    assert out.dtype == dtype


@pytest.mark.parametrize("dtype", DTYPES)
def test_activations_are_stable_at_extreme_inputs(torch, dtype):
    x = np.array([-1000.0, -100.0, -30.0, -1e-3, 0.0, 1e-3, 30.0, 100.0, 1000.0], dtype=dtype)
    for name in ("sigmoid", "tanh", "relu", "elu", "gelu", "softplus"):
        gfn, tfn, _ = UNARY[name]
        (out,) = compare(torch, gfn, tfn, x)
        assert np.isfinite(out.detach().numpy()).all(), name


def test_kinks_follow_pytorch_conventions(torch):
    """At the points where the derivative jumps, PyTorch picks one side;
    glassnet must pick the same: relu'(0) = 0, |x|'(0) = 0, clamp passes the
    gradient at its bounds, leaky_relu'(0) = slope, elu'(0) = α."""
    x = np.array([-1.0, 0.0, 0.5, 1.0, 2.0])
    for name in ("relu", "abs", "leaky_relu 0.2", "elu 0.5"):
        gfn, tfn, _ = UNARY[name]
        compare(torch, gfn, tfn, x)
    compare(torch, lambda t: t.clamp(0.0, 1.0), lambda t: t.clamp(0.0, 1.0), x)
    compare(torch, lambda t: t.sqrt(), lambda t: t.sqrt(), np.array([0.0, 1.0]))


@pytest.mark.parametrize("dtype", DTYPES)
@FEW
@given(shp=broadcast_shapes(3), seed=seeds)
def test_clamp_with_tensor_bounds(torch, dtype, shp, seed):
    _, slo, shi = shp.input_shapes
    # PyTorch's clamp keeps x's shape, so x gets the full broadcast shape
    x = normal(seed, shp.result_shape, dtype, scale=2)
    lo = uniform(seed + 1, slo, -1.5, -0.5, dtype)
    hi = uniform(seed + 2, shi, 0.5, 1.5, dtype)
    verify(torch, lambda a, b, c: gn.clamp(a, b, c), lambda a, b, c: a.clamp(b, c), x, lo, hi)


# ---- maximum / minimum tie rule ---------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
def test_maximum_minimum_split_ties_half_and_half(torch, dtype):
    a = np.array([[1.0, 2.0, 3.0], [0.5, 0.5, -1.0]], dtype=dtype)
    b = np.array([[1.0, 0.0, 5.0], [0.5, 1.0, -1.0]], dtype=dtype)
    for fn in (lambda x, y: x.maximum(y), lambda x, y: x.minimum(y)):
        compare(torch, fn, fn, a, b)
    x = gn.tensor([1.0, 2.0], requires_grad=True)
    y = gn.tensor([1.0, 1.0], requires_grad=True)
    gn.maximum(x, y).sum().backward()
    assert x.grad.tolist() == [0.5, 1.0] and y.grad.tolist() == [0.5, 0.0]
    # a tie against a broadcast operand: each tie gives it half, summed back
    compare(
        torch,
        lambda x, y: x.maximum(y),
        lambda x, y: x.maximum(y),
        np.array([1.0, 1.0, 0.0], dtype=dtype),
        np.array([1.0], dtype=dtype),
    )


def test_max_min_with_tensor_other_are_elementwise(torch):
    a, b = normal(1, (3, 4)), normal(2, (4,))
    verify(torch, lambda x, y: gn.max(x, y), lambda x, y: x.max(y), a, b)
    verify(torch, lambda x, y: gn.min(x, y), lambda x, y: x.min(y), a, b)


# ---- where ----------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@SETTINGS
@given(shp=broadcast_shapes(3), seed=seeds)
def test_where(torch, dtype, shp, seed):
    sc, sx, sy = shp.input_shapes
    cond = np.random.default_rng(seed).random(sc) < 0.5
    x, y = normal(seed + 1, sx, dtype), normal(seed + 2, sy, dtype)
    verify(torch, gn.where, lambda c, a, b: a.where(c, b), cond, x, y)
    verify(torch, lambda c, a: gn.where(c, a, 0.5), lambda c, a: a.where(c, 0.5), cond, x)
    verify(torch, lambda c, a: a.masked_fill(c, -2.0), lambda c, a: a.masked_fill(c, -2.0), cond, x)


# ---- comparisons: values only, never a gradient ---------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@FEW
@given(shp=broadcast_shapes(2), seed=seeds)
def test_comparisons_have_no_gradient(torch, dtype, shp, seed):
    sa, sb = shp.input_shapes
    # small integers as floats, so that equal pairs occur
    a = np.random.default_rng(seed).integers(-2, 3, sa).astype(dtype)
    b = np.random.default_rng(seed + 1).integers(-2, 3, sb).astype(dtype)
    ops = [
        lambda x, y: x == y,
        lambda x, y: x != y,
        lambda x, y: x < y,
        lambda x, y: x <= y,
        lambda x, y: x > y,
        lambda x, y: x >= y,
        lambda x, y: x.eq(y),
        lambda x, y: x.ge(y),
        lambda x, y: x > 0.5,
        lambda x, y: x <= 1,
    ]
    for fn in ops:
        (out,) = compare(torch, fn, fn, a, b)
        assert out.dtype == np.bool_ and not out.requires_grad and out.grad_fn is None


@pytest.mark.parametrize("bounds", ["both", "min", "max", "min scalar max", "broadcast"])
def test_clamp_with_tensor_bounds_gives_their_gradients_as_torch(torch, bounds):
    """The bounds get the gradient where they are the result; at a tie it goes to x;
    where min > max the result is max."""
    x = np.array([-2.0, -1.0, 0.0, 1.0, 2.0, 3.0, 0.5, 0.0, 1.0, 2.0])
    lo = np.array([-1.0, -1.0, -1.0, 1.0, 1.0, 1.0, 2.0, 1.0, 2.0, 2.0])
    hi = np.array([1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 1.0, 0.0, 0.0])
    if bounds == "broadcast":
        x = np.linspace(-2, 2, 12).reshape(3, 4)
        lo, hi = np.array([[-1.0], [0.5], [0.0]]), np.array([1.0, 0.0, 1.5, -0.5])
    seed = np.arange(1.0, 1.0 + x.size).reshape(x.shape)

    def run(lib, make):
        tx, tlo, thi = make(x), make(lo), make(hi)
        half = 0.5 if lib is gn else make(np.array(0.5), False)  # (torch takes no mix)
        kwargs = {
            "both": dict(min=tlo, max=thi),
            "min": dict(min=tlo),
            "max": dict(max=thi),
            "min scalar max": dict(min=tlo, max=half),
            "broadcast": dict(min=tlo, max=thi),
        }
        out = lib.clamp(tx, **kwargs[bounds])
        out.backward(make(seed, False))
        grads = [t.grad for t in (tx, tlo, thi)]
        return out, [
            None if g is None else np.asarray(g.detach() if hasattr(g, "detach") else g)
            for g in grads
        ]

    out, grads = run(gn, lambda a, rg=True: gn.tensor(a, requires_grad=rg))
    tout, tgrads = run(torch, lambda a, rg=True: torch.tensor(a, requires_grad=rg))
    np.testing.assert_array_equal(out.detach().numpy(), tout.detach().numpy())
    for g, tg in zip(grads, tgrads):
        assert (g is None) == (tg is None)
        if g is not None:
            np.testing.assert_array_equal(g, tg)


def test_clamp_with_a_float64_bound_keeps_a_float32_inputs_gradient_float32():
    x = gn.tensor(np.array([0.5, 2.0], np.float32), requires_grad=True)
    hi = gn.tensor(np.array([1.0, 1.0]), requires_grad=True)
    gn.clamp(x, max=hi).sum().backward()
    assert x.grad.dtype == np.float32 and hi.grad.dtype == np.float64
    np.testing.assert_array_equal(x.grad.numpy(), [1, 0])
    np.testing.assert_array_equal(hi.grad.numpy(), [0, 1])
