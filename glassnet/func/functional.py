"""Derivatives of whole functions, as ``torch.autograd.functional`` (also
importable as ``glassnet.autograd.functional``).

``func`` takes a Tensor or a tuple of Tensors and returns a Tensor (or a
tuple). Every result is built from reverse-mode products: a vector-Jacobian
product vᵀJ is one backward; a Jacobian-vector product Jv is the gradient of
(uᵀJ)·v with respect to u (uᵀJ is linear in u: the "double-vjp" trick, which
needs ``create_graph``); the Hessian is the Jacobian of the gradient.
"""

from __future__ import annotations

from ..autograd import grad as _grad
from ..creation import ones_like, zeros, zeros_like
from ..errors import GraphError
from ..functions import api
from ..grad_mode import enable_grad
from ..tensor import Tensor


def _as_tuple(x, what, fn):
    single = isinstance(x, Tensor)
    xs = (x,) if single else tuple(x)
    for i, t in enumerate(xs):
        if not isinstance(t, Tensor):
            raise TypeError(
                f"{fn}: {what} must be a Tensor or a tuple of Tensors, got "
                f"{type(t).__name__} at position {i}"
            )
    return single, xs


def _prepare(inputs, create_graph):
    """Inputs the function's graph can be differentiated in: fresh leaves, or,
    with create_graph and an input that already requires grad, a view that keeps
    its history (so the result can be differentiated in the caller's inputs)."""
    return tuple(
        x.view_as(x) if create_graph and x.requires_grad else x.detach().requires_grad_(True)
        for x in inputs
    )


def _finish(xs, create_graph, single):
    out = tuple(x if x is None or create_graph else x.detach() for x in xs)
    return out[0] if single else out


def _grads(outputs, inputs, v, create_graph, strict, fn):
    """vᵀ·∂outputs/∂inputs, zeros (or an error with strict) for an input the
    outputs do not depend on."""
    pairs = [(o, g) for o, g in zip(outputs, v) if o.requires_grad]
    got = (
        _grad(
            [o for o, _ in pairs],
            list(inputs),
            grad_outputs=[g for _, g in pairs],
            create_graph=create_graph,
            retain_graph=True,
            allow_unused=True,
        )
        if pairs
        else (None,) * len(inputs)
    )
    result = []
    for i, (x, g) in enumerate(zip(inputs, got)):
        if g is None:
            if strict:
                raise GraphError(
                    f"{fn}: the output does not depend on input {i} (strict=True); "
                    "pass strict=False to get zeros for it"
                )
            g = zeros_like(x)
        result.append(g)
    return tuple(result)


def _check_v(v, outputs, fn, what="v"):
    if v is None:
        if len(outputs) != 1 or outputs[0].numel() != 1:
            raise ValueError(
                f"{fn}: {what} can be left out only when the function returns a single "
                f"element; it returned shapes {[tuple(o.shape) for o in outputs]}"
            )
        return (ones_like(outputs[0]),)
    _, vs = _as_tuple(v, what, fn)
    if len(vs) != len(outputs):
        raise ValueError(f"{fn}: {len(vs)} tensors in {what}, expected {len(outputs)}")
    for k, (t, o) in enumerate(zip(vs, outputs)):
        if tuple(t.shape) != tuple(o.shape):
            raise ValueError(
                f"{fn}: {what}[{k}] has shape {tuple(t.shape)}, expected {tuple(o.shape)}"
            )
    return vs


def _call(func, xs, fn):
    with enable_grad():
        out = func(*xs)
    single, outs = _as_tuple(out, "the function's output", fn)
    return single, outs


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), vᵀ·J): the vector-Jacobian product, one backward."""
    single_in, xs = _as_tuple(inputs, "inputs", "vjp")
    xs = _prepare(xs, create_graph)
    single_out, outs = _call(func, xs, "vjp")
    vs = _check_v(v, outs, "vjp")
    grads = _grads(outs, xs, vs, create_graph, strict, "vjp")
    return _finish(outs, create_graph, single_out), _finish(grads, create_graph, single_in)


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), J·v): with u a stand-in for the output gradient,
    g(u) = uᵀJ is linear in u, and ∂(g·v)/∂u = J v."""
    single_in, xs = _as_tuple(inputs, "inputs", "jvp")
    xs = _prepare(xs, create_graph)
    single_out, outs = _call(func, xs, "jvp")
    vs = _check_v(v, xs, "jvp")
    us = tuple(zeros_like(o).requires_grad_(True) for o in outs)
    with enable_grad():
        g = _grads(outs, xs, us, True, strict, "jvp")
        total = sum(((gi * vi).sum() for gi, vi in zip(g, vs) if gi.requires_grad), Tensor(0.0))
    if not total.requires_grad:
        if strict:
            raise GraphError("jvp: the output does not depend on the inputs (strict=True)")
        return _finish(outs, create_graph, single_out), _finish(
            tuple(zeros_like(o) for o in outs), create_graph, single_out
        )
    got = _grad(total, list(us), create_graph=create_graph, allow_unused=True)
    jv = tuple(zeros_like(o) if j is None else j for j, o in zip(got, outs))
    return _finish(outs, create_graph, single_out), _finish(jv, create_graph, single_out)


