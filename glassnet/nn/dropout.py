"""Dropout: the article's regularizer against overfitting."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import functional as F
from .module import Module

if TYPE_CHECKING:
    from ..tensor import Tensor


class Dropout(Module):
    """In training mode each element is zeroed with probability ``p`` and the
    rest are scaled by 1/(1 − p) (inverted dropout: the expected value is
    unchanged); in eval mode (``model.eval()``) the input passes through.
    Masks come from the seeded generator (``gn.manual_seed``)."""

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 <= p <= 1:
            raise ValueError(f"Dropout: probability has to be between 0 and 1, but got {p!r}")
        self.p = p
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout(input, self.p, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"
