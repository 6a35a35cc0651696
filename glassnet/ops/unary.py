"""Elementwise functions of one tensor: neg, exp, log, sqrt, abs, sin, cos,
tanh, clamp, plus where (select) and dtype casts. Each backward is the
local derivative times the incoming gradient."""

import numpy as np

from ..autograd import Op
from ..errors import ShapeError, describe
from ._graph import back, constant, value
from ._util import unbroadcast
from .masked import Masked


class Neg(Op):
    formula = "out = −x"
    rule = "∂out/∂x = −1"
    grad_fn_name = "NegBackward0"

    @staticmethod
    def forward(ctx, x):
        return np.negative(x)

    @staticmethod
    def backward(ctx, grad):
        return np.negative(grad)

    @staticmethod
    def backward_graph(ctx, grad):
        return -grad


class Exp(Op):
    formula = "out = eˣ"
    rule = "∂out/∂x = eˣ = out"
    grad_fn_name = "ExpBackward0"

    @staticmethod
    def forward(ctx, x):
        out = np.exp(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * out

    @staticmethod
    def backward_graph(ctx, grad):
        return grad * ctx.parents[0].exp()


class Log(Op):
    formula = "out = ln x"
    rule = "∂out/∂x = 1/x"
    grad_fn_name = "LogBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.log(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / x

    @staticmethod
    def backward_graph(ctx, grad):
        return grad / ctx.parents[0]


class Sqrt(Op):
    formula = "out = √x"
    rule = "∂out/∂x = 1/(2√x) = 1/(2·out)"
    grad_fn_name = "SqrtBackward0"

    @staticmethod
    def forward(ctx, x):
        out = np.sqrt(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad / (2 * out)

    @staticmethod
    def backward_graph(ctx, grad):
        return grad / (2 * ctx.parents[0].sqrt())


class Abs(Op):
    formula = "out = |x|"
    rule = "∂out/∂x = sign(x) (0 at 0, as PyTorch)"
    grad_fn_name = "AbsBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.abs(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * np.sign(x)

    @staticmethod
    def backward_graph(ctx, grad):
        x = ctx.parents[0]
        return Masked.apply(grad, x, np.sign(x._data))


class Sin(Op):
    formula = "out = sin x"
    rule = "∂out/∂x = cos x"
    grad_fn_name = "SinBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.sin(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * np.cos(x)

    @staticmethod
    def backward_graph(ctx, grad):
        return grad * ctx.parents[0].cos()


class Cos(Op):
    formula = "out = cos x"
    rule = "∂out/∂x = −sin x"
    grad_fn_name = "CosBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.cos(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return -grad * np.sin(x)

    @staticmethod
    def backward_graph(ctx, grad):
        return -grad * ctx.parents[0].sin()


class Tanh(Op):
    formula = "out = tanh x"
    rule = "∂out/∂x = 1 − tanh²x = 1 − out²"
    grad_fn_name = "TanhBackward0"

    @staticmethod
    def forward(ctx, x):
        out = np.tanh(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * (1 - out * out)

    @staticmethod
    def backward_graph(ctx, grad):
        t = ctx.parents[0].tanh()
        return grad * (1 - t * t)


class Clamp(Op):
    """lo and hi: a number, None (no bound on that side), or a tensor
    (broadcast with x); where lo > hi the result is hi, as in PyTorch."""

    formula = "out = min(max(x, lo), hi)  (hi where lo > hi)"
    rule = (
        "∂out/∂x = 1 where lo ≤ x ≤ hi, ∂out/∂lo = 1 where x < lo < hi, "
        "∂out/∂hi = 1 where x > hi or hi < lo, else 0 (at a tie the gradient goes to x)"
    )

    def name(self):  # PyTorch: ClampBackward1 with number bounds, ClampBackward0 with tensors
        bounds = self.parents[1:]
        return "ClampBackward0" if any(hasattr(b, "shape") for b in bounds) else "ClampBackward1"

    @staticmethod
    def forward(ctx, x, lo, hi):
        if lo is None and hi is None:
            raise ValueError("clamp: at least one of min and max must be given")
        ctx.save_for_backward(x, lo, hi)
        return np.clip(x, lo, hi)

    @staticmethod
    def backward(ctx, grad):
        x, lo, hi = ctx.saved_tensors
        need = ctx.needs_input_grad
        if lo is None:
            inside = x <= hi
        else:
            inside = x >= lo if hi is None else (x >= lo) & (x <= hi)
        gx = unbroadcast(grad * inside, x.shape).astype(x.dtype, copy=False) if need[0] else None
        glo = ghi = None
        if need[1]:
            below = x < lo if hi is None else (x < lo) & (lo < hi)
            glo = unbroadcast(grad * below, lo.shape).astype(lo.dtype, copy=False)
        if need[2]:
            above = x > hi if lo is None else (x > hi) | (hi < lo)
            ghi = unbroadcast(grad * above, hi.shape).astype(hi.dtype, copy=False)
        return gx, glo, ghi

    @staticmethod
    def backward_graph(ctx, grad):
        x, lo, hi = (value(p) for p in ctx.parents)
        if lo is None:
            inside = x <= hi
        else:
            inside = x >= lo if hi is None else (x >= lo) & (x <= hi)
        gx = glo = ghi = None
        need = ctx.needs_input_grad
        if need[0]:
            xt = ctx.parents[0]
            same = tuple(grad.shape) == tuple(xt.shape)
            gx = Masked.apply(grad, xt, inside) if same else back(grad * constant(inside), xt)
        if need[1]:
            below = x < lo if hi is None else (x < lo) & (lo < hi)
            glo = back(grad * constant(below), ctx.parents[1])
        if need[2]:
            above = x > hi if lo is None else (x > hi) | (hi < lo)
            ghi = back(grad * constant(above), ctx.parents[2])
        return gx, glo, ghi


class Where(Op):
    """Select elementwise (broadcasting); the condition gets no gradient."""

    formula = "out = a where cond else b"
    rule = "∂out/∂a = 1 where cond else 0, ∂out/∂b = 0 where cond else 1"
    grad_fn_name = "WhereBackward0"

    @staticmethod
    def forward(ctx, cond, a, b):
        cond = np.asarray(cond)
        if cond.dtype != np.bool_:
            cond = cond.astype(bool)
        try:
            out = np.where(cond, a, b)
        except ValueError:
            raise ShapeError(
                f"where: condition {describe(cond)}, x {describe(a)} and y "
                f"{describe(b)} cannot be broadcast together"
            ) from None
        ctx.save_for_backward(cond)
        ctx.sa = np.shape(a)
        ctx.sb = np.shape(b)
        return out

    @staticmethod
    def backward(ctx, grad):
        (cond,) = ctx.saved_tensors
        need = ctx.needs_input_grad
        zero = grad.dtype.type(0)
        ga = unbroadcast(np.where(cond, grad, zero), ctx.sa) if need[1] else None
        gb = unbroadcast(np.where(cond, zero, grad), ctx.sb) if need[2] else None
        return None, ga, gb

    @staticmethod
    def backward_graph(ctx, grad):
        (cond,) = ctx.saved_tensors
        _, a, b = ctx.parents
        need = ctx.needs_input_grad
        mask = constant(cond)
        ga = back(grad * mask, a) if need[1] else None
        gb = back(grad * constant(~cond), b) if need[2] else None
        return None, ga, gb


class Cast(Op):
    formula = "out = x in another dtype"
    rule = "∂out/∂x = 1 (∂L/∂out cast back to x's dtype)"
    grad_fn_name = "ToCopyBackward0"

    @staticmethod
    def forward(ctx, x, dtype):
        ctx.in_dtype = x.dtype
        return x.astype(dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad.astype(ctx.in_dtype), None

    @staticmethod
    def backward_graph(ctx, grad):
        return grad.to(ctx.parents[0].dtype), None


class Clone(Op):
    formula = "out = x, a copy with its own memory"
    rule = "∂out/∂x = 1"
    grad_fn_name = "CloneBackward0"

    @staticmethod
    def forward(ctx, x):
        return x.copy()

    @staticmethod
    def backward(ctx, grad):
        return grad

    @staticmethod
    def backward_graph(ctx, grad):
        return grad
