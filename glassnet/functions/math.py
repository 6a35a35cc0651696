"""The public math functions: arithmetic, elementwise functions, reductions
and matrix products (``gn.add``, ``gn.exp``, ``gn.sum``, ``gn.matmul``...):
argument handling in PyTorch's names (``dim``, ``keepdim``; NumPy's
``axis``, ``keepdims`` accepted too), then one op's ``apply``."""
from collections import namedtuple

import numpy as np

from ..errors import ShapeError, describe
from ..tensor import Tensor
from ..ops import activation, arith, linalg, softmax as nnops, reduce, unary
from ..ops._util import (array_arg, normalize_dim, normalize_dims, pick_dim,
                         pick_keepdim)

MinMax = namedtuple("MinMax", ["values", "indices"])


def _arr(x):
    return x.data if isinstance(x, Tensor) else np.asarray(x)


def _operand(x, other):
    """A Tensor or Python number passes through; NumPy scalars become Python
    numbers (so they cannot upcast float32); lists/arrays become arrays."""
    if isinstance(x, np.generic):  # before float: np.float64 is a float subclass
        return x.item()
    if isinstance(x, Tensor) or isinstance(x, (int, float, bool)):
        return x
    return array_arg(x, other.data if isinstance(other, Tensor) else None)


def _const(x):
    return Tensor._make(x, False, None)


# ---- arithmetic --------------------------------------------------------------
def add(a, b, alpha=1):
    """a + alpha·b (elementwise, broadcasting)."""
    if alpha != 1:
        b = mul(b, alpha)
    return arith.Add.apply(_operand(a, b), _operand(b, a))


def sub(a, b, alpha=1):
    """a − alpha·b."""
    if alpha != 1:
        b = mul(b, alpha)
    return arith.Sub.apply(_operand(a, b), _operand(b, a))


def mul(a, b):
    return arith.Mul.apply(_operand(a, b), _operand(b, a))


def div(a, b):
    """True division a / b (integer inputs give floats, as in PyTorch)."""
    return arith.Div.apply(_operand(a, b), _operand(b, a))


def neg(x):
    return unary.Neg.apply(x)


def pow(x, exponent):
    """x ** exponent; exponent a number or a tensor (either side may be a number)."""
    if isinstance(exponent, np.generic):
        exponent = exponent.item()
    if isinstance(exponent, (int, float)) and isinstance(x, Tensor):
        return arith.PowScalar.apply(x, exponent)
    return arith.Pow.apply(_operand(x, exponent), _operand(exponent, x))


def maximum(a, b):
    return arith.Maximum.apply(_operand(a, b), _operand(b, a))


def minimum(a, b):
    return arith.Minimum.apply(_operand(a, b), _operand(b, a))


def square(x):
    return arith.PowScalar.apply(x, 2)


# ---- elementwise functions ------------------------------------------------
def exp(x):
    return unary.Exp.apply(x)


def log(x):
    return unary.Log.apply(x)


def sqrt(x):
    return unary.Sqrt.apply(x)


def abs(x):
    return unary.Abs.apply(x)


def sin(x):
    return unary.Sin.apply(x)


def cos(x):
    return unary.Cos.apply(x)


def tanh(x):
    return unary.Tanh.apply(x)


def sigmoid(x):
    return activation.Sigmoid.apply(x)


def relu(x):
    return activation.Relu.apply(x)


def leaky_relu(x, negative_slope=0.01):
    return activation.LeakyRelu.apply(x, negative_slope)


def elu(x, alpha=1.0):
    return activation.Elu.apply(x, alpha)


def gelu(x, approximate="none"):
    return activation.Gelu.apply(x, approximate)


def softplus(x, beta=1.0, threshold=20.0):
    return activation.Softplus.apply(x, beta, threshold)


