"""The public math functions: arithmetic, elementwise functions, reductions
and matrix products (``gn.add``, ``gn.exp``, ``gn.sum``, ``gn.matmul``...):
argument handling in PyTorch's names (``dim``, ``keepdim``; NumPy's
``axis``, ``keepdims`` accepted too), then one op's ``apply``."""
from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple, overload

import numpy as np

from ..errors import ShapeError, describe
from ..ops import activation, arith, linalg, reduce, unary
from ..ops import softmax as nnops
from ..ops._util import array_arg, normalize_dim, normalize_dims, pick_dim, pick_keepdim
from ..tensor import Tensor

if TYPE_CHECKING:
    from ..hints import Dims, DTypeLike, TensorLike

class MinMax(NamedTuple):
    """What max(x, dim) and min(x, dim) return, as torch.return_types.max."""
    values: Tensor
    indices: Tensor


def _arr(x):
    return x._data if isinstance(x, Tensor) else np.asarray(x)


def _operand(x, other):
    """A Tensor or Python number passes through; NumPy scalars become Python
    numbers (so they cannot upcast float32); lists/arrays become arrays."""
    if isinstance(x, np.generic):  # before float: np.float64 is a float subclass
        return x.item()
    if isinstance(x, Tensor) or isinstance(x, (int, float, bool)):
        return x
    return array_arg(x, other._data if isinstance(other, Tensor) else None)


def _const(x):
    return Tensor._make(x, False, None)


# ---- arithmetic --------------------------------------------------------------
def add(a: TensorLike, b: TensorLike, alpha: float = 1) -> Tensor:
    """a + alpha·b (elementwise, broadcasting)."""
    if alpha != 1:
        b = mul(b, alpha)
    return arith.Add.apply(_operand(a, b), _operand(b, a))


def sub(a: TensorLike, b: TensorLike, alpha: float = 1) -> Tensor:
    """a − alpha·b."""
    if alpha != 1:
        b = mul(b, alpha)
    return arith.Sub.apply(_operand(a, b), _operand(b, a))


def mul(a: TensorLike, b: TensorLike) -> Tensor:
    return arith.Mul.apply(_operand(a, b), _operand(b, a))


def div(a: TensorLike, b: TensorLike) -> Tensor:
    """True division a / b (integer inputs give floats, as in PyTorch)."""
    return arith.Div.apply(_operand(a, b), _operand(b, a))


def neg(x: Tensor) -> Tensor:
    return unary.Neg.apply(x)


def pow(x: TensorLike, exponent: TensorLike) -> Tensor:
    """x ** exponent; exponent a number or a tensor (either side may be a number)."""
    if isinstance(exponent, np.generic):
        exponent = exponent.item()
    if isinstance(exponent, (int, float)) and isinstance(x, Tensor):
        return arith.PowScalar.apply(x, exponent)
    return arith.Pow.apply(_operand(x, exponent), _operand(exponent, x))


def maximum(a: TensorLike, b: TensorLike) -> Tensor:
    return arith.Maximum.apply(_operand(a, b), _operand(b, a))


def minimum(a: TensorLike, b: TensorLike) -> Tensor:
    return arith.Minimum.apply(_operand(a, b), _operand(b, a))


def square(x: Tensor) -> Tensor:
    return arith.PowScalar.apply(x, 2)


# ---- elementwise functions ------------------------------------------------
def exp(x: Tensor) -> Tensor:
    return unary.Exp.apply(x)


def log(x: Tensor) -> Tensor:
    return unary.Log.apply(x)


def sqrt(x: Tensor) -> Tensor:
    return unary.Sqrt.apply(x)


def abs(x: Tensor) -> Tensor:
    return unary.Abs.apply(x)


def sin(x: Tensor) -> Tensor:
    return unary.Sin.apply(x)


def cos(x: Tensor) -> Tensor:
    return unary.Cos.apply(x)


