"""Metrics for ``fit`` and ``evaluate``: accuracy, MSE, MAE, R².

Each metric is called with the model's output and the targets (tensors or
arrays) and returns a Python float. ``get_metric('accuracy')`` looks one up
by name.
"""

import numpy as np

from ..tensor import Tensor


def _np(x):
    return x._data if isinstance(x, Tensor) else np.asarray(x)


class Accuracy:
    """Fraction of correct predictions.

    - several output columns (N, C): the class is the argmax (logits or
      probabilities alike); targets are class indices (or one-hot rows);
    - one output column: a binary decision at ``threshold`` (0.5 for
      probabilities, 0.0 for logits or for ±1 targets as in the Playground).
    """

    name = "accuracy"

    def __init__(self, threshold=None):
        self.threshold = threshold

    def __call__(self, output, target):
        out, y = _np(output), _np(target)
        if out.ndim >= 2 and out.shape[1] > 1:
            pred = out.argmax(axis=1)
            if y.ndim == out.ndim and y.shape == out.shape:
                y = y.argmax(axis=1)
            return float(np.mean(pred == y.reshape(pred.shape)))
        out = out.reshape(-1)
        y = y.reshape(-1)
        if np.any(y < 0):  # ±1 labels
            return float(np.mean(np.sign(out) == np.sign(y)))
        threshold = 0.5 if self.threshold is None else self.threshold
        return float(np.mean((out > threshold) == (y > 0.5)))


def mse(output, target):
    """Mean squared error, mean((ŷ − y)²)."""
    out, y = _np(output), _np(target)
    return float(np.mean((out.reshape(y.shape) - y) ** 2))


def mae(output, target):
    """Mean absolute error, mean(|ŷ − y|)."""
    out, y = _np(output), _np(target)
    return float(np.mean(np.abs(out.reshape(y.shape) - y)))


def r2(output, target):
    """Coefficient of determination, 1 − Σ(y − ŷ)² / Σ(y − ȳ)² (1 is perfect)."""
    out, y = _np(output).astype(np.float64), _np(target).astype(np.float64)
    out = out.reshape(y.shape)
    total = np.sum((y - y.mean(axis=0)) ** 2)
    if total == 0:
        return float("nan")
    return float(1 - np.sum((y - out) ** 2) / total)


mse.name, mae.name, r2.name = "mse", "mae", "r2"  # type: ignore[attr-defined]

_BY_NAME = {
    "accuracy": Accuracy,
    "acc": Accuracy,
    "mse": lambda: mse,
    "mae": lambda: mae,
    "r2": lambda: r2,
}


def get_metric(metric):
    """A metric from a name ('accuracy', 'mse', 'mae', 'r2') or a callable."""
    if callable(metric):
        return metric
    try:
        return _BY_NAME[str(metric).lower()]()
    except KeyError:
        raise ValueError(
            f"unknown metric {metric!r}; expected one of "
            f"{sorted(set(_BY_NAME) - {'acc'})} or a callable "
            "(output, target) -> float"
        ) from None


def metric_name(metric):
    return getattr(metric, "name", None) or getattr(metric, "__name__", type(metric).__name__)
