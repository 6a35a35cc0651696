"""One GRU layer direction as one graph node, computed by oneDNN's
linear-before-reset GRU (``glassnet.backends.onednn.gru``): the fast path of
float32 ``nn.GRU`` when oneDNN is installed. The math is
``glassnet.ops.recurrent.layer``'s GRU (PyTorch's):

    r, z = σ(W_ir·x + b_ir + W_hr·h + b_hr, …)
    n = tanh(W_in·x + b_in + r ⊙ (W_hn·h + b_hn));  hₜ = (1 − z) ⊙ n + z ⊙ hₜ₋₁

done for all steps in one call; backward runs oneDNN's backward through
time in one call too. The step-by-step path (one node per step, every gate
an array) is what float64, gradient checks and ``GLASSNET_ONEDNN=0`` run,
and what ``glassnet.explain`` unrolls.

    out = GRULayer.apply(x, h0, w_ih, w_hh, b_ih, b_hh, reverse=…, finals=f)
    final = LayerState.apply(out, finals=f)   # h_T as a (1, B, H) tensor

The final state comes from a second node, as for the LSTM
(``fused_lstm.LayerState``, shared).
"""

import numpy as np

from ... import alloc
from ...autograd import Op
from ...backends import onednn
from ...backends.onednn import gru
from .fused_lstm import Finals, LayerState
from .pool import POOL


def usable(mode, x):
    """Does oneDNN run this layer on input x (T, B, n): a GRU, float32, a
    batch of at least one (oneDNN refuses empty ones), oneDNN available?"""
    return mode == "GRU" and x.dtype == np.float32 and x.shape[1] > 0 and onednn.available()


class GRULayer(Op):
    """x (T, B, n), h0 (1, B, H), W_ih (3H, n), W_hh (3H, H), b_ih, b_hh (3H,)
    or None → the hₜ of every step (T, B, H), in time order (``reverse``: the
    steps run from T to 1). The final state goes to ``finals``. Forward and
    backward through time are one oneDNN call each; the weights are copied
    into oneDNN's gate order (z, r, n) and their gradients back (r, z, n)."""

    formula = (
        "r, z = σ(W_ir xₜ + b_ir + W_hr hₜ₋₁ + b_hr, …), n = tanh(W_in xₜ + b_in + "
        "r ⊙ (W_hn hₜ₋₁ + b_hn));  hₜ = (1 − z) ⊙ n + z ⊙ hₜ₋₁, for all T steps"
    )
    rule = (
        "∂L/∂hₜ = (from step t + 1) + ∂L/∂out[t];  δ_n = ∂L/∂hₜ ⊙ (1 − z) ⊙ (1 − n²), "
        "δ_z = ∂L/∂hₜ ⊙ (hₜ₋₁ − n) ⊙ z(1 − z), δ_r = δ_n ⊙ (W_hn hₜ₋₁ + b_hn) ⊙ r(1 − r), "
        "δ_hn = δ_n ⊙ r;  ∂L/∂hₜ₋₁ = ∂L/∂hₜ ⊙ z + W_hrᵀ δ_r + W_hzᵀ δ_z + W_hnᵀ δ_hn, "
        "∂L/∂xₜ = W_ihᵀ (δ_r, δ_z, δ_n), ∂L/∂W_ih = Σₜ (δ_r, δ_z, δ_n) xₜᵀ, "
        "∂L/∂W_hh = Σₜ (δ_r, δ_z, δ_hn) hₜ₋₁ᵀ, ∂L/∂b_ih = Σₜ (δ_r, δ_z, δ_n), "
        "∂L/∂b_hh = Σₜ (δ_r, δ_z, δ_hn)"
    )

    no_graph_hint = (
        "A recurrent layer runs as fused steps whose backward is written by hand; run its "
        "forward inside glassnet.backends.fused.disabled() to record plain ops that "
        "create_graph=True can differentiate again."
    )

    @staticmethod
    def forward(ctx, x, h0, w_ih, w_hh, b_ih=None, b_hh=None, *, reverse, finals):
        steps, batch, n_in = x.shape
        hidden = w_hh.shape[1]
        training = ctx.needs_input_grad is not None
        kernel = onednn.gru_kernel(steps, batch, n_in, hidden, reverse, training)
        x, h0 = np.ascontiguousarray(x), np.ascontiguousarray(h0)
        given = tuple(p for p in (w_ih, w_hh, b_ih, b_hh) if p is not None)
        w_ih, w_hh = gru.to_onednn(w_ih), gru.to_onednn(w_hh)
        bias = gru.lbr_bias(b_ih, b_hh, hidden, x.dtype)
        out = POOL.empty((steps, batch, hidden), x.dtype)
        final = alloc.empty((1, batch, hidden), x.dtype)
        workspace = POOL.empty((kernel.workspace_bytes,), np.uint8) if training else None
        kernel.forward(x, h0[0], w_ih, w_hh, bias, out, final[0], workspace)
        finals.state = final
        if training:
            # (the parameters as given too: backward uses the copies, but a change
            # in place before it is an error, as on every other path)
            ctx.saved = (x, h0, w_ih, w_hh, bias, out, final, workspace, *given)
            ctx.kernel, ctx.finals, ctx.bias = kernel, finals, b_ih is not None
        return out

    @staticmethod
    def backward(ctx, grad):
        x, h0, w_ih, w_hh, bias, out, final, workspace = ctx.saved_tensors[:8]
        finals, need = ctx.finals, ctx.needs_input_grad
        d_final = finals.grad if finals.grad is not None else np.zeros_like(final)
        finals.grad = None
        d_x, d_h0 = np.empty_like(x), np.empty_like(h0)
        d_w_ih, d_w_hh, d_bias = np.empty_like(w_ih), np.empty_like(w_hh), np.empty_like(bias)
        ctx.kernel.backward(  # (the kernel that wrote the workspace)
            x,
            h0[0],
            w_ih,
            w_hh,
            bias,
            out,
            final[0],
            workspace,
            np.ascontiguousarray(grad, x.dtype),
            np.ascontiguousarray(d_final[0], x.dtype),
            d_x,
            d_h0[0],
            d_w_ih,
            d_w_hh,
            d_bias,
        )
        grads = [
            d_x if need[0] else None,
            d_h0 if need[1] else None,
            gru.from_onednn(d_w_ih) if need[2] else None,
            gru.from_onednn(d_w_hh) if need[3] else None,
        ]
        if ctx.bias:
            d_b_ih, d_b_hh = gru.bias_grads(d_bias)
            grads += [d_b_ih if need[4] else None, d_b_hh if need[5] else None]
        return tuple(grads)


def run_layer(x, h0, w_ih, w_hh, b_ih=None, b_hh=None, reverse=False):
    """One direction of one GRU layer by oneDNN: (output (T, B, H), final state (1, B, H))."""
    finals = Finals()
    args = (x, h0, w_ih, w_hh) if b_ih is None else (x, h0, w_ih, w_hh, b_ih, b_hh)
    out = GRULayer.apply(*args, reverse=reverse, finals=finals)
    return out, LayerState.apply(out, finals=finals)
