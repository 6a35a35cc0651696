"""SGD: the article's gradient descent, w ← w − η·∂L/∂w, with PyTorch's
momentum, dampening, Nesterov momentum, weight decay and maximize."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..backends import blas
from .optimizer import Optimizer, decayed_grad

if TYPE_CHECKING:
    from .optimizer import Params


class SGD(Optimizer):
    r"""Stochastic gradient descent (``torch.optim.SGD``'s update, exactly)::

        g  = ∇L(w) (−∇L(w) if maximize) + weight_decay·w
        b  = g                                     at the first step
        b  = momentum·b + (1 − dampening)·g        after  (if momentum ≠ 0)
        g  = g + momentum·b  if nesterov  else  b
        w  = w − lr·g

    With momentum=0 this is plain gradient descent. Batch, mini-batch or
    stochastic descent is decided by how many samples the loss was computed
    on, not by the optimizer. ``weight_decay=λ`` is the same as adding
    ``l2_penalty(params, λ)`` to the loss (see ``optim.regularization``).
    """

    def __init__(
        self,
        params: Params,
        lr: float = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr,
            momentum=momentum,
            dampening=dampening,
            weight_decay=weight_decay,
            nesterov=nesterov,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def _check_group(self, group, index):
        self._number(group, index, "lr")
        self._number(group, index, "momentum")
        self._number(group, index, "dampening", 0.0, 1.0)
        self._number(group, index, "weight_decay")
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise self._bad(
                index,
                "nesterov=True needs momentum > 0 and dampening = 0, got "
                f"momentum={group['momentum']!r}, dampening={group['dampening']!r}",
            )

    def _step_group(self, group):
        if group["momentum"] == 0 and not group["weight_decay"] and not group["maximize"]:
            # plain gradient descent, w ← w − η·∂L/∂w: the article's update, kept short
            lr, small = float(group["lr"]), blas.VECTOR_MIN
            for p in self._with_grads(group):
                param, grad = p._data, p.grad._data
                if param.size <= small:  # a small temporary beats the scratch buffer
                    param -= lr * grad
                    continue
                mkl = blas.VectorOps.over(param, grad)
                if mkl is not None:  # one threaded pass
                    mkl.axpby(-lr, grad, 1.0, param)
                else:
                    (tmp,) = self._scratch(param, 1)
                    np.multiply(grad, lr, out=tmp)
                    np.subtract(param, tmp, out=param)
            return
        super()._step_group(group)

    def _update(self, param, grad, state, group):
        lr = float(group["lr"])
        momentum = float(group["momentum"])
        dampening = float(group["dampening"])
        d, tmp = self._scratch(param, 2)
        g = decayed_grad(grad, param, float(group["weight_decay"]), group["maximize"], d)
        if momentum != 0:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = np.empty_like(param)
                np.copyto(buf, g)
            else:
                buf *= momentum
                if dampening == 0:
                    buf += g
                else:
                    np.multiply(g, 1.0 - dampening, out=tmp)
                    buf += tmp
            if group["nesterov"]:
                np.multiply(buf, momentum, out=tmp)
                g = np.add(g, tmp, out=tmp)
            else:
                g = buf
        np.multiply(g, lr, out=tmp)
        np.subtract(param, tmp, out=param)
