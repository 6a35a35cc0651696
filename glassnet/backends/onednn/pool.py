"""A float32 2-D max pooling through oneDNN's pooling primitives (forward
with a workspace of each window's winner, and backward), threaded and
vectorised where glassnet's own (``glassnet.ops.pool``) walks the taps on
one core.

    kernel = pool_kernel(x.shape, kernel, stride, dilation, pad_l, pad_r)
    workspace = kernel.forward(x, out)        # out (N, C, OH, OW), in place
    kernel.backward(d_out, workspace, d_x)    # d_x (N, C, H, W), in place

Arrays are C-contiguous (N, C, H, W): the primitives take that plain layout
as it is (no reorders). Padding counts as −∞ and each window's gradient goes
to its first maximum, as in PyTorch; NaN is not handled here (the op keeps
its own pooling for inputs with a NaN).
"""

import numpy as np

from . import capi
from .capi import LOCK, Descs, Dims, Primitive, primitive_desc

_POOLING_MAX = 0x1FF  # dnnl_pooling_max


class PoolKernel:
    """oneDNN's max pooling for one geometry; the backward is made at its first use."""

    def __init__(self, x_shape, kernel, stride, dilation, pad_l, pad_r):
        n, c, h, w = x_shape
        out = []
        for d in range(2):
            reach = dilation[d] * (kernel[d] - 1) + 1
            out.append((x_shape[2 + d] + pad_l[d] + pad_r[d] - reach) // stride[d] + 1)
        self.shapes = (tuple(x_shape), (n, c, out[0], out[1]))
        # oneDNN counts dilation from 0 (no gaps), PyTorch from 1
        self.geometry = (
            Dims(*stride),
            Dims(*kernel),
            Dims(dilation[0] - 1, dilation[1] - 1),
            Dims(*pad_l),
            Dims(*pad_r),
        )
        self.backward_prim = None
        with Descs() as desc:
            self.fwd_pd = primitive_desc(
                "dnnl_pooling_forward_primitive_desc_create",
                capi.FORWARD_TRAINING,
                _POOLING_MAX,
                desc(self.shapes[0]),
                desc(self.shapes[1]),
                *self.geometry,
            )
            self.fwd = Primitive(self.fwd_pd, ("src", "dst", "workspace"))
        self.workspace_bytes = self.fwd.size("workspace")

    def forward(self, x, out):
        """out = max over each window of x; returns the workspace (the winners)."""
        workspace = np.empty(self.workspace_bytes, np.uint8)
        with LOCK:
            self.fwd(src=x, dst=out, workspace=workspace)
        return workspace

    def backward(self, d_out, workspace, d_x):
        """d_x = each window's d_out added at its winner (0 elsewhere)."""
        with LOCK:
            if self.backward_prim is None:
                with Descs() as desc:
                    pd = primitive_desc(
                        "dnnl_pooling_backward_primitive_desc_create",
                        _POOLING_MAX,
                        desc(self.shapes[0]),
                        desc(self.shapes[1]),
                        *self.geometry,
                        self.fwd_pd,
                    )
                    self.backward_prim = Primitive(pd, ("diff_src", "diff_dst", "workspace"))
            self.backward_prim(diff_src=d_x, diff_dst=d_out, workspace=workspace)


KERNELS = capi.KernelCache(
    PoolKernel
)  # (x shape, kernel, stride, dilation, pad_l, pad_r) -> kernel


def pool_kernel(x_shape, kernel, stride, dilation, pad_l, pad_r):
    """The (cached) oneDNN max pooling for this geometry (pairs for kernel,
    stride, dilation and the top/left and bottom/right padding)."""
    return KERNELS.get(
        (tuple(x_shape), tuple(kernel), tuple(stride), tuple(dilation), tuple(pad_l), tuple(pad_r))
    )
