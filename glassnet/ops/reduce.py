"""Reductions over any set of dims: sum, mean, var, std, max/min (amax,
amin, and max/min along one dim with indices), logsumexp.

Backward spreads the incoming gradient back over the reduced dims: a sum
copies it to every element, a mean divides it by the count, a max sends it
to the element(s) that won.
"""

import numpy as np

from .. import alloc
from ..autograd import Op
from ..dtypes import keep_float_width
from ._graph import constant
from .index import ScatterAlong


def _count(shape, dims):
    if dims is None:
        return int(np.prod(shape)) if shape else 1
    n = 1
    for d in dims:
        n *= shape[d]
    return n


def _expand_back(grad, shape, dims, keepdim):
    """Reshape a reduced gradient so it broadcasts against the input."""
    if dims is None:
        return np.reshape(grad, (1,) * len(shape)) if not keepdim else grad
    return grad if keepdim else np.expand_dims(grad, dims)


def _spread(grad, shape, dims):
    """A reduced gradient (a Tensor) reshaped with the reduced dims kept as 1s,
    so that it broadcasts against the input (``_expand_back`` on Tensors)."""
    kept = tuple(1 if dims is None or d in dims else n for d, n in enumerate(shape))
    return grad.reshape(kept)


class Sum(Op):
    formula = "out = Σ x over dims"
    rule = "∂out/∂x = 1 for every element summed (∂L/∂out copied to each)"

    def name(self):
        return "SumBackward0" if self.dims is None else "SumBackward1"  # (PyTorch's two)

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        ctx.shape, ctx.dims, ctx.keepdim = x.shape, dims, keepdim
        return np.asarray(np.sum(x, axis=dims, keepdims=keepdim))

    @staticmethod
    def backward(ctx, grad):
        if ctx.dims is None:  # full reduction: one number spread everywhere
            return alloc.full(ctx.shape, grad, dtype=grad.dtype), None, None
        g = _expand_back(grad, ctx.shape, ctx.dims, ctx.keepdim)
        return np.broadcast_to(g, ctx.shape), None, None

    @staticmethod
    def backward_graph(ctx, grad):
        return _spread(grad, ctx.shape, ctx.dims).expand(ctx.shape), None, None


class Mean(Op):
    formula = "out = (1/N) Σ x over dims (N elements each)"
    rule = "∂out/∂x = 1/N"

    def name(self):
        return "MeanBackward0" if self.dims is None else "MeanBackward1"

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        ctx.shape, ctx.dims, ctx.keepdim = x.shape, dims, keepdim
        ctx.n = _count(x.shape, dims)
        total = np.add.reduce(x, axis=dims, keepdims=keepdim)
        return keep_float_width(np.asarray(total / ctx.n if ctx.n else total / 0.0), x)

    @staticmethod
    def backward(ctx, grad):
        if ctx.dims is None:
            return alloc.full(ctx.shape, grad / ctx.n, dtype=grad.dtype), None, None
        g = _expand_back(grad, ctx.shape, ctx.dims, ctx.keepdim) / ctx.n
        return np.broadcast_to(g, ctx.shape), None, None

    @staticmethod
    def backward_graph(ctx, grad):
        return (_spread(grad, ctx.shape, ctx.dims) / ctx.n).expand(ctx.shape), None, None


class Var(Op):
    formula = "out = Σ (x − x̄)² / (N − correction)"
    rule = "∂out/∂x = 2(x − x̄)/(N − correction)"
    grad_fn_name = "VarBackward0"

    @staticmethod
    def forward(ctx, x, dims, keepdim, correction):
        ctx.dims, ctx.keepdim = dims, keepdim
        ctx.denom = _count(x.shape, dims) - correction
        centered = x - np.mean(x, axis=dims, keepdims=True)
        ctx.save_for_backward(centered)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.asarray(np.sum(centered * centered, axis=dims, keepdims=keepdim) / ctx.denom)

    @staticmethod
    def backward(ctx, grad):
        (centered,) = ctx.saved_tensors
        g = _expand_back(grad, centered.shape, ctx.dims, ctx.keepdim)
        return g * centered * (2 / ctx.denom), None, None, None

    @staticmethod
    def composite(ctx, x, dims, keepdim, correction):
        centered = x - x.mean(dim=dims, keepdim=True)
        return (centered * centered).sum(dim=dims, keepdim=keepdim) / ctx.denom


