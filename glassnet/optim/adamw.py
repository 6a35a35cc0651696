"""AdamW: Adam with decoupled weight decay (Loshchilov & Hutter)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .adam import Adam

if TYPE_CHECKING:
    from .optimizer import Params


class AdamW(Adam):
    r"""Adam whose weight decay shrinks the weights directly instead of being
    added to the gradient (``torch.optim.AdamW``, exactly)::

        w = w·(1 − lr·weight_decay),  then Adam's step with weight_decay = 0

    With Adam's coupled decay, λ·w passes through the 1/√v̂ scaling, so
    weights with large gradients are barely regularized; AdamW decays every
    weight at the same rate. Default weight_decay is 1e-2 (as PyTorch).
    """

    def __init__(
        self,
        params: Params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        super().__init__(
            params,
            lr=lr,
            betas=betas,
            eps=eps,
            weight_decay=weight_decay,
            amsgrad=amsgrad,
            maximize=maximize,
            decoupled_weight_decay=True,
        )
