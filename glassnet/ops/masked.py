"""The derivative a piecewise-constant slope passes on: g ⊙ m(x), for relu
(m = 1 where x > 0), leaky relu, |x| (m = sign x) and clamp.

m depends on x but is flat wherever it is defined, so the result is part of
x's graph with derivative 0 in x (PyTorch's threshold_backward behaves the
same): a gradient taken with create_graph=True through a relu still requires
grad, and differentiating it again gives zeros rather than an error."""

from .. import alloc
from ..autograd import Op
from ._graph import constant


class Masked(Op):
    formula = "out = g ⊙ m(x), m piecewise constant in x"
    rule = "∂out/∂g = m(x), ∂out/∂x = 0"
    grad_fn_name = "ThresholdBackwardBackward0"

    @staticmethod
    def forward(ctx, g, x, mask):
        ctx.mask = mask
        return (g * mask).astype(g.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        need = ctx.needs_input_grad
        x = ctx.parents[1]
        return (
            (grad * ctx.mask).astype(grad.dtype, copy=False) if need[0] else None,
            alloc.zeros(x.shape, dtype=x._data.dtype) if need[1] else None,
            None,
        )

    @staticmethod
    def backward_graph(ctx, grad):
        need = ctx.needs_input_grad
        x = ctx.parents[1]
        return (
            Masked.apply(grad, x, ctx.mask) if need[0] else None,
            constant(alloc.zeros(x.shape, dtype=x._data.dtype)) if need[1] else None,
            None,
        )
