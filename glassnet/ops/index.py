"""Indexing: basic (ints, slices, None, ...) and advanced (integer arrays,
boolean masks), assignment into a copy, and gather. Backward puts the
gradient back where the elements came from; with advanced indices a
position picked twice gets both gradients added (np.add.at)."""

import numpy as np

from .. import alloc
from ..autograd import Op
from ..errors import ShapeError, describe
from ._graph import sum_to
from ._util import unbroadcast


def is_basic(index):
    """True if the index uses only ints, slices, None and Ellipsis (a view)."""
    items = index if isinstance(index, tuple) else (index,)
    for i in items:
        if not (i is None or i is Ellipsis or isinstance(i, (int, slice, np.integer))):
            return False
    return True


def _expand_masks(index):
    """Boolean masks become integer index arrays, so np.add.at can use them."""
    items = index if isinstance(index, tuple) else (index,)
    out = []
    for i in items:
        if isinstance(i, np.ndarray) and i.dtype == np.bool_:
            out.extend(np.nonzero(i))
        else:
            out.append(i)
    return tuple(out)


def index_add(g, shape, index):
    """Zeros of ``shape`` with ``g`` added at ``index`` (a position picked twice
    gets both): the backward of ``x[index]``."""
    out = alloc.zeros(shape, dtype=g.dtype)
    if is_basic(index):
        out[index] = g
    else:
        np.add.at(out, _expand_masks(index), g)
    return out


def scatter_add_along(g, shape, dim, index):
    """Zeros of ``shape`` with ``g`` added at ``index`` along ``dim``: the backward
    of a gather."""
    out = alloc.zeros(shape, dtype=g.dtype)
    grid = list(np.indices(index.shape, sparse=True))
    grid[dim] = index
    np.add.at(out, tuple(grid), g)
    return out


def _index_error(x, index, exc):
    return IndexError(f"index: cannot index a tensor of shape {x.shape} with {index!r}: {exc}")


class GetItem(Op):
    formula = "out = x[index]"
    rule = "∂L/∂x = ∂L/∂out at the picked positions (summed where one is picked twice), 0 elsewhere"

    def name(self):
        """PyTorch's name of the last step of the indexing: x[0] is SelectBackward0,
        x[1:] SliceBackward0, x[None] UnsqueezeBackward0, x[ints or mask] IndexBackward0."""
        if not is_basic(self.index):
            return "IndexBackward0"
        items = self.index if isinstance(self.index, tuple) else (self.index,)
        steps = [i for i in items if i is not Ellipsis and i != slice(None)]
        if not steps:
            return "AliasBackward0"
        last = steps[-1]
        if last is None:
            return "UnsqueezeBackward0"
        return "SliceBackward0" if isinstance(last, slice) else "SelectBackward0"

    @staticmethod
    def forward(ctx, x, index):
        try:
            out = x[index]
        except IndexError as exc:
            raise _index_error(x, index, exc) from None
        ctx.shape, ctx.index = x.shape, index
        return np.asarray(out)

    @staticmethod
    def backward(ctx, grad):
        return index_add(grad, ctx.shape, ctx.index), None

    @staticmethod
    def backward_graph(ctx, grad):
        return IndexAdd.apply(grad, ctx.shape, ctx.index), None


class IndexPut(Op):
    formula = "out = x with out[index] = v"
    rule = "∂L/∂x = ∂L/∂out with 0 at index, ∂L/∂v = ∂L/∂out[index] (summed back to v's shape)"
    grad_fn_name = "IndexPutBackward0"

    @staticmethod
    def forward(ctx, x, v, index):
        out = x.copy()
        try:
            out[index] = v
        except IndexError as exc:
            raise _index_error(x, index, exc) from None
        except ValueError:
            raise ShapeError(
                f"setitem: cannot assign {describe(v)} to the positions "
                f"{index!r} of a tensor of shape {x.shape}"
            ) from None
        ctx.index = index
        ctx.sv = np.shape(v)
        return out

    @staticmethod
    def backward(ctx, grad):
        need = ctx.needs_input_grad
        gx = gv = None
        if need[0]:
            gx = grad.copy()
            gx[ctx.index] = 0
        if need[1]:
            gv = unbroadcast(np.asarray(grad[ctx.index]), ctx.sv)
        return gx, gv, None

    @staticmethod
    def backward_graph(ctx, grad):
        need = ctx.needs_input_grad
        gx = IndexPut.apply(grad, 0, ctx.index) if need[0] else None
        gv = sum_to(GetItem.apply(grad, ctx.index), ctx.sv) if need[1] else None
        return gx, gv, None