class Std(Op):
    formula = "out = √(Σ (x − x̄)² / (N − correction))"
    rule = "∂out/∂x = (x − x̄) / ((N − correction)·out)"
    grad_fn_name = "StdBackward0"

    @staticmethod
    def forward(ctx, x, dims, keepdim, correction):
        ctx.dims, ctx.keepdim = dims, keepdim
        ctx.denom = _count(x.shape, dims) - correction
        centered = x - np.mean(x, axis=dims, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.sqrt(np.sum(centered * centered, axis=dims, keepdims=True) / ctx.denom)
        ctx.save_for_backward(centered, out)
        return (
            out
            if keepdim
            else (np.squeeze(out, axis=dims) if dims is not None else np.asarray(out.reshape(())))
        )

    @staticmethod
    def backward(ctx, grad):
        centered, out = ctx.saved_tensors
        g = _expand_back(grad, centered.shape, ctx.dims, ctx.keepdim)
        with np.errstate(divide="ignore", invalid="ignore"):
            return g * centered / (ctx.denom * out), None, None, None

    @staticmethod
    def composite(ctx, x, dims, keepdim, correction):
        centered = x - x.mean(dim=dims, keepdim=True)
        return ((centered * centered).sum(dim=dims, keepdim=keepdim) / ctx.denom).sqrt()


class AMax(Op):
    """The gradient is shared equally by the elements equal to the max (as
    torch.amax and the full torch.max)."""

    formula = "out = max x over dims"
    rule = "∂out/∂x = 1/k where x = out, else 0 (k: how many elements equal the max)"
    grad_fn_name = "AmaxBackward0"

    reduce = staticmethod(np.max)

    @classmethod
    def forward(cls, ctx, x, dims, keepdim, grad_fn_name=None):
        if grad_fn_name:  # max(x) is PyTorch's MaxBackward1
            ctx.grad_fn_name = grad_fn_name
        out = cls.reduce(x, axis=dims, keepdims=True)
        ctx.save_for_backward(x, out)
        ctx.dims, ctx.keepdim = dims, keepdim
        return (
            out
            if keepdim
            else np.asarray(np.squeeze(out, axis=dims) if dims is not None else out.reshape(()))
        )

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        winners = x == out
        # counted in the gradient's dtype: an integer count would upcast float32 to float64
        count = np.sum(winners, axis=ctx.dims, keepdims=True, dtype=grad.dtype)
        g = _expand_back(grad, x.shape, ctx.dims, ctx.keepdim)
        return np.where(winners, g / count, grad.dtype.type(0)), None, None

    @staticmethod
    def backward_graph(ctx, grad):
        x, out = ctx.saved_tensors
        winners = x == out
        share = winners / np.sum(winners, axis=ctx.dims, keepdims=True, dtype=x.dtype)
        return _spread(grad, x.shape, ctx.dims) * constant(share), None, None


class AMin(AMax):
    """The gradient is shared equally by the elements equal to the min."""

    formula = "out = min x over dims"
    rule = "∂out/∂x = 1/k where x = out, else 0 (k: how many elements equal the min)"
    grad_fn_name = "AminBackward0"

    reduce = staticmethod(np.min)


class TakeAlongDim(Op):
    """The values of max/min with a dim: ``indices`` has that dim removed, as
    np.argmax returns it."""

    formula = "out = x[…, i, …] at the given index i along dim"
    rule = "∂L/∂x = ∂L/∂out at the picked positions, 0 elsewhere"
    grad_fn_name = "MaxBackward0"

    @staticmethod
    def forward(ctx, x, indices, dim, keepdim, grad_fn_name=None):
        if grad_fn_name:  # min(x, dim) is PyTorch's MinBackward0
            ctx.grad_fn_name = grad_fn_name
        idx = np.expand_dims(indices, dim)
        ctx.save_for_backward(idx)
        ctx.shape, ctx.dim, ctx.keepdim = x.shape, dim, keepdim
        out = np.take_along_axis(x, idx, axis=dim)
        return out if keepdim else np.squeeze(out, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        (idx,) = ctx.saved_tensors
        g = grad if ctx.keepdim else np.expand_dims(grad, ctx.dim)
        out = alloc.zeros(ctx.shape, dtype=grad.dtype)
        np.put_along_axis(out, idx, g, axis=ctx.dim)
        return out, None, None, None

    @staticmethod
    def backward_graph(ctx, grad):
        (idx,) = ctx.saved_tensors
        g = grad if ctx.keepdim else grad.unsqueeze(ctx.dim)
        return ScatterAlong.apply(g, ctx.shape, ctx.dim, idx), None, None, None


class LogSumExp(Op):
    """Computed as m + ln Σ e^(x−m), m = max, so it never overflows."""

    formula = "out = ln Σ eˣ over dims"
    rule = "∂out/∂x = softmax(x) = e^(x − out) over those dims"
    grad_fn_name = "LogsumexpBackward0"

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        m = np.max(x, axis=dims, keepdims=True)
        m = np.where(np.isfinite(m), m, 0)
        out = np.log(np.sum(np.exp(x - m), axis=dims, keepdims=True)) + m
        ctx.save_for_backward(x, out)
        ctx.dims, ctx.keepdim = dims, keepdim
        return (
            out
            if keepdim
            else np.asarray(np.squeeze(out, axis=dims) if dims is not None else out.reshape(()))
        )

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        g = _expand_back(grad, x.shape, ctx.dims, ctx.keepdim)
        return g * np.exp(x - out), None, None

    @staticmethod
    def backward_graph(ctx, grad):
        x = ctx.parents[0]
        out = LogSumExp.apply(x, ctx.dims, True)
        return _spread(grad, x.shape, ctx.dims) * (x - out).exp(), None, None
