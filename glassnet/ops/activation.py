"""Activation functions and their derivatives (the article's sigmoid, tanh,
ReLU, Leaky ReLU, ELU, plus GELU and softplus)."""

import functools
import math

import numpy as np

from .. import alloc
from ..autograd import Op
from ._graph import constant
from ._special import erf
from .masked import Masked

# 0 in the array's own dtype: a Python 0 makes each comparison or maximum
# resolve its type first (0.3 µs of a 1 µs call on a small array)
_ZERO = {np.dtype(np.float32): np.float32(0), np.dtype(np.float64): np.float64(0)}
_BLOCK = 1 << 17  # values per np.maximum call in relu_array


def relu_array(x):
    """max(x, 0), a NaN kept (NumPy's maximum). Against a scalar 0 NumPy's
    maximum runs a loop that is not vectorized (131 µs for 346k float32
    values here, 4.0 µs for 8k); against an array of zeros a vectorized one
    (47 µs, 1.9 µs): so x is taken in blocks against one block of zeros
    (below 2k values the scalar costs less than the slicing)."""
    zero, n = _ZERO.get(x.dtype), x.size
    if zero is None or n < 2048 or not x.flags.c_contiguous:  # (small: the blocks cost more)
        return np.maximum(x, 0 if zero is None else zero)
    zeros = _zeros_block(x.dtype)
    if n <= _BLOCK:
        return np.maximum(x, zeros[:n].reshape(x.shape))
    out = np.empty_like(x)
    flat, into = x.reshape(-1), out.reshape(-1)
    for start in range(0, n, _BLOCK):
        stop = min(start + _BLOCK, n)
        np.maximum(flat[start:stop], zeros[: stop - start], out=into[start:stop])
    return out


@functools.cache
def _zeros_block(dtype):
    zeros = alloc.zeros(_BLOCK, dtype)
    zeros.flags.writeable = False
    return zeros


def sigmoid_array(x, e=None):
    """σ(x) = 1/(1+e^(−x)), computed without overflow for large |x| from
    e = e^(−|x|) (pass it when you have it already)."""
    if e is None:
        e = np.exp(-np.abs(x))
    inv = 1 / (1 + e)
    return np.where(x >= 0, inv, e * inv)


