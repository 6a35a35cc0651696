"""``glassnet.onnx.export``: a model as an ONNX file, shaped like
``torch.onnx.export``.

The model runs twice in eval mode (``trace.record``): on the example
arguments and on their twin (other values, dynamic axes one longer:
``twin.py``). The calls that lead to the outputs are converted one by one
(``step.py`` and the ``convert_*`` modules); a call that reads only
constants is not converted, its result is a constant. Parameters and buffers
become initializers under their ``state_dict`` names.
"""

from __future__ import annotations

import io
import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import onnx
from onnx import helper

from ..io.atomic import atomic_write
from ..nn.module import Module
from ..nn.rnn import RNNBase
from ..tensor import Tensor
from . import convert_elementwise, convert_layers, convert_pool, convert_shape  # noqa: F401
from .convert_recurrent import cell, recurrent
from .errors import ExportError
from .graph import Graph, check_constant, onnx_dtype
from .step import CONVERTERS, SIZED, Step, place
from .trace import WHOLE_MODULES, Call, Trace, arrays_in, arrays_out, record
from .twin import align, twin_args

DEFAULT_OPSET = 18
MIN_OPSET = 18  # ReduceMean & co. take their axes as an input from 18 on


def export(
    model: Module,
    args: Any,
    f: str | os.PathLike[str] | io.IOBase | None = None,
    input_names: Sequence[str] | None = None,
    output_names: Sequence[str] | None = None,
    dynamic_axes: Mapping[str, Any] | None = None,
    opset_version: int | None = None,
    verbose: bool = False,
) -> onnx.ModelProto:
    """Export ``model(*args)`` as an ONNX graph to ``f`` (a path, written
    atomically, or a binary file object; None: only returned) and return it.

    ``args``: a tensor or a tuple of them (the graph's inputs, in order; other
    values in the tuple are passed to forward as they are). ``input_names`` /
    ``output_names`` name the graph's inputs and the tensors forward returns
    (default input_0…, output_0…; "input"/"output" when there is one).
    ``dynamic_axes`` maps an input or output name to its axes whose size may
    change ({"x": {0: "batch"}} or {"x": [0]}), as in torch.onnx.export.
    ``verbose`` prints the graph. Raises ``ExportError`` naming the op and
    the module path when part of the model cannot be exported faithfully."""
    if not isinstance(model, Module):
        raise TypeError(f"onnx.export: model must be a glassnet nn.Module, got {type(model)}")
    opset = _opset(opset_version)
    args = args if isinstance(args, tuple) else (args,)
    inputs = [a for a in args if isinstance(a, Tensor)]
    if not inputs:
        raise TypeError("onnx.export: args must hold at least one Tensor (the graph's input)")
    in_names = _names(input_names, len(inputs), "input")
    trace = record(model, args)
    outputs = arrays_out(trace.output)
    if not outputs:
        raise ExportError(f"onnx.export: forward returned no tensor ({type(trace.output)})")
    out_names = _names(output_names, len(outputs), "output")
    if set(out_names) & set(in_names):
        raise ValueError(
            f"onnx.export: {sorted(set(out_names) & set(in_names))} is both an input and an "
            "output name; ONNX values need distinct names"
        )
    axes = _dynamic_axes(dynamic_axes, in_names, out_names, inputs)
    dynamic = [sorted(axes.get(n, {})) for n in in_names]
    twin = record(model, twin_args(args, dynamic))
    align(trace, twin)
    graph = _build(model, trace, twin, in_names, out_names, opset)
    proto = _model(graph, trace, twin, in_names, out_names, axes, opset)
    try:
        onnx.checker.check_model(proto, full_check=True)
    except (onnx.checker.ValidationError, onnx.shape_inference.InferenceError) as exc:
        raise ExportError(
            f"onnx.export: the graph glassnet made does not pass onnx.checker (a bug in "
            f"glassnet.onnx; please report it with the model): {exc}"
        ) from exc
    if verbose:
        print(helper.printable_graph(proto.graph))
    _write(proto, f)
    return proto


def _build(model, trace, twin, in_names, out_names, opset):
    g = Graph(opset)
    g.used.update(in_names)
    g.used.update(out_names)
    for array, name in zip(trace.inputs, in_names):
        g.bind(array, name)
        g.inputs.append(array)
    for name, t in [*model.named_parameters(), *model.named_buffers()]:
        g.add_parameter(name, t._data)
    live = _live(trace)
    depends = {id(a) for a in trace.inputs} | set(g.params)
    for i, call in enumerate(trace.calls):
        if not any(id(a) in depends for a in arrays_in((call.args, call.kwargs))):
            if live[i]:  # reads only constants: its result is a constant, if they are
                _check_constants(call, twin.calls[i])
            continue
        results = arrays_out(call.output)
        depends.update(id(a) for a in results)
        if not live[i]:
            continue
        names = _convert(Step(g, call, twin.calls[i]))
        names = names if isinstance(names, list) else [names]
        for array, name in zip(results, names):
            g.bind(array, name)
    for tensor, other, name in zip(arrays_out(trace.output), arrays_out(twin.output), out_names):
        source = g.value(tensor, what=f"onnx.export: output {name!r}", twin=other)
        g.nodes.append(helper.make_node("Identity", [source], [name]))
    return g


