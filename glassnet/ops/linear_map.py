"""A linear map and its adjoint as one differentiable op.

Many backward passes are linear in the incoming gradient with coefficients
fixed by the forward (which element won a max pool, where im2col read each
value). ``LinearMap.apply(g, apply, adjoint)`` computes ``apply(g)``; its
gradient is ``adjoint(∂L/∂out)``, and the gradient of that is ``apply`` again,
so a chain of them can be differentiated to any order."""

from ..autograd import Op


class LinearMap(Op):
    formula = "out = A g (A linear, fixed by the forward that built it)"
    rule = "∂L/∂g = Aᵀ ∂L/∂out"
    grad_fn_name = "LinearMapBackward"

    @staticmethod
    def forward(ctx, g, apply, adjoint):
        ctx.maps = (apply, adjoint)
        return apply(g)

    @staticmethod
    def backward(ctx, grad):
        return ctx.maps[1](grad), None, None

    @staticmethod
    def backward_graph(ctx, grad):
        apply, adjoint = ctx.maps
        return LinearMap.apply(grad, adjoint, apply), None, None
