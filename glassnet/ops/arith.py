"""Binary arithmetic with broadcasting: add, sub, mul, div, pow, maximum,
minimum. Either argument may be a Python number (which never changes a
float32 result's dtype)."""

import math

import numpy as np

from ..autograd import Op
from ..dtypes import keep_float_width
from ..tensor import Tensor
from ._graph import back, constant, needed, value
from ._util import broadcast_error, unbroadcast


def _shape_dtype(x):
    return (x.shape, x.dtype) if isinstance(x, np.ndarray) else None


def _back(grad, sd):
    """The gradient of one operand: broadcasting undone, operand's dtype kept."""
    g = unbroadcast(grad, sd[0])
    return g if g.dtype == sd[1] else g.astype(sd[1])


class _Binary(Op):
    symbol = "?"

    @classmethod
    def compute(cls, a, b):
        raise NotImplementedError

    @classmethod
    def forward(cls, ctx, a, b):
        try:
            out = cls.compute(a, b)
        except ValueError as exc:
            raise broadcast_error(cls.__name__.lower(), a, b, exc) from None
        ctx.sa = _shape_dtype(a)
        ctx.sb = _shape_dtype(b)
        return keep_float_width(out, a, b)


class Add(_Binary):
    formula = "out = a + b"
    rule = "∂out/∂a = 1, ∂out/∂b = 1"
    grad_fn_name = "AddBackward0"

    compute = staticmethod(np.add)

    @staticmethod
    def backward(ctx, grad):
        need = ctx.needs_input_grad
        return (_back(grad, ctx.sa) if need[0] else None, _back(grad, ctx.sb) if need[1] else None)

    @staticmethod
    def backward_graph(ctx, grad):
        a, b = ctx.parents
        return needed(ctx, back(grad, a), back(grad, b))


class Sub(_Binary):
    formula = "out = a − b"
    rule = "∂out/∂a = 1, ∂out/∂b = −1"
    grad_fn_name = "SubBackward0"

    compute = staticmethod(np.subtract)

    @staticmethod
    def backward(ctx, grad):
        need = ctx.needs_input_grad
        return (_back(grad, ctx.sa) if need[0] else None, _back(-grad, ctx.sb) if need[1] else None)

    @staticmethod
    def backward_graph(ctx, grad):
        a, b = ctx.parents
        return needed(ctx, back(grad, a), back(-grad, b))


