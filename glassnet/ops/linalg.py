"""Matrix products: matmul (1-D, 2-D and batched with broadcasting) and the
fused linear layer y = x·Wᵀ + b."""

import numpy as np

from ..autograd import Op
from ..backends.blas import dot
from ..backends.stacks import matmul
from ..errors import ShapeError, describe
from ._graph import sum_to
from ._util import column_sums, unbroadcast


def _matmul_error(a, b):
    if a.ndim == 0 or b.ndim == 0:
        return ShapeError(
            f"matmul: both arguments need at least 1 dimension, got {describe(a)} and {describe(b)}"
        )
    k_a = a.shape[-1]
    k_b = b.shape[-2] if b.ndim > 1 else b.shape[0]
    if k_a != k_b:
        return ShapeError(
            f"matmul: cannot multiply shapes {a.shape} and {b.shape}: the last dimension of "
            f"the first ({k_a}) must equal the {'second-to-last' if b.ndim > 1 else 'only'} "
            f"dimension of the second ({k_b})"
        )
    return ShapeError(
        f"matmul: the batch dimensions of {a.shape} and {b.shape} cannot be broadcast together"
    )


_MATMUL_NAMES = {
    (2, 2): "MmBackward0",
    (2, 1): "MvBackward0",
    (1, 1): "DotBackward0",
    (1, 2): "SqueezeBackward4",
}


class MatMul(Op):
    """Batch dims are summed back where they were broadcast; a 1-D operand is
    treated as a row (a) or a column (b)."""

    formula = "out = a @ b"
    rule = "∂L/∂a = ∂L/∂out @ bᵀ, ∂L/∂b = aᵀ @ ∂L/∂out"

    def name(self):
        """PyTorch's name, by the operands' dims: MmBackward0 (2-D @ 2-D),
        MvBackward0, DotBackward0, else the view of a batched product."""
        dims = tuple(getattr(p, "ndim", 0) for p in self.parents)
        return _MATMUL_NAMES.get(dims, "UnsafeViewBackward0")

    @staticmethod
    def forward(ctx, a, b):
        try:
            out = dot(a, b) if a.ndim == 2 and b.ndim == 2 else matmul(a, b)
        except ValueError:
            raise _matmul_error(np.asarray(a), np.asarray(b)) from None
        ctx.save_for_backward(a, b)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        if a.ndim == 2 and b.ndim == 2:
            return (dot(grad, b.T) if need[0] else None), (dot(a.T, grad) if need[1] else None)
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        g = grad  # put back the dims that 1-D operands dropped: b's last first, so
        if b.ndim == 1:  # that a vector·vector (a 0-d grad) becomes (1, 1)
            g = np.expand_dims(g, -1)
        if a.ndim == 1:
            g = np.expand_dims(g, -2)
        ga = gb = None
        if need[0]:
            ga = unbroadcast(matmul(g, np.swapaxes(b2, -1, -2)), a2.shape).reshape(a.shape)
        if need[1]:
            gb = unbroadcast(matmul(np.swapaxes(a2, -1, -2), g), b2.shape).reshape(b.shape)
        return ga, gb

    @staticmethod
    def backward_graph(ctx, grad):
        a, b = ctx.parents
        need = ctx.needs_input_grad
        a2 = a.unsqueeze(0) if a.ndim == 1 else a
        b2 = b.unsqueeze(-1) if b.ndim == 1 else b
        g = grad.unsqueeze(-1) if b.ndim == 1 else grad
        g = g.unsqueeze(-2) if a.ndim == 1 else g
        ga = gb = None
        if need[0]:
            ga = sum_to(g @ b2.transpose(-1, -2), a2.shape).reshape(a.shape)
        if need[1]:
            gb = sum_to(a2.transpose(-1, -2) @ g, b2.shape).reshape(b.shape)
        return ga, gb


class Linear(Op):
    """A whole layer's z = x Wᵀ + b in one op, W shaped (out, in) as
    torch.nn.Linear; δ = ∂L/∂y, one row per sample (extra leading dims of x
    are rows too)."""

    formula = "y = x Wᵀ + b"
    rule = "∂L/∂x = δ W, ∂L/∂W = δᵀ x, ∂L/∂b = Σ_rows δ  (δ = ∂L/∂y)"

    def name(self):
        """As PyTorch's linear: AddmmBackward0 (2-D input and a bias), MmBackward0
        (no bias), the view of the product for other inputs."""
        x, biased = self.parents[0], len(self.parents) == 3
        if getattr(x, "ndim", 2) == 2:
            return "AddmmBackward0" if biased else "MmBackward0"
        return "ViewBackward0" if biased else "UnsafeViewBackward0"

    @staticmethod
    def forward(ctx, x, w, b=None):
        if x.ndim == 0 or w.ndim != 2 or x.shape[-1] != w.shape[1]:
            raise ShapeError(
                f"linear: input {describe(x)} does not fit weight {describe(w)}; "
                f"expected an input whose last dimension is {w.shape[-1]} "
                "(the weight is (out_features, in_features))"
            )
        sb = b.shape if b.__class__ is np.ndarray else np.shape(b)
        if b is not None and sb != (w.shape[0],) and sb != ():
            raise ShapeError(
                f"linear: bias {describe(b)} does not fit weight {describe(w)}; "
                f"expected ({w.shape[0]},)"
            )
        need = ctx.needs_input_grad  # ∂L/∂x needs W and ∂L/∂W needs x: keep only what's used
        if need is not None:
            ctx.saved = (x if need[1] else None, w if need[0] else None)
        ctx.sb = sb
        if x.ndim == 2:
            out = dot(x, w.T)
        elif x.ndim == 1:
            out = np.matmul(x, w.T)
        else:  # (..., in): every row at once, one GEMM on the BLAS threads (not a stack of them)
            out = dot(x.reshape(-1, x.shape[-1]), w.T).reshape(x.shape[:-1] + (w.shape[0],))
        if b is not None:
            out += b
        return out

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        if grad.ndim == 1:
            gx = np.matmul(grad, w) if need[0] else None
            grad = grad.reshape(1, -1)
            gw = dot(grad.T, x.reshape(1, -1)) if need[1] else None
        elif grad.ndim != 2:  # (..., out) batches: rows, one GEMM each (the weight sees every row)
            shape = grad.shape[:-1] + (w.shape[1],) if need[0] else None
            grad = grad.reshape(-1, grad.shape[-1])
            gx = dot(grad, w).reshape(shape) if need[0] else None
            gw = dot(grad.T, x.reshape(-1, x.shape[-1])) if need[1] else None
        else:
            gx = dot(grad, w) if need[0] else None
            gw = dot(grad.T, x) if need[1] else None
        gb = None
        if len(need) > 2 and need[2]:
            gb = column_sums(grad)  # Σ_rows g, as the product (1, N)·(N, out)
            if gb.shape != ctx.sb:  # a 0-d bias gets the total
                gb = np.asarray(gb.sum(), dtype=gb.dtype)
        return gx, gw, gb

    @staticmethod
    def backward_graph(ctx, grad):
        x, w = ctx.parents[:2]
        need = ctx.needs_input_grad
        rows = grad.reshape(-1, grad.shape[-1])
        gx = grad @ w if need[0] else None
        gw = rows.transpose(0, 1) @ x.reshape(-1, x.shape[-1]) if need[1] else None
        gb = None
        if len(need) > 2 and need[2]:
            gb = rows.sum(dim=0) if ctx.sb != () else rows.sum()
        return gx, gw, gb
