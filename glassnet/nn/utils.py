"""Gradient clipping (``gn.nn.utils``), as ``torch.nn.utils``: run after
``loss.backward()`` and before ``optimizer.step()`` to keep one bad batch
from throwing the weights far away (exploding gradients)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from ..tensor import Tensor

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["clip_grad_norm_", "clip_grad_value_"]


def _grads(parameters: Tensor | Iterable[Tensor]) -> list[Tensor]:
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p.grad for p in parameters if p.grad is not None]


def clip_grad_norm_(
    parameters: Tensor | Iterable[Tensor],
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Tensor:
    """Scale all gradients together, in place, so that their total norm
    ‖(g₁, g₂, ...)‖_p (the norm of all gradients as one vector) is at most
    ``max_norm``: each g ← g·min(1, max_norm/(total + 1e−6)).

    ``norm_type`` may be any p > 0 or ``inf`` (the largest |gᵢ|). Returns the
    total norm before clipping, as a 0-d tensor. ``foreach`` is accepted and
    ignored."""
    grads = _grads(parameters)
    norm_type = float(norm_type)
    if not norm_type > 0:
        raise ValueError(f"clip_grad_norm_: norm_type must be positive (or inf), got {norm_type}")
    if not grads:
        return Tensor(np.asarray(0.0, dtype=np.float32))
    dtype = grads[0].dtype
    if math.isinf(norm_type):
        norms = [np.max(np.abs(g._data)) if g._data.size else dtype.type(0) for g in grads]
        total = np.max(np.asarray(norms, dtype=dtype))
    else:
        norms = [np.sum(np.abs(g._data) ** norm_type) ** (1 / norm_type) for g in grads]
        total = np.sum(np.asarray(norms, dtype=dtype) ** norm_type) ** (1 / norm_type)
    total = np.asarray(total, dtype=dtype)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(
            f"clip_grad_norm_: the total norm of order {norm_type} of the "
            f"gradients is {float(total)}, so they cannot be clipped. Pass "
            "error_if_nonfinite=False to clip anyway (the gradients become NaN)"
        )
    coef = min(float(max_norm) / (float(total) + 1e-6), 1.0)
    for g in grads:
        if g._data.flags.writeable:
            np.multiply(g._data, coef, out=g._data, casting="same_kind")
        else:
            g._data = g._data * coef
    return Tensor(total)


def clip_grad_value_(
    parameters: Tensor | Iterable[Tensor], clip_value: float, foreach: bool | None = None
) -> None:
    """Clamp every gradient element, in place, into [−clip_value, clip_value]."""
    clip_value = float(clip_value)
    for g in _grads(parameters):
        if g._data.flags.writeable:
            np.clip(g._data, -clip_value, clip_value, out=g._data)
        else:
            g._data = np.clip(g._data, -clip_value, clip_value)
