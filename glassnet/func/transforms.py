"""Function transforms, as ``torch.func``: ``grad(f)`` is a new function that
returns ∂f/∂x, and since that function is built from recorded ops it can be
transformed again: ``grad(grad(f))`` is f''."""

from __future__ import annotations

import functools

from ..autograd import grad as _grad
from ..creation import zeros_like
from ..errors import GraphError
from ..grad_mode import enable_grad
from ..tensor import Tensor


def grad(func, argnums=0, has_aux=False):
    """The function x ↦ ∂func/∂x of a function returning one element (with
    ``has_aux``: a pair (that element, anything)); ``argnums`` an int or a tuple
    of ints picks the arguments (a tuple gives a tuple of gradients)."""
    with_value = grad_and_value(func, argnums, has_aux)

    @functools.wraps(func)
    def gradient(*args, **kwargs):
        g, value = with_value(*args, **kwargs)
        return (g, value[1]) if has_aux else g

    return gradient


def grad_and_value(func, argnums=0, has_aux=False):
    """The function returning (∂func/∂x, func(x)) (with ``has_aux``: (gradient,
    (value, aux)))."""

    @functools.wraps(func)
    def gradient_and_value(*args, **kwargs):
        nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
        for n in nums:
            if not -len(args) <= n < len(args) or not isinstance(args[n], Tensor):
                raise TypeError(
                    f"grad: argnums {argnums!r} must pick Tensor arguments of the {len(args)} given"
                )
        args = list(args)
        # the outermost transform (no argument in a graph yet) hands back plain tensors
        outermost = not any(isinstance(a, Tensor) and a.requires_grad for a in args)
        for n in nums:
            x = args[n]
            # a view keeps an outer transform's graph (grad(grad(f))); a plain input
            # becomes a fresh leaf
            args[n] = x.view_as(x) if x.requires_grad else x.detach().requires_grad_(True)
        with enable_grad():
            out = func(*args, **kwargs)
        value, aux = out if has_aux else (out, None)
        if not isinstance(value, Tensor) or value.numel() != 1:
            raise GraphError(
                "grad: the function must return a Tensor with a single element"
                + (" (as the first of (value, aux))" if has_aux else "")
                + f", got {type(value).__name__}"
                + (f" of shape {tuple(value.shape)}" if isinstance(value, Tensor) else "")
            )
        wanted = [args[n] for n in nums]
        if value.requires_grad:
            got = _grad(value, wanted, create_graph=True, allow_unused=True)
        else:
            got = (None,) * len(wanted)
        got = tuple(zeros_like(x) if g is None else g for g, x in zip(got, wanted))
        if outermost:
            got = tuple(g.detach() for g in got)
            value = value.detach()
        result = got[0] if isinstance(argnums, int) else got
        return result, ((value, aux) if has_aux else value)

    return gradient_and_value
