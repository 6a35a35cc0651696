"""The loss names every part of glassnet accepts ("mse", "cross_entropy",
"bce_with_logits", ...): ``LOSSES[name]`` is a ``Loss`` with the layer
class, the function of ``nn.functional`` and the line of Python that builds
the layer.

Used by ``fit``/``evaluate`` (``loss="mse"``), ``glassnet explain --loss``,
the playground (its losses and exported script) and the figures.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import loss as L
from .functional import loss as FL
from .registry import Registry

if TYPE_CHECKING:
    from ..tensor import Tensor
    from .module import Module


@dataclass(frozen=True)
class Loss:
    """One loss: ``module`` its layer class, ``function`` the same
    computation as a function (prediction, target) → Tensor."""

    name: str
    module: type[Module]
    function: Callable[..., Tensor]

    def layer(self, **kwargs: Any) -> Module:
        """A new loss layer, e.g. ``LOSSES['cross_entropy'].layer(label_smoothing=0.1)``."""
        return self.module(**kwargs)

    def code(self, prefix: str = "nn.") -> str:
        """The Python that builds the layer: 'nn.MSELoss()'."""
        return f"{prefix}{self.module.__name__}()"


LOSSES = Registry("loss")
for _name, _module, _function, _aliases in (
    ("mse", L.MSELoss, FL.mse_loss, ("mse_loss",)),
    ("half_squared_error", L.HalfSquaredError, FL.half_squared_error, ()),
    ("l1", L.L1Loss, FL.l1_loss, ("mae", "l1_loss")),
    ("huber", L.HuberLoss, FL.huber_loss, ("huber_loss",)),
    ("cross_entropy", L.CrossEntropyLoss, FL.cross_entropy, ("crossentropy",)),
    ("nll", L.NLLLoss, FL.nll_loss, ("nll_loss",)),
    ("bce", L.BCELoss, FL.binary_cross_entropy, ("binary_cross_entropy",)),
    (
        "bce_with_logits",
        L.BCEWithLogitsLoss,
        FL.binary_cross_entropy_with_logits,
        ("binary_cross_entropy_with_logits",),
    ),
):
    LOSSES.add(_name, Loss(_name, _module, _function), _aliases)


def get_loss(name: str) -> Loss:
    """The ``Loss`` registered as ``name`` (or an alias); ValueError listing
    the known names for any other."""
    return LOSSES[name]
