"""Flatten: merge dimensions start_dim..end_dim into one (by default every
dimension after the batch one: (N, C, H, W) → (N, C·H·W))."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..functions import api
from .module import Module

if TYPE_CHECKING:
    from ..tensor import Tensor


class Flatten(Module):
    """Flattens dims start_dim..end_dim (default 1..−1) into one."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input: Tensor) -> Tensor:
        return api.flatten(input, self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"
