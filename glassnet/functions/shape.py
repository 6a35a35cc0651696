"""The public functions that move, select or compare elements: reshape,
transpose, cat, split, pad, indexing, comparisons, conversions
(``gn.reshape``, ``gn.cat``, ``gn.gather``, ``gn.eq``...)."""
import builtins

import numpy as np

from .. import dtypes as backend
from ..errors import ShapeError, describe
from ..tensor import Tensor, to_array
from ..ops import index
from ..ops import shape as shape_ops
from ..ops._util import (normalize_dim, normalize_dims, normalize_new_dim, pick_dim)

from .math import _arr, _const, _operand


# ---- shape -----------------------------------------------------------------------
def _shape_args(shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    return tuple(int(s) for s in shape)


def reshape(x, *shape):
    """Same elements in a new shape (one dim may be -1)."""
    return _reshape(x, _shape_args(shape))


def _reshape(x, new_shape, op="reshape"):
    if new_shape == x.data.shape:
        return x
    return shape_ops.Reshape.apply(x, new_shape, op=op)


def view(x, *shape):
    """As reshape: NumPy returns a view when the memory layout allows, else a copy."""
    return _reshape(x, _shape_args(shape), "view")


def flatten(x, start_dim=0, end_dim=-1):
    if x.ndim == 0:
        return reshape(x, 1)
    s = normalize_dim(start_dim, x.ndim, "flatten")
    e = normalize_dim(end_dim, x.ndim, "flatten")
    if s > e:
        raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
    shp = x.shape
    return reshape(x, shp[:s] + (int(np.prod(shp[s:e + 1])),) + shp[e + 1:])


def permute(x, *dims):
    dims = _shape_args(dims)
    if len(dims) != x.ndim:
        raise ShapeError(f"permute: {dims} must list each of the {x.ndim} dimensions of "
                         f"{describe(x.data)} once")
    dims = tuple(normalize_dim(d, x.ndim, "permute") for d in dims)
    if sorted(dims) != list(range(x.ndim)):
        raise ShapeError(f"permute: {dims} must list each dimension once")
    return shape_ops.Permute.apply(x, dims)


def transpose(x, dim0, dim1):
    """Swap two dims."""
    if x.ndim == 0:
        return x
    d0 = normalize_dim(dim0, x.ndim, "transpose")
    d1 = normalize_dim(dim1, x.ndim, "transpose")
    order = list(range(x.ndim))
    order[d0], order[d1] = order[d1], order[d0]
    return shape_ops.Permute.apply(x, tuple(order))


swapaxes = transpose


def t(x):
    """Transpose of a tensor with at most 2 dims."""
    if x.ndim > 2:
        raise ShapeError(f"t: expects a tensor with at most 2 dimensions, got {x.shape}; use "
                         "transpose(dim0, dim1) or permute")
    return transpose(x, 0, 1) if x.ndim == 2 else x


def squeeze(x, dim=None):
    """Remove dims of size 1 (all of them, or those named by dim)."""
    if dim is None:
        new = tuple(n for n in x.shape if n != 1)
    else:
        dims = normalize_dims(dim, x.ndim, "squeeze") or ()
        new = tuple(n for i, n in enumerate(x.shape) if not (i in dims and n == 1))
    return _reshape(x, new)


def unsqueeze(x, dim):
    """Insert a dim of size 1 at ``dim`` (−ndim−1 ≤ dim ≤ ndim)."""
    d = normalize_new_dim(dim, x.ndim, "unsqueeze")
    return _reshape(x, x.shape[:d] + (1,) + x.shape[d:])


def expand(x, *sizes):
    """Broadcast to a larger shape without copying; -1 keeps a dim."""
    sizes = _shape_args(sizes)
    lead = len(sizes) - x.ndim
    if lead < 0:
        raise ShapeError(f"expand: the new shape {sizes} has fewer dimensions than "
                         f"{describe(x.data)}")
    full = tuple(x.shape[i - lead] if s == -1 and i >= lead else s for i, s in enumerate(sizes))
    return shape_ops.Expand.apply(x, full)


def expand_as(x, other):
    return expand(x, *other.shape)


def broadcast_to(x, shape):
    return expand(x, *shape)


def _tensors(tensors, name):
    tensors = list(tensors)
    if not tensors:
        raise ValueError(f"{name}: expects a non-empty list of tensors")
    return [tt if isinstance(tt, Tensor) else Tensor(tt) for tt in tensors]


def cat(tensors, dim=0, *, axis=None):
    """Join tensors along an existing dim."""
    tensors = _tensors(tensors, "cat")
    d = normalize_dim(pick_dim(dim, axis, "cat", 0), tensors[0].ndim, "cat")
    return shape_ops.Cat.apply(*tensors, dim=d)


concat = concatenate = cat


def stack(tensors, dim=0, *, axis=None):
    """Join tensors of equal shape along a new dim."""
    tensors = _tensors(tensors, "stack")
    d = normalize_new_dim(pick_dim(dim, axis, "stack", 0), tensors[0].ndim, "stack")
    return shape_ops.Stack.apply(*tensors, dim=d)


def split(x, split_size_or_sections, dim=0):
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


def chunk(x, chunks, dim=0):
    """Split into ``chunks`` pieces of size ceil(n/chunks) (fewer if that covers n)."""
    if chunks <= 0:
        raise ValueError(f"chunk: chunks must be positive, got {chunks}")
    n = x.shape[normalize_dim(dim, x.ndim, "chunk")]
    return split(x, builtins.max(1, -(-n // chunks)), dim)


def pad(x, pad, mode="constant", value=0.0):
    """Pad with a constant (torch.nn.functional.pad's order: last dim first)."""
    if mode != "constant":
        raise ValueError(f"pad: mode {mode!r} is not supported; glassnet pads with mode="
                         "'constant' (any fill value)")
    return shape_ops.Pad.apply(x, tuple(int(p) for p in pad), value)


# ---- indexing ----------------------------------------------------------------------
def _index_arg(idx):
    if isinstance(idx, Tensor):
        return idx.data
    if isinstance(idx, tuple):
        return tuple(_index_arg(i) for i in idx)
    if isinstance(idx, list):
        return np.asarray([_index_arg(i) for i in idx]) if idx and isinstance(idx[0], Tensor) \
            else np.asarray(idx)
    return idx


def getitem(x, idx):
    return index.GetItem.apply(x, _index_arg(idx))


def index_put(x, idx, value):
    """Out-of-place ``x[idx] = value`` (differentiable in x and value)."""
    return index.IndexPut.apply(x, _operand(value, x), _index_arg(idx))


def gather(x, dim, idx):
    """out[..i..] = x[..idx[..i..]..] along dim, as torch.gather."""
    d = normalize_dim(dim, x.ndim, "gather")
    return index.Gather.apply(x, d, _arr(idx))


def index_select(x, dim, idx):
    d = normalize_dim(dim, x.ndim, "index_select")
    return index.GetItem.apply(x, (slice(None),) * d + (_arr(idx),))


# ---- comparisons (no gradient) ----------------------------------------------------
def _compare(fn, a, b):
    return _const(np.asarray(fn(_arr(a) if not isinstance(a, (int, float)) else a,
                                _arr(b) if not isinstance(b, (int, float)) else b)))


def eq(a, b):
    return _compare(np.equal, a, b)


def ne(a, b):
    return _compare(np.not_equal, a, b)


def lt(a, b):
    return _compare(np.less, a, b)


def le(a, b):
    return _compare(np.less_equal, a, b)


def gt(a, b):
    return _compare(np.greater, a, b)


def ge(a, b):
    return _compare(np.greater_equal, a, b)


def isclose(a, b, rtol=1e-5, atol=1e-8):
    return _const(np.isclose(_arr(a), _arr(b), rtol=rtol, atol=atol))


def allclose(a, b, rtol=1e-5, atol=1e-8):
    return bool(np.allclose(_arr(a), _arr(b), rtol=rtol, atol=atol))


def equal(a, b):
    """True if both have the same shape and elements."""
    return bool(np.array_equal(_arr(a), _arr(b)))


def as_tensor(data, dtype=None):
    """A tensor sharing memory with ``data`` when it is already an ndarray of that dtype."""
    if isinstance(data, Tensor) and (dtype is None or data.dtype == np.dtype(dtype)):
        return data
    return _const(to_array(data, dtype))


def from_numpy(array):
    """A tensor sharing memory with ``array`` (its dtype kept)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected an ndarray, got {type(array).__name__}")
    return _const(array)


def numel(x):
    return x.data.size


def is_floating_point(x):
    return backend.is_float(x.data.dtype)
