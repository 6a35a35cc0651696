"""Argument checks shared by the functional forms of the layers and losses."""

from __future__ import annotations

from typing import Any

from ..errors import DTypeError
from ..tensor import Tensor


def float_tensor(x: Any, fn: str, what: str = "input") -> Tensor:
    """``x`` if it is a floating-point Tensor, else a clear error from ``fn``."""
    if not isinstance(x, Tensor):
        raise TypeError(
            f"{fn}: expected a Tensor {what}, got {type(x).__name__}; wrap "
            "arrays with gn.tensor(...)"
        )
    if x._data.dtype.kind != "f":
        raise DTypeError(
            f"{fn}: expected a floating-point {what}, got {x.dtype} (shape "
            f"{x.shape}); convert it with .float()"
        )
    return x
