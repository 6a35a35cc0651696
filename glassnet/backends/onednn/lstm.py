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
    """oneDNN's LSTM primitives for one shape and direction (``rnn.RNNKernel``)."""

    create, gates, bias_rows, cell_state = "lstm", 4, 4, True

    def forward(self, x, h0, c0, w_ih, w_hh, b, out, h_t, c_t, workspace=None):
        """out (T, B, H), h_t and c_t (B, H) from x (T, B, n), h0, c0 (B, H),
        the weights (G·H, n), (G·H, H) and the summed bias b (G·H,); training
        kernels also fill ``workspace`` (``workspace_bytes`` bytes) for backward."""
        arrays = dict(
            src_layer=x,
            src_iter=h0,
            src_iter_c=c0,
            weights_layer=w_ih,
            weights_iter=w_hh,
            bias=b,
            dst_layer=out,
            dst_iter=h_t,
            dst_iter_c=c_t,
        )
        if self.training:
            arrays["workspace"] = workspace
        self.run_forward(**arrays)

    def backward(
        self,
        x,
        h0,
        c0,
        w_ih,
        w_hh,
        b,
        out,
        h_t,
        c_t,
        workspace,
        d_out,
        d_ht,
        d_ct,
        d_x,
        d_h0,
        d_c0,
        d_w_ih,
        d_w_hh,
        d_b,
    ):
        """The gradients of x, h0, c0, the weights and the bias from those of
        out, h_t and c_t, with what ``forward`` wrote into ``workspace``."""
        self.run_backward(
            src_layer=x,
            src_iter=h0,
            src_iter_c=c0,
            weights_layer=w_ih,
            weights_iter=w_hh,
            bias=b,
            dst_layer=out,
            dst_iter=h_t,
            dst_iter_c=c_t,
            workspace=workspace,
            diff_src_layer=d_x,
            diff_src_iter=d_h0,
            diff_src_iter_c=d_c0,
            diff_weights_layer=d_w_ih,
            diff_weights_iter=d_w_hh,
            diff_bias=d_b,
            diff_dst_layer=d_out,
            diff_dst_iter=d_ht,
            diff_dst_iter_c=d_ct,
        )


KERNELS = capi.KernelCache(LSTMKernel)  # (T, B, n_in, H, reverse, training) -> LSTMKernel


def lstm_kernel(steps, batch, n_in, hidden, reverse=False, training=True):
    """The (cached) oneDNN LSTM kernel for this shape; oneDNN must be available."""
    return KERNELS.get((steps, batch, n_in, hidden, bool(reverse), bool(training)))
