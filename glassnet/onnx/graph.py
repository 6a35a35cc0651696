"""The ONNX graph being built: nodes, initializers, and which ONNX value
holds each array of the trace.

An array of the trace is known by its ``id`` (the trace keeps every array
alive, so an id names one array): a graph input's, a parameter's or buffer's
(an initializer under its dotted name, added on first use), an op's output
(bound when its node is made), or else a constant (an initializer holding a
copy of it).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import onnx
from onnx import helper, numpy_helper

from ..tensor import Tensor
from .errors import ExportError


def onnx_dtype(dtype: Any) -> int:
    """The ONNX element type of a NumPy dtype."""
    return helper.np_dtype_to_tensor_dtype(np.dtype(dtype))


NO_TWIN = object()  # no second run to compare a constant with


def _describe(array: np.ndarray) -> str:
    return f"of shape {array.shape} ({array.dtype})"


def check_constant(array: np.ndarray, twin: np.ndarray, what: str) -> None:
    """Raise unless a constant is the same in the second run (other input values)."""
    if twin.shape != array.shape or not np.array_equal(array, twin, equal_nan=True):
        raise ExportError(
            f"{what}: uses a constant {_describe(array)} that changes when the input "
            "does: it was computed from the input outside the ops glassnet records "
            "(a comparison, argmax, .numpy(), zeros of the batch size…), so the "
            "graph cannot hold it as a constant"
        )


def array_of(value: Any) -> Any:
    if isinstance(value, Tensor):
        return value._data
    if isinstance(value, np.ndarray):
        return value
    return None


class Graph:
    def __init__(self, opset: int):
        self.opset = opset
        self.nodes: list[onnx.NodeProto] = []
        self.initializers: list[onnx.TensorProto] = []
        self.values: dict[int, str] = {}  # id(array) -> ONNX value name
        self.params: dict[int, tuple[str, np.ndarray]] = {}  # id(array) -> (name, array)
        self.inputs: list[np.ndarray] = []  # the graph inputs' arrays (no constant may alias)
        self.used: set[str] = set()
        self._count = 0

    # ---- names ----------------------------------------------------------------
    def fresh(self, hint: str) -> str:
        """A new value name, ``hint`` made unique."""
        name = hint
        while name in self.used:
            self._count += 1
            name = f"{hint}_{self._count}"
        self.used.add(name)
        return name

    def bind(self, array: np.ndarray, name: str) -> None:
        self.values[id(array)] = name

    def add_parameter(self, name: str, array: np.ndarray) -> None:
        """A parameter or buffer: an initializer named ``name`` once an op reads it."""
        self.params.setdefault(id(array), (name, array))

    # ---- values ---------------------------------------------------------------
    def lookup(self, value: Any) -> str | None:
        """The ONNX name already holding ``value`` (a tensor or array), if any."""
        array = array_of(value)
        if array is None:
            return None
        if id(array) in self.values:
            return self.values[id(array)]
        if id(array) in self.params:
            name, stored = self.params[id(array)]
            name = self.fresh(name)
            self.initializers.append(numpy_helper.from_array(np.ascontiguousarray(stored), name))
            self.values[id(array)] = name
            return name
        return None

    def value(self, value: Any, dtype: Any = None, what: str = "", twin: Any = NO_TWIN) -> str:
        """The ONNX name of an op's argument: a known array's, else a new constant
        (a Python number becomes one of ``dtype``). ``twin`` is the same argument in
        the second run (other input values): a constant must not differ there."""
        name = self.lookup(value)
        if name is not None:
            return name
        array = array_of(value)
        if array is None:
            if value is None or not isinstance(value, (bool, int, float, np.generic)):
                raise ExportError(f"{what}: an argument {value!r} is not a tensor or a number")
            array = np.asarray(value, dtype=dtype)
        if twin is not NO_TWIN:
            other = array_of(twin)
            check_constant(
                array, np.asarray(twin, dtype=array.dtype) if other is None else other, what
            )
        for source in self.inputs:
            if np.may_share_memory(array, source):
                raise ExportError(
                    f"{what}: reads an input's values as a constant (an array made from "
                    "the input outside the ops glassnet records, e.g. through .numpy()); "
                    "the exported graph would ignore the input there"
                )
        return self.const(array)

    def const(self, array: Any, hint: str = "const") -> str:
        name = self.fresh(hint)
        data = np.ascontiguousarray(np.asarray(array))
        self.initializers.append(numpy_helper.from_array(data, name))
        return name

    def int64s(self, values: Any, hint: str = "shape") -> str:
        return self.const(np.asarray(values, dtype=np.int64).reshape(-1), hint)

    # ---- nodes ----------------------------------------------------------------
    def node(self, op_type: str, inputs: list[str], outputs: int = 1, **attrs: Any) -> Any:
        """Add a node; its output name (a list of them when ``outputs`` > 1).
        An input name "" is an omitted optional input."""
        names = [self.fresh(op_type.lower()) for _ in range(outputs)]
        attrs = {k: v for k, v in attrs.items() if v is not None}
        self.nodes.append(helper.make_node(op_type, inputs, names, **attrs))
        return names[0] if outputs == 1 else names

    def cast(self, name: str, dtype: Any) -> str:
        return self.node("Cast", [name], to=onnx_dtype(dtype))