class Mul(_Binary):
    formula = "out = a · b"
    rule = "∂out/∂a = b, ∂out/∂b = a"
    grad_fn_name = "MulBackward0"

    compute = staticmethod(np.multiply)

    @classmethod
    def forward(cls, ctx, a, b):
        ctx.save_for_backward(a, b)
        return super().forward(ctx, a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (
            _back(grad * b, ctx.sa) if need[0] else None,
            _back(grad * a, ctx.sb) if need[1] else None,
        )

    @staticmethod
    def backward_graph(ctx, grad):
        a, b = ctx.parents
        need = ctx.needs_input_grad
        return (back(grad * b, a) if need[0] else None, back(grad * a, b) if need[1] else None)


class Div(_Binary):
    formula = "out = a / b"
    rule = "∂out/∂a = 1/b, ∂out/∂b = −a/b²"
    grad_fn_name = "DivBackward0"

    compute = staticmethod(np.true_divide)

    @classmethod
    def forward(cls, ctx, a, b):
        ctx.save_for_backward(a, b)
        return super().forward(ctx, a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        ga = grad / b
        return (
            _back(ga, ctx.sa) if need[0] else None,
            _back(-ga * a / b, ctx.sb) if need[1] else None,
        )

    @staticmethod
    def backward_graph(ctx, grad):
        a, b = ctx.parents
        need = ctx.needs_input_grad
        ga = grad / b
        return (back(ga, a) if need[0] else None, back(-ga * a / b, b) if need[1] else None)


class Pow(_Binary):
    formula = "out = a ** b"
    rule = "∂out/∂a = b·a^(b−1), ∂out/∂b = out·ln a (0 where a = 0, b ≥ 0)"

    def name(self):  # PyTorch: PowBackward1 for tensor ** tensor, PowBackward2 for 2 ** tensor
        return "PowBackward1" if hasattr(self.parents[0], "shape") else "PowBackward2"

    compute = staticmethod(np.power)

    @classmethod
    def forward(cls, ctx, a, b):
        out = super().forward(ctx, a, b)
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, b, out = ctx.saved_tensors
        need = ctx.needs_input_grad
        ga = gb = None
        if need[0]:
            ga = _back(grad * b * np.power(a, b - 1), ctx.sa)
        if need[1]:
            if isinstance(a, np.ndarray):
                with np.errstate(divide="ignore", invalid="ignore"):  # 0·ln 0 is masked
                    dlog = np.where((a == 0) & (b >= 0), 0, out * np.log(a))
            else:
                dlog = out * (math.log(a) if a > 0 else (0.0 if a == 0 else math.nan))
            gb = _back(grad * dlog, ctx.sb)
        return ga, gb

    @staticmethod
    def backward_graph(ctx, grad):
        a, b = ctx.parents
        need = ctx.needs_input_grad
        ga = back(grad * b * a ** (b - 1), a) if need[0] else None
        gb = None
        if need[1]:
            av = value(a)
            if isinstance(av, np.ndarray):  # 0·ln 0 masked, as in backward
                keep = constant(~((av == 0) & (value(b) >= 0)))
                a_t = a if isinstance(a, Tensor) else constant(av)
                ln_a = a_t.where(keep, 1.0).log().where(keep, 0.0)
                gb = back(grad * (a**b) * ln_a, b)
            else:
                ln_a = math.log(av) if av > 0 else (0.0 if av == 0 else math.nan)
                gb = back(grad * (a**b) * ln_a, b)
        return ga, gb


class PowScalar(Op):
    """x ** p for a Python number p (p = 2: the article's squares)."""

    formula = "out = x ** p"
    rule = "∂out/∂x = p·x^(p−1) (0 for p = 0)"
    grad_fn_name = "PowBackward0"

    @staticmethod
    def forward(ctx, x, p):
        ctx.save_for_backward(x)
        ctx.p = p
        return x**p

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        p = ctx.p
        if p == 0:
            return np.zeros_like(grad), None
        if p == 2:
            return grad * (2 * x), None
        return grad * (p * x ** (p - 1)), None

    @staticmethod
    def backward_graph(ctx, grad):
        x, p = ctx.parents
        if p == 0:
            return grad * 0, None
        return grad * (p * x ** (p - 1)) if p != 2 else grad * (2 * x), None


class Maximum(_Binary):
    """Elementwise max; a tie splits the gradient in half (as PyTorch)."""

    formula = "out = max(a, b)"
    rule = "∂out/∂a = 1 where a > b, ½ where a = b, else 0;  ∂out/∂b = 1 − ∂out/∂a"
    grad_fn_name = "MaximumBackward0"

    compute = staticmethod(np.maximum)

    @classmethod
    def forward(cls, ctx, a, b):
        ctx.save_for_backward(a, b)
        return super().forward(ctx, a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return _pick_grads(ctx, grad, a > b, a == b)

    @staticmethod
    def backward_graph(ctx, grad):
        a, b = (value(p) for p in ctx.parents)
        return _pick_graph_grads(ctx, grad, a > b, a == b)


class Minimum(_Binary):
    """Elementwise min; a tie splits the gradient in half (as PyTorch)."""

    formula = "out = min(a, b)"
    rule = "∂out/∂a = 1 where a < b, ½ where a = b, else 0;  ∂out/∂b = 1 − ∂out/∂a"
    grad_fn_name = "MinimumBackward0"

    compute = staticmethod(np.minimum)

    @classmethod
    def forward(cls, ctx, a, b):
        ctx.save_for_backward(a, b)
        return super().forward(ctx, a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return _pick_grads(ctx, grad, a < b, a == b)

    @staticmethod
    def backward_graph(ctx, grad):
        a, b = (value(p) for p in ctx.parents)
        return _pick_graph_grads(ctx, grad, a < b, a == b)


def _pick_grads(ctx, grad, a_wins, tie):
    share = np.where(tie, 0.5, a_wins).astype(grad.dtype)
    need = ctx.needs_input_grad
    return (
        _back(grad * share, ctx.sa) if need[0] else None,
        _back(grad * (1 - share), ctx.sb) if need[1] else None,
    )


def _pick_graph_grads(ctx, grad, a_wins, tie):
    """``_pick_grads`` on Tensors: the shares are constants (their derivative is 0)."""
    share = np.where(tie, 0.5, a_wins).astype(grad._data.dtype)
    a, b = ctx.parents
    need = ctx.needs_input_grad
    return (
        back(grad * constant(share), a) if need[0] else None,
        back(grad * constant(1 - share), b) if need[1] else None,
    )
