"""One recorded call as its converter sees it, and the table of converters.

A converter is a function ``convert(step) -> name`` (or a list of names, one
per output tensor) registered for an op class's name with ``@converts``: it
reads the call's arguments through ``step``, adds ONNX nodes to ``step.g``
and returns the value(s) holding the call's output.

Dynamic axes are found by comparison, not by reasoning about each op: the
model runs twice, the second time with every dynamic axis one longer, and
``step.twin`` is this call in that second run. An axis of a value whose size
differs between the two is dynamic (``step.dynamic_axes``). A call whose
other arguments (a shape, a size) differ between the runs depends on a
dynamic size; only the converters registered with ``sizes=True`` handle that
(a reshape to (N, -1) say); the others refuse it with a clear error.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..tensor import Tensor
from .errors import ExportError
from .graph import NO_TWIN, Graph, array_of
from .trace import Call, arrays_out

Converter = Callable[["Step"], Any]
CONVERTERS: dict[str, Converter] = {}
SIZED: set[str] = set()  # converters that handle arguments depending on dynamic sizes


def converts(*names: str, sizes: bool = False) -> Callable[[Converter], Converter]:
    """Register a converter for the op classes ``names``."""

    def register(fn: Converter) -> Converter:
        for name in names:
            CONVERTERS[name] = fn
            if sizes:
                SIZED.add(name)
        return fn

    return register


def place(where: str) -> str:
    """A module path as the error messages write it: model, model.block.0."""
    return "model" + ("." + where if where else "")


def changed_axes(a: Any, b: Any) -> frozenset[int]:
    """The axes along which two arrays (this run's and the twin's) differ in size."""
    sa, sb = np.shape(array_of(a)), np.shape(array_of(b))
    if len(sa) != len(sb):
        return frozenset(range(max(len(sa), len(sb))))
    return frozenset(i for i, (m, n) in enumerate(zip(sa, sb)) if m != n)


class Step:
    def __init__(self, g: Graph, call: Call, twin: Call | None):
        self.g, self.call, self.twin = g, call, twin
        self.args, self.kwargs = call.args, call.kwargs
        self.outs = arrays_out(call.output)
        # the first output array (None for an op without one); Any: converters read it
        self.out: Any = self.outs[0] if self.outs else None

    @property
    def where(self) -> str:
        return place(self.call.where)

    def fail(self, why: str) -> ExportError:
        return ExportError(f"onnx.export: {self.call.name} (in {self.where}): {why}")

    # ---- arguments ------------------------------------------------------------
    def arg(self, i: int, default: Any = None) -> Any:
        return self.args[i] if i < len(self.args) else default

    def kw(self, name: str, default: Any = None) -> Any:
        return self.kwargs.get(name, default)

    def x(self, i: int | str, dtype: Any = None) -> str:
        """The ONNX value of positional argument ``i`` (or keyword ``i``); a Python
        number becomes a constant of ``dtype`` (the output's by default)."""
        if isinstance(i, str):
            value, twin = self.kw(i), self.twin.kwargs.get(i) if self.twin else NO_TWIN
        else:
            value, twin = self.arg(i), self.twin.args[i] if self.twin else NO_TWIN
        if dtype is None and self.out is not None:
            dtype = self.out.dtype
        return self.constant(value, twin, dtype)

    def constant(self, value: Any, twin: Any = NO_TWIN, dtype: Any = None) -> str:
        """The ONNX value of ``value`` (``twin``: the same argument in the twin run)."""
        return self.g.value(value, dtype, f"onnx.export: {self.call.name} (in {self.where})", twin)

    def shape(self, i: int) -> tuple[int, ...]:
        """The shape of positional argument ``i`` in this run."""
        return np.shape(array_of(self.arg(i)))

    # ---- dynamic sizes --------------------------------------------------------
    def dynamic_axes(self, value: Any = "out") -> frozenset[int]:
        """The axes of the output (or of positional argument ``value``) whose size
        differs in the twin run."""
        if self.twin is None:
            return frozenset()
        if value == "out":
            return changed_axes(self.out, arrays_out(self.twin.output)[0])
        return changed_axes(self.arg(value), self.twin.args[value])

    def same_arguments(self) -> bool:
        """Whether the twin run gave this call the same non-array arguments."""
        if self.twin is None:
            return True
        return _plain(self.args) == _plain(self.twin.args) and _plain(self.kwargs) == _plain(
            self.twin.kwargs
        )


def _plain(value: Any) -> Any:
    """The arguments with every array replaced by a marker (arrays are compared
    elsewhere, as constants)."""
    if isinstance(value, (Tensor, np.ndarray)):
        return "<array>"
    if isinstance(value, (tuple, list)):
        return tuple(_plain(v) for v in value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, slice):
        return ("slice", value.start, value.stop, value.step)
    return value
