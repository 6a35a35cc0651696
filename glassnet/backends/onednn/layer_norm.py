"""A float32 layer normalization through oneDNN's layer-normalization
primitives (forward keeping each row's mean and variance, and backward),
threaded and in one pass over each row where glassnet's own
(``glassnet.ops.norm.LayerNorm``) makes several single-threaded NumPy passes.

    kernel = layer_norm_kernel(rows, size, eps, scale=True, shift=True)
    mean, variance = kernel.forward(x, out, scale=w, shift=b)   # out (rows, size), in place
    kernel.backward(x, mean, variance, d_out, d_x, scale=w, shift=b,  # d_x in place,
                    d_scale=d_w, d_shift=d_b)                         # (None: not wanted)

Each row of x (rows, size) is normalized over its ``size`` values,
x̂ = (x − μ)/√(σ² + ε) with the biased σ², then y = γ ⊙ x̂ + β when the
kernel has a scale γ and a shift β (each a (size,) vector, either may be
left out). Arrays are C-contiguous 2-D (rows, size) and the statistics
(rows,): the primitives take that plain layout as it is (no reorders).
"""

import ctypes

import numpy as np

from . import capi
from .capi import LOCK, Descs, Primitive, primitive_desc

_USE_SCALE, _USE_SHIFT = 0x2, 0x4  # dnnl_use_scale, dnnl_use_shift (dnnl_normalization_flags_t)


class LayerNormKernel:
    """oneDNN's layer normalization of ``rows`` rows of ``size`` values with
    this ε, with or without a scale and a shift; the backward is made at
    its first use."""

    def __init__(self, rows, size, eps, scale, shift):
        self.shape, self.eps = (rows, size), float(eps)
        self.scale, self.shift = bool(scale), bool(shift)
        self.flags = (_USE_SCALE if scale else 0) | (_USE_SHIFT if shift else 0)
        self.backward_prim = None  # made at its first use
        affine = ("scale",) * self.scale + ("shift",) * self.shift
        with Descs() as desc:
            self.fwd_pd = primitive_desc(
                "dnnl_layer_normalization_forward_primitive_desc_create",
                capi.FORWARD_TRAINING,
                desc(self.shape),
                desc(self.shape),
                desc((rows,)),
                ctypes.c_float(self.eps),
                ctypes.c_uint(self.flags),
            )
            self.fwd = Primitive(self.fwd_pd, ("src", "dst", "mean", "variance") + affine)

    def forward(self, x, out, scale=None, shift=None):
        """out = γ ⊙ (x − μ)/√(σ² + ε) + β row by row; returns (μ, σ²), each (rows,)."""
        mean = np.empty(self.shape[0], np.float32)
        variance = np.empty(self.shape[0], np.float32)
        arrays = {"src": x, "dst": out, "mean": mean, "variance": variance}
        arrays.update(self._affine(scale=scale, shift=shift))
        with LOCK:
            self.fwd(**arrays)
        return mean, variance

    def backward(
        self, x, mean, variance, d_out, d_x, scale=None, shift=None, d_scale=None, d_shift=None
    ):
        """d_x = (ĝ − mean ĝ − x̂·mean(ĝ ⊙ x̂))/√(σ² + ε) with ĝ = γ ⊙ d_out, and
        d_scale = Σ_rows d_out ⊙ x̂ and d_shift = Σ_rows d_out, in place (a
        scratch vector for one not given: this oneDNN has no backward_data
        with a shift). oneDNN takes β too, though no gradient depends on it."""
        size = self.shape[1]
        arrays = {"src": x, "mean": mean, "variance": variance, "diff_dst": d_out, "diff_src": d_x}
        if self.scale:
            arrays["diff_scale"] = np.empty(size, np.float32) if d_scale is None else d_scale
        if self.shift:
            arrays["diff_shift"] = np.empty(size, np.float32) if d_shift is None else d_shift
        arrays.update(self._affine(scale=scale, shift=shift))
        with LOCK:
            if self.backward_prim is None:
                self.backward_prim = self._make_backward()
            self.backward_prim(**arrays)

    def _affine(self, **given):
        """Those of ``given`` (scale, shift) the kernel has; a missing one that it
        has is a clear error."""
        taken = {}
        for name, arr in given.items():
            if getattr(self, name):
                if arr is None:
                    raise ValueError(f"LayerNormKernel: this kernel needs {name} (a (size,) array)")
                taken[name] = arr
        return taken

    def _make_backward(self):
        """The backward primitive: d_x and the gradients of the scale and shift."""
        args = ["src", "mean", "variance", "diff_dst", "diff_src"]
        args += ["scale", "diff_scale"] * self.scale + ["shift", "diff_shift"] * self.shift
        with Descs() as desc:
            pd = primitive_desc(
                "dnnl_layer_normalization_backward_primitive_desc_create",
                capi.BACKWARD,
                desc(self.shape),
                desc(self.shape),
                desc(self.shape),
                desc((self.shape[0],)),
                ctypes.c_float(self.eps),
                ctypes.c_uint(self.flags),
                self.fwd_pd,
            )
            return Primitive(pd, args)


KERNELS = capi.KernelCache(LayerNormKernel)  # (rows, size, eps, scale, shift) -> kernel


def layer_norm_kernel(rows, size, eps, scale, shift):
    """The (cached) oneDNN layer normalization of ``rows`` rows of ``size``
    values with this ε; ``scale``, ``shift``: whether it has γ, β."""
    return KERNELS.get((int(rows), int(size), float(eps), bool(scale), bool(shift)))
