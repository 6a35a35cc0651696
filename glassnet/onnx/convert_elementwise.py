"""Converters of the elementwise ops (glassnet/ops: arith, unary, activation,
softmax) and the reductions (reduce)."""

from __future__ import annotations

import math

import numpy as np

from .graph import Graph, array_of
from .step import Step, converts

_SAME_NAME = {
    "Neg": "Neg",
    "Exp": "Exp",
    "Log": "Log",
    "Sqrt": "Sqrt",
    "Abs": "Abs",
    "Sin": "Sin",
    "Cos": "Cos",
    "Tanh": "Tanh",
    "Sigmoid": "Sigmoid",
    "Relu": "Relu",
    "Clone": "Identity",
}


@converts(*_SAME_NAME)
def unary(step: Step) -> str:
    return step.g.node(_SAME_NAME[step.call.name], [step.x(0)])


_BINARY = {"Add": "Add", "Sub": "Sub", "Mul": "Mul", "Div": "Div", "Maximum": "Max"}
_BINARY.update({"Minimum": "Min", "Pow": "Pow"})


def _as_out_dtype(step: Step, i: int) -> str:
    """Operand ``i`` in the output's dtype (ONNX's arithmetic does not promote)."""
    name = step.x(i)
    array = array_of(step.arg(i))
    if array is not None and array.dtype != step.out.dtype:
        return step.g.cast(name, step.out.dtype)
    return name


@converts(*_BINARY)
def binary(step: Step) -> str:
    return step.g.node(_BINARY[step.call.name], [_as_out_dtype(step, 0), _as_out_dtype(step, 1)])


@converts("PowScalar")
def pow_scalar(step: Step) -> str:
    return step.g.node("Pow", [_as_out_dtype(step, 0), _as_out_dtype(step, 1)])


@converts("LeakyRelu")
def leaky_relu(step: Step) -> str:
    return step.g.node("LeakyRelu", [step.x(0)], alpha=float(step.arg(1)))


@converts("Elu")
def elu(step: Step) -> str:
    return step.g.node("Elu", [step.x(0)], alpha=float(step.arg(1)))


def _scalar(g: Graph, value: float, dtype: np.dtype) -> str:
    return g.const(np.asarray(value, dtype=dtype), "c")


@converts("Gelu")
def gelu(step: Step) -> str:
    """x·Φ(x) = ½x(1 + erf(x/√2)); 'tanh': ½x(1 + tanh(√(2/π)(x + 0.044715x³)))."""
    g, x, dtype = step.g, step.x(0), step.out.dtype
    if step.arg(1) == "tanh":
        cube = g.node("Mul", [g.node("Mul", [x, x]), x])
        inner = g.node("Add", [x, g.node("Mul", [cube, _scalar(g, 0.044715, dtype)])])
        inner = g.node("Mul", [inner, _scalar(g, math.sqrt(2 / math.pi), dtype)])
        phi = g.node("Tanh", [inner])
    else:
        phi = g.node("Erf", [g.node("Mul", [x, _scalar(g, 1 / math.sqrt(2), dtype)])])
    half_x = g.node("Mul", [x, _scalar(g, 0.5, dtype)])
    return g.node("Mul", [half_x, g.node("Add", [phi, _scalar(g, 1.0, dtype)])])


@converts("Softplus")
def softplus(step: Step) -> str:
    """log(1 + e^(βx))/β, and x itself where βx > threshold (as PyTorch)."""
    g, x, dtype = step.g, step.x(0), step.out.dtype
    beta, threshold = float(step.arg(1)), float(step.arg(2))
    bx = g.node("Mul", [x, _scalar(g, beta, dtype)])
    soft = g.node("Div", [g.node("Softplus", [bx]), _scalar(g, beta, dtype)])
    linear = g.node("Greater", [bx, _scalar(g, threshold, dtype)])
    return g.node("Where", [linear, x, soft])


@converts("Clamp")
def clamp(step: Step) -> str:
    """Max with lo, then Min with hi (hi wins where lo > hi, as np.clip)."""
    out = _as_out_dtype(step, 0)
    if step.arg(1) is not None:
        out = step.g.node("Max", [out, _as_out_dtype(step, 1)])
    if step.arg(2) is not None:
        out = step.g.node("Min", [out, _as_out_dtype(step, 2)])
    return out


@converts("Where")
def where(step: Step) -> str:
    cond = step.x(0, np.bool_)
    if np.asarray(step.arg(0)).dtype != np.bool_:
        cond = step.g.cast(cond, np.bool_)
    return step.g.node("Where", [cond, _as_out_dtype(step, 1), _as_out_dtype(step, 2)])


@converts("Cast")
def cast(step: Step) -> str:
    return step.g.cast(step.x(0), step.out.dtype)


@converts("Softmax", "LogSoftmax")
def softmax(step: Step) -> str:
    return step.g.node(step.call.name, [step.x(0)], axis=int(step.arg(1)))


# ---- reductions ---------------------------------------------------------------------
def _axes(step: Step, dims: object) -> list[int]:
    ndim = len(step.shape(0))
    if dims is None:
        return list(range(ndim))
    dims = dims if isinstance(dims, (tuple, list)) else (dims,)
    return [int(d) % max(ndim, 1) for d in dims]


_REDUCE = {"Sum": "ReduceSum", "Mean": "ReduceMean", "AMax": "ReduceMax", "AMin": "ReduceMin"}
_REDUCE["LogSumExp"] = "ReduceLogSumExp"


@converts(*_REDUCE)
def reduce(step: Step) -> str:
    axes = _axes(step, step.arg(1))
    g = step.g
    if not axes:  # a 0-d input: nothing to reduce
        return g.node("Identity", [step.x(0)])
    return g.node(
        _REDUCE[step.call.name], [step.x(0), g.int64s(axes, "axes")], keepdims=int(step.arg(2))
    )


@converts("Var", "Std")
def variance(step: Step) -> str:
    """Σ(x − mean)² / (n − correction) over the axes (n: the elements reduced)."""
    g, x, dtype = step.g, step.x(0), step.out.dtype
    axes = _axes(step, step.arg(1))
    if step.dynamic_axes(0) & set(axes):
        raise step.fail("the variance over a dynamic axis (its count n) is not supported")
    axes_name = g.int64s(axes, "axes")
    centered = g.node("Sub", [x, g.node("ReduceMean", [x, axes_name], keepdims=1)])
    squares = g.node("Mul", [centered, centered])
    total = g.node("ReduceSum", [squares, axes_name], keepdims=int(step.arg(2)))
    n = math.prod(step.shape(0)[a] for a in axes)
    var = g.node("Div", [total, _scalar(g, n - float(step.arg(3)), dtype)])
    return g.node("Sqrt", [var]) if step.call.name == "Std" else var


@converts("TakeAlongDim")
def max_or_min_along(step: Step) -> str:
    """The values of max(x, dim) / min(x, dim): a ReduceMax / ReduceMin (the
    indices the op was given were found on this run's numbers, not kept)."""
    op = "ReduceMin" if step.kw("grad_fn_name") == "MinBackward0" else "ReduceMax"
    axes = step.g.int64s([int(step.arg(2))], "axes")
    return step.g.node(op, [step.x(0), axes], keepdims=int(step.arg(3)))
