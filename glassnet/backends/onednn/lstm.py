"""A whole LSTM layer direction in one call of oneDNN's RNN primitive (what
PyTorch's ``nn.LSTM`` runs on CPU): every step's gates computed in one pass
while they are in cache, PyTorch's gate order i, f, g, o.

    kernel = lstm_kernel(T, B, n_in, H, reverse)    # made once per shape, cached
    kernel.forward(x, h0, c0, w_ih, w_hh, b, out, h_T, c_T, workspace)
    kernel.backward(..., d_out, d_hT, d_cT, d_x, d_h0, d_c0, d_w_ih, d_w_hh, d_b)

Weights come in PyTorch's layout (G·H, n): oneDNN's ``ldgoi``; reorders
turn them into the layouts the primitive prefers (and its weight gradients
back) when those differ (``rnn.RNNKernel``, shared with the GRU).
"""

from . import capi
from .rnn import RNNKernel


class LSTMKernel(RNNKernel):
    """oneDNN's LSTM primitives for one shape and direction (``rnn.RNNKernel``):
    x (T, B, n), h0, c0 (B, H), the weights (4H, n), (4H, H) in PyTorch's
    gate order i, f, g, o and the summed bias b (4H,) give out (T, B, H),
    h_T and c_T (B, H)."""

    create, gates, bias_rows, cell_state = "lstm", 4, 4, True


KERNELS = capi.KernelCache(LSTMKernel)  # (T, B, n_in, H, reverse, training) -> LSTMKernel


def lstm_kernel(steps, batch, n_in, hidden, reverse=False, training=True):
    """The (cached) oneDNN LSTM kernel for this shape; oneDNN must be available."""
    return KERNELS.get((steps, batch, n_in, hidden, bool(reverse), bool(training)))
