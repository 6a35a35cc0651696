"""The public math functions: arithmetic, elementwise functions, reductions
and matrix products (``gn.add``, ``gn.exp``, ``gn.sum``, ``gn.matmul``...):
argument handling in PyTorch's names (``dim``, ``keepdim``; NumPy's
``axis``, ``keepdims`` accepted too), then one op's ``apply``. The
reductions and matrix products are defined here; the arithmetic and
elementwise functions in ``elementwise``, and re-exported here."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple, overload

import numpy as np

from ..errors import ShapeError, describe
from ..ops import index, linalg, reduce
from ..ops import softmax as softmax_ops
from ..ops._util import normalize_dim, normalize_dims, pick_dim, pick_keepdim
from ..tensor import Tensor
from .elementwise import (  # noqa: F401  (re-exported: importable from math as before)
    _const,
    _operand,
    abs,
    add,
    clamp,
    clip,
    clone,
    cos,
    div,
    elu,
    exp,
    gelu,
    leaky_relu,
    log,
    masked_fill,
    maximum,
    minimum,
    mul,
    neg,
    pow,
    relu,
    sigmoid,
    sin,
    softplus,
    sqrt,
    square,
    sub,
    tanh,
    to_dtype,
    where,
)

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
