"""``evaluate`` and ``predict``: the model in eval mode, without a graph,
over batches of the data: its loss and metrics, or its outputs."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from ..grad_mode import no_grad
from ..tensor import Tensor
from . import metrics as metrics_mod
from .args import _metrics_for, get_loss
from .batches import _as_tensor, _batches, _match_target, _split

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from ..nn import Module
    from .batches import Data


def evaluate(
    model: Module,
    data: Data,
    loss: str | Callable[..., Tensor] | None = None,
    metrics: Sequence[str | Callable[..., Any]] = (),
    batch_size: int = 256,
) -> dict[str, float]:
    """Loss and metrics of ``model`` on ``data`` (eval mode, no graph). Returns a dict."""
    loss_fn = get_loss(loss) if loss is not None else None
    metric_fns = _metrics_for(metrics, loss_fn)
    was_training = getattr(model, "training", False)
    model.eval()
    outs, ys, total, count = [], [], 0.0, 0
    try:
        with no_grad():
            for batch in _batches(data, batch_size):
                xb, yb = _split(batch)
                out = model(xb)
                yb = _match_target(out, yb)
                if loss_fn is not None:
                    total += loss_fn(out, yb).item() * len(xb)
                count += len(xb)
                outs.append(np.asarray(out))
                ys.append(np.asarray(yb))
    finally:
        model.train(was_training)
    result = {}
    if loss_fn is not None:
        result["loss"] = total / count if count else math.nan
    if metric_fns:
        out_all, y_all = np.concatenate(outs), np.concatenate(ys)
        for m in metric_fns:
            result[metrics_mod.metric_name(m)] = m(out_all, y_all)
    return result


def predict(model: Module, x: Tensor | np.ndarray, batch_size: int = 1024) -> Tensor:
    """The model's outputs for inputs ``x`` (eval mode, no graph), as one tensor."""
    x = _as_tensor(x, "x")
    was_training = getattr(model, "training", False)
    model.eval()
    try:
        with no_grad():
            parts = [np.asarray(model(x[i : i + batch_size])) for i in range(0, len(x), batch_size)]
    finally:
        model.train(was_training)
    return Tensor(np.concatenate(parts) if parts else np.zeros((0,), dtype=np.float32))
