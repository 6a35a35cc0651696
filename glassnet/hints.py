"""The names the public API's type hints use (read by mypy and by people;
nothing here runs when glassnet is imported, the modules import it only
under ``typing.TYPE_CHECKING``).

    TensorLike  a Tensor or anything NumPy makes an array of: ndarray,
                nested lists, a Python or NumPy number
    Size        a shape: one int or a sequence of ints
    Dims        the dims of a reduction: None (all), one int or several
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, TypeAlias

from numpy.typing import ArrayLike, DTypeLike

if TYPE_CHECKING:
    from .tensor import Tensor

TensorLike: TypeAlias = "Tensor | ArrayLike"
Size: TypeAlias = int | Sequence[int]
Dims: TypeAlias = int | Sequence[int] | None

__all__ = ["ArrayLike", "DTypeLike", "Dims", "Size", "TensorLike"]
