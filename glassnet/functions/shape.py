"""The public functions that move, select or compare elements: reshape,
transpose, cat, split, pad, indexing, comparisons, conversions
(``gn.reshape``, ``gn.cat``, ``gn.gather``, ``gn.eq``...)."""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import dtypes
from ..devices import as_device
from ..errors import ShapeError, describe
from ..ops import index as index_ops
from ..ops import shape as shape_ops
from ..ops._util import normalize_dim, normalize_dims, normalize_new_dim, pick_dim
from ..tensor import Tensor, to_array
from .elementwise import _arr, _const, _operand

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ..devices import device
    from ..hints import Dims, DTypeLike, Size, TensorLike


# ---- shape -----------------------------------------------------------------------
def _shape_args(shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    return tuple(int(s) for s in shape)


def reshape(input: Tensor, *shape: Size) -> Tensor:
    """Same elements in a new shape (one dim may be -1)."""
    return _reshape(input, _shape_args(shape))


def _reshape(x, new_shape, op="reshape"):
    if new_shape == x._data.shape:
        return x
    return shape_ops.Reshape.apply(x, new_shape, op=op)


def view(input: Tensor, *shape: Size) -> Tensor:
    """As reshape: NumPy returns a view when the memory layout allows, else a copy."""
    return _reshape(input, _shape_args(shape), "view")


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    if input.ndim == 0:
        return reshape(input, 1)
    s = normalize_dim(start_dim, input.ndim, "flatten")
    e = normalize_dim(end_dim, input.ndim, "flatten")
    if s > e:
        raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
    shp = input.shape
    return reshape(input, shp[:s] + (int(np.prod(shp[s : e + 1])),) + shp[e + 1 :])


def permute(input: Tensor, *dims: Size) -> Tensor:
    order = _shape_args(dims)
    if len(order) != input.ndim:
        raise ShapeError(
            f"permute: {order} must list each of the {input.ndim} dimensions of "
            f"{describe(input._data)} once"
        )
    order = tuple(normalize_dim(d, input.ndim, "permute") for d in order)
    if sorted(order) != list(range(input.ndim)):
        raise ShapeError(f"permute: {order} must list each dimension once")
    return shape_ops.Permute.apply(input, order)


def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:
    """Swap two dims."""
    return _transpose(input, dim0, dim1, "TransposeBackward0")


def _transpose(x, dim0, dim1, name):
    if x.ndim == 0:
        return x
    d0 = normalize_dim(dim0, x.ndim, "transpose")
    d1 = normalize_dim(dim1, x.ndim, "transpose")
    order = list(range(x.ndim))
    order[d0], order[d1] = order[d1], order[d0]
    return shape_ops.Permute.apply(x, tuple(order), grad_fn_name=name)


swapaxes = transpose


def t(input: Tensor) -> Tensor:
    """Transpose of a tensor with at most 2 dims."""
    if input.ndim > 2:
        raise ShapeError(
            f"t: expects a tensor with at most 2 dimensions, got {tuple(input.shape)}; use "
            "transpose(dim0, dim1) or permute"
        )
    return _transpose(input, 0, 1, "TBackward0") if input.ndim == 2 else input


def squeeze(input: Tensor, dim: Dims = None) -> Tensor:
    """Remove dims of size 1 (all of them, or those named by dim)."""
    if dim is None:
        new = tuple(n for n in input.shape if n != 1)
    else:
        dims = normalize_dims(dim, input.ndim, "squeeze") or ()
        new = tuple(n for i, n in enumerate(input.shape) if not (i in dims and n == 1))
    return _reshape(input, new, "squeeze")


def unsqueeze(input: Tensor, dim: int) -> Tensor:
    """Insert a dim of size 1 at ``dim`` (−ndim−1 ≤ dim ≤ ndim)."""
    d = normalize_new_dim(dim, input.ndim, "unsqueeze")
    return _reshape(input, input.shape[:d] + (1,) + input.shape[d:], "unsqueeze")


def expand(input: Tensor, *sizes: Size) -> Tensor:
    """Broadcast to a larger shape without copying; -1 keeps a dim."""
    sizes = _shape_args(sizes)
    lead = len(sizes) - input.ndim
    if lead < 0:
        raise ShapeError(
            f"expand: the new shape {sizes} has fewer dimensions than {describe(input._data)}"
        )
    full = tuple(input.shape[i - lead] if s == -1 and i >= lead else s for i, s in enumerate(sizes))
    return shape_ops.Expand.apply(input, full)


def expand_as(input: Tensor, other: Tensor) -> Tensor:
    return expand(input, *other.shape)


def narrow(input: Tensor, dim: int, start: int | Tensor, length: int) -> Tensor:
    """The elements start, …, start + length − 1 along dim (start may count
    from the end), as a view with gradient: ``input[..., start:start + length]``."""
    d = normalize_dim(dim, input.ndim, "narrow")
    n = input.shape[d]
    begin = int(start) + n if int(start) < 0 else int(start)
    if not 0 <= begin <= n or not 0 <= int(length) <= n - begin:
        raise IndexError(
            f"narrow: start {int(start)} and length {length} do not fit dim {dim} "
            f"of size {n} of {describe(input)} (expected -{n} <= start <= "
            f"{n} and start + length <= {n})"
        )
    return index_ops.GetItem.apply(input, (slice(None),) * d + (slice(begin, begin + int(length)),))


def roll(
    input: Tensor, shifts: int | Sequence[int], dims: int | Sequence[int] | None = None
) -> Tensor:
    """Shift the elements by ``shifts`` along ``dims``; those pushed past the
    end come back at the start. ``dims`` None: along the flattened tensor,
    then back to its shape (as torch.roll)."""
    shifts_t = (shifts,) if isinstance(shifts, int) else tuple(shifts)
    if dims is None:
        if len(shifts_t) != 1:
            raise ValueError("roll: without dims, shifts must be one number")
        return shape_ops.Roll.apply(input, int(shifts_t[0]), None)
    dims_t = (dims,) if isinstance(dims, int) else tuple(dims)
    if len(shifts_t) != len(dims_t):
        raise ValueError(
            f"roll: {len(shifts_t)} shifts for {len(dims_t)} dims; expected one shift per dim"
        )
    dims_t = tuple(normalize_dim(d, input.ndim, "roll") for d in dims_t)
    return shape_ops.Roll.apply(input, tuple(int(s) for s in shifts_t), dims_t)


def broadcast_to(input: Tensor, size: Sequence[int]) -> Tensor:
    return expand(input, *size)


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


def stack(tensors: Sequence[Tensor], dim: int | None = 0, *, axis: int | None = None) -> Tensor:
    """Join tensors of equal shape along a new dim."""
    tensors = _tensors(tensors, "stack")
    d = normalize_new_dim(pick_dim(dim, axis, "stack", 0), tensors[0].ndim, "stack")
    return shape_ops.Stack.apply(*tensors, dim=d)


def split(
    tensor: Tensor, split_size_or_sections: int | Sequence[int], dim: int = 0
) -> tuple[Tensor, ...]:
    """Split into pieces of a given size (the last may be smaller) or of the listed sizes."""
    d = normalize_dim(dim, tensor.ndim, "split")
    n = tensor.shape[d]
    if isinstance(split_size_or_sections, int):
        size = split_size_or_sections
        if size <= 0:
            raise ValueError(f"split: split_size must be positive, got {size}")
        sizes = [size] * (n // size) + ([n % size] if n % size else [])
    else:
        sizes = [int(s) for s in split_size_or_sections]
        if builtins.sum(sizes) != n:
            raise ShapeError(
                f"split: sections {sizes} add up to {builtins.sum(sizes)}, but "
                f"dim {dim} has size {n}"
            )
    pieces, start = [], 0
    for s in sizes:
        idx = (slice(None),) * d + (slice(start, start + s),)
        pieces.append(index_ops.GetItem.apply(tensor, idx))
        start += s
    return tuple(pieces)


def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    """Split into ``chunks`` pieces of size ceil(n/chunks) (fewer if that covers n)."""
    if chunks <= 0:
        raise ValueError(f"chunk: chunks must be positive, got {chunks}")
    n = input.shape[normalize_dim(dim, input.ndim, "chunk")]
    return split(input, builtins.max(1, -(-n // chunks)), dim)


def pad(input: Tensor, pad: Sequence[int], mode: str = "constant", value: float = 0.0) -> Tensor:
    """Pad with a constant (torch.nn.functional.pad's order: last dim first)."""
    if mode != "constant":
        raise ValueError(
            f"pad: mode {mode!r} is not supported; glassnet pads with mode="
            "'constant' (any fill value)"
        )
    return shape_ops.Pad.apply(input, tuple(int(p) for p in pad), value)


# ---- indexing ----------------------------------------------------------------------
def _index_arg(idx):
    if isinstance(idx, Tensor):
        return idx._data
    if isinstance(idx, tuple):
        return tuple(_index_arg(i) for i in idx)
    if isinstance(idx, list):
        return (
            np.asarray([_index_arg(i) for i in idx])
            if idx and isinstance(idx[0], Tensor)
            else np.asarray(idx)
        )
    return idx


def getitem(input: Tensor, idx: Any) -> Tensor:
    return index_ops.GetItem.apply(input, _index_arg(idx))


def index_put(input: Tensor, idx: Any, value: TensorLike) -> Tensor:
    """Out-of-place ``x[idx] = value`` (differentiable in x and value)."""
    return index_ops.IndexPut.apply(input, _operand(value, input), _index_arg(idx))


def gather(input: Tensor, dim: int, index: TensorLike) -> Tensor:
    """out[..i..] = x[..idx[..i..]..] along dim, as torch.gather."""
    d = normalize_dim(dim, input.ndim, "gather")
    return index_ops.Gather.apply(input, d, _arr(index))


def index_select(input: Tensor, dim: int, index: TensorLike) -> Tensor:
    d = normalize_dim(dim, input.ndim, "index_select")
    return index_ops.GetItem.apply(input, (slice(None),) * d + (_arr(index),))


# ---- comparisons (no gradient) ----------------------------------------------------
def _compare(fn, a, b):
    return _const(
        np.asarray(
            fn(
                _arr(a) if not isinstance(a, (int, float)) else a,
                _arr(b) if not isinstance(b, (int, float)) else b,
            )
        )
    )


def eq(input: TensorLike, other: TensorLike) -> Tensor:
    return _compare(np.equal, input, other)


def ne(input: TensorLike, other: TensorLike) -> Tensor:
    return _compare(np.not_equal, input, other)


def lt(input: TensorLike, other: TensorLike) -> Tensor:
    return _compare(np.less, input, other)


def le(input: TensorLike, other: TensorLike) -> Tensor:
    return _compare(np.less_equal, input, other)


def gt(input: TensorLike, other: TensorLike) -> Tensor:
    return _compare(np.greater, input, other)


def ge(input: TensorLike, other: TensorLike) -> Tensor:
    return _compare(np.greater_equal, input, other)


def isclose(input: TensorLike, other: TensorLike, rtol: float = 1e-5, atol: float = 1e-8) -> Tensor:
    return _const(np.isclose(_arr(input), _arr(other), rtol=rtol, atol=atol))


def allclose(input: TensorLike, other: TensorLike, rtol: float = 1e-5, atol: float = 1e-8) -> bool:
    return bool(np.allclose(_arr(input), _arr(other), rtol=rtol, atol=atol))


def equal(input: TensorLike, other: TensorLike) -> bool:
    """True if both have the same shape and elements."""
    return bool(np.array_equal(_arr(input), _arr(other)))


def as_tensor(
    data: TensorLike, dtype: DTypeLike | None = None, device: device | str | None = None
) -> Tensor:
    """A tensor sharing memory with ``data`` when it is already an ndarray of that
    dtype; ``device``: the CPU (glassnet has no other)."""
    as_device(device, "as_tensor")
    if isinstance(data, Tensor) and (dtype is None or data.dtype == np.dtype(dtype)):
        return data
    return _const(to_array(data, dtype))


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing memory with ``array`` (its dtype kept)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected an ndarray, got {type(array).__name__}")
    return _const(array)


def numel(input: Tensor) -> int:
    return input._data.size


def is_floating_point(input: Tensor) -> bool:
    return dtypes.is_float(input._data.dtype)