class Gather(Op):
    """torch.gather."""

    formula = "out[i][j] = x[i][index[i][j]] along dim"
    rule = "∂L/∂x[i][index[i][j]] += ∂L/∂out[i][j] (a scatter-add; 0 where nothing was gathered)"
    grad_fn_name = "GatherBackward0"

    @staticmethod
    def forward(ctx, x, dim, index, grad_fn_name=None):
        if grad_fn_name:  # topk's values are gathered: PyTorch's TopkBackward0
            ctx.grad_fn_name = grad_fn_name
        if index.ndim != x.ndim:
            raise ShapeError(
                f"gather: index {describe(index)} must have as many dimensions as "
                f"the input {describe(x)}"
            )
        for d in range(x.ndim):
            if d != dim and index.shape[d] > x.shape[d]:
                raise ShapeError(
                    f"gather: index {index.shape} is larger than input {x.shape} in dimension {d}"
                )
        if index.dtype.kind not in "iu":
            raise TypeError(f"gather: index must be an integer tensor, got {index.dtype}")
        bad = (index < 0) | (index >= x.shape[dim])
        if bad.any():  # NumPy would read a negative index from the end; PyTorch refuses it
            raise IndexError(
                f"gather: index {int(index[bad].flat[0])} is out of range for dim "
                f"{dim} of the input {describe(x)} (expected 0 to "
                f"{x.shape[dim] - 1})"
            )
        out = _take_along(x, dim, index)
        ctx.save_for_backward(index)
        ctx.shape, ctx.dim = x.shape, dim
        return out

    @staticmethod
    def backward(ctx, grad):
        (index,) = ctx.saved_tensors
        return scatter_add_along(grad, ctx.shape, ctx.dim, index), None, None

    @staticmethod
    def backward_graph(ctx, grad):
        (index,) = ctx.saved_tensors
        return ScatterAlong.apply(grad, ctx.shape, ctx.dim, index), None, None


def _take_along(x, dim, index):
    """x's values at ``index`` along ``dim``; index may be smaller than x in the other dims."""
    src = x[tuple(slice(None) if d == dim else slice(0, index.shape[d]) for d in range(x.ndim))]
    return np.take_along_axis(src, index, axis=dim)


class ScatterAlong(Op):
    """The backward of taking values along a dim (``TakeAlongDim``, ``Gather``):
    ``g`` added into zeros of ``shape`` at ``index`` along ``dim``. Linear in
    ``g``, so its own backward takes the values back out (a gather)."""

    formula = "out = zeros(shape), out[…, index, …] += g along dim"
    rule = "∂L/∂g = ∂L/∂out at the positions g went to (a gather)"
    grad_fn_name = "ScatterAddBackward0"

    @staticmethod
    def forward(ctx, g, shape, dim, index):
        ctx.dim, ctx.index = dim, index
        return scatter_add_along(g, shape, dim, index)

    @staticmethod
    def backward(ctx, grad):
        return _take_along(grad, ctx.dim, ctx.index), None, None, None

    @staticmethod
    def backward_graph(ctx, grad):
        return Gather.apply(grad, ctx.dim, ctx.index), None, None, None


class IndexAdd(Op):
    """The backward of indexing: ``g`` added into zeros of ``shape`` at ``index``
    (a position picked twice gets both). Linear in ``g``: its own backward
    indexes the gradient again."""

    formula = "out = zeros(shape), out[index] += g"
    rule = "∂L/∂g = ∂L/∂out[index]"
    grad_fn_name = "IndexBackwardBackward0"

    @staticmethod
    def forward(ctx, g, shape, index):
        ctx.index = index
        return index_add(g, shape, index)

    @staticmethod
    def backward(ctx, grad):
        return np.asarray(grad[ctx.index]), None, None

    @staticmethod
    def backward_graph(ctx, grad):
        return GetItem.apply(grad, ctx.index), None, None
