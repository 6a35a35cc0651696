"""Ops that move elements without changing them: reshape, transpose,
permute, expand, cat, stack, pad. Each backward moves the gradient back the
same way (expand sums it back, cat splits it, pad crops it)."""

import numpy as np

from ..autograd import Op
from ..errors import ShapeError, describe
from ._graph import sum_to
from ._util import unbroadcast

# PyTorch's node names of the reshapes that call Reshape (reshape and view are ViewBackward0)
_RESHAPE_NAMES = {"squeeze": "SqueezeBackward0", "unsqueeze": "UnsqueezeBackward0"}


class Reshape(Op):
    formula = "out = x with a new shape (the same elements in the same order)"
    rule = "∂L/∂x = ∂L/∂out reshaped back to x's shape"
    grad_fn_name = "ViewBackward0"

    @staticmethod
    def forward(ctx, x, shape, op="reshape"):
        ctx.shape = x.shape
        if op in _RESHAPE_NAMES:
            ctx.grad_fn_name = _RESHAPE_NAMES[op]
        try:
            return x.reshape(shape)
        except ValueError:
            raise ShapeError(
                f"{op}: cannot view {describe(x)} ({x.size} elements) as shape "
                f"{tuple(shape)}; the number of elements must stay the same"
            ) from None

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.shape), None

    @staticmethod
    def backward_graph(ctx, grad):
        return Reshape.apply(grad, ctx.shape), None


class Roll(Op):
    formula = "out = x shifted by s along dims (what passes the end comes back at the start)"
    rule = "∂L/∂x = ∂L/∂out shifted back by −s"
    grad_fn_name = "RollBackward0"

    @staticmethod
    def forward(ctx, x, shifts, dims):
        """dims None: x flattened, shifted and put back in its shape (as torch.roll)."""
        ctx.shifts, ctx.dims = shifts, dims
        return np.roll(x, shifts, dims)

    @staticmethod
    def backward(ctx, grad):
        back = -ctx.shifts if isinstance(ctx.shifts, int) else tuple(-s for s in ctx.shifts)
        return np.roll(grad, back, ctx.dims), None, None

    @staticmethod
    def backward_graph(ctx, grad):
        back = -ctx.shifts if isinstance(ctx.shifts, int) else tuple(-s for s in ctx.shifts)
        return Roll.apply(grad, back, ctx.dims), None, None


class Permute(Op):
    formula = "out = x with its dims reordered"
    rule = "∂L/∂x = ∂L/∂out with its dims put back (the inverse order)"
    grad_fn_name = "PermuteBackward0"

    @staticmethod
    def forward(ctx, x, dims, grad_fn_name=None):
        if grad_fn_name:  # transpose and t: PyTorch's TransposeBackward0, TBackward0
            ctx.grad_fn_name = grad_fn_name
        ctx.inverse = tuple(np.argsort(dims))
        return np.transpose(x, dims)

    @staticmethod
    def backward(ctx, grad):
        return np.transpose(grad, ctx.inverse), None

    @staticmethod
    def backward_graph(ctx, grad):
        return Permute.apply(grad, ctx.inverse), None


class Expand(Op):
    formula = "out = x broadcast to a larger shape (no copy)"
    rule = "∂L/∂x = ∂L/∂out summed over the dims x was broadcast along"
    grad_fn_name = "ExpandBackward0"

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x.shape
        try:
            return np.broadcast_to(x, shape)
        except ValueError:
            raise ShapeError(
                f"expand: cannot expand {describe(x)} to {tuple(shape)}; only "
                "dimensions of size 1 can grow (and new ones on the left)"
            ) from None

    @staticmethod
    def backward(ctx, grad):
        return unbroadcast(grad, ctx.shape), None

    @staticmethod
    def backward_graph(ctx, grad):
        return sum_to(grad, ctx.shape), None


class Cat(Op):
    formula = "out = x₁, x₂, … joined along an existing dim"
    rule = "∂L/∂xₖ = the part of ∂L/∂out where xₖ was placed"
    grad_fn_name = "CatBackward0"

    @staticmethod
    def forward(ctx, *arrays, dim):
        ctx.dim = dim
        ctx.bounds = np.cumsum([a.shape[dim] for a in arrays])[:-1]
        ctx.dtypes = [a.dtype for a in arrays]
        try:
            return np.concatenate(arrays, axis=dim)
        except ValueError:
            raise ShapeError(
                f"cat: tensors of shapes {[a.shape for a in arrays]} cannot be joined "
                f"along dim {dim}; all other dimensions must match"
            ) from None

    @staticmethod
    def backward(ctx, grad):
        parts = np.split(grad, ctx.bounds, axis=ctx.dim)
        return tuple(p.astype(d, copy=False) for p, d in zip(parts, ctx.dtypes))

    @staticmethod
    def backward_graph(ctx, grad):
        edges = [0, *ctx.bounds, grad.shape[ctx.dim]]
        lead = (slice(None),) * ctx.dim
        parts = [grad[lead + (slice(int(lo), int(hi)),)] for lo, hi in zip(edges, edges[1:])]
        return tuple(p if p.dtype == d else p.to(d) for p, d in zip(parts, ctx.dtypes))


class Stack(Op):
    formula = "out = x₁, x₂, … stacked along a new dim"
    rule = "∂L/∂xₖ = ∂L/∂out at index k of the new dim"
    grad_fn_name = "StackBackward0"

    @staticmethod
    def forward(ctx, *arrays, dim):
        ctx.dim = dim
        ctx.dtypes = [a.dtype for a in arrays]
        try:
            return np.stack(arrays, axis=dim)
        except ValueError:
            raise ShapeError(
                f"stack: expects tensors of equal shape, got {[a.shape for a in arrays]}"
            ) from None

    @staticmethod
    def backward(ctx, grad):
        return tuple(
            np.take(grad, i, axis=ctx.dim).astype(d, copy=False) for i, d in enumerate(ctx.dtypes)
        )

    @staticmethod
    def backward_graph(ctx, grad):
        lead = (slice(None),) * ctx.dim
        parts = [grad[lead + (i,)] for i in range(len(ctx.dtypes))]
        return tuple(p if p.dtype == d else p.to(d) for p, d in zip(parts, ctx.dtypes))


class Pad(Op):
    """``pad`` lists (before, after) pairs from the last dim backwards, as
    torch.nn.functional.pad; the pad value gets no gradient."""

    formula = "out = x with a border of a constant value"
    rule = "∂L/∂x = ∂L/∂out cropped to x's place (the border's gradient is dropped)"
    grad_fn_name = "ConstantPadNdBackward0"

    @staticmethod
    def forward(ctx, x, pad, value):
        if len(pad) % 2 or len(pad) // 2 > x.ndim:
            raise ShapeError(
                f"pad: {tuple(pad)} must hold (before, after) pairs for at most "
                f"{x.ndim} dimensions of {describe(x)}"
            )
        if any(p < 0 for p in pad):
            raise ValueError(f"pad: negative padding {tuple(pad)} is not supported")
        widths = [(0, 0)] * x.ndim
        for i in range(len(pad) // 2):
            widths[x.ndim - 1 - i] = (pad[2 * i], pad[2 * i + 1])
        ctx.crop = tuple(slice(lo, lo + n) for (lo, _), n in zip(widths, x.shape))
        return np.pad(x, widths, mode="constant", constant_values=value)

    @staticmethod
    def backward(ctx, grad):
        return grad[ctx.crop], None, None

    @staticmethod
    def backward_graph(ctx, grad):
        return grad[ctx.crop], None, None