def _check_constants(call: Call, twin: Call) -> None:
    what = f"onnx.export: {call.name} (in {place(call.where)})"
    theirs = arrays_in((twin.args, twin.kwargs))
    for array, other in zip(arrays_in((call.args, call.kwargs)), theirs):
        check_constant(array, other, what)


def _convert(step: Step) -> Any:
    call = step.call
    if call.is_module and isinstance(call.op, WHOLE_MODULES):
        return recurrent(step) if isinstance(call.op, RNNBase) else cell(step)
    converter = CONVERTERS.get(call.name)
    if converter is None:
        raise ExportError(
            f"onnx.export: no ONNX conversion for op {call.name} (in {place(call.where)})"
        )
    if call.name not in SIZED and not step.same_arguments():
        raise step.fail(
            "its arguments (a size, an index, a number) change with the input's values or "
            "dynamic sizes, so the graph cannot hold them as constants"
        )
    return converter(step)


def _live(trace: Trace) -> list[bool]:
    """Which calls the outputs depend on (the others are left out of the graph)."""
    needed = {id(a) for a in arrays_out(trace.output)}
    live = [False] * len(trace.calls)
    for i in range(len(trace.calls) - 1, -1, -1):
        call: Call = trace.calls[i]
        if any(id(a) in needed for a in arrays_out(call.output)):
            live[i] = True
            needed.update(id(a) for a in arrays_in((call.args, call.kwargs)))
    return live


def _model(g, trace, twin, in_names, out_names, axes, opset):
    def info(name, array, dims):
        shape = [dims.get(i, size) for i, size in enumerate(array.shape)]
        return helper.make_tensor_value_info(name, onnx_dtype(array.dtype), shape)

    graph_inputs = [
        info(n, t, {i: str(label) for i, label in axes.get(n, {}).items()})
        for t, n in zip(trace.inputs, in_names)
    ]
    graph_outputs = []
    for a, b, name in zip(arrays_out(trace.output), arrays_out(twin.output), out_names):
        dims = {i: f"{name}_dim{i}" for i in range(a.ndim) if a.shape[i] != b.shape[i]}
        dims.update({i: str(label) for i, label in axes.get(name, {}).items()})
        graph_outputs.append(info(name, a, dims))
    graph = helper.make_graph(g.nodes, "glassnet", graph_inputs, graph_outputs, g.initializers)
    return helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", opset)], producer_name="glassnet"
    )


def _write(proto: onnx.ModelProto, f: Any) -> None:
    if f is None:
        return
    data = proto.SerializeToString()
    if hasattr(f, "write"):
        f.write(data)
    else:
        atomic_write(f, data)


# ---- argument checks -------------------------------------------------------------
def _opset(opset_version: int | None) -> int:
    newest = onnx.defs.onnx_opset_version()
    if opset_version is None:
        return DEFAULT_OPSET
    if isinstance(opset_version, bool) or not isinstance(opset_version, (int, np.integer)):
        raise TypeError(f"onnx.export: opset_version must be an int, got {opset_version!r}")
    if not MIN_OPSET <= opset_version <= newest:
        raise ValueError(
            f"onnx.export: opset_version {opset_version} is not supported; expected "
            f"{MIN_OPSET} to {newest} (the installed onnx package's newest)"
        )
    return int(opset_version)


def _names(names: Sequence[str] | None, count: int, kind: str) -> list[str]:
    if names is None:
        return [kind] if count == 1 else [f"{kind}_{i}" for i in range(count)]
    names = list(names)
    if len(names) != count or not all(isinstance(n, str) and n for n in names):
        raise ValueError(
            f"onnx.export: {kind}_names {names!r} must be {count} non-empty strings, one per "
            f"{kind} tensor"
        )
    if len(set(names)) != len(names):
        raise ValueError(f"onnx.export: {kind}_names {names!r} has a name twice")
    return names


def _dynamic_axes(dynamic_axes, in_names, out_names, inputs) -> dict[str, dict[int, str]]:
    """{name: {axis: label}} from torch's two forms, checked against the names."""
    if dynamic_axes is None:
        return {}
    if not isinstance(dynamic_axes, Mapping):
        raise TypeError(f"onnx.export: dynamic_axes must be a dict, got {dynamic_axes!r}")
    known = list(in_names) + list(out_names)
    ranks = {n: t.ndim for n, t in zip(in_names, inputs)}
    out: dict[str, dict[int, str]] = {}
    for name, spec in dynamic_axes.items():
        if name not in known:
            raise ValueError(
                f"onnx.export: dynamic_axes names {name!r}, which is not among the input or "
                f"output names {known}"
            )
        if isinstance(spec, Mapping):
            labels = {int(a): str(label) for a, label in spec.items()}
        elif isinstance(spec, Sequence) and not isinstance(spec, str):
            labels = {int(a): f"{name}_dynamic_axes_{k + 1}" for k, a in enumerate(spec)}
        else:
            raise TypeError(
                f"onnx.export: dynamic_axes[{name!r}] must be a list of axes or a dict "
                f"{{axis: name}}, got {spec!r}"
            )
        rank = ranks.get(name)
        if rank is not None:
            bad = [a for a in labels if not -rank <= a < rank]
            if bad:
                raise ValueError(
                    f"onnx.export: dynamic_axes[{name!r}] has axis {bad[0]}, out of range for "
                    f"the input of shape {inputs[in_names.index(name)].shape}"
                )
            labels = {a % rank: label for a, label in labels.items()}
        out[name] = labels
    return out