def clamp(x, min=None, max=None):
    """Limit values to [min, max] (bounds: numbers or tensors, broadcast with x;
    where min > max the result is max, as in PyTorch). The gradient goes to x
    where min ≤ x ≤ max, to min where it is the result (x < min < max), to
    max where it is (x > max, or max < min)."""
    return unary.Clamp.apply(x, min, max)


clip = clamp


def where(condition, x, y):
    """x where condition is true, else y (broadcasting)."""
    return unary.Where.apply(_arr(condition), _operand(x, y), _operand(y, x))


def masked_fill(x, mask, value):
    """x with ``value`` at the positions where mask is true."""
    return unary.Where.apply(_arr(mask), value, x)


def clone(x):
    return unary.Clone.apply(x)


def to_dtype(x, dtype):
    """Cast to ``dtype``; float→float casts pass gradients, others leave the graph."""
    dtype = np.dtype(dtype)
    if x.data.dtype == dtype:
        return x
    if dtype.kind == "f" and x.data.dtype.kind == "f":
        return unary.Cast.apply(x, dtype)
    return _const(x.data.astype(dtype))


# ---- reductions ----------------------------------------------------------------
def sum(x, dim=None, keepdim=False, *, axis=None, keepdims=None, dtype=None):
    dims = normalize_dims(pick_dim(dim, axis, "sum"), x.ndim, "sum")
    out = reduce.Sum.apply(x, dims, bool(pick_keepdim(keepdim, keepdims)))
    return to_dtype(out, dtype) if dtype is not None else out


def mean(x, dim=None, keepdim=False, *, axis=None, keepdims=None):
    dims = normalize_dims(pick_dim(dim, axis, "mean"), x.ndim, "mean")
    return reduce.Mean.apply(x, dims, bool(pick_keepdim(keepdim, keepdims)))


def _correction(unbiased, correction, ddof):
    if correction is not None:
        return correction
    if ddof is not None:
        return ddof
    return 1 if unbiased is None or unbiased else 0


def var(x, dim=None, unbiased=None, keepdim=False, *, correction=None, axis=None,
        keepdims=None, ddof=None):
    """Variance, Σ(x − x̄)²/(N − correction); correction=1 (unbiased) by default, as PyTorch
    (NumPy's default is ddof=0)."""
    dims = normalize_dims(pick_dim(dim, axis, "var"), x.ndim, "var")
    return reduce.Var.apply(x, dims, bool(pick_keepdim(keepdim, keepdims)),
                            _correction(unbiased, correction, ddof))


def std(x, dim=None, unbiased=None, keepdim=False, *, correction=None, axis=None,
        keepdims=None, ddof=None):
    """Standard deviation, √var (correction=1 by default, as PyTorch)."""
    dims = normalize_dims(pick_dim(dim, axis, "std"), x.ndim, "std")
    return reduce.Std.apply(x, dims, bool(pick_keepdim(keepdim, keepdims)),
                            _correction(unbiased, correction, ddof))


def amax(x, dim=None, keepdim=False, *, axis=None, keepdims=None):
    dims = normalize_dims(pick_dim(dim, axis, "amax"), x.ndim, "amax")
    return reduce.AMax.apply(x, dims, bool(pick_keepdim(keepdim, keepdims)))


def amin(x, dim=None, keepdim=False, *, axis=None, keepdims=None):
    dims = normalize_dims(pick_dim(dim, axis, "amin"), x.ndim, "amin")
    return reduce.AMin.apply(x, dims, bool(pick_keepdim(keepdim, keepdims)))


def _min_max(x, dim, keepdim, other, largest, name):
    if isinstance(dim, Tensor) or other is not None:
        other = dim if other is None else other
        return maximum(x, other) if largest else minimum(x, other)
    if dim is None:
        if x.data.size == 0:
            raise ValueError(f"{name}: the tensor is empty, there is no {name}")
        return amax(x) if largest else amin(x)
    d = normalize_dim(dim, x.ndim, name)
    idx = (np.argmax if largest else np.argmin)(x.data, axis=d)
    if x.ndim == 0:
        return MinMax(x, _const(np.asarray(0)))
    values = reduce.TakeAlongDim.apply(x, idx, d, bool(keepdim))
    indices = np.expand_dims(idx, d) if keepdim else idx
    return MinMax(values, _const(np.asarray(indices, dtype=np.int64)))


