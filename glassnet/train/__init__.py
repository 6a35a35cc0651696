"""Training: ``fit`` / ``evaluate`` / ``predict`` (the loop, in ``loop``),
the ``History`` it returns, ``callbacks`` (early stopping, checkpoints,
progress) and ``metrics``, as Keras' ``model.fit`` does them; and a trained
network saved with its model card (``save_model`` / ``load_model``, loaded
lazily: they build layers)."""

from .history import History
from .loop import evaluate, fit, predict

__all__ = [
    "fit",
    "evaluate",
    "predict",
    "History",
    "save_model",
    "load_model",
    "ModelCard",
    "TrainedModel",
]

_LAZY = {"save_model": "saved", "load_model": "saved", "TrainedModel": "saved", "ModelCard": "card"}


def __getattr__(name):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'glassnet.train' has no attribute {name!r}")
