"""``torch.utils.dlpack``'s names: ``to_dlpack(tensor)`` (a DLPack capsule of
a glassnet tensor, shared, for ``torch.utils.dlpack.from_dlpack`` and other
consumers of bare capsules) and ``from_dlpack(x)`` (``gn.from_dlpack``: a
tensor sharing the memory of a capsule or of anything with ``__dlpack__``)."""

from __future__ import annotations

from typing import Any

from ..functions.dlpack import from_dlpack
from ..tensor import Tensor

__all__ = ["from_dlpack", "to_dlpack"]


def to_dlpack(tensor: Tensor) -> Any:
    """A DLPack capsule (the unversioned kind ``torch.utils.dlpack.to_dlpack``
    makes) sharing ``tensor``'s memory; a capsule can be consumed once."""
    if not isinstance(tensor, Tensor):
        raise TypeError(
            f"to_dlpack: expected a glassnet Tensor, got {type(tensor).__name__} "
            "(an ndarray has its own __dlpack__)"
        )
    return tensor.__dlpack__()
