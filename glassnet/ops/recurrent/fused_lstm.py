"""One LSTM layer direction as one graph node, computed by oneDNN
(``glassnet.backends.onednn``): the fast path of float32 ``nn.LSTM`` when oneDNN is
installed. The math is ``glassnet.ops.recurrent.layer``'s LSTM (PyTorch's):

    i, f, o = σ(W_i·x + U_i·h + b_i, …);  g = tanh(W_g·x + U_g·h + b_g)
    cₜ = f ⊙ cₜ₋₁ + i ⊙ g;  hₜ = o ⊙ tanh(cₜ)

done for all steps in one call; backward runs oneDNN's backward through
time in one call too. The step-by-step path (one node per step, every gate
an array) is what float64, gradient checks and ``GLASSNET_ONEDNN=0`` run,
and what ``glassnet.explain`` unrolls.

    out = LSTMLayer.apply(x, state, w_ih, w_hh, b_ih, b_hh, reverse=…, finals=f)
    final = LayerState.apply(out, finals=f)   # (h_T, c_T) as a (2, B, H) tensor

An op has one output, so the final state comes from a second node that
reads it from the ``_Finals`` both share; its backward leaves the final
state's gradient there for the layer's backward (which runs after it: it
was recorded first).
"""

import numpy as np

from ... import alloc
from ...autograd import Op
from ...backends import onednn
from .pool import POOL


class Finals:
    """What an ``LSTMLayer`` and its ``LayerState`` share: the final state
    (2, B, H) and, in backward, its gradient."""

    __slots__ = ("state", "grad")

    def __init__(self):
        self.state = self.grad = None


def usable(mode, x):
    """Does oneDNN run this layer on input x (T, B, n): an LSTM, float32, a
    batch of at least one (oneDNN refuses empty ones), oneDNN available?"""
    return mode == "LSTM" and x.dtype == np.float32 and x.shape[1] > 0 and onednn.available()