class Sigmoid(Op):
    formula = "a = σ(z) = 1/(1+e^(−z))"
    rule = "∂a/∂z = σ(z)(1 − σ(z)) = a(1 − a)"
    grad_fn_name = "SigmoidBackward0"

    @staticmethod
    def forward(ctx, x):
        out = sigmoid_array(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * out * (1 - out)

    @staticmethod
    def backward_graph(ctx, grad):
        a = Sigmoid.apply(ctx.parents[0])
        return grad * a * (1 - a)


class Relu(Op):
    formula = "a = max(0, z)"
    rule = "∂a/∂z = 1 if z > 0 else 0 (no gradient passes where z ≤ 0)"
    grad_fn_name = "ReluBackward0"

    @staticmethod
    def forward(ctx, x):
        out = relu_array(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * (out > _ZERO.get(out.dtype, 0))  # (np.where is several times slower)

    @staticmethod
    def backward_graph(ctx, grad):
        x = ctx.parents[0]
        return Masked.apply(grad, x, x._data > 0)


class LeakyRelu(Op):
    """s: ``negative_slope``."""

    formula = "a = z if z > 0 else s·z"
    rule = "∂a/∂z = 1 if z > 0 else s"
    grad_fn_name = "LeakyReluBackward0"

    @staticmethod
    def forward(ctx, x, negative_slope):
        ctx.save_for_backward(x)
        ctx.slope = negative_slope
        return np.where(x > 0, x, x * negative_slope)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return np.where(x > 0, grad, grad * ctx.slope), None

    @staticmethod
    def backward_graph(ctx, grad):
        x = ctx.parents[0]
        slope = np.where(x._data > 0, 1, ctx.slope).astype(x._data.dtype)
        return Masked.apply(grad, x, slope), None


class Elu(Op):
    formula = "a = z if z > 0 else α(eᶻ − 1)"
    rule = "∂a/∂z = 1 if z > 0 else αeᶻ"
    grad_fn_name = "EluBackward0"

    @staticmethod
    def forward(ctx, x, alpha):
        ctx.save_for_backward(x)
        ctx.alpha = alpha
        return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return np.where(x > 0, grad, grad * ctx.alpha * np.exp(np.minimum(x, 0))), None

    @staticmethod
    def backward_graph(ctx, grad):
        x = ctx.parents[0]
        slope = (x.clamp(max=0).exp() * ctx.alpha).where(constant(x._data <= 0), 1.0)
        return grad * slope, None


_SQRT_2_OVER_PI = math.sqrt(2 / math.pi)
_INV_SQRT_2 = 1 / math.sqrt(2)
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)


class Gelu(Op):
    formula = (
        "a = z·Φ(z), Φ the standard normal CDF (approximate='tanh': "
        "a = ½z(1 + t), t = tanh(√(2/π)(z + 0.044715z³)))"
    )
    rule = (
        "∂a/∂z = Φ(z) + z·φ(z), φ the normal density (approximate='tanh': "
        "∂a/∂z = ½(1 + t) + ½z(1 − t²)·√(2/π)(1 + 3·0.044715z²))"
    )
    grad_fn_name = "GeluBackward0"

    @staticmethod
    def forward(ctx, x, approximate):
        if approximate not in ("none", "tanh"):
            raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
        ctx.save_for_backward(x)
        ctx.approximate = approximate
        if approximate == "tanh":
            return 0.5 * x * (1 + np.tanh(_SQRT_2_OVER_PI * (x + 0.044715 * x**3)))
        return 0.5 * x * (1 + erf(x * _INV_SQRT_2))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        if ctx.approximate == "tanh":
            inner = _SQRT_2_OVER_PI * (x + 0.044715 * x**3)
            t = np.tanh(inner)
            dinner = _SQRT_2_OVER_PI * (1 + 3 * 0.044715 * x * x)
            return grad * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * dinner), None
        cdf = 0.5 * (1 + erf(x * _INV_SQRT_2))
        pdf = _INV_SQRT_2PI * np.exp(-0.5 * x * x)
        return grad * (cdf + x * pdf), None

    @staticmethod
    def backward_graph(ctx, grad):
        x = ctx.parents[0]
        if ctx.approximate == "tanh":
            t = (_SQRT_2_OVER_PI * (x + 0.044715 * x**3)).tanh()
            dinner = _SQRT_2_OVER_PI * (1 + 3 * 0.044715 * x * x)
            return grad * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * dinner), None
        cdf = 0.5 * (1 + Erf.apply(x * _INV_SQRT_2))
        pdf = _INV_SQRT_2PI * (-0.5 * x * x).exp()
        return grad * (cdf + x * pdf), None


class Softplus(Op):
    formula = "a = (1/β)·ln(1 + e^(βz)) (a = z where βz > threshold)"
    rule = "∂a/∂z = σ(βz) (1 where βz > threshold)"
    grad_fn_name = "SoftplusBackward0"

    @staticmethod
    def forward(ctx, x, beta, threshold):
        ctx.save_for_backward(x)
        ctx.beta, ctx.threshold = beta, threshold
        bx = x * beta
        return np.where(bx > threshold, x, np.logaddexp(0, bx) / beta)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        bx = x * ctx.beta
        return np.where(bx > ctx.threshold, grad, grad * sigmoid_array(bx)), None, None

    @staticmethod
    def backward_graph(ctx, grad):
        x = ctx.parents[0]
        s = Sigmoid.apply(x * ctx.beta).where(constant(x._data * ctx.beta <= ctx.threshold), 1.0)
        return grad * s, None, None


class Erf(Op):
    """The error function (GELU's exact form is written with it)."""

    formula = "out = erf x = (2/√π) ∫₀ˣ e^(−t²) dt"
    rule = "∂out/∂x = (2/√π) e^(−x²)"
    grad_fn_name = "ErfBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return erf(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * (_TWO_OVER_SQRT_PI * np.exp(-x * x))

    @staticmethod
    def backward_graph(ctx, grad):
        x = ctx.parents[0]
        return grad * (_TWO_OVER_SQRT_PI * (-x * x).exp())


_TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)
