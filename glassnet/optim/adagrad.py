"""Adagrad: per-weight step sizes that shrink with the sum of all squared
gradients seen so far (Duchi et al.)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .optimizer import Optimizer, decayed_grad

if TYPE_CHECKING:
    from .optimizer import Params


class Adagrad(Optimizer):
    r"""Adagrad (``torch.optim.Adagrad``'s update, exactly)::

    t  = t + 1
    g  = ∇L(w) (−∇L(w) if maximize) + weight_decay·w
    η  = lr / (1 + (t − 1)·lr_decay)
    s  = s + g²                   (s starts at initial_accumulator_value)
    w  = w − η·g / (√s + eps)
    """

    def __init__(
        self,
        params: Params,
        lr: float = 1e-2,
        lr_decay: float = 0.0,
        weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        eps: float = 1e-10,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr,
            lr_decay=lr_decay,
            eps=eps,
            weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value,
            maximize=maximize,
        )
        super().__init__(params, defaults)
        for group in self.param_groups:  # PyTorch fills the state up front
            for p in group["params"]:
                self._init_state(p._data, self.state[p], group)

    def _check_group(self, group, index):
        for key in ("lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps"):
            self._number(group, index, key)

    @staticmethod
    def _init_state(param, state, group):
        state["step"] = 0
        state["sum"] = np.full_like(param, float(group["initial_accumulator_value"]))

    def _update(self, param, grad, state, group):
        if not state:
            self._init_state(param, state, group)
        step = state["step"] = state["step"] + 1
        d, tmp = self._scratch(param, 2)
        g = decayed_grad(grad, param, float(group["weight_decay"]), group["maximize"], d)
        clr = float(group["lr"]) / (1.0 + (step - 1) * float(group["lr_decay"]))
        s = state["sum"]
        np.multiply(g, g, out=tmp)
        s += tmp
        np.sqrt(s, out=tmp)
        tmp += float(group["eps"])
        np.divide(g, tmp, out=tmp)
        tmp *= clr
        np.subtract(param, tmp, out=param)
