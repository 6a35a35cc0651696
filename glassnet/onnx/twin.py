"""The second run of an export: other input values, and every dynamic axis
one longer.

Comparing the two runs call by call tells what a single run cannot: which
sizes follow the dynamic axes (see ``step.py``), and which constants were
computed from the input's values outside the recorded ops (they differ) and
so cannot be baked into the graph. The second input holds the first's values
rolled by one place (the same values, so an index stays in range and a
probability stays a probability), repeated cyclically along the longer axes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor
from .errors import ExportError
from .step import place
from .trace import Trace


def twin_array(array: np.ndarray, axes: list[int]) -> np.ndarray:
    out = np.roll(array.reshape(-1), 1).reshape(array.shape) if array.size > 1 else array.copy()
    for axis in axes:
        n = array.shape[axis]
        out = np.take(out, np.arange(n + 1) % n, axis=axis)
    return out


def twin_args(args: tuple, dynamic: list[list[int]]) -> tuple:
    """``args`` with each tensor replaced by its twin (``dynamic[i]``: the dynamic
    axes of the i-th tensor among them)."""
    out, k = [], 0
    for a in args:
        if isinstance(a, Tensor):
            out.append(Tensor._make(twin_array(a._data, dynamic[k]), False, None))
            k += 1
        else:
            out.append(a)
    return tuple(out)


def align(first: Trace, second: Trace) -> None:
    """Raise unless both runs made the same calls, in the same order."""
    for a, b in zip(first.calls, second.calls):
        if a.op is not b.op:  # the same op class, or the same module
            raise _diverged(a.name, a.where, b.name)
    if len(first.calls) != len(second.calls):
        extra = (first if len(first.calls) > len(second.calls) else second).calls
        call = extra[min(len(first.calls), len(second.calls))]
        raise _diverged(call.name, call.where, "nothing")


def _diverged(name: str, where: str, other: Any) -> ExportError:
    return ExportError(
        f"onnx.export: the forward ran {name} (in {place(where)}) for the example input "
        f"but {other} for another input (other values, longer dynamic axes): its ops "
        "depend on the input's values or sizes (Python control flow), which one graph "
        "cannot hold"
    )