def tanh(x: Tensor) -> Tensor:
    return unary.Tanh.apply(x)


def sigmoid(x: Tensor) -> Tensor:
    return activation.Sigmoid.apply(x)


def relu(x: Tensor) -> Tensor:
    return activation.Relu.apply(x)


def leaky_relu(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    return activation.LeakyRelu.apply(x, negative_slope)


def elu(x: Tensor, alpha: float = 1.0) -> Tensor:
    return activation.Elu.apply(x, alpha)


def gelu(x: Tensor, approximate: str = "none") -> Tensor:
    return activation.Gelu.apply(x, approximate)


def softplus(x: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    return activation.Softplus.apply(x, beta, threshold)


def clamp(x: Tensor, min: TensorLike | None = None, max: TensorLike | None = None) -> Tensor:
    """Limit values to [min, max] (bounds: numbers or tensors, broadcast with x;
    where min > max the result is max, as in PyTorch). The gradient goes to x
    where min ≤ x ≤ max, to min where it is the result (x < min < max), to
    max where it is (x > max, or max < min)."""
    return unary.Clamp.apply(x, min, max)


clip = clamp


def where(condition: TensorLike, x: TensorLike, y: TensorLike) -> Tensor:
    """x where condition is true, else y (broadcasting)."""
    return unary.Where.apply(_arr(condition), _operand(x, y), _operand(y, x))


def masked_fill(x: Tensor, mask: TensorLike, value: TensorLike) -> Tensor:
    """x with ``value`` at the positions where mask is true."""
    return unary.Where.apply(_arr(mask), value, x)


def clone(x: Tensor) -> Tensor:
    return unary.Clone.apply(x)


def to_dtype(x: Tensor, dtype: DTypeLike) -> Tensor:
    """Cast to ``dtype``; float→float casts pass gradients, others leave the graph."""
    dtype = np.dtype(dtype)
    if x._data.dtype == dtype:
        return x
    if dtype.kind == "f" and x._data.dtype.kind == "f":
        return unary.Cast.apply(x, dtype)
    return _const(x._data.astype(dtype))


# ---- reductions ----------------------------------------------------------------
def sum(x: Tensor, dim: Dims = None, keepdim: bool = False, *, axis: Dims = None,
        keepdims: bool | None = None, dtype: DTypeLike | None = None) -> Tensor:
    dims = normalize_dims(pick_dim(dim, axis, "sum"), x.ndim, "sum")
    out = reduce.Sum.apply(x, dims, bool(pick_keepdim(keepdim, keepdims)))
    return to_dtype(out, dtype) if dtype is not None else out


def mean(x: Tensor, dim: Dims = None, keepdim: bool = False, *, axis: Dims = None,
         keepdims: bool | None = None) -> Tensor:
    dims = normalize_dims(pick_dim(dim, axis, "mean"), x.ndim, "mean")
    return reduce.Mean.apply(x, dims, bool(pick_keepdim(keepdim, keepdims)))


def _correction(unbiased, correction, ddof):
    if correction is not None:
        return correction
    if ddof is not None:
        return ddof
    return 1 if unbiased is None or unbiased else 0


def var(x: Tensor, dim: Dims = None, unbiased: bool | None = None, keepdim: bool = False, *,
        correction: int | None = None, axis: Dims = None, keepdims: bool | None = None,
        ddof: int | None = None) -> Tensor:
    """Variance, Σ(x − x̄)²/(N − correction); correction=1 (unbiased) by default, as PyTorch
    (NumPy's default is ddof=0)."""
    dims = normalize_dims(pick_dim(dim, axis, "var"), x.ndim, "var")
    return reduce.Var.apply(x, dims, bool(pick_keepdim(keepdim, keepdims)),
                            _correction(unbiased, correction, ddof))


def std(x: Tensor, dim: Dims = None, unbiased: bool | None = None, keepdim: bool = False, *,
        correction: int | None = None, axis: Dims = None, keepdims: bool | None = None,
        ddof: int | None = None) -> Tensor:
    """Standard deviation, √var (correction=1 by default, as PyTorch)."""
    dims = normalize_dims(pick_dim(dim, axis, "std"), x.ndim, "std")
    return reduce.Std.apply(x, dims, bool(pick_keepdim(keepdim, keepdims)),
                            _correction(unbiased, correction, ddof))


def amax(x: Tensor, dim: Dims = None, keepdim: bool = False, *, axis: Dims = None,
         keepdims: bool | None = None) -> Tensor:
    dims = normalize_dims(pick_dim(dim, axis, "amax"), x.ndim, "amax")
    return reduce.AMax.apply(x, dims, bool(pick_keepdim(keepdim, keepdims)))


def amin(x: Tensor, dim: Dims = None, keepdim: bool = False, *, axis: Dims = None,
         keepdims: bool | None = None) -> Tensor:
    dims = normalize_dims(pick_dim(dim, axis, "amin"), x.ndim, "amin")
    return reduce.AMin.apply(x, dims, bool(pick_keepdim(keepdim, keepdims)))


def _min_max(x, dim, keepdim, other, largest, name):
    if isinstance(dim, Tensor) or other is not None:
        other = dim if other is None else other
        return maximum(x, other) if largest else minimum(x, other)
    if dim is None:
        if x._data.size == 0:
            raise ValueError(f"{name}: the tensor is empty, there is no {name}")
        return amax(x) if largest else amin(x)
    d = normalize_dim(dim, x.ndim, name)
    idx = (np.argmax if largest else np.argmin)(x._data, axis=d)
    if x.ndim == 0:
        return MinMax(x, _const(np.asarray(0)))
    values = reduce.TakeAlongDim.apply(x, idx, d, bool(keepdim))
    indices = np.expand_dims(idx, d) if keepdim else idx
    return MinMax(values, _const(np.asarray(indices, dtype=np.int64)))


@overload
def max(x: Tensor, dim: None = None, keepdim: bool = False, other: None = None, *,
        axis: None = None, keepdims: bool | None = None) -> Tensor: ...
@overload
def max(x: Tensor, dim: Tensor, keepdim: bool = False, other: None = None, *,
        axis: None = None, keepdims: bool | None = None) -> Tensor: ...
@overload
def max(x: Tensor, dim: None = None, keepdim: bool = False, *, other: TensorLike,
        axis: None = None, keepdims: bool | None = None) -> Tensor: ...
@overload
def max(x: Tensor, dim: int | None = None, keepdim: bool = False, other: None = None, *,
        axis: int | None = None, keepdims: bool | None = None) -> MinMax: ...
def max(x: Tensor, dim: int | Tensor | None = None, keepdim: bool = False,
        other: TensorLike | None = None, *, axis: int | None = None,
        keepdims: bool | None = None) -> Tensor | MinMax:
    """max(x): the largest value; max(x, dim): (values, indices) along dim;
    max(x, other_tensor): elementwise maximum — as torch.max."""
    return _min_max(x, pick_dim(dim, axis, "max"), pick_keepdim(keepdim, keepdims), other,
                    True, "max")


@overload
def min(x: Tensor, dim: None = None, keepdim: bool = False, other: None = None, *,
        axis: None = None, keepdims: bool | None = None) -> Tensor: ...
@overload
def min(x: Tensor, dim: Tensor, keepdim: bool = False, other: None = None, *,
        axis: None = None, keepdims: bool | None = None) -> Tensor: ...
@overload
def min(x: Tensor, dim: None = None, keepdim: bool = False, *, other: TensorLike,
        axis: None = None, keepdims: bool | None = None) -> Tensor: ...
@overload
def min(x: Tensor, dim: int | None = None, keepdim: bool = False, other: None = None, *,
        axis: int | None = None, keepdims: bool | None = None) -> MinMax: ...
def min(x: Tensor, dim: int | Tensor | None = None, keepdim: bool = False,
        other: TensorLike | None = None, *, axis: int | None = None,
        keepdims: bool | None = None) -> Tensor | MinMax:
    """min(x), min(x, dim) → (values, indices), min(x, other) — as torch.min."""
    return _min_max(x, pick_dim(dim, axis, "min"), pick_keepdim(keepdim, keepdims), other,
                    False, "min")


def logsumexp(x: Tensor, dim: Dims, keepdim: bool = False, *, axis: Dims = None,
              keepdims: bool | None = None) -> Tensor:
    """ln Σ exp(x) over dim, without overflow."""
    dims = normalize_dims(pick_dim(dim, axis, "logsumexp"), x.ndim, "logsumexp")
    return reduce.LogSumExp.apply(x, dims, bool(pick_keepdim(keepdim, keepdims)))


def softmax(x: Tensor, dim: int | None = -1, *, axis: int | None = None) -> Tensor:
    d = normalize_dim(pick_dim(dim, axis, "softmax", -1), x.ndim, "softmax")
    return nnops.Softmax.apply(x, d)


def log_softmax(x: Tensor, dim: int | None = -1, *, axis: int | None = None) -> Tensor:
    d = normalize_dim(pick_dim(dim, axis, "log_softmax", -1), x.ndim, "log_softmax")
    return nnops.LogSoftmax.apply(x, d)


def _arg(x, dim, keepdim, fn, name):
    if dim is None:
        out = fn(x._data.reshape(-1))
        return _const(np.asarray(out, dtype=np.int64).reshape((1,) * x.ndim if keepdim else ()))
    d = normalize_dim(dim, x.ndim, name)
    out = fn(x._data, axis=d, keepdims=bool(keepdim))
    return _const(np.asarray(out, dtype=np.int64))


def argmax(x: Tensor, dim: int | None = None, keepdim: bool = False, *, axis: int | None = None,
           keepdims: bool | None = None) -> Tensor:
    """Index of the largest value (over the flattened tensor when dim is None). No gradient."""
    return _arg(x, pick_dim(dim, axis, "argmax"), pick_keepdim(keepdim, keepdims),
                np.argmax, "argmax")


def argmin(x: Tensor, dim: int | None = None, keepdim: bool = False, *, axis: int | None = None,
           keepdims: bool | None = None) -> Tensor:
    return _arg(x, pick_dim(dim, axis, "argmin"), pick_keepdim(keepdim, keepdims),
                np.argmin, "argmin")


def all(x: Tensor, dim: Dims = None, keepdim: bool = False) -> Tensor:
    dims = normalize_dims(dim, x.ndim, "all")
    return _const(np.asarray(np.all(x._data, axis=dims, keepdims=keepdim)))


def any(x: Tensor, dim: Dims = None, keepdim: bool = False) -> Tensor:
    dims = normalize_dims(dim, x.ndim, "any")
    return _const(np.asarray(np.any(x._data, axis=dims, keepdims=keepdim)))


# ---- linear algebra -----------------------------------------------------------
def matmul(a: TensorLike, b: TensorLike) -> Tensor:
    """Matrix product with NumPy/PyTorch rules: 1-D, 2-D and batched (broadcast)."""
    return linalg.MatMul.apply(_operand(a, b), _operand(b, a))


def mm(a: Tensor, b: Tensor) -> Tensor:
    if a.ndim != 2 or b.ndim != 2:
        raise ShapeError(f"mm: expects two 2-D tensors, got {describe(a)} and {describe(b)}")
    return matmul(a, b)


def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = x Wᵀ + b in one fused op (W shaped (out_features, in_features))."""
    if bias is None:
        return linalg.Linear.apply(x, weight)
    return linalg.Linear.apply(x, weight, bias)