def max(x, dim=None, keepdim=False, other=None, *, axis=None, keepdims=None):
    """max(x): the largest value; max(x, dim): (values, indices) along dim;
    max(x, other_tensor): elementwise maximum — as torch.max."""
    return _min_max(x, pick_dim(dim, axis, "max"), pick_keepdim(keepdim, keepdims), other,
                    True, "max")


def min(x, dim=None, keepdim=False, other=None, *, axis=None, keepdims=None):
    """min(x), min(x, dim) → (values, indices), min(x, other) — as torch.min."""
    return _min_max(x, pick_dim(dim, axis, "min"), pick_keepdim(keepdim, keepdims), other,
                    False, "min")


def logsumexp(x, dim, keepdim=False, *, axis=None, keepdims=None):
    """ln Σ exp(x) over dim, without overflow."""
    dims = normalize_dims(pick_dim(dim, axis, "logsumexp"), x.ndim, "logsumexp")
    return reduce.LogSumExp.apply(x, dims, bool(pick_keepdim(keepdim, keepdims)))


def softmax(x, dim=-1, *, axis=None):
    d = normalize_dim(pick_dim(dim, axis, "softmax", -1), x.ndim, "softmax")
    return nnops.Softmax.apply(x, d)


def log_softmax(x, dim=-1, *, axis=None):
    d = normalize_dim(pick_dim(dim, axis, "log_softmax", -1), x.ndim, "log_softmax")
    return nnops.LogSoftmax.apply(x, d)


def _arg(x, dim, keepdim, fn, name):
    if dim is None:
        out = fn(x.data.reshape(-1))
        return _const(np.asarray(out, dtype=np.int64).reshape((1,) * x.ndim if keepdim else ()))
    d = normalize_dim(dim, x.ndim, name)
    out = fn(x.data, axis=d, keepdims=bool(keepdim))
    return _const(np.asarray(out, dtype=np.int64))


def argmax(x, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """Index of the largest value (over the flattened tensor when dim is None). No gradient."""
    return _arg(x, pick_dim(dim, axis, "argmax"), pick_keepdim(keepdim, keepdims),
                np.argmax, "argmax")


def argmin(x, dim=None, keepdim=False, *, axis=None, keepdims=None):
    return _arg(x, pick_dim(dim, axis, "argmin"), pick_keepdim(keepdim, keepdims),
                np.argmin, "argmin")


def all(x, dim=None, keepdim=False):
    dims = normalize_dims(dim, x.ndim, "all")
    return _const(np.asarray(np.all(x.data, axis=dims, keepdims=keepdim)))


def any(x, dim=None, keepdim=False):
    dims = normalize_dims(dim, x.ndim, "any")
    return _const(np.asarray(np.any(x.data, axis=dims, keepdims=keepdim)))


# ---- linear algebra -----------------------------------------------------------
def matmul(a, b):
    """Matrix product with NumPy/PyTorch rules: 1-D, 2-D and batched (broadcast)."""
    return linalg.MatMul.apply(_operand(a, b), _operand(b, a))


def mm(a, b):
    if a.ndim != 2 or b.ndim != 2:
        raise ShapeError(f"mm: expects two 2-D tensors, got {describe(a)} and {describe(b)}")
    return matmul(a, b)


def linear(x, weight, bias=None):
    """y = x Wᵀ + b in one fused op (W shaped (out_features, in_features))."""
    if bias is None:
        return linalg.Linear.apply(x, weight)
    return linalg.Linear.apply(x, weight, bias)
