"""Flatten: merge dimensions start_dim..end_dim into one (by default every
dimension after the batch one: (N, C, H, W) → (N, C·H·W))."""
from ..functions import api
from .module import Module


class Flatten(Module):
    """Flattens dims start_dim..end_dim (default 1..−1) into one."""

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input):
        return api.flatten(input, self.start_dim, self.end_dim)

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"
