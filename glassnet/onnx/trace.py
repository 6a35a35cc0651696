"""Recording a model's forward pass for export: every op it runs, with its
arguments, its output and the module it ran in.

While ``record`` is active, ``Op.apply`` is wrapped: each call appends a
``Call`` (the op's class, its positional and keyword arguments, its output,
the dotted path of the innermost module running). A user-defined
``autograd.Function`` is not an op of its own here: the ops its ``forward``
runs are recorded (its output is their output's array). Every module's
``forward`` is wrapped too, to know that path; a module that ONNX has one node
for (``nn.RNN``, ``nn.LSTM``, ``nn.GRU`` and their cells) is recorded as one
``Call`` of the module itself, and the ops inside it are not recorded. The
arrays of every call are kept alive until the trace is dropped, so an array's
``id`` names one array for the whole export.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..autograd import Op
from ..grad_mode import enable_grad
from ..nn.module import Module
from ..nn.rnn import RNNBase
from ..nn.rnn_cells import RNNCellBase
from ..tensor import Tensor
from .errors import ExportError

# modules exported as one ONNX node each (the rest: the ops their forward runs)
WHOLE_MODULES = (RNNBase, RNNCellBase)


@dataclass
class Call:
    """One op (``op`` is its class) or one whole module (``op`` is the module), its
    arguments and output with every tensor replaced by the array it held then (an
    in-place change gives a tensor another array later)."""

    op: Any
    args: tuple
    kwargs: dict
    output: Any  # an array, or a module's output (arrays in tuples)
    where: str  # the dotted path of the module it ran in ("" the model itself)

    @property
    def name(self) -> str:
        return self.op.__name__ if isinstance(self.op, type) else type(self.op).__name__

    @property
    def is_module(self) -> bool:
        return isinstance(self.op, Module)


@dataclass
class Trace:
    calls: list[Call] = field(default_factory=list)
    inputs: list[np.ndarray] = field(default_factory=list)  # the arrays forward was given
    output: Any = None


class _Recorder:
    def __init__(self, trace: Trace):
        self.trace = trace
        self.path: list[str] = []
        self.inside_whole = 0  # > 0 while a WHOLE_MODULES module runs
        self.thread = threading.get_ident()  # ops that other threads run are not the model's

    def op_call(self, original, cls, args, kwargs):
        out = original(cls, *args, **kwargs)
        if not self.inside_whole and threading.get_ident() == self.thread:
            where = self.path[-1] if self.path else ""
            self.trace.calls.append(Call(cls, *frozen((args, kwargs, out)), where))
        return out

    def module_forward(self, module, name, forward):
        def run(*args, **kwargs):
            whole = isinstance(module, WHOLE_MODULES) and not self.inside_whole
            self.path.append(name)
            self.inside_whole += whole
            try:
                out = forward(*args, **kwargs)
            finally:
                self.inside_whole -= whole
                self.path.pop()
            if whole:
                self.trace.calls.append(Call(module, *frozen((args, kwargs, out)), name))
            return out

        return run


@contextmanager
def _wrapped(recorder: _Recorder, model: Module):
    op_apply = Op.__dict__["apply"]
    func = op_apply.__func__
    patched = []
    Op.apply = classmethod(lambda cls, *a, **k: recorder.op_call(func, cls, a, k))  # type: ignore[method-assign,assignment]
    try:
        for name, module in model.named_modules():
            had = module.__dict__.get("forward")
            module.__dict__["forward"] = recorder.module_forward(module, name, module.forward)
            patched.append((module, had))
        yield
    finally:
        Op.apply = op_apply  # type: ignore[method-assign]
        for module, had in patched:
            if had is None:
                del module.__dict__["forward"]
            else:
                module.__dict__["forward"] = had


def record(model: Module, args: tuple) -> Trace:
    """Run ``model(*args)`` in evaluation mode and return what it ran (the model's
    training flags are put back after). Each floating-point tensor in ``args`` is
    replaced by a copy that requires grad, so that an in-place change of a value
    computed from it is an op too (without a gradient to record, ``x += 1`` writes
    into the array directly); ``trace.inputs`` are the arrays the model received."""
    modes = [(m, m.training) for m in model.modules()]
    trace = Trace()
    with enable_grad():
        given = tuple(_traced(a) for a in args)
    trace.inputs = [a._data for a in given if isinstance(a, Tensor)]
    kept = [a.copy() for a in trace.inputs]
    model.eval()
    try:
        with enable_grad(), _wrapped(_Recorder(trace), model):
            trace.output = frozen(model(*given))
    finally:
        for m, mode in modes:
            m.__dict__["training"] = mode
    for i, (now, before) in enumerate(zip(trace.inputs, kept)):
        if not np.array_equal(now, before, equal_nan=True):
            raise ExportError(
                f"onnx.export: forward changed input {i} in place; an exported graph cannot "
                "(change a copy: x = x.clone())"
            )
    return trace


def _traced(value: Any) -> Any:
    if not isinstance(value, Tensor):
        return value
    if value.dtype.kind in "fc":
        return value.detach().requires_grad_(True).clone()
    return value.detach()


def frozen(value: Any) -> Any:
    """``value`` with every tensor in it (in tuples, lists, dicts) replaced by its array."""
    if isinstance(value, Tensor):
        return value._data
    if isinstance(value, (tuple, list)):
        return [frozen(v) for v in value] if isinstance(value, list) else tuple(map(frozen, value))
    if isinstance(value, dict):
        return {k: frozen(v) for k, v in value.items()}
    return value


def arrays_out(value: Any) -> list[np.ndarray]:
    """The arrays of a (frozen) output, in order: an array, or tuples, lists and
    dicts of them (None and other values are left out)."""
    if isinstance(value, np.ndarray):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (tuple, list)):
        return [t for v in value for t in arrays_out(v)]
    return []


def arrays_in(value: Any) -> list:
    """Every array a call's (frozen) arguments hold, nested in tuples, lists and
    dicts, in order."""
    if isinstance(value, np.ndarray):
        return [value]
    if isinstance(value, (tuple, list)):
        return [a for v in value for a in arrays_in(v)]
    if isinstance(value, dict):
        return [a for v in value.values() for a in arrays_in(v)]
    return []