def jacobian(
    func, inputs, create_graph=False, strict=False, vectorize=False, strategy="reverse-mode"
):
    """∂func/∂inputs, one backward per output element: for one input and one
    output a Tensor of shape output.shape + input.shape; tuples of them (indexed
    [output][input]) otherwise, as PyTorch."""
    if strategy != "reverse-mode":
        raise ValueError(f"jacobian: only strategy='reverse-mode' is supported, got {strategy!r}")
    single_in, xs = _as_tuple(inputs, "inputs", "jacobian")
    xs = _prepare(xs, create_graph)
    single_out, outs = _call(func, xs, "jacobian")
    table = []
    for o in outs:
        rows = [[] for _ in xs]
        flat = o.reshape(-1)
        for k in range(flat.numel()):
            one = ones_like(flat[k])
            grads = _grads((flat[k],), xs, (one,), create_graph, strict, "jacobian")
            for i, g in enumerate(grads):
                rows[i].append(g)
        blocks = []
        for x, r in zip(xs, rows):
            j = api.stack(r) if r else zeros(0, *x.shape, dtype=x.dtype)
            j = j.reshape(*o.shape, *x.shape)
            blocks.append(j if create_graph else j.detach())
        table.append(blocks[0] if single_in else tuple(blocks))
    return table[0] if single_out else tuple(table)


def hessian(
    func,
    inputs,
    create_graph=False,
    strict=False,
    vectorize=False,
    outer_jacobian_strategy="reverse-mode",
):
    """∂²func/∂inputs² of a function returning one element: shape input.shape +
    input.shape (a tuple of tuples [i][j] for several inputs), the Jacobian of the
    gradient."""
    single_in, xs = _as_tuple(inputs, "inputs", "hessian")

    def gradient(*args):
        single_out, outs = _call(func, args, "hessian")
        if len(outs) != 1 or outs[0].numel() != 1:
            raise ValueError(
                "hessian: the function must return a single element, got shapes "
                f"{[tuple(o.shape) for o in outs]}"
            )
        got = _grads(outs, args, (ones_like(outs[0]),), True, strict, "hessian")
        return got[0] if single_in else got

    return jacobian(gradient, xs[0] if single_in else xs, create_graph, strict)


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), vᵀH): the gradient's vector-Jacobian product, two backwards."""
    single_in, xs = _as_tuple(inputs, "inputs", "vhp")
    xs = _prepare(xs, create_graph)
    single_out, outs = _call(func, xs, "vhp")
    if len(outs) != 1 or outs[0].numel() != 1:
        raise ValueError(
            "vhp: the function must return a single element, got shapes "
            f"{[tuple(o.shape) for o in outs]}"
        )
    vs = _check_v(v, xs, "vhp")
    with enable_grad():
        g = _grads(outs, xs, (ones_like(outs[0]),), True, strict, "vhp")
    pairs = [(gi, vi) for gi, vi in zip(g, vs) if gi.requires_grad]
    if pairs:
        hv = _grads(
            [gi for gi, _ in pairs], xs, [vi for _, vi in pairs], create_graph, strict, "vhp"
        )
    else:
        if strict:
            raise GraphError("vhp: the gradient does not depend on the inputs (strict=True)")
        hv = tuple(zeros_like(x) for x in xs)
    return _finish(outs, create_graph, True), _finish(hv, create_graph, single_in)


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), H·v). The Hessian of a twice continuously differentiable
    function is symmetric, so H v = (vᵀH)ᵀ: the same two backwards as ``vhp``."""
    return vhp(func, inputs, v, create_graph, strict)
