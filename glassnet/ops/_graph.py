"""Helpers for the ops' ``backward_graph`` (``create_graph=True``): the
gradient written with recorded ops, so that it can be differentiated again.
Inside a rule the incoming gradient and ``ctx.parents`` are Tensors, and
Tensor arithmetic (``g * x``, ``x.exp()``) records as everywhere else (the
methods are attached to Tensor by ``glassnet.functions``; the ops call them at
run time, never import them)."""

import numpy as np

from ..tensor import Tensor
from ._util import broadcast_axes


def sum_to(g, shape):
    """Sum a Tensor ``g`` back to ``shape``: the backward of broadcasting
    (``_util.unbroadcast`` on Tensors)."""
    shape = tuple(shape)
    if tuple(g.shape) == shape:
        return g
    axes = broadcast_axes(tuple(g.shape), shape)
    if axes:
        g = g.sum(dim=axes, keepdim=True)
    return g.reshape(shape)


def back(g, x):
    """The gradient ``g`` of input ``x`` (a Tensor): broadcasting summed away and
    ``x``'s dtype kept; None when ``x`` is not a Tensor (a number, a constant)."""
    if not isinstance(x, Tensor):
        return None
    g = sum_to(g, x.shape)
    return g if g._data.dtype == x._data.dtype else g.to(x.dtype)


def value(x):
    """The array under an input that may be a Tensor, an array or a number."""
    return x._data if isinstance(x, Tensor) else x


def needed(ctx, *grads):
    """``grads`` with None where the input does not need a gradient."""
    return tuple(g if n else None for g, n in zip(grads, ctx.needs_input_grad))


def constant(array):
    """A Tensor outside the graph (a mask, a sign): its derivative is zero."""
    return Tensor._make(np.asarray(array), False, None)
