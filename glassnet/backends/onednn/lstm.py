"""A whole LSTM layer direction in one call of oneDNN's RNN primitive (what
PyTorch's ``nn.LSTM`` runs on CPU): every step's gates computed in one pass
while they are in cache, PyTorch's gate order i, f, g, o.

    kernel = lstm_kernel(T, B, n_in, H, reverse)    # made once per shape, cached
    kernel.forward(x, h0, c0, w_ih, w_hh, b, out, h_T, c_T, workspace)
    kernel.backward(..., d_out, d_hT, d_cT, d_x, d_h0, d_c0, d_w_ih, d_w_hh, d_b)

Weights come in PyTorch's layout (G·H, n): oneDNN's ``ldgoi``; reorders
turn them into the layouts the primitive prefers (and its weight gradients
back) when those differ.
"""

from . import capi
from .capi import LOCK, Bound, Descs, Primitive, primitive_desc

_GATES = 4
_LEFT2RIGHT, _RIGHT2LEFT = 1, 2  # dnnl_rnn_direction_t
_FORWARD_ARGS = (
    "src_layer",
    "src_iter",
    "src_iter_c",
    "weights_layer",
    "weights_iter",
    "bias",
    "dst_layer",
    "dst_iter",
    "dst_iter_c",
)
_BACKWARD_ARGS = (
    _FORWARD_ARGS
    + ("workspace",)
    + tuple(
        "diff_" + name
        for name in (
            "src_layer",
            "src_iter",
            "src_iter_c",
            "weights_layer",
            "weights_iter",
            "bias",
            "dst_layer",
            "dst_iter",
            "dst_iter_c",
        )
    )
)


def _pytorch_weights(desc, n_in, hidden):
    """PyTorch's weight (G·H, n_in) as oneDNN sees it: dims (layers,
    directions, n_in, G, H) = (1, 1, n, G, H) laid out l, d, g, o, i (``ldgoi``)."""
    size = _GATES * hidden * n_in
    return desc((1, 1, n_in, _GATES, hidden), (size, size, 1, hidden * n_in, n_in))


class LSTMKernel:
    """oneDNN's LSTM primitives for one shape and direction: forward (training
    or inference) and, for training, backward; the weights go in (and their
    gradients come out) through reorders from and to PyTorch's layout."""

    def __init__(self, steps, batch, n_in, hidden, reverse, training):
        self.training = training
        direction = _RIGHT2LEFT if reverse else _LEFT2RIGHT
        with Descs() as desc:
            src, state = desc((steps, batch, n_in)), desc((1, 1, batch, hidden))
            dst, bias = desc((steps, batch, hidden)), desc((1, 1, _GATES, hidden))
            w_in, w_h = (1, 1, n_in, _GATES, hidden), (1, 1, hidden, _GATES, hidden)
            ours_in = _pytorch_weights(desc, n_in, hidden)
            ours_h = _pytorch_weights(desc, hidden, hidden)
            pd = primitive_desc(
                "dnnl_lstm_forward_primitive_desc_create",
                capi.FORWARD_TRAINING if training else capi.FORWARD_INFERENCE,
                direction,
                src,
                state,
                state,
                desc(w_in, "any"),
                desc(w_h, "any"),
                None,
                None,
                bias,
                dst,
                state,
                state,
                0,
            )
            self.fwd = Primitive(pd, _FORWARD_ARGS + (("workspace",) if training else ()))
            self.fwd_weights = (
                Bound(self.fwd, "weights_layer", ours_in, True),
                Bound(self.fwd, "weights_iter", ours_h, True),
            )
            self.workspace_bytes = self.fwd.size("workspace") if training else 0
            if not training:
                return
            bpd = primitive_desc(
                "dnnl_lstm_backward_primitive_desc_create",
                capi.BACKWARD,
                direction,
                src,
                state,
                state,
                desc(w_in, "any"),
                desc(w_h, "any"),
                None,
                None,
                bias,
                dst,
                state,
                state,
                src,
                state,
                state,
                desc(w_in, "any"),
                desc(w_h, "any"),
                None,
                None,
                bias,
                dst,
                state,
                state,
                0,
                pd,
            )
            self.bwd = Primitive(bpd, _BACKWARD_ARGS)
            self.bwd_weights = (
                Bound(self.bwd, "weights_layer", ours_in, True),
                Bound(self.bwd, "weights_iter", ours_h, True),
            )
            self.bwd_grads = (
                Bound(self.bwd, "diff_weights_layer", ours_in, False),
                Bound(self.bwd, "diff_weights_iter", ours_h, False),
            )

    def forward(self, x, h0, c0, w_ih, w_hh, b, out, h_t, c_t, workspace=None):
        """out (T, B, H), h_t and c_t (B, H) from x (T, B, n), h0, c0 (B, H),
        the weights (G·H, n), (G·H, H) and the summed bias b (G·H,); training
        kernels also fill ``workspace`` (``workspace_bytes`` bytes) for backward."""
        with LOCK:
            w_in, w_h = self.fwd_weights
            args = dict(
                src_layer=x,
                src_iter=h0,
                src_iter_c=c0,
                weights_layer=w_in.given(w_ih),
                weights_iter=w_h.given(w_hh),
                bias=b,
                dst_layer=out,
                dst_iter=h_t,
                dst_iter_c=c_t,
            )
            if self.training:
                args["workspace"] = workspace
            self.fwd(**args)

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
        with LOCK:
            w_in, w_h = self.bwd_weights
            g_in, g_h = self.bwd_grads
            handed_in, handed_h = g_in.given(d_w_ih), g_h.given(d_w_hh)
            for buffer in (handed_in, handed_h, d_b):
                buffer.fill(0)  # oneDNN adds the weights' gradients into these
            self.bwd(
                src_layer=x,
                src_iter=h0,
                src_iter_c=c0,
                weights_layer=w_in.given(w_ih),
                weights_iter=w_h.given(w_hh),
                bias=b,
                dst_layer=out,
                dst_iter=h_t,
                dst_iter_c=c_t,
                workspace=workspace,
                diff_src_layer=d_x,
                diff_src_iter=d_h0,
                diff_src_iter_c=d_c0,
                diff_weights_layer=handed_in,
                diff_weights_iter=handed_h,
                diff_bias=d_b,
                diff_dst_layer=d_out,
                diff_dst_iter=d_ht,
                diff_dst_iter_c=d_ct,
            )
            g_in.taken(handed_in, d_w_ih)
            g_h.taken(handed_h, d_w_hh)


KERNELS = capi.KernelCache(LSTMKernel)  # (T, B, n_in, H, reverse, training) -> LSTMKernel


def lstm_kernel(steps, batch, n_in, hidden, reverse=False, training=True):
    """The (cached) oneDNN LSTM kernel for this shape; oneDNN must be available."""
    return KERNELS.get((steps, batch, n_in, hidden, bool(reverse), bool(training)))
