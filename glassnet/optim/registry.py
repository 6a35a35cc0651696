"""The optimizer names every part of glassnet accepts ("sgd", "momentum",
"adam", ...): ``OPTIMIZERS[name]`` is an ``OptimizerSpec`` with the class,
its fixed settings (``momentum`` is SGD with momentum 0.9), the default
learning rate, and the line of Python that builds it.

Used by ``fit(optimizer="adam")``, ``glassnet train --optimizer``, the
playground (its menu and exported script) and the gradient-descent figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..nn.registry import Registry
from .adagrad import Adagrad
from .adam import Adam
from .adamw import AdamW
from .rmsprop import RMSprop
from .sgd import SGD

if TYPE_CHECKING:
    from .optimizer import Optimizer, Params


@dataclass(frozen=True)
class OptimizerSpec:
    """One optimizer: ``cls(params, lr=lr, **settings)``; ``lr`` is the
    learning rate used when none is given."""

    name: str
    cls: type
    lr: float
    settings: dict[str, Any] = field(default_factory=dict)

    def make(self, params: Params, lr: float | None = None, **options: Any) -> Optimizer:
        """The optimizer over ``params`` (``options`` add to or override the settings)."""
        return self.cls(params, lr=self.lr if lr is None else lr, **{**self.settings, **options})

    def code(
        self, lr: float | None = None, params: str = "model.parameters()", prefix: str = "gn.optim."
    ) -> str:
        """The Python that builds it: 'gn.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)'."""
        args = [params, f"lr={self.lr if lr is None else lr!r}"]
        args += [f"{k}={v!r}" for k, v in self.settings.items()]
        return f"{prefix}{self.cls.__name__}({', '.join(args)})"


OPTIMIZERS = Registry("optimizer")
for _spec, _aliases in (
    (OptimizerSpec("sgd", SGD, 0.01), ()),
    (OptimizerSpec("momentum", SGD, 0.01, {"momentum": 0.9}), ("sgd_momentum",)),
    (OptimizerSpec("adam", Adam, 1e-3), ()),
    (OptimizerSpec("adamw", AdamW, 1e-3), ()),
    (OptimizerSpec("rmsprop", RMSprop, 1e-3), ()),
    (OptimizerSpec("adagrad", Adagrad, 1e-3), ()),
):
    OPTIMIZERS.add(_spec.name, _spec, _aliases)


def get_optimizer(name: str) -> OptimizerSpec:
    """The ``OptimizerSpec`` registered as ``name`` (or an alias); ValueError
    listing the known names for any other."""
    return OPTIMIZERS[name]
