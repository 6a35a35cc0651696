"""The public math functions: arithmetic, elementwise functions, reductions
and matrix products (``gn.add``, ``gn.exp``, ``gn.sum``, ``gn.matmul``...):
argument handling in PyTorch's names (``dim``, ``keepdim``; NumPy's
``axis``, ``keepdims`` accepted too), then one op's ``apply``."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple, overload

import numpy as np

from ..errors import ShapeError, describe
from ..ops import activation, arith, index, linalg, reduce, unary
from ..ops import softmax as softmax_ops
from ..ops._util import array_arg, normalize_dim, normalize_dims, pick_dim, pick_keepdim
from ..tensor import Tensor

if TYPE_CHECKING:
    from ..hints import Dims, DTypeLike, TensorLike


class TopK(NamedTuple):
    """What topk returns, as torch.return_types.topk."""

    values: Tensor
    indices: Tensor


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
def add(input: TensorLike, other: TensorLike, alpha: float = 1) -> Tensor:
    """a + alpha·b (elementwise, broadcasting)."""
    if alpha != 1:
        other = mul(other, alpha)
    return arith.Add.apply(_operand(input, other), _operand(other, input))


def sub(input: TensorLike, other: TensorLike, alpha: float = 1) -> Tensor:
    """a − alpha·b."""
    if alpha != 1:
        other = mul(other, alpha)
    return arith.Sub.apply(_operand(input, other), _operand(other, input))


def mul(input: TensorLike, other: TensorLike) -> Tensor:
    return arith.Mul.apply(_operand(input, other), _operand(other, input))


def div(input: TensorLike, other: TensorLike) -> Tensor:
    """True division a / b (integer inputs give floats, as in PyTorch)."""
    return arith.Div.apply(_operand(input, other), _operand(other, input))


def neg(input: Tensor) -> Tensor:
    return unary.Neg.apply(input)


def pow(input: TensorLike, exponent: TensorLike) -> Tensor:
    """x ** exponent; exponent a number or a tensor (either side may be a number)."""
    if isinstance(exponent, np.generic):
        exponent = exponent.item()
    if isinstance(exponent, (int, float)) and isinstance(input, Tensor):
        return arith.PowScalar.apply(input, exponent)
    return arith.Pow.apply(_operand(input, exponent), _operand(exponent, input))


def maximum(input: TensorLike, other: TensorLike) -> Tensor:
    return arith.Maximum.apply(_operand(input, other), _operand(other, input))


def minimum(input: TensorLike, other: TensorLike) -> Tensor:
    return arith.Minimum.apply(_operand(input, other), _operand(other, input))


def square(input: Tensor) -> Tensor:
    return arith.PowScalar.apply(input, 2)


# ---- elementwise functions ------------------------------------------------
def exp(input: Tensor) -> Tensor:
    return unary.Exp.apply(input)


def log(input: Tensor) -> Tensor:
    return unary.Log.apply(input)


def sqrt(input: Tensor) -> Tensor:
    return unary.Sqrt.apply(input)


def abs(input: Tensor) -> Tensor:
    return unary.Abs.apply(input)


def sin(input: Tensor) -> Tensor:
    return unary.Sin.apply(input)


def cos(input: Tensor) -> Tensor:
    return unary.Cos.apply(input)


def tanh(input: Tensor) -> Tensor:
    return unary.Tanh.apply(input)


def sigmoid(input: Tensor) -> Tensor:
    return activation.Sigmoid.apply(input)


def relu(input: Tensor) -> Tensor:
    return activation.Relu.apply(input)


def leaky_relu(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    return activation.LeakyRelu.apply(input, negative_slope)


def elu(input: Tensor, alpha: float = 1.0) -> Tensor:
    return activation.Elu.apply(input, alpha)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    return activation.Gelu.apply(input, approximate)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    return activation.Softplus.apply(input, beta, threshold)


def clamp(input: Tensor, min: TensorLike | None = None, max: TensorLike | None = None) -> Tensor:
    """Limit values to [min, max] (bounds: numbers or tensors, broadcast with x;
    where min > max the result is max, as in PyTorch). The gradient goes to x
    where min ≤ x ≤ max, to min where it is the result (x < min < max), to
    max where it is (x > max, or max < min)."""
    return unary.Clamp.apply(input, min, max)


clip = clamp


def where(condition: TensorLike, input: TensorLike, other: TensorLike) -> Tensor:
    """x where condition is true, else y (broadcasting)."""
    return unary.Where.apply(_arr(condition), _operand(input, other), _operand(other, input))


def masked_fill(input: Tensor, mask: TensorLike, value: TensorLike) -> Tensor:
    """x with ``value`` at the positions where mask is true."""
    return unary.Where.apply(_arr(mask), value, input)


def clone(input: Tensor) -> Tensor:
    return unary.Clone.apply(input)


def to_dtype(x: Tensor, dtype: DTypeLike) -> Tensor:
    """Cast to ``dtype``; float→float casts pass gradients, others leave the graph."""
    dtype = np.dtype(dtype)
    if x._data.dtype == dtype:
        return x
    if dtype.kind == "f" and x._data.dtype.kind == "f":
        return unary.Cast.apply(x, dtype)
    return _const(x._data.astype(dtype))


# ---- reductions ----------------------------------------------------------------
def sum(
    input: Tensor,
    dim: Dims = None,
    keepdim: bool = False,
    *,
    axis: Dims = None,
    keepdims: bool | None = None,
    dtype: DTypeLike | None = None,
) -> Tensor:
    dims = normalize_dims(pick_dim(dim, axis, "sum"), input.ndim, "sum")
    out = reduce.Sum.apply(input, dims, bool(pick_keepdim(keepdim, keepdims)))
    return to_dtype(out, dtype) if dtype is not None else out


def mean(
    input: Tensor,
    dim: Dims = None,
    keepdim: bool = False,
    *,
    axis: Dims = None,
    keepdims: bool | None = None,
) -> Tensor:
    dims = normalize_dims(pick_dim(dim, axis, "mean"), input.ndim, "mean")
    return reduce.Mean.apply(input, dims, bool(pick_keepdim(keepdim, keepdims)))


def _correction(unbiased, correction, ddof):
    if correction is not None:
        return correction
    if ddof is not None:
        return ddof
    return 1 if unbiased is None or unbiased else 0


def var(
    input: Tensor,
    dim: Dims = None,
    unbiased: bool | None = None,
    keepdim: bool = False,
    *,
    correction: int | None = None,
    axis: Dims = None,
    keepdims: bool | None = None,
    ddof: int | None = None,
) -> Tensor:
    """Variance, Σ(x − x̄)²/(N − correction); correction=1 (unbiased) by default, as PyTorch
    (NumPy's default is ddof=0)."""
    dims = normalize_dims(pick_dim(dim, axis, "var"), input.ndim, "var")
    return reduce.Var.apply(
        input, dims, bool(pick_keepdim(keepdim, keepdims)), _correction(unbiased, correction, ddof)
    )


def std(
    input: Tensor,
    dim: Dims = None,
    unbiased: bool | None = None,
    keepdim: bool = False,
    *,
    correction: int | None = None,
    axis: Dims = None,
    keepdims: bool | None = None,
    ddof: int | None = None,
) -> Tensor:
    """Standard deviation, √var (correction=1 by default, as PyTorch)."""
    dims = normalize_dims(pick_dim(dim, axis, "std"), input.ndim, "std")
    return reduce.Std.apply(
        input, dims, bool(pick_keepdim(keepdim, keepdims)), _correction(unbiased, correction, ddof)
    )


def amax(
    input: Tensor,
    dim: Dims = None,
    keepdim: bool = False,
    *,
    axis: Dims = None,
    keepdims: bool | None = None,
) -> Tensor:
    dims = normalize_dims(pick_dim(dim, axis, "amax"), input.ndim, "amax")
    return reduce.AMax.apply(input, dims, bool(pick_keepdim(keepdim, keepdims)))


def amin(
    input: Tensor,
    dim: Dims = None,
    keepdim: bool = False,
    *,
    axis: Dims = None,
    keepdims: bool | None = None,
) -> Tensor:
    dims = normalize_dims(pick_dim(dim, axis, "amin"), input.ndim, "amin")
    return reduce.AMin.apply(input, dims, bool(pick_keepdim(keepdim, keepdims)))


def _min_max(x, dim, keepdim, other, largest, name):
    if isinstance(dim, Tensor) or other is not None:
        other = dim if other is None else other
        return maximum(x, other) if largest else minimum(x, other)
    if dim is None:
        if x._data.size == 0:
            raise ValueError(f"{name}: the tensor is empty, there is no {name}")
        if largest:
            return reduce.AMax.apply(x, None, False, grad_fn_name="MaxBackward1")
        return reduce.AMin.apply(x, None, False, grad_fn_name="MinBackward1")
    d = normalize_dim(dim, x.ndim, name)
    idx = (np.argmax if largest else np.argmin)(x._data, axis=d)
    if x.ndim == 0:
        return MinMax(x, _const(np.asarray(0)))
    values = reduce.TakeAlongDim.apply(
        x, idx, d, bool(keepdim), grad_fn_name=None if largest else "MinBackward0"
    )
    indices = np.expand_dims(idx, d) if keepdim else idx
    return MinMax(values, _const(np.asarray(indices, dtype=np.int64)))


@overload
def max(
    input: Tensor,
    dim: None = None,
    keepdim: bool = False,
    other: None = None,
    *,
    axis: None = None,
    keepdims: bool | None = None,
) -> Tensor: ...
@overload
def max(
    input: Tensor,
    dim: Tensor,
    keepdim: bool = False,
    other: None = None,
    *,
    axis: None = None,
    keepdims: bool | None = None,
) -> Tensor: ...
@overload
def max(
    input: Tensor,
    dim: None = None,
    keepdim: bool = False,
    *,
    other: TensorLike,
    axis: None = None,
    keepdims: bool | None = None,
) -> Tensor: ...
@overload
def max(
    input: Tensor,
    dim: int | None = None,
    keepdim: bool = False,
    other: None = None,
    *,
    axis: int | None = None,
    keepdims: bool | None = None,
) -> MinMax: ...
def max(
    input: Tensor,
    dim: int | Tensor | None = None,
    keepdim: bool = False,
    other: TensorLike | None = None,
    *,
    axis: int | None = None,
    keepdims: bool | None = None,
) -> Tensor | MinMax:
    """max(x): the largest value; max(x, dim): (values, indices) along dim;
    max(x, other_tensor): elementwise maximum — as torch.max."""
    return _min_max(
        input, pick_dim(dim, axis, "max"), pick_keepdim(keepdim, keepdims), other, True, "max"
    )


@overload
def min(
    input: Tensor,
    dim: None = None,
    keepdim: bool = False,
    other: None = None,
    *,
    axis: None = None,
    keepdims: bool | None = None,
) -> Tensor: ...
@overload
def min(
    input: Tensor,
    dim: Tensor,
    keepdim: bool = False,
    other: None = None,
    *,
    axis: None = None,
    keepdims: bool | None = None,
) -> Tensor: ...
@overload
def min(
    input: Tensor,
    dim: None = None,
    keepdim: bool = False,
    *,
    other: TensorLike,
    axis: None = None,
    keepdims: bool | None = None,
) -> Tensor: ...
@overload
def min(
    input: Tensor,
    dim: int | None = None,
    keepdim: bool = False,
    other: None = None,
    *,
    axis: int | None = None,
    keepdims: bool | None = None,
) -> MinMax: ...
def min(
    input: Tensor,
    dim: int | Tensor | None = None,
    keepdim: bool = False,
    other: TensorLike | None = None,
    *,
    axis: int | None = None,
    keepdims: bool | None = None,
) -> Tensor | MinMax:
    """min(x), min(x, dim) → (values, indices), min(x, other) — as torch.min."""
    return _min_max(
        input, pick_dim(dim, axis, "min"), pick_keepdim(keepdim, keepdims), other, False, "min"
    )


def topk(input: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> TopK:
    """The k largest (or smallest) values along dim and their indices, the
    first the largest (smallest); the gradient goes to the picked elements.
    (With ``sorted=False`` PyTorch may return them in any order; glassnet
    sorts them anyway.)"""
    d = normalize_dim(dim, input.ndim, "topk")
    n = input.shape[d] if input.ndim else 1
    if isinstance(k, bool) or not 0 <= int(k) <= n:
        raise IndexError(
            f"topk: k={k} is out of range for dim {dim} of size {n} of "
            f"{describe(input._data)} (expected 0 to {n})"
        )
    x = input if input.ndim else input.reshape(1)
    order = np.argsort(x._data, axis=d, kind="stable")
    if largest:  # NaN sorts last in NumPy, so it is the largest, as in PyTorch
        order = np.flip(order, axis=d)
    idx = np.ascontiguousarray(np.take(order, np.arange(int(k)), axis=d))
    values = index.Gather.apply(x, d, idx, grad_fn_name="TopkBackward0")
    if not input.ndim:
        return TopK(values.reshape(()), _const(idx.reshape(())))
    return TopK(values, _const(idx.astype(np.int64, copy=False)))


def logsumexp(
    input: Tensor,
    dim: Dims,
    keepdim: bool = False,
    *,
    axis: Dims = None,
    keepdims: bool | None = None,
) -> Tensor:
    """ln Σ exp(x) over dim, without overflow."""
    dims = normalize_dims(pick_dim(dim, axis, "logsumexp"), input.ndim, "logsumexp")
    return reduce.LogSumExp.apply(input, dims, bool(pick_keepdim(keepdim, keepdims)))


def softmax(input: Tensor, dim: int | None = -1, *, axis: int | None = None) -> Tensor:
    d = normalize_dim(pick_dim(dim, axis, "softmax", -1), input.ndim, "softmax")
    return softmax_ops.Softmax.apply(input, d)


def log_softmax(input: Tensor, dim: int | None = -1, *, axis: int | None = None) -> Tensor:
    d = normalize_dim(pick_dim(dim, axis, "log_softmax", -1), input.ndim, "log_softmax")
    return softmax_ops.LogSoftmax.apply(input, d)


def _arg(x, dim, keepdim, fn, name):
    if dim is None:
        out = fn(x._data.reshape(-1))
        return _const(np.asarray(out, dtype=np.int64).reshape((1,) * x.ndim if keepdim else ()))
    d = normalize_dim(dim, x.ndim, name)
    out = fn(x._data, axis=d, keepdims=bool(keepdim))
    return _const(np.asarray(out, dtype=np.int64))


def argmax(
    input: Tensor,
    dim: int | None = None,
    keepdim: bool = False,
    *,
    axis: int | None = None,
    keepdims: bool | None = None,
) -> Tensor:
    """Index of the largest value (over the flattened tensor when dim is None). No gradient."""
    return _arg(
        input, pick_dim(dim, axis, "argmax"), pick_keepdim(keepdim, keepdims), np.argmax, "argmax"
    )


def argmin(
    input: Tensor,
    dim: int | None = None,
    keepdim: bool = False,
    *,
    axis: int | None = None,
    keepdims: bool | None = None,
) -> Tensor:
    return _arg(
        input, pick_dim(dim, axis, "argmin"), pick_keepdim(keepdim, keepdims), np.argmin, "argmin"
    )


def all(input: Tensor, dim: Dims = None, keepdim: bool = False) -> Tensor:
    dims = normalize_dims(dim, input.ndim, "all")
    return _const(np.asarray(np.all(input._data, axis=dims, keepdims=keepdim)))


def any(input: Tensor, dim: Dims = None, keepdim: bool = False) -> Tensor:
    dims = normalize_dims(dim, input.ndim, "any")
    return _const(np.asarray(np.any(input._data, axis=dims, keepdims=keepdim)))


# ---- linear algebra -----------------------------------------------------------
def matmul(input: TensorLike, other: TensorLike) -> Tensor:
    """Matrix product with NumPy/PyTorch rules: 1-D, 2-D and batched (broadcast)."""
    return linalg.MatMul.apply(_operand(input, other), _operand(other, input))


def mm(input: Tensor, mat2: Tensor) -> Tensor:
    if input.ndim != 2 or mat2.ndim != 2:
        raise ShapeError(f"mm: expects two 2-D tensors, got {describe(input)} and {describe(mat2)}")
    return matmul(input, mat2)


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = x Wᵀ + b in one fused op (W shaped (out_features, in_features))."""
    if bias is None:
        return linalg.Linear.apply(input, weight)
    return linalg.Linear.apply(input, weight, bias)
