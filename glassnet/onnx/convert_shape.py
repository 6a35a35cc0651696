"""Converters of the ops that move elements (glassnet/ops/shape.py and
index.py): reshape, permute, expand, cat, stack, pad, indexing, gather.

A reshape or an expand whose target size depends on a dynamic axis writes
that size as ONNX's "copy it from the input" (0 in Reshape, 1 in Expand) or
"infer it" (−1 in Reshape), never as the number of this run."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor
from .graph import NO_TWIN, array_of
from .step import Step, converts

BIG = np.iinfo(np.int64).max


@converts("Reshape", sizes=True)
def reshape(step: Step) -> str:
    target, source = step.out.shape, step.shape(0)
    dyn_out, dyn_in = step.dynamic_axes(), step.dynamic_axes(0)
    twin_in = np.shape(array_of(step.twin.args[0])) if step.twin else source
    twin_out = step.twin.output.shape if step.twin else target
    spec = []
    for i, n in enumerate(target):
        if i not in dyn_out:
            spec.append(n)
        elif i in dyn_in and source[i] == n and twin_in[i] == twin_out[i]:
            spec.append(0)  # the input's size on this axis, whatever it is
        else:
            spec.append(-1)
    if spec.count(-1) > 1:
        raise step.fail(
            f"reshape of {source} to {target}: {spec.count(-1)} of its sizes depend on "
            "the dynamic axes; ONNX's Reshape can infer only one (make fewer axes dynamic, "
            "or reshape so that the dynamic sizes keep their places)"
        )
    if 0 in target:
        raise step.fail(f"reshape to a shape with an empty axis {target} is not supported")
    return step.g.node("Reshape", [step.x(0), step.g.int64s(spec)])


@converts("Permute")
def permute(step: Step) -> str:
    return step.g.node("Transpose", [step.x(0)], perm=[int(d) for d in step.arg(1)])


@converts("Expand", sizes=True)
def expand(step: Step) -> str:
    """A dynamic target size is written 1 where the input already has it (ONNX's
    Expand keeps an input's size against a 1)."""
    target, source = step.out.shape, step.shape(0)
    dyn_out, dyn_in = step.dynamic_axes(), step.dynamic_axes(0)
    lead = len(target) - len(source)
    spec = list(target)
    for i in dyn_out:
        if i < lead or (i - lead) not in dyn_in:
            raise step.fail(
                f"expand of {source} to {target}: the size {target[i]} of axis {i} depends "
                "on a dynamic axis but is not the input's own; it cannot be exported with "
                "these dynamic axes"
            )
        spec[i] = 1
    return step.g.node("Expand", [step.x(0), step.g.int64s(spec)])


@converts("Cat")
def cat(step: Step) -> str:
    names = [step.x(i) for i in range(len(step.args))]
    return step.g.node("Concat", names, axis=int(step.kw("dim")))


@converts("Stack")
def stack(step: Step) -> str:
    axis = step.g.int64s([int(step.kw("dim")) % step.out.ndim], "axes")
    names = [step.g.node("Unsqueeze", [step.x(i), axis]) for i in range(len(step.args))]
    return step.g.node("Concat", names, axis=int(step.kw("dim")) % step.out.ndim)


@converts("Pad")
def pad(step: Step) -> str:
    """``pad`` is (before, after) pairs from the last axis back, as F.pad."""
    ndim, pairs = step.out.ndim, step.arg(1)
    before, after = [0] * ndim, [0] * ndim
    for i in range(len(pairs) // 2):
        before[ndim - 1 - i], after[ndim - 1 - i] = pairs[2 * i], pairs[2 * i + 1]
    value = step.g.const(np.asarray(step.arg(2), dtype=step.out.dtype), "pad_value")
    return step.g.node("Pad", [step.x(0), step.g.int64s(before + after, "pads"), value])


@converts("GetItem")
def get_item(step: Step) -> str:
    """Basic indexing (ints, slices, None, ...) as Slice, Squeeze, Unsqueeze; one
    integer array among slices as Gather."""
    g, index, ndim = step.g, step.arg(1), len(step.shape(0))
    items = list(index) if isinstance(index, tuple) else [index]
    arrays = [i for i, item in enumerate(items) if _is_array(item)]
    if len(arrays) > 1 or (arrays and any(not _is_slice_like(it) for it in items)):
        raise step.fail(
            f"indexing with {index!r}: only one integer array among slices is supported"
        )
    ellipsis = [i for i, item in enumerate(items) if item is Ellipsis]
    if ellipsis:
        at = ellipsis[0]
        used = sum(1 for it in items if it is not None and it is not Ellipsis)
        items[at : at + 1] = [slice(None)] * (ndim - used)
    starts, ends, axes, steps, squeeze, new_axes = [], [], [], [], [], []
    axis = produced = 0
    gather = None
    for item in items:
        if item is None:
            new_axes.append(produced)
            produced += 1
            continue
        if isinstance(item, (int, np.integer)):
            i = int(item)
            starts.append(i)
            ends.append(BIG if i == -1 else i + 1)
            axes.append(axis)
            steps.append(1)
            squeeze.append(axis)
        elif isinstance(item, slice):
            produced += 1
            if item != slice(None):
                s = 1 if item.step is None else int(item.step)
                lo = item.start if item.start is not None else (0 if s > 0 else BIG)
                hi = item.stop if item.stop is not None else (BIG if s > 0 else -BIG - 1)
                starts.append(int(lo))
                ends.append(int(hi))
                axes.append(axis)
                steps.append(s)
        elif _is_array(item):
            produced += 1
            gather = (axis, item)
        else:
            raise step.fail(f"indexing with {item!r} (in {index!r}) is not supported")
        axis += 1
    out = step.x(0)
    if starts:
        out = g.node(
            "Slice",
            [out, g.int64s(starts, "starts"), g.int64s(ends, "ends"), g.int64s(axes, "axes")]
            + [g.int64s(steps, "steps")],
        )
    if gather is not None:
        where, item = gather
        out = g.node("Gather", [out, _indices(step, item, _twin_array(step))], axis=where)
    if squeeze:
        out = g.node("Squeeze", [out, g.int64s(squeeze, "axes")])
    if new_axes:
        out = g.node("Unsqueeze", [out, g.int64s(new_axes, "axes")])
    if out == step.x(0):
        out = g.node("Identity", [out])
    return out


def _is_array(item: object) -> bool:
    if isinstance(item, (list, Tensor, np.ndarray)):
        array = np.asarray(item._data if isinstance(item, Tensor) else item)
        return array.dtype.kind in "iu"
    return False


def _indices(step: Step, item: object, twin: object) -> str:
    """An index array as an int64 ONNX value: a graph input's or an op's output, or
    a constant (which must be the same in the twin run)."""
    array = array_of(item)
    array = np.asarray(item) if array is None else array
    other = twin if twin is NO_TWIN or array_of(twin) is not None else np.asarray(twin)
    name = step.constant(array, other)
    return name if array.dtype == np.int64 else step.g.cast(name, np.int64)


def _twin_array(step: Step) -> object:
    """The index array of the twin run's index (only one is accepted)."""
    if step.twin is None:
        return NO_TWIN
    index = step.twin.args[1]
    items = list(index) if isinstance(index, tuple) else [index]
    arrays = [it for it in items if _is_array(it)]
    return arrays[0] if arrays else NO_TWIN


def _is_slice_like(item: object) -> bool:
    return isinstance(item, slice) or item is Ellipsis or _is_array(item)


@converts("Gather")
def gather(step: Step) -> str:
    """torch.gather: GatherElements (the index, a constant, must not come from the
    input's values: the twin run checks that)."""
    index = _indices(step, step.arg(2), step.twin.args[2] if step.twin else NO_TWIN)
    return step.g.node("GatherElements", [step.x(0), index], axis=int(step.arg(1)))


@converts("IndexPut")
def index_put(step: Step) -> str:
    """out = x with out[index] = v (setitem, fill_, zero_): ScatterElements into x
    flattened, at the flat positions the index picks (found by indexing an arange
    of x's shape, so every kind of index works), for a fixed shape of x."""
    g, shape = step.g, step.shape(0)
    if step.dynamic_axes(0):
        return _masked_put(step)
    positions = _positions(shape, step.arg(2))
    if step.twin is not None and not np.array_equal(
        positions, _positions(shape, step.twin.args[2])
    ):
        raise step.fail("the positions assigned to depend on the input's values")
    if len(np.unique(positions)) != positions.size:
        raise step.fail("an index that assigns to one position twice is not supported")
    values = step.x(1)
    value = array_of(step.arg(1))
    if value is not None and value.dtype != step.out.dtype:
        values = g.cast(values, step.out.dtype)
    values = g.node("Expand", [values, g.int64s(positions.shape)])
    flat = g.node("Reshape", [step.x(0), g.int64s([-1])])
    out = g.node(
        "ScatterElements",
        [flat, g.int64s(positions, "positions"), g.node("Reshape", [values, g.int64s([-1])])],
        axis=0,
    )
    return g.node("Reshape", [out, g.int64s(shape)])


def _masked_put(step: Step) -> str:
    """A number assigned along whole dynamic axes (x[:, 0] = 0 with a dynamic batch):
    Where(mask, v, x), the mask found on x's shape with each dynamic axis 1."""
    shape, dynamic = step.shape(0), step.dynamic_axes(0)
    small = tuple(1 if i in dynamic else n for i, n in enumerate(shape))
    mask = np.zeros(small, dtype=bool)
    value = array_of(step.arg(1))
    try:
        mask[step.arg(2)] = True
        full = np.zeros(shape, dtype=bool)
        full[step.arg(2)] = True
        whole_axes = np.array_equal(np.broadcast_to(mask, shape), full)
    except (IndexError, ValueError):
        whole_axes = False
    if not whole_axes or (value is not None and value.size != 1):
        raise step.fail(
            f"assignment into a tensor of shape {shape} with dynamic axes "
            f"{sorted(dynamic)} is supported only for a single number along whole dynamic "
            "axes (x[:, 0] = 0)"
        )
    g = step.g
    values = step.x(1)
    if value is not None:
        values = g.node("Reshape", [values, g.int64s([])])
        if value.dtype != step.out.dtype:
            values = g.cast(values, step.out.dtype)
    return g.node("Where", [g.const(mask, "mask"), values, step.x(0)])


def _positions(shape: tuple, index: Any) -> np.ndarray:
    return np.arange(int(np.prod(shape)), dtype=np.int64).reshape(shape)[index]
