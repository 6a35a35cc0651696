"""Adam: gradient descent with per-weight step sizes from running averages
of the gradient (m) and of its square (v), bias-corrected for their start
at zero; AMSGrad keeps the largest v seen."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..backends import blas, onednn
from .optimizer import Optimizer, bias_corrections, decayed_grad

if TYPE_CHECKING:
    from .optimizer import Params

FUSED_MIN = 1 << 13  # weights of fewer values: NumPy's passes cost less than oneDNN's calls


class Adam(Optimizer):
    r"""Adam (``torch.optim.Adam``'s update, exactly)::

        t  = t + 1
        w  = w·(1 − lr·weight_decay)                 if decoupled_weight_decay
        g  = ∇L(w) (−∇L(w) if maximize) + weight_decay·w     otherwise
        m  = β₁·m + (1 − β₁)·g
        v  = β₂·v + (1 − β₂)·g²
        v̂ = max(v̂, v)  if amsgrad  else  v
        w  = w − lr/(1 − β₁ᵗ) · m / (√v̂ / √(1 − β₂ᵗ) + eps)

    Compared with SGD, each weight gets its own effective step size, so one
    learning rate works across layers of very different gradient scale.

    A float32 weight of ``FUSED_MIN`` values or more (without AMSGrad or the
    decay added to the gradient) is updated by oneDNN in three fused, threaded
    passes (``glassnet.backends.onednn.adam``): the same update to float32
    rounding; the others by NumPy's passes below.
    """

    def __init__(
        self,
        params: Params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        decoupled_weight_decay: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr,
            betas=betas,
            eps=eps,
            weight_decay=weight_decay,
            amsgrad=amsgrad,
            maximize=maximize,
            decoupled_weight_decay=decoupled_weight_decay,
        )
        super().__init__(params, defaults)

    def _check_group(self, group, index):
        self._number(group, index, "lr")
        self._number(group, index, "eps")
        self._number(group, index, "weight_decay")
        betas = group["betas"]
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise self._bad(index, f"betas must be a pair (beta1, beta2), got {betas!r}")
        for i, beta in enumerate(betas):
            self._number({f"betas[{i}]": beta}, index, f"betas[{i}]", 0.0, 1.0, high_open=True)

    def _update(self, param, grad, state, group):
        lr = float(group["lr"])
        beta1, beta2 = (float(b) for b in group["betas"])
        weight_decay = float(group["weight_decay"])
        if not state:
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(param)
            state["exp_avg_sq"] = np.zeros_like(param)
        step = state["step"] = state["step"] + 1
        if group["decoupled_weight_decay"]:
            if weight_decay != 0:
                param *= 1.0 - lr * weight_decay
            weight_decay = 0.0
        m, v = state["exp_avg"], state["exp_avg_sq"]
        fused = _fused_kernel(param, grad, m, v, group, weight_decay)
        if fused is not None:
            fused.step(param, grad, m, v, lr, step)
            return
        d, tmp = self._scratch(param, 2)
        g = decayed_grad(grad, param, weight_decay, group["maximize"], d)
        vmax = None
        if group["amsgrad"]:
            vmax = state.get("max_exp_avg_sq")
            if vmax is None:
                vmax = state["max_exp_avg_sq"] = np.zeros_like(param)
        bc1, bc2_sqrt = bias_corrections(beta1, beta2, step)
        # m / (√v̂/√bc2 + eps) = √bc2 · m / (√v̂ + eps·√bc2): one pass fewer
        eps = float(group["eps"]) * bc2_sqrt
        step_size = lr * bc2_sqrt / bc1
        arrays = (param, g, m, v, tmp) + ((vmax,) if vmax is not None else ())
        mkl = blas.VectorOps.over(*arrays)  # big weights, MKL in use: its threaded passes
        _update_moments(mkl, g, m, v, tmp, beta1, beta2)
        if vmax is not None:
            np.maximum(vmax, v, out=vmax)
            v = vmax
        _descend(mkl, param, m, v, tmp, eps, step_size)


def _fused_kernel(param, grad, m, v, group, weight_decay):
    """oneDNN's three-pass update (``backends.onednn.adam``) when it can do
    this one: float32 C-contiguous arrays of at least ``FUSED_MIN`` values,
    no decay added to the gradient, no AMSGrad, oneDNN available; else None."""
    if (
        weight_decay != 0
        or group["amsgrad"]
        or param.size < FUSED_MIN
        or param.dtype != np.float32
        or not param.flags.c_contiguous
        or not param.flags.writeable
    ):
        return None
    for a in (grad, m, v):
        if a.dtype != np.float32 or a.shape != param.shape or not a.flags.c_contiguous:
            return None
    if np.may_share_memory(grad, param) or not onednn.available():
        return None
    beta1, beta2 = group["betas"]
    return onednn.adam_kernel(param.size, beta1, beta2, group["eps"], group["maximize"])


def _update_moments(mkl, g, m, v, tmp, beta1, beta2):
    """m = β₁m + (1 − β₁)g,  v = β₂v + (1 − β₂)g²."""
    if mkl is not None:
        mkl.axpby(1.0 - beta1, g, beta1, m)
        mkl.mul(g, g, tmp)
        mkl.axpby(1.0 - beta2, tmp, beta2, v)
        return
    np.subtract(g, m, out=tmp)  # m = m + (1 − β₁)(g − m), PyTorch's lerp
    tmp *= 1.0 - beta1
    m += tmp
    v *= beta2
    np.multiply(g, g, out=tmp)
    tmp *= 1.0 - beta2
    v += tmp


def _descend(mkl, param, m, v, tmp, eps, step_size):
    """w = w − step_size · m / (√v + eps)."""
    if mkl is not None:
        mkl.sqrt(v, tmp)
        mkl.ratio(m, tmp, eps, tmp)
        mkl.axpby(-step_size, tmp, 1.0, param)
        return
    np.sqrt(v, out=tmp)
    tmp += eps
    np.divide(m, tmp, out=tmp)
    tmp *= step_size
    np.subtract(param, tmp, out=param)
