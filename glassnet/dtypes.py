"""glassnet's dtypes (NumPy dtypes), the default float dtype and the rule
that keeps a float32 computation in float32. New arrays come from
``alloc``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import DTypeLike

float16 = np.dtype(np.float16)
float32 = np.dtype(np.float32)
float64 = np.dtype(np.float64)
int8 = np.dtype(np.int8)
int16 = np.dtype(np.int16)
int32 = np.dtype(np.int32)
int64 = np.dtype(np.int64)
uint8 = np.dtype(np.uint8)
bool_ = np.dtype(np.bool_)

_default_float: list[np.dtype] = [float32]


def get_default_dtype() -> np.dtype:
    """The dtype that Python floats and factories produce (float32 unless changed)."""
    return _default_float[0]


def set_default_dtype(dtype: DTypeLike) -> None:
    """Set the default float dtype (float32 or float64), as torch.set_default_dtype."""
    dtype = np.dtype(dtype)
    if dtype not in (float32, float64, float16):
        raise TypeError(f"set_default_dtype: expected a float dtype, got {dtype}")
    _default_float[0] = dtype


def is_float(dtype: np.dtype) -> bool:
    return dtype.kind == "f"


def keep_float_width(out, *inputs):
    """Undo NumPy's upcast of an integer/float32 mix to float64.

    NumPy turns ``int64_array * 0.5`` into float64; PyTorch gives the default
    float dtype. If no input was float64, a float64 result is cast back.
    """
    if out.dtype == float64:
        for a in inputs:
            if isinstance(a, (np.ndarray, np.generic)) and a.dtype == float64:
                return out
        return out.astype(get_default_dtype())
    return out
