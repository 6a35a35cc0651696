"""Helpers shared by the ops: undoing broadcasting, summing rows, reading ``dim`` arguments."""

import functools
import math

import numpy as np

from .. import alloc
from ..backends.blas import dot
from ..errors import ShapeError, describe


def unbroadcast(grad, shape):
    """Sum ``grad`` back to ``shape``: the backward of broadcasting.

    Broadcasting copies an input along new leading axes and along axes of
    size 1; each copy's gradient must be added back into the one element it
    came from.
    """
    if grad.shape == shape:
        return grad
    axes = broadcast_axes(grad.shape, shape)
    if axes == tuple(range(len(axes))) and grad.size and shape and grad.flags.c_contiguous:
        return column_sums(grad.reshape(-1, math.prod(shape))).reshape(shape)
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    return grad.reshape(shape)


def column_sums(rows):
    """Σᵢ rows[i] of a 2-D array (m, n) as a product with a row of m ones
    (n,): BLAS's GEMV, several times faster than NumPy's strided
    ``np.add.reduce(rows, axis=0)`` (0.7 against 3.1 µs for a (100, 16)
    float32 gradient here, 1.5 against 21 µs for (1000, 16)). Other dtypes
    than float32/float64 are reduced by NumPy."""
    m = rows.shape[0]
    if m == 1:
        return rows[0].copy()
    if rows.dtype != np.float32 and rows.dtype != np.float64:
        return np.add.reduce(rows, axis=0)
    return dot(_ones_row(m, rows.dtype), rows).reshape(-1)  # (blas.dot: NumPy's when small)


@functools.lru_cache(maxsize=64)
def _ones_row(m, dtype):
    ones = alloc.ones((1, m), dtype)
    ones.flags.writeable = False
    return ones


def broadcast_axes(grown, shape):
    """The axes of ``grown`` that broadcasting ``shape`` to it added or stretched
    (the ones a gradient is summed over on its way back)."""
    extra = len(grown) - len(shape)
    return tuple(range(extra)) + tuple(
        extra + i for i, n in enumerate(shape) if n == 1 and grown[extra + i] != 1
    )


def normalize_dim(dim, ndim, op):
    """A dim in [-ndim, ndim) as a non-negative int, or a clear error."""
    try:
        d = int(dim)
    except TypeError:
        raise TypeError(f"{op}: dim must be an int, got {dim!r}") from None
    if not -max(ndim, 1) <= d < max(ndim, 1):
        raise IndexError(
            f"{op}: dim {dim} is out of range for a tensor with {ndim} "
            f"dimension{'s' if ndim != 1 else ''} (expected -{max(ndim, 1)} to "
            f"{max(ndim, 1) - 1})"
        )
    return d % max(ndim, 1)


def normalize_new_dim(dim, ndim, op):
    """The position of a dim inserted into a tensor with ``ndim`` dims
    (unsqueeze, stack): in [-ndim-1, ndim], as a non-negative int."""
    try:
        d = int(dim)
    except TypeError:
        raise TypeError(f"{op}: dim must be an int, got {dim!r}") from None
    if not -ndim - 1 <= d <= ndim:
        raise IndexError(
            f"{op}: dim {dim} is out of range for inserting a new dimension "
            f"among {ndim} dimension{'s' if ndim != 1 else ''} (expected "
            f"{-ndim - 1} to {ndim})"
        )
    return d % (ndim + 1)


def normalize_dims(dim, ndim, op):
    """None (all dims) or a sorted tuple of non-negative dims."""
    if dim is None:
        return None
    if isinstance(dim, (tuple, list)):
        dims = tuple(sorted({normalize_dim(d, ndim, op) for d in dim}))
        if len(dims) != len(dim):
            raise ValueError(f"{op}: dim {tuple(dim)} names the same dimension twice")
        return dims if ndim else None
    return (normalize_dim(dim, ndim, op),) if ndim else None


def pick_dim(dim, axis, op, default=None):
    """Accept NumPy's ``axis`` as an alias of PyTorch's ``dim``."""
    if axis is not None:
        if dim is not None and dim is not default:
            raise TypeError(f"{op}: pass dim or axis, not both")
        return axis
    return dim


def pick_keepdim(keepdim, keepdims):
    return keepdim if keepdims is None else keepdims


def broadcast_error(op, a, b, exc):
    return ShapeError(
        f"{op}: shapes {describe(a)} and {describe(b)} cannot be broadcast "
        f"together (trailing dimensions must be equal or 1) — {exc}"
    )


def array_arg(x, like):
    """Turn a list/ndarray operand of a binary op into an array of ``like``'s float dtype."""
    if isinstance(x, (int, float, bool, np.ndarray, np.generic)):
        return x
    arr = np.asarray(x)
    if arr.dtype.kind == "f" and getattr(like, "dtype", None) is not None:
        arr = arr.astype(like.dtype)
    return arr
