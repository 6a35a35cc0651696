"""A float32 2-D convolution (groups 1) through oneDNN's convolution
primitives (what PyTorch's ``conv2d`` runs on CPU): forward, backward-data
and backward-weights.

    kernel = conv_kernel(x.shape, w.shape, stride, padding, dilation, bias)
    kernel.forward(x, w, b, out)
    kernel.backward(x, w, d_out, d_x, d_w, d_b)   # None for a gradient not needed

Arrays are C-contiguous, in glassnet's (N, C, H, W) and (O, C, kH, kW)
layouts; the primitives choose their own (``format_tag any``: blocked
channels, for oneDNN's vectorised kernels) and reorders go between the two
where they differ.
"""

import numpy as np

from . import capi
from .capi import LOCK, Bound, Descs, Dims, Primitive, primitive_desc, same_layout

_CONVOLUTION_DIRECT = 1  # dnnl_convolution_direct


class ConvKernel:
    """oneDNN's convolution for one geometry: forward and, made at their
    first use, backward-data and backward-weights, each in the layouts
    oneDNN prefers, with reorders from and to glassnet's arrays where they differ."""

    def __init__(self, x_shape, w_shape, stride, padding, dilation, bias):
        n, _, h, w = x_shape
        o, _, kh, kw = w_shape
        top, bottom, left, right = padding
        oh = (h + top + bottom - dilation[0] * (kh - 1) - 1) // stride[0] + 1
        ow = (w + left + right - dilation[1] * (kw - 1) - 1) // stride[1] + 1
        self.shapes = (x_shape, w_shape, (n, o, oh, ow))
        # oneDNN counts dilation from 0 (no gaps), PyTorch from 1
        self.geometry = (
            Dims(*stride),
            Dims(dilation[0] - 1, dilation[1] - 1),
            Dims(top, left),
            Dims(bottom, right),
        )
        self.bias = bias
        self.backward_data = self.backward_weights = None
        with Descs() as desc:
            src, weights, dst = (desc(s) for s in self.shapes)
            self.fwd_pd = primitive_desc(
                "dnnl_convolution_forward_primitive_desc_create",
                capi.FORWARD_TRAINING,
                _CONVOLUTION_DIRECT,
                desc(x_shape, "any"),
                desc(w_shape, "any"),
                desc((o,)) if bias else None,
                desc(self.shapes[2], "any"),
                *self.geometry,
            )
            self.fwd = Primitive(
                self.fwd_pd,
                ("src", "weights", "bias", "dst") if bias else ("src", "weights", "dst"),
            )
            self.fwd_args = (
                Bound(self.fwd, "src", src, True),
                Bound(self.fwd, "weights", weights, True),
                Bound(self.fwd, "dst", dst, False),
            )

    def _make_backward_data(self):
        x_shape, w_shape, y_shape = self.shapes
        with Descs() as desc:
            src, weights, dst = (desc(s) for s in self.shapes)
            pd = primitive_desc(
                "dnnl_convolution_backward_data_primitive_desc_create",
                _CONVOLUTION_DIRECT,
                desc(x_shape, "any"),
                desc(w_shape, "any"),
                desc(y_shape, "any"),
                *self.geometry,
                self.fwd_pd,
            )
            prim = Primitive(pd, ("diff_src", "weights", "diff_dst"))
            self.backward_data = (
                prim,
                Bound(prim, "diff_src", src, False),
                Bound(prim, "weights", weights, True),
                Bound(prim, "diff_dst", dst, True),
            )

    def _make_backward_weights(self):
        x_shape, w_shape, y_shape = self.shapes
        with Descs() as desc:
            src, weights, dst = (desc(s) for s in self.shapes)
            pd = primitive_desc(
                "dnnl_convolution_backward_weights_primitive_desc_create",
                _CONVOLUTION_DIRECT,
                desc(x_shape, "any"),
                desc(w_shape, "any"),
                desc((w_shape[0],)) if self.bias else None,
                desc(y_shape, "any"),
                *self.geometry,
                self.fwd_pd,
            )
            prim = Primitive(
                pd,
                ("src", "diff_weights", "diff_bias", "diff_dst")
                if self.bias
                else ("src", "diff_weights", "diff_dst"),
            )
            self.backward_weights = (
                prim,
                Bound(prim, "src", src, True),
                Bound(prim, "diff_weights", weights, False),
                Bound(prim, "diff_dst", dst, True),
            )

    def forward(self, x, w, b, out):
        """out (N, O, OH, OW) = conv(x, w) + b (b None without a bias)."""
        with LOCK:
            src, weights, dst = self.fwd_args
            handed = dst.given(out)
            args = dict(src=src.given(x), weights=weights.given(w), dst=handed)
            if self.bias:
                args["bias"] = b
            self.fwd(**args)
            dst.taken(handed, out)

    def backward(self, x, w, d_out, d_x=None, d_w=None, d_b=None):
        """Fill the gradients asked for (arrays of x's, w's and the bias's
        shapes; None: not needed; the bias's only with the weights') from ∂L/∂out."""
        with LOCK:
            d_y = d_y_md = None  # ∂L/∂out as the first primitive took it (the second may too)
            if d_x is not None:
                if self.backward_data is None:
                    self._make_backward_data()
                prim, diff_src, weights, diff_dst = self.backward_data
                handed, d_y, d_y_md = diff_src.given(d_x), diff_dst.given(d_out), diff_dst.md
                prim(diff_src=handed, weights=weights.given(w), diff_dst=d_y)
                diff_src.taken(handed, d_x)
            if d_w is not None:
                if self.backward_weights is None:
                    self._make_backward_weights()
                prim, src, diff_weights, diff_dst = self.backward_weights
                if d_y is None or not same_layout(d_y_md, diff_dst.md):
                    d_y = diff_dst.given(d_out)
                handed = diff_weights.given(d_w)
                args = dict(src=src.given(x), diff_weights=handed, diff_dst=d_y)
                if self.bias:
                    args["diff_bias"] = (
                        np.empty(self.shapes[1][0], np.float32) if d_b is None else d_b
                    )
                prim(**args)
                diff_weights.taken(handed, d_w)


KERNELS = capi.KernelCache(ConvKernel)  # (shapes, stride, padding, dilation, bias) -> ConvKernel


def conv_kernel(x_shape, w_shape, stride, padding, dilation, bias):
    """The (cached) oneDNN convolution for this geometry: x (N, C, H, W), w
    (O, C, kH, kW), stride and dilation pairs, padding (top, bottom, left,
    right), ``bias`` whether there is one. oneDNN must be available."""
    return KERNELS.get(
        (tuple(x_shape), tuple(w_shape), tuple(stride), tuple(padding), tuple(dilation), bool(bias))
    )
