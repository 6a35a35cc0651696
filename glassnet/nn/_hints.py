"""Names for nn's type hints, read by mypy only (module.py imports them under
``typing.TYPE_CHECKING``; nothing here runs when glassnet is imported)."""

from __future__ import annotations

from typing import ParamSpec, Protocol, TypeVar

_P = ParamSpec("_P")
_R = TypeVar("_R", covariant=True)


class _Forward(Protocol[_P, _R]):
    """What mypy reads ``module(...)`` as: a call of that module's ``forward``
    (so ``nn.Linear(2, 3)(x)`` is a Tensor and a wrong argument is flagged)."""

    def forward(self, *args: _P.args, **kwargs: _P.kwargs) -> _R: ...
