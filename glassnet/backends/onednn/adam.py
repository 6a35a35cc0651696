"""Adam's update of one float32 weight in three passes of oneDNN's binary
primitive with post-ops (JIT-compiled, threaded), where NumPy needs eleven
single-threaded passes (MKL's vector functions six):

    m ← m + (1 − β₁)(±g − m)                       sub(m, g)·(β₁ − 1), + m
    v ← β₂·v + (1 − β₂)·g²                          mul(g, g)·(1 − β₂), + β₂·v
    w ← w − lr/(1 − β₁ᵗ) · m / (√(v/(1 − β₂ᵗ)) + ε)  mul(v, c₂), √, + ε, ⁻¹, ·m, ·c₁, + w

(``maximize`` uses −g: add(m, g) in the first.) c₂ = 1/(1 − β₂ᵗ) and
c₁ = −lr/(1 − β₁ᵗ) change every step, so they are one-element operands
given at each call, not constants compiled into the primitives (which
would be rebuilt each step). The same update as ``glassnet.optim.Adam``'s
NumPy path to float32 rounding.

    kernel = adam_kernel(n, beta1, beta2, eps, maximize)   # cached by those
    kernel.step(w, g, m, v, lr, step)   # any-shaped C-contiguous arrays of n values, t = step
"""

import numpy as np

from . import capi
from .capi import LOCK, Descs, PostOps, Primitive, post_op_arg, primitive_desc


def _binary(alg, src1_shape, n, build):
    """A binary primitive over n values (src_1 of ``src1_shape``) whose post-ops
    ``build(ops, desc)`` appends; returns (primitive, its post-op operand names)."""
    with Descs() as desc:
        ops = PostOps()
        try:
            operands = build(ops, desc)
            pd = primitive_desc(
                "dnnl_binary_primitive_desc_create",
                alg,
                desc((n,)),
                desc(src1_shape),
                desc((n,)),
                attr=ops.attr,
            )
        finally:
            ops.close()
    names = [post_op_arg(i) for i in operands]
    return Primitive(pd, ("src_0", "src_1", "dst", *names)), names


class AdamKernel:
    """The three primitives of Adam's update for weights of n float32 values."""

    def __init__(self, n, beta1, beta2, eps, maximize):
        self.beta1, self.beta2 = beta1, beta2
        self.c1 = np.zeros(1, np.float32)  # −lr/(1 − β₁ᵗ)
        self.c2 = np.zeros(1, np.float32)  # 1/(1 − β₂ᵗ)

        def moment1(ops, desc):
            ops.eltwise(capi.ELTWISE_LINEAR, beta1 - 1.0)
            ops.sum(1.0)
            return ()

        def moment2(ops, desc):
            ops.eltwise(capi.ELTWISE_LINEAR, 1.0 - beta2)
            ops.sum(beta2)
            return ()

        def descent(ops, desc):
            ops.eltwise(capi.ELTWISE_SQRT)
            ops.eltwise(capi.ELTWISE_LINEAR, 1.0, eps)
            ops.eltwise(capi.ELTWISE_POW, 1.0, -1.0)
            by_m = ops.binary(capi.BINARY_MUL, desc((n,)))
            by_c1 = ops.binary(capi.BINARY_MUL, desc((1,)))
            ops.sum(1.0)
            return by_m, by_c1

        first = capi.BINARY_ADD if maximize else capi.BINARY_SUB
        self.moment1, _ = _binary(first, (n,), n, moment1)
        self.moment2, _ = _binary(capi.BINARY_MUL, (n,), n, moment2)
        self.descent, (self._by_m, self._by_c1) = _binary(capi.BINARY_MUL, (1,), n, descent)

    def step(self, w, g, m, v, lr, step):
        """One Adam step (``step`` counted from 1) on w, m and v in place."""
        with LOCK:
            self.c1[0] = -lr / (1.0 - self.beta1**step)
            self.c2[0] = 1.0 / (1.0 - self.beta2**step)
            self.moment1(src_0=m, src_1=g, dst=m)
            self.moment2(src_0=g, src_1=g, dst=v)
            self.descent(src_0=v, src_1=self.c2, dst=w, **{self._by_m: m, self._by_c1: self.c1})


KERNELS = capi.KernelCache(AdamKernel, keep=256)  # a model's distinct weight sizes


def adam_kernel(n, beta1, beta2, eps, maximize=False):
    """The (cached) Adam kernel for n values and these constants."""
    return KERNELS.get((int(n), float(beta1), float(beta2), float(eps), bool(maximize)))
