"""Scaled dot-product attention as one op, forward and backward together.

With queries Q (..., L, E), keys K (..., S, E) and values V (..., S, Ev)::

    S = scale · Q Kᵀ + B        B: an additive mask (float), broadcast to (..., L, S)
    S = −∞ where keep is False  keep: a boolean mask, True = the key takes part
    P = softmax(S) over the keys (the last axis); a row in which every key is
        blocked gets P = 0 instead of 0/0 (PyTorch's "safe softmax")
    O = (P ⊙ D) V               D: the dropout mask, 0 or 1/(1 − p) (or 1: no dropout)

Backward, with G = ∂L/∂O (each result summed back over the batch dims it
was broadcast along)::

    ∂L/∂V = (P ⊙ D)ᵀ G
    ∂L/∂P = (G Vᵀ) ⊙ D
    ∂L/∂S = P ⊙ (∂L/∂P − Σ_keys P ⊙ ∂L/∂P)   (softmax's backward, row by row)
    ∂L/∂Q = scale · ∂L/∂S K,   ∂L/∂K = scale · (∂L/∂S)ᵀ Q,   ∂L/∂B = ∂L/∂S

One op instead of six (matmul, scale, mask, softmax, dropout, matmul) keeps
a single (..., L, S) array alive for backward: P.
"""

import numpy as np

from ..autograd import Op
from ..backends.stacks import matmul
from ._graph import constant
from ._util import unbroadcast
from .softmax import Softmax, any_nan, onednn_kernel


def _scores(q, k, scale, bias):
    """S = scale · Q Kᵀ + B, a fresh array."""
    s = matmul(q, np.swapaxes(k, -1, -2))
    s *= scale
    return s if bias is None else s + bias


def attention_weights(q, k, scale, bias=None, keep=None):
    """P = softmax(scale · Q Kᵀ + B, masked by keep) on arrays; all-blocked rows get 0."""
    s = _scores(q, k, scale, bias)  # the rest works in place
    if keep is None:
        kernel = onednn_kernel(s, -1)  # (float32: one threaded pass, in place)
        if kernel is not None:
            kernel.forward(s, s)
            if not any_nan(s):
                return s
            # a NaN came out: of a NaN or +∞ score (the row NaN) or of a row that B blocks
            # with −∞ everywhere (the row 0, as PyTorch): NumPy's passes below tell them apart
            s = _scores(q, k, scale, bias)
    else:
        np.copyto(s, -np.inf, where=np.logical_not(keep))
    m = np.max(s, axis=-1, keepdims=True)
    blocked = np.isneginf(m)
    any_blocked = blocked.any()
    if any_blocked:
        m[blocked] = 0
    s -= m
    np.exp(s, out=s)
    total = np.sum(s, axis=-1, keepdims=True)
    if any_blocked:
        total[blocked] = 1
    s /= total
    return s


class ScaledDotProductAttention(Op):
    """Attention in one op (see the module docstring): S = scale·Q Kᵀ + B
    (−∞ where ``keep`` is False), P = softmax(S) over the keys, D the dropout
    mask (or 1).

    Positional inputs (the ones that can get gradients): q, k, v and the
    additive mask ``bias`` (or None). ``keep`` (bool array or None),
    ``scale`` (a Python float) and ``drop`` (the dropout multiplier array
    or None) are fixed arguments.
    """

    formula = "O = (P ⊙ D) V,  P = softmax(scale·Q Kᵀ + B, masked)"
    rule = (
        "∂L/∂V = (P ⊙ D)ᵀ ∂L/∂O, ∂L/∂S = P ⊙ (∂L/∂P − Σ_keys P ⊙ ∂L/∂P) with "
        "∂L/∂P = (∂L/∂O Vᵀ) ⊙ D, ∂L/∂Q = scale·∂L/∂S K, ∂L/∂K = scale·(∂L/∂S)ᵀ Q, "
        "∂L/∂B = ∂L/∂S"
    )

    @staticmethod
    def forward(ctx, q, k, v, bias=None, *, scale, keep=None, drop=None):
        p = attention_weights(q, k, scale, bias, keep)
        pd = p if drop is None else p * drop
        out = matmul(pd, v)
        ctx.save_for_backward(q, k, v, p)
        ctx.scale, ctx.drop, ctx.keep = scale, drop, keep
        ctx.bias_shape = None if bias is None else np.shape(bias)
        return out

    @staticmethod
    def composite(ctx, q, k, v, bias=None):
        """Attention with recorded ops (for create_graph); a row whose keys are all
        blocked gets P = 0, as in forward, without a NaN on the way."""
        s = (q @ k.transpose(-1, -2)) * ctx.scale
        if bias is not None:
            s = s + bias
        blocked = None
        if ctx.keep is not None:
            keep = np.broadcast_to(ctx.keep, tuple(s.shape))
            blocked = ~keep.any(axis=-1, keepdims=True)
            s = s.where(constant(keep | blocked), -np.inf)
        p = Softmax.apply(s, -1)
        if blocked is not None and blocked.any():
            p = p.where(constant(~blocked), 0.0)
        if ctx.drop is not None:
            p = p * constant(ctx.drop)
        return p @ v

    @staticmethod
    def backward(ctx, grad):
        q, k, v, p = ctx.saved_tensors
        need = ctx.needs_input_grad
        drop, scale = ctx.drop, ctx.scale
        gq = gk = gv = gb = None
        if need[2]:
            pd = p if drop is None else p * drop
            gv = unbroadcast(matmul(np.swapaxes(pd, -1, -2), grad), v.shape)
        if need[0] or need[1] or (len(need) > 3 and need[3]):
            ds = matmul(grad, np.swapaxes(v, -1, -2))  # ∂L/∂P, then ∂L/∂S in place
            if drop is not None:
                ds *= drop
            kernel = onednn_kernel(p, -1)
            if kernel is not None:  # (softmax's backward reads only P: any mask is in it)
                kernel.backward(p, ds, ds)
            else:
                ds -= np.sum(ds * p, axis=-1, keepdims=True)
                ds *= p
            if need[0]:
                gq = unbroadcast(matmul(ds, k), q.shape)
                gq *= scale
            if need[1]:
                gk = unbroadcast(matmul(np.swapaxes(ds, -1, -2), q), k.shape)
                gk *= scale
            if len(need) > 3 and need[3]:
                gb = unbroadcast(ds, ctx.bias_shape)
        return gq, gk, gv, gb
