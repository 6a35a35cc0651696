"""Training: ``fit`` / ``evaluate`` / ``predict`` (the loop, in ``loop``),
the ``History`` it returns, ``callbacks`` (early stopping, checkpoints,
progress) and ``metrics``, as Keras' ``model.fit`` does them."""

from .history import History
from .loop import evaluate, fit, predict

__all__ = ["fit", "evaluate", "predict", "History"]