class LSTMLayer(Op):
    """x (T, B, n), state (2, B, H) = (h₀, c₀), W_ih (4H, n), W_hh (4H, H),
    b_ih, b_hh (4H,) or None → the hₜ of every step (T, B, H), in time order
    (``reverse``: the steps run from T to 1). The final state goes to
    ``finals``. Forward and backward through time are one oneDNN call each;
    δₜ = ∂L/∂aₜ, the gradient of the gates' pre-activations aₜ."""

    formula = (
        "i, f, o = σ(aₜ), g = tanh(aₜ) (each gate's rows), aₜ = W_ih xₜ + W_hh hₜ₋₁ + "
        "b_ih + b_hh;  cₜ = f ⊙ cₜ₋₁ + i ⊙ g, hₜ = o ⊙ tanh cₜ, for all T steps"
    )
    rule = (
        "∂L/∂cₜ = (from step t + 1) + ∂L/∂hₜ ⊙ o ⊙ (1 − tanh² cₜ), ∂L/∂cₜ₋₁ = ∂L/∂cₜ ⊙ f, "
        "δ_i = ∂L/∂cₜ ⊙ g ⊙ i(1 − i), δ_f = ∂L/∂cₜ ⊙ cₜ₋₁ ⊙ f(1 − f), "
        "δ_g = ∂L/∂cₜ ⊙ i ⊙ (1 − g²), δ_o = ∂L/∂hₜ ⊙ tanh cₜ ⊙ o(1 − o);  "
        "∂L/∂hₜ₋₁ = W_hhᵀ δₜ (+ ∂L/∂out[t − 1]), ∂L/∂xₜ = W_ihᵀ δₜ, ∂L/∂W_ih = Σₜ δₜ xₜᵀ, "
        "∂L/∂W_hh = Σₜ δₜ hₜ₋₁ᵀ, ∂L/∂b_ih = ∂L/∂b_hh = Σₜ δₜ"
    )

    no_graph_hint = (
        "A recurrent layer runs as fused steps whose backward is written by hand; run its "
        "forward inside glassnet.backends.fused.disabled() to record plain ops that "
        "create_graph=True can differentiate again."
    )

    @staticmethod
    def forward(ctx, x, state, w_ih, w_hh, b_ih=None, b_hh=None, *, reverse, finals):
        steps, batch, n_in = x.shape
        hidden = w_hh.shape[1]
        training = ctx.needs_input_grad is not None
        kernel = onednn.lstm_kernel(steps, batch, n_in, hidden, reverse, training)
        x, state = np.ascontiguousarray(x), np.ascontiguousarray(state)
        w_ih, w_hh = np.ascontiguousarray(w_ih), np.ascontiguousarray(w_hh)
        bias = _summed_bias(b_ih, b_hh, w_hh)
        out = POOL.empty((steps, batch, hidden), x.dtype)
        final = alloc.empty((2, batch, hidden), x.dtype)
        workspace = POOL.empty((kernel.workspace_bytes,), np.uint8) if training else None
        kernel.forward(x, state[0], state[1], w_ih, w_hh, bias, out, final[0], final[1], workspace)
        finals.state = final
        if training:
            ctx.saved = (x, state, w_ih, w_hh, bias, out, final, workspace)
            ctx.kernel, ctx.finals, ctx.bias = kernel, finals, b_ih is not None
        return out

    @staticmethod
    def backward(ctx, grad):
        x, state, w_ih, w_hh, bias, out, final, workspace = ctx.saved_tensors
        finals, need = ctx.finals, ctx.needs_input_grad
        d_final = finals.grad if finals.grad is not None else np.zeros_like(final)
        finals.grad = None
        kernel = ctx.kernel  # (the one that wrote the workspace)
        d_x, d_state = np.empty_like(x), np.empty_like(state)
        d_w_ih, d_w_hh, d_b = np.empty_like(w_ih), np.empty_like(w_hh), np.empty_like(bias)
        kernel.backward(
            x,
            state[0],
            state[1],
            w_ih,
            w_hh,
            bias,
            out,
            final[0],
            final[1],
            workspace,
            np.ascontiguousarray(grad, x.dtype),
            np.ascontiguousarray(d_final[0]),
            np.ascontiguousarray(d_final[1]),
            d_x,
            d_state[0],
            d_state[1],
            d_w_ih,
            d_w_hh,
            d_b,
        )
        grads = [
            d_x if need[0] else None,
            d_state if need[1] else None,
            d_w_ih if need[2] else None,
            d_w_hh if need[3] else None,
        ]
        if ctx.bias:  # b_ih and b_hh get the same gradient (their sum is the bias)
            grads += [d_b if need[4] else None, d_b.copy() if need[5] else None]
        return tuple(grads)


def _summed_bias(b_ih, b_hh, w_hh):
    """oneDNN's one bias: b_ih + b_hh, or zeros without biases."""
    if b_ih is None:
        return alloc.zeros(w_hh.shape[0], w_hh.dtype)
    return np.add(b_ih, b_hh, dtype=w_hh.dtype)


class LayerState(Op):
    """The final state of the ``LSTMLayer`` (or ``fused_gru.GRULayer``) that
    made ``out``. Its gradient is handed to that layer's backward through
    ``finals`` (the layer was recorded first, so its backward runs after this one)."""

    formula = (
        "(h_T, c_T) (LSTM) or h_T (GRU) = the final state of the fused layer that made the input"
    )
    rule = (
        "∂L/∂(h_T, c_T) is handed to that layer's backward (through finals); "
        "the input (the layer's output) gets 0 from here"
    )

    no_graph_hint = (
        "A recurrent layer runs as fused steps whose backward is written by hand; run its "
        "forward inside glassnet.backends.fused.disabled() to record plain ops that "
        "create_graph=True can differentiate again."
    )

    @staticmethod
    def forward(ctx, out, *, finals):
        ctx.finals, ctx.shape = finals, out.shape
        return finals.state

    @staticmethod
    def backward(ctx, grad):
        ctx.finals.grad = grad
        return np.broadcast_to(alloc.zeros((), grad.dtype), ctx.shape)


def run_layer(x, state, w_ih, w_hh, b_ih=None, b_hh=None, reverse=False):
    """One direction of one LSTM layer by oneDNN: (output (T, B, H), final state (2, B, H))."""
    finals = Finals()
    args = (x, state, w_ih, w_hh) if b_ih is None else (x, state, w_ih, w_hh, b_ih, b_hh)
    out = LSTMLayer.apply(*args, reverse=reverse, finals=finals)
    return out, LayerState.apply(out, finals=finals)
