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
prefers (and its weight gradients back) when those differ.
"""

import numpy as np

from . import capi
from .capi import LOCK, Bound, Descs, Primitive, primitive_desc

_GATES = 3
_LEFT2RIGHT, _RIGHT2LEFT = 1, 2  # dnnl_rnn_direction_t
_ONEDNN_ORDER = (1, 0, 2)  # oneDNN's u, r, o are PyTorch's gate blocks z (1), r (0), n (2)
_FORWARD_ARGS = (
    "src_layer",
    "src_iter",
    "weights_layer",
    "weights_iter",
    "bias",
    "dst_layer",
    "dst_iter",
)
_BACKWARD_ARGS = _FORWARD_ARGS + ("workspace",) + tuple("diff_" + name for name in _FORWARD_ARGS)


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


def _weights_md(desc, n_in, hidden):
    """A (3H, n_in) C-ordered weight as oneDNN sees it: dims (layers,
    directions, n_in, G, H) = (1, 1, n, 3, H) laid out l, d, g, o, i (``ldgoi``)."""
    size = _GATES * hidden * n_in
    return desc((1, 1, n_in, _GATES, hidden), (size, size, 1, hidden * n_in, n_in))


class GRUKernel:
    """oneDNN's linear-before-reset GRU primitives for one shape and
    direction: forward (training or inference) and, for training, backward;
    weights in oneDNN's gate order (``to_onednn``) go in, and their
    gradients come out, through reorders when the primitive prefers another layout."""

    def __init__(self, steps, batch, n_in, hidden, reverse, training):
        self.training = training
        direction = _RIGHT2LEFT if reverse else _LEFT2RIGHT
        with Descs() as desc:
            src, state = desc((steps, batch, n_in)), desc((1, 1, batch, hidden))
            dst, bias = desc((steps, batch, hidden)), desc((1, 1, _GATES + 1, hidden))
            w_in, w_h = (1, 1, n_in, _GATES, hidden), (1, 1, hidden, _GATES, hidden)
            ours_in, ours_h = _weights_md(desc, n_in, hidden), _weights_md(desc, hidden, hidden)
            layer = (src, state, desc(w_in, "any"), desc(w_h, "any"), bias, dst, state)
            pd = primitive_desc(
                "dnnl_lbr_gru_forward_primitive_desc_create",
                capi.FORWARD_TRAINING if training else capi.FORWARD_INFERENCE,
                direction,
                *layer,
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
            diffs = (src, state, desc(w_in, "any"), desc(w_h, "any"), bias, dst, state)
            bpd = primitive_desc(
                "dnnl_lbr_gru_backward_primitive_desc_create",
                capi.BACKWARD,
                direction,
                src,
                state,
                desc(w_in, "any"),
                desc(w_h, "any"),
                bias,
                dst,
                state,
                *diffs,
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

    def forward(self, x, h0, w_ih, w_hh, bias, out, h_t, workspace=None):
        """out (T, B, H) and h_t (B, H) from x (T, B, n), h0 (B, H), the
        weights (3H, n), (3H, H) in oneDNN's gate order and the bias (4, H);
        training kernels also fill ``workspace`` (``workspace_bytes`` bytes)."""
        with LOCK:
            w_in, w_h = self.fwd_weights
            args = dict(
                src_layer=x,
                src_iter=h0,
                weights_layer=w_in.given(w_ih),
                weights_iter=w_h.given(w_hh),
                bias=bias,
                dst_layer=out,
                dst_iter=h_t,
            )
            if self.training:
                args["workspace"] = workspace
            self.fwd(**args)

    def backward(
        self,
        x,
        h0,
        w_ih,
        w_hh,
        bias,
        out,
        h_t,
        workspace,
        d_out,
        d_ht,
        d_x,
        d_h0,
        d_w_ih,
        d_w_hh,
        d_bias,
    ):
        """The gradients of x, h0, the weights (oneDNN's gate order) and the
        bias (4, H) from those of out and h_t, with what ``forward`` wrote
        into ``workspace``."""
        with LOCK:
            w_in, w_h = self.bwd_weights
            g_in, g_h = self.bwd_grads
            handed_in, handed_h = g_in.given(d_w_ih), g_h.given(d_w_hh)
            for buffer in (handed_in, handed_h, d_bias):
                buffer.fill(0)  # oneDNN adds the weights' gradients into these
            self.bwd(
                src_layer=x,
                src_iter=h0,
                weights_layer=w_in.given(w_ih),
                weights_iter=w_h.given(w_hh),
                bias=bias,
                dst_layer=out,
                dst_iter=h_t,
                workspace=workspace,
                diff_src_layer=d_x,
                diff_src_iter=d_h0,
                diff_weights_layer=handed_in,
                diff_weights_iter=handed_h,
                diff_bias=d_bias,
                diff_dst_layer=d_out,
                diff_dst_iter=d_ht,
            )
            g_in.taken(handed_in, d_w_ih)
            g_h.taken(handed_h, d_w_hh)


KERNELS = capi.KernelCache(GRUKernel)  # (T, B, n_in, H, reverse, training) -> GRUKernel


def gru_kernel(steps, batch, n_in, hidden, reverse=False, training=True):
    """The (cached) oneDNN GRU kernel for this shape; oneDNN must be available."""
    return KERNELS.get((steps, batch, n_in, hidden, bool(reverse), bool(training)))
