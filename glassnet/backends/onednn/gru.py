"""A whole GRU layer direction in one call of oneDNN's linear-before-reset
GRU primitive (what PyTorch's ``nn.GRU`` runs on CPU). Linear-before-reset
is PyTorch's GRU: the reset gate multiplies W_hn·h + b_hn, not h.

    kernel = gru_kernel(T, B, n_in, H, reverse)    # made once per shape, cached
    kernel.forward(x, h0, w_ih, w_hh, bias, out, h_T, workspace)
    kernel.backward(..., d_out, d_hT, d_x, d_h0, d_w_ih, d_w_hh, d_bias)

oneDNN's gates are u (update, PyTorch's z), r (reset), o (candidate,
PyTorch's n):

    uₜ = σ(W_u xₜ + U_u hₜ₋₁ + b_u),  rₜ = σ(W_r xₜ + U_r hₜ₋₁ + b_r)
    oₜ = tanh(W_o xₜ + b_o + rₜ ⊙ (U_o hₜ₋₁ + b_u'))
    hₜ = uₜ ⊙ hₜ₋₁ + (1 − uₜ) ⊙ oₜ

so the kernel takes weights (3H, n) in the gate order u, r, o (oneDNN's
``ldgoi``) and a bias (4, H) = [b_u, b_r, b_o, b_u']. PyTorch's rows are
r, z, n: ``to_onednn`` and ``from_onednn`` swap the first two gate blocks
with a small NumPy copy (a gate permutation is not a strided view), and
``lbr_bias`` / ``bias_grads`` map the two biases (3H,) to the four parts
and back. Reorders then turn the weights into the layouts the primitive
prefers (and its weight gradients back) when those differ (``rnn.RNNKernel``,
shared with the LSTM).
"""

import numpy as np

from . import capi
from .rnn import RNNKernel

_GATES = 3
_ONEDNN_ORDER = (1, 0, 2)  # oneDNN's u, r, o are PyTorch's gate blocks z (1), r (0), n (2)


def to_onednn(w):
    """PyTorch's GRU weight (3H, n), gate blocks r, z, n, as a new C-ordered
    (3H, n) array in oneDNN's gate order u (= z), r, o (= n). The same swap
    takes it back (``from_onednn``)."""
    hidden = w.shape[0] // _GATES
    return np.ascontiguousarray(w.reshape(_GATES, hidden, -1)[list(_ONEDNN_ORDER)]).reshape(w.shape)


from_onednn = to_onednn  # (swapping the first two blocks is its own inverse)


def lbr_bias(b_ih, b_hh, hidden, dtype):
    """oneDNN's bias (4, H) = [b_iz + b_hz, b_ir + b_hr, b_in, b_hn] from
    PyTorch's b_ih, b_hh (3H,), each r, z, n; zeros without biases."""
    bias = np.zeros((_GATES + 1, hidden), dtype)
    if b_ih is not None:
        b_ih, b_hh = b_ih.reshape(_GATES, hidden), b_hh.reshape(_GATES, hidden)
        np.add(b_ih[1], b_hh[1], out=bias[0])
        np.add(b_ih[0], b_hh[0], out=bias[1])
        bias[2], bias[3] = b_ih[2], b_hh[2]
    return bias


def bias_grads(d_bias):
    """PyTorch's (∂L/∂b_ih, ∂L/∂b_hh), each (3H,) in r, z, n, from oneDNN's
    ∂L/∂bias (4, H): the summed parts (u, r) go to both."""
    d_u, d_r, d_o, d_u2 = d_bias
    return np.concatenate([d_r, d_u, d_o]), np.concatenate([d_r, d_u, d_u2])


class GRUKernel(RNNKernel):
    """oneDNN's linear-before-reset GRU primitives for one shape and direction
    (``rnn.RNNKernel``): x (T, B, n), h0 (B, H), the weights (3H, n), (3H, H)
    in oneDNN's gate order (``to_onednn``) and the bias (4, H) (``lbr_bias``)
    give out (T, B, H) and h_T (B, H)."""

    create, gates, bias_rows = "lbr_gru", _GATES, _GATES + 1


KERNELS = capi.KernelCache(GRUKernel)  # (T, B, n_in, H, reverse, training) -> GRUKernel


def gru_kernel(steps, batch, n_in, hidden, reverse=False, training=True):
    """The (cached) oneDNN GRU kernel for this shape; oneDNN must be available."""
    return KERNELS.get((steps, batch, n_in, hidden, bool(reverse), bool(training)))
