"""What the LSTM and GRU kernels share (``lstm.py``, ``gru.py``): one layer
direction of oneDNN's RNN primitive, forward (training or inference) and,
for training, backward, with the weights handed in PyTorch's row layout
(G·H, n), oneDNN's ``ldgoi``, through reorders to the layout the primitive
prefers (and their gradients back) when those differ.

A subclass names its cell: ``create`` (oneDNN's descriptor functions are
``dnnl_<create>_forward_primitive_desc_create`` and ``..._backward_...``),
``gates`` G, ``bias_rows`` (G, or G + 1 for linear-before-reset GRU) and
``cell_state`` (an LSTM's c besides h). The arrays go in the order of
``forward_args`` (oneDNN's: src_layer, src_iter[, src_iter_c],
weights_layer, weights_iter, bias, dst_layer, dst_iter[, dst_iter_c]):

    kernel.forward(x, h0[, c0], w_ih, w_hh, bias, out, h_T[, c_T], workspace)
    kernel.backward(<the same>, workspace, d_out, d_hT[, d_cT],
                    d_x, d_h0[, d_c0], d_w_ih, d_w_hh, d_bias)
"""

from . import capi
from .capi import LOCK, Bound, Descs, Primitive, primitive_desc

_LEFT2RIGHT, _RIGHT2LEFT = 1, 2  # dnnl_rnn_direction_t
_DIFF_WEIGHTS_OVERWRITE = 1  # dnnl_rnn_flags_t: backward writes the weights' gradients, not adds


def _pytorch_weights(desc, n_in, gates, hidden):
    """PyTorch's weight (G·H, n_in) as oneDNN sees it: dims (layers,
    directions, n_in, G, H) = (1, 1, n, G, H) laid out l, d, g, o, i (``ldgoi``)."""
    size = gates * hidden * n_in
    return desc((1, 1, n_in, gates, hidden), (size, size, 1, hidden * n_in, n_in))


class RNNKernel:
    """oneDNN's primitives of one cell kind for one shape and direction."""

    create = ""  # "lstm" or "lbr_gru"
    gates = bias_rows = 0
    cell_state = False

    def __init__(self, steps, batch, n_in, hidden, reverse, training):
        self.training = training
        state_names = ("iter", "iter_c") if self.cell_state else ("iter",)
        self.forward_args = (
            ("src_layer",)
            + tuple("src_" + s for s in state_names)
            + ("weights_layer", "weights_iter", "bias", "dst_layer")
            + tuple("dst_" + s for s in state_names)
        )
        outputs = tuple(name for name in self.forward_args if name.startswith("dst_"))
        inputs = tuple(name for name in self.forward_args if name not in outputs)
        # the gradients backward takes, in its order: the outputs', then the inputs'
        self.backward_diffs = tuple("diff_" + name for name in outputs + inputs)
        direction = _RIGHT2LEFT if reverse else _LEFT2RIGHT
        with Descs() as desc:
            src, state = desc((steps, batch, n_in)), desc((1, 1, batch, hidden))
            dst, bias = desc((steps, batch, hidden)), desc((1, 1, self.bias_rows, hidden))
            w_in, w_h = (1, 1, n_in, self.gates, hidden), (1, 1, hidden, self.gates, hidden)
            ours_in = _pytorch_weights(desc, n_in, self.gates, hidden)
            ours_h = _pytorch_weights(desc, hidden, self.gates, hidden)

            def layer():  # the descriptors of one set of arguments, in oneDNN's order
                states = (state, state) if self.cell_state else (state,)
                weights = (desc(w_in, "any"), desc(w_h, "any"))
                extra = (None, None) if self.cell_state else ()  # (no peephole, no projection)
                return (src, *states, *weights, *extra, bias, dst, *states)

            pd = primitive_desc(
                f"dnnl_{self.create}_forward_primitive_desc_create",
                capi.FORWARD_TRAINING if training else capi.FORWARD_INFERENCE,
                direction,
                *layer(),
                0,
            )
            self.fwd = Primitive(pd, self.forward_args + (("workspace",) if training else ()))
            self.fwd_weights = self._bound(self.fwd, "", ours_in, ours_h, True)
            self.workspace_bytes = self.fwd.size("workspace") if training else 0
            if not training:
                return
            bpd = primitive_desc(
                f"dnnl_{self.create}_backward_primitive_desc_create",
                capi.BACKWARD,
                direction,
                *layer(),
                *layer(),
                _DIFF_WEIGHTS_OVERWRITE,
                pd,
            )
            diffs = tuple("diff_" + name for name in self.forward_args)
            self.bwd = Primitive(bpd, self.forward_args + ("workspace",) + diffs)
            self.bwd_weights = self._bound(self.bwd, "", ours_in, ours_h, True)
            self.bwd_grads = self._bound(self.bwd, "diff_", ours_in, ours_h, False)

    @staticmethod
    def _bound(prim, prefix, ours_in, ours_h, into):
        return {
            prefix + "weights_layer": Bound(prim, prefix + "weights_layer", ours_in, into),
            prefix + "weights_iter": Bound(prim, prefix + "weights_iter", ours_h, into),
        }

    def forward(self, *arrays):
        """The forward primitive on the arrays of ``forward_args`` in that order
        (inputs, weights in PyTorch's layout, bias, outputs written in place),
        then a training kernel's workspace (``workspace_bytes`` bytes)."""
        n = len(self.forward_args)
        named = dict(zip(self.forward_args, arrays[:n], strict=True))
        if self.training:
            named["workspace"] = arrays[n]
        with LOCK:
            for name, bound in self.fwd_weights.items():
                named[name] = bound.given(named[name])
            self.fwd(**named)

    def backward(self, *arrays):
        """The backward primitive: the forward's arrays and workspace as given
        to ``forward``, then the gradients of its outputs (dst_…), then the
        arrays that receive those of its inputs (src_…, the weights in
        PyTorch's layout, the bias), in ``forward_args`` order."""
        n = len(self.forward_args)
        named = dict(zip(self.forward_args, arrays[:n], strict=True))
        named["workspace"] = arrays[n]
        named.update(zip(self.backward_diffs, arrays[n + 1 :], strict=True))
        with LOCK:
            for name, bound in self.bwd_weights.items():
                named[name] = bound.given(named[name])
            wanted = {name: named[name] for name in self.bwd_grads}
            for name, bound in self.bwd_grads.items():
                named[name] = bound.given(wanted[name])
            self.bwd(**named)
            for name, bound in self.bwd_grads.items():
                bound.taken(named[name], wanted[name])
