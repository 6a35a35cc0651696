"""RMSprop: divide the gradient by a running root-mean-square of recent
gradients (Hinton's lecture 6e), optionally centered and with momentum."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .optimizer import Optimizer, decayed_grad

if TYPE_CHECKING:
    from .optimizer import Params


class RMSprop(Optimizer):
    r"""RMSprop (``torch.optim.RMSprop``'s update, exactly)::

    g  = ∇L(w) (−∇L(w) if maximize) + weight_decay·w
    v  = α·v + (1 − α)·g²
    ḡ  = α·ḡ + (1 − α)·g,  s = √(v − ḡ²) + eps    if centered
    s  = √v + eps                                   otherwise
    b  = momentum·b + g/s,  w = w − lr·b            if momentum > 0
    w  = w − lr·g/s                                 otherwise
    """

    def __init__(
        self,
        params: Params,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr,
            alpha=alpha,
            eps=eps,
            weight_decay=weight_decay,
            momentum=momentum,
            centered=centered,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def _check_group(self, group, index):
        self._number(group, index, "lr")
        self._number(group, index, "alpha", 0.0, 1.0)
        self._number(group, index, "eps")
        self._number(group, index, "weight_decay")
        self._number(group, index, "momentum")

    def _update(self, param, grad, state, group):
        alpha = float(group["alpha"])
        momentum = float(group["momentum"])
        lr = float(group["lr"])
        if not state:
            state["step"] = 0
            state["square_avg"] = np.zeros_like(param)
        state["step"] += 1
        d, tmp = self._scratch(param, 2)
        g = decayed_grad(grad, param, float(group["weight_decay"]), group["maximize"], d)
        v = state["square_avg"]
        v *= alpha
        np.multiply(g, g, out=tmp)
        tmp *= 1.0 - alpha
        v += tmp
        if group["centered"]:
            gavg = state.get("grad_avg")
            if gavg is None:
                gavg = state["grad_avg"] = np.zeros_like(param)
            np.subtract(g, gavg, out=tmp)  # ḡ = ḡ + (1 − α)(g − ḡ), PyTorch's lerp
            tmp *= 1.0 - alpha
            gavg += tmp
            np.multiply(gavg, gavg, out=tmp)
            np.subtract(v, tmp, out=tmp)
            np.sqrt(tmp, out=tmp)
        else:
            np.sqrt(v, out=tmp)
        tmp += float(group["eps"])
        np.divide(g, tmp, out=tmp)
        if momentum > 0:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = np.zeros_like(param)
            buf *= momentum
            buf += tmp
            np.multiply(buf, lr, out=tmp)
        else:
            tmp *= lr
        np.subtract(param, tmp, out=param)
