"""Binary arithmetic with broadcasting: add, sub, mul, div, pow, maximum,
minimum. Either argument may be a Python number (which never changes a
float32 result's dtype)."""

import math

import numpy as np

from ..autograd import Op
from ..dtypes import keep_float_width
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


class Sub(_Binary):
    formula = "out = a − b"
    rule = "∂out/∂a = 1, ∂out/∂b = −1"
    grad_fn_name = "SubBackward0"

    compute = staticmethod(np.subtract)

    @staticmethod
    def backward(ctx, grad):
        need = ctx.needs_input_grad
        return (_back(grad, ctx.sa) if need[0] else None, _back(-grad, ctx.sb) if need[1] else None)


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


def _pick_grads(ctx, grad, a_wins, tie):
    share = np.where(tie, 0.5, a_wins).astype(grad.dtype)
    need = ctx.needs_input_grad
    return (
        _back(grad * share, ctx.sa) if need[0] else None,
        _back(grad * (1 - share), ctx.sb) if need[1] else None,
    )
