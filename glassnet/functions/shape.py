"""The public functions that move, select or compare elements: reshape,
transpose, cat, split, pad, indexing, comparisons, conversions
(``gn.reshape``, ``gn.cat``, ``gn.gather``, ``gn.eq``...)."""
from __future__ import annotations

import builtins
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import dtypes as backend
from ..errors import ShapeError, describe
from ..ops import index
from ..ops import shape as shape_ops
from ..ops._util import normalize_dim, normalize_dims, normalize_new_dim, pick_dim
from ..tensor import Tensor, to_array
from .math import _arr, _const, _operand

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ..hints import Dims, DTypeLike, Size, TensorLike


# ---- shape -----------------------------------------------------------------------
def _shape_args(shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    return tuple(int(s) for s in shape)


def reshape(x: Tensor, *shape: Size) -> Tensor:
    """Same elements in a new shape (one dim may be -1)."""
    return _reshape(x, _shape_args(shape))


def _reshape(x, new_shape, op="reshape"):
    if new_shape == x._data.shape:
        return x
    return shape_ops.Reshape.apply(x, new_shape, op=op)


def view(x: Tensor, *shape: Size) -> Tensor:
    """As reshape: NumPy returns a view when the memory layout allows, else a copy."""
    return _reshape(x, _shape_args(shape), "view")


def flatten(x: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    if x.ndim == 0:
        return reshape(x, 1)
    s = normalize_dim(start_dim, x.ndim, "flatten")
    e = normalize_dim(end_dim, x.ndim, "flatten")
    if s > e:
        raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
    shp = x.shape
    return reshape(x, shp[:s] + (int(np.prod(shp[s:e + 1])),) + shp[e + 1:])


def permute(x: Tensor, *dims: Size) -> Tensor:
    order = _shape_args(dims)
    if len(order) != x.ndim:
        raise ShapeError(f"permute: {order} must list each of the {x.ndim} dimensions of "
                         f"{describe(x._data)} once")
    order = tuple(normalize_dim(d, x.ndim, "permute") for d in order)
    if sorted(order) != list(range(x.ndim)):
        raise ShapeError(f"permute: {order} must list each dimension once")
    return shape_ops.Permute.apply(x, order)


def transpose(x: Tensor, dim0: int, dim1: int) -> Tensor:
    """Swap two dims."""
    if x.ndim == 0:
        return x
    d0 = normalize_dim(dim0, x.ndim, "transpose")
    d1 = normalize_dim(dim1, x.ndim, "transpose")
    order = list(range(x.ndim))
    order[d0], order[d1] = order[d1], order[d0]
    return shape_ops.Permute.apply(x, tuple(order))


swapaxes = transpose


def t(x: Tensor) -> Tensor:
    """Transpose of a tensor with at most 2 dims."""
    if x.ndim > 2:
        raise ShapeError(f"t: expects a tensor with at most 2 dimensions, got {x.shape}; use "
                         "transpose(dim0, dim1) or permute")
    return transpose(x, 0, 1) if x.ndim == 2 else x


def squeeze(x: Tensor, dim: Dims = None) -> Tensor:
    """Remove dims of size 1 (all of them, or those named by dim)."""
    if dim is None:
        new = tuple(n for n in x.shape if n != 1)
    else:
        dims = normalize_dims(dim, x.ndim, "squeeze") or ()
        new = tuple(n for i, n in enumerate(x.shape) if not (i in dims and n == 1))
    return _reshape(x, new)


def unsqueeze(x: Tensor, dim: int) -> Tensor:
    """Insert a dim of size 1 at ``dim`` (−ndim−1 ≤ dim ≤ ndim)."""
    d = normalize_new_dim(dim, x.ndim, "unsqueeze")
    return _reshape(x, x.shape[:d] + (1,) + x.shape[d:])


def expand(x: Tensor, *sizes: Size) -> Tensor:
    """Broadcast to a larger shape without copying; -1 keeps a dim."""
    sizes = _shape_args(sizes)
    lead = len(sizes) - x.ndim
    if lead < 0:
        raise ShapeError(f"expand: the new shape {sizes} has fewer dimensions than "
                         f"{describe(x._data)}")
    full = tuple(x.shape[i - lead] if s == -1 and i >= lead else s for i, s in enumerate(sizes))
    return shape_ops.Expand.apply(x, full)


def expand_as(x: Tensor, other: Tensor) -> Tensor:
    return expand(x, *other.shape)


def broadcast_to(x: Tensor, shape: Sequence[int]) -> Tensor:
    return expand(x, *shape)


def _tensors(tensors, name):
    tensors = list(tensors)
    if not tensors:
        raise ValueError(f"{name}: expects a non-empty list of tensors")
    return [tt if isinstance(tt, Tensor) else Tensor(tt) for tt in tensors]


def cat(tensors: Sequence[Tensor], dim: int | None = 0, *, axis: int | None = None) -> Tensor:
    """Join tensors along an existing dim."""
    tensors = _tensors(tensors, "cat")
    d = normalize_dim(pick_dim(dim, axis, "cat", 0), tensors[0].ndim, "cat")
    return shape_ops.Cat.apply(*tensors, dim=d)


concat = concatenate = cat


def stack(tensors: Sequence[Tensor], dim: int | None = 0, *,
          axis: int | None = None) -> Tensor:
    """Join tensors of equal shape along a new dim."""
    tensors = _tensors(tensors, "stack")
    d = normalize_new_dim(pick_dim(dim, axis, "stack", 0), tensors[0].ndim, "stack")
    return shape_ops.Stack.apply(*tensors, dim=d)


def split(x: Tensor, split_size_or_sections: int | Sequence[int],
          dim: int = 0) -> tuple[Tensor, ...]:
    """Split into pieces of a given size (the last may be smaller) or of the listed sizes."""
    d = normalize_dim(dim, x.ndim, "split")
    n = x.shape[d]
    if isinstance(split_size_or_sections, int):
        size = split_size_or_sections
        if size <= 0:
            raise ValueError(f"split: split_size must be positive, got {size}")
        sizes = [size] * (n // size) + ([n % size] if n % size else [])
    else:
        sizes = [int(s) for s in split_size_or_sections]
        if builtins.sum(sizes) != n:
            raise ShapeError(f"split: sections {sizes} add up to {builtins.sum(sizes)}, but "
                             f"dim {dim} has size {n}")
    pieces, start = [], 0
    for s in sizes:
        idx = (slice(None),) * d + (slice(start, start + s),)
        pieces.append(index.GetItem.apply(x, idx))
        start += s
    return tuple(pieces)


def chunk(x: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    """Split into ``chunks`` pieces of size ceil(n/chunks) (fewer if that covers n)."""
    if chunks <= 0:
        raise ValueError(f"chunk: chunks must be positive, got {chunks}")
    n = x.shape[normalize_dim(dim, x.ndim, "chunk")]
    return split(x, builtins.max(1, -(-n // chunks)), dim)


def pad(x: Tensor, pad: Sequence[int], mode: str = "constant", value: float = 0.0) -> Tensor:
    """Pad with a constant (torch.nn.functional.pad's order: last dim first)."""
    if mode != "constant":
        raise ValueError(f"pad: mode {mode!r} is not supported; glassnet pads with mode="
                         "'constant' (any fill value)")
    return shape_ops.Pad.apply(x, tuple(int(p) for p in pad), value)


# ---- indexing ----------------------------------------------------------------------
def _index_arg(idx):
    if isinstance(idx, Tensor):
        return idx._data
    if isinstance(idx, tuple):
        return tuple(_index_arg(i) for i in idx)
    if isinstance(idx, list):
        return np.asarray([_index_arg(i) for i in idx]) if idx and isinstance(idx[0], Tensor) \
            else np.asarray(idx)
    return idx


def getitem(x: Tensor, idx: Any) -> Tensor:
    return index.GetItem.apply(x, _index_arg(idx))


def index_put(x: Tensor, idx: Any, value: TensorLike) -> Tensor:
    """Out-of-place ``x[idx] = value`` (differentiable in x and value)."""
    return index.IndexPut.apply(x, _operand(value, x), _index_arg(idx))


def gather(x: Tensor, dim: int, idx: TensorLike) -> Tensor:
    """out[..i..] = x[..idx[..i..]..] along dim, as torch.gather."""
    d = normalize_dim(dim, x.ndim, "gather")
    return index.Gather.apply(x, d, _arr(idx))


def index_select(x: Tensor, dim: int, idx: TensorLike) -> Tensor:
    d = normalize_dim(dim, x.ndim, "index_select")
    return index.GetItem.apply(x, (slice(None),) * d + (_arr(idx),))


# ---- comparisons (no gradient) ----------------------------------------------------
def _compare(fn, a, b):
    return _const(np.asarray(fn(_arr(a) if not isinstance(a, (int, float)) else a,
                                _arr(b) if not isinstance(b, (int, float)) else b)))


def eq(a: TensorLike, b: TensorLike) -> Tensor:
    return _compare(np.equal, a, b)


def ne(a: TensorLike, b: TensorLike) -> Tensor:
    return _compare(np.not_equal, a, b)


def lt(a: TensorLike, b: TensorLike) -> Tensor:
    return _compare(np.less, a, b)


def le(a: TensorLike, b: TensorLike) -> Tensor:
    return _compare(np.less_equal, a, b)


def gt(a: TensorLike, b: TensorLike) -> Tensor:
    return _compare(np.greater, a, b)


def ge(a: TensorLike, b: TensorLike) -> Tensor:
    return _compare(np.greater_equal, a, b)


def isclose(a: TensorLike, b: TensorLike, rtol: float = 1e-5, atol: float = 1e-8) -> Tensor:
    return _const(np.isclose(_arr(a), _arr(b), rtol=rtol, atol=atol))


def allclose(a: TensorLike, b: TensorLike, rtol: float = 1e-5, atol: float = 1e-8) -> bool:
    return bool(np.allclose(_arr(a), _arr(b), rtol=rtol, atol=atol))


def equal(a: TensorLike, b: TensorLike) -> bool:
    """True if both have the same shape and elements."""
    return bool(np.array_equal(_arr(a), _arr(b)))


def as_tensor(data: TensorLike, dtype: DTypeLike | None = None) -> Tensor:
    """A tensor sharing memory with ``data`` when it is already an ndarray of that dtype."""
    if isinstance(data, Tensor) and (dtype is None or data.dtype == np.dtype(dtype)):
        return data
    return _const(to_array(data, dtype))


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing memory with ``array`` (its dtype kept)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected an ndarray, got {type(array).__name__}")
    return _const(array)


def numel(x: Tensor) -> int:
    return x._data.size


def is_floating_point(x: Tensor) -> bool:
    return backend.is_float(x._data.dtype)
