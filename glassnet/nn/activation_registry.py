"""The activation names every part of glassnet accepts ("relu", "tanh", ...):
``ACTIVATIONS[name]`` is an ``Activation`` with the layer class, the
function on tensors and the line of Python that builds the layer.

Used by ``fit``'s model builders on the command line (``glassnet train
--activation``, ``glassnet explain --activation``), the playground's
per-layer menus and its exported script, the activation figures and the
transformer's ``activation="gelu"``. "linear" (also "identity") is a = z.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import activation as A
from . import functional as F
from .linear import Identity
from .registry import Registry

if TYPE_CHECKING:
    from ..tensor import Tensor
    from .module import Module


@dataclass(frozen=True)
class Activation:
    """One activation: ``module`` its layer class, ``function`` f(z) on a
    Tensor (with the layer's default parameters), ``symbol`` how a trace
    names it."""

    name: str
    module: type[Module]
    function: Callable[[Tensor], Tensor]
    symbol: str

    def layer(self, **kwargs: Any) -> Module:
        """A new layer, e.g. ``ACTIVATIONS['leaky_relu'].layer(negative_slope=0.1)``."""
        return self.module(**kwargs)

    def code(self, prefix: str = "nn.") -> str:
        """The Python that builds the layer: 'nn.ReLU()'."""
        return f"{prefix}{self.module.__name__}()"


def _identity(z: Tensor) -> Tensor:
    return z


ACTIVATIONS = Registry("activation")
for _name, _module, _function, _symbol, _aliases in (
    ("relu", A.ReLU, F.relu, "relu", ()),
    ("sigmoid", A.Sigmoid, F.sigmoid, "σ", ()),
    ("tanh", A.Tanh, F.tanh, "tanh", ()),
    ("leaky_relu", A.LeakyReLU, F.leaky_relu, "leaky_relu", ()),
    ("elu", A.ELU, F.elu, "elu", ()),
    ("gelu", A.GELU, F.gelu, "gelu", ()),
    ("softplus", A.Softplus, F.softplus, "softplus", ()),
    ("linear", Identity, _identity, "", ("identity",)),
):
    ACTIVATIONS.add(_name, Activation(_name, _module, _function, _symbol), _aliases)


def get_activation(name: str) -> Activation:
    """The ``Activation`` registered as ``name`` (or an alias); ValueError
    listing the known names for any other."""
    return ACTIVATIONS[name]


def activation_layer(name: str, **kwargs: Any) -> Module:
    """A new layer for the activation ``name``: ``activation_layer('relu')`` → nn.ReLU()."""
    return ACTIVATIONS[name].layer(**kwargs)
