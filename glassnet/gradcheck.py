"""Finite-difference checking of gradients.

For each input element xᵢ, the numeric derivative of every output is the
central difference (f(x + ε eᵢ) − f(x − ε eᵢ)) / 2ε; the analytic one comes
from backward. They must agree within atol + rtol·|numeric|. Use float64
inputs: in float32 the difference quotient is too noisy to mean anything.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .autograd import grad as autograd_grad
from .errors import GlassnetError
from .grad_mode import enable_grad, no_grad
from .tensor import Tensor

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from .tensor import Tensor


class GradcheckError(GlassnetError, AssertionError):
    """Analytic and numeric gradients disagree (``input``: which input, by position)."""

    input: int | None = None


def _outputs(fn, inputs):
    out = fn(*inputs)
    outs = out if isinstance(out, (tuple, list)) else (out,)
    return [o for o in outs if isinstance(o, Tensor)]


def gradcheck(
    fn: Callable[..., Any],
    inputs: Tensor | Sequence[Any],
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """Check ``fn``'s gradients with respect to every input that requires grad.

    Returns True, or raises GradcheckError naming the input, the element, the
    output element and the analytic and numeric values (or returns False when
    ``raise_exception=False``).
    """
    inputs = tuple(inputs) if isinstance(inputs, (tuple, list)) else (inputs,)
    wanted = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    if not wanted:
        raise ValueError("gradcheck: no input requires grad; pass tensors with requires_grad=True")
    for i in wanted:
        if inputs[i].dtype != np.float64:
            raise TypeError(
                f"gradcheck: input {i} is {inputs[i].dtype}; use float64 inputs "
                "(finite differences in float32 are too imprecise)"
            )
    outs = _outputs(fn, inputs)
    sizes = [o._data.size for o in outs]
    # analytic Jacobian: one backward per output element
    analytic = {i: np.zeros((sum(sizes), inputs[i]._data.size)) for i in wanted}
    row = 0
    for o in outs:
        for k in range(o._data.size):
            if not o.requires_grad:
                row += 1
                continue
            seed = np.zeros_like(o._data)
            seed.flat[k] = 1
            grads = autograd_grad(
                o,
                [inputs[i] for i in wanted],
                grad_outputs=Tensor(seed),
                retain_graph=True,
                allow_unused=True,
            )
            for i, g in zip(wanted, grads):
                if g is not None:
                    analytic[i][row] = g._data.reshape(-1)
            row += 1
    # numeric Jacobian: perturb each input element both ways
    for i in wanted:
        if not inputs[i]._data.flags.c_contiguous:
            inputs[i]._data = np.ascontiguousarray(inputs[i]._data)
        x = inputs[i]._data
        flat = x.reshape(-1)
        for j in range(flat.size):
            orig = flat[j]
            with no_grad():
                flat[j] = orig + eps
                plus = np.concatenate([o._data.reshape(-1) for o in _outputs(fn, inputs)])
                flat[j] = orig - eps
                minus = np.concatenate([o._data.reshape(-1) for o in _outputs(fn, inputs)])
                flat[j] = orig
            numeric = (plus - minus) / (2 * eps)
            a = analytic[i][:, j]
            bad = ~(np.abs(a - numeric) <= atol + rtol * np.abs(numeric))
            bad &= ~(np.isnan(a) & np.isnan(numeric))
            if bad.any():
                r = int(np.argmax(bad))
                where = np.unravel_index(j, x.shape) if x.ndim else ()
                msg = (
                    f"gradcheck: gradient mismatch for input {i} (shape {x.shape}) at element "
                    f"{tuple(int(w) for w in where)}, output element {r}: analytic "
                    f"{a[r]!r}, numeric {numeric[r]!r} (atol={atol}, rtol={rtol})"
                )
                if raise_exception:
                    error = GradcheckError(msg)
                    error.input = i
                    raise error
                return False
    return True


def gradgradcheck(
    fn: Callable[..., Any],
    inputs: Tensor | Sequence[Any],
    grad_outputs: Tensor | Sequence[Tensor] | None = None,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    seed: int = 0,
) -> bool:
    """Check second derivatives: ``gradcheck`` of the map
    (inputs, v) ↦ vᵀ·∂fn/∂inputs, whose gradient ``create_graph=True`` gives
    (differentiated with respect to the inputs and to v). ``grad_outputs``
    (v, one per output) default to random float64 tensors drawn from ``seed``.
    A mismatch names the input (or grad_output) and the element."""
    inputs = tuple(inputs) if isinstance(inputs, (tuple, list)) else (inputs,)
    wanted = [x for x in inputs if isinstance(x, Tensor) and x.requires_grad]
    outs = _outputs(fn, inputs)
    if grad_outputs is None:
        rng = np.random.default_rng(seed)
        grad_outputs = [
            Tensor(rng.standard_normal(o._data.shape), requires_grad=True) for o in outs
        ]
    elif isinstance(grad_outputs, Tensor):
        grad_outputs = [grad_outputs]
    grad_outputs = list(grad_outputs)
    n = len(inputs)

    def first_derivative(*args):
        xs, vs = args[:n], args[n:]
        with enable_grad():  # (gradcheck evaluates it under no_grad for the differences)
            ys = [o for o in _outputs(fn, xs) if o.requires_grad]
            grads = autograd_grad(
                ys,
                [x for x in xs if isinstance(x, Tensor) and x.requires_grad],
                grad_outputs=list(vs[: len(ys)]),
                create_graph=True,
                allow_unused=True,
            )
        return tuple(g for g in grads if g is not None)

    try:
        return gradcheck(
            first_derivative, (*inputs, *grad_outputs), eps, atol, rtol, raise_exception=True
        )
    except GradcheckError as exc:
        k = exc.input if exc.input is not None else 0
        which = f"input {k}" if k < n else f"grad_output {k - n}"
        msg = str(exc).replace(f"for input {k} ", f"for {which} ", 1)
        msg = msg.replace("gradcheck: gradient", "gradgradcheck: second derivative", 1)
        if raise_exception:
            raise GradcheckError(msg + f" ({len(wanted)} inputs need grad)") from None
        return False
