"""Checking what ``fit`` is given before any work is done: each check names
the argument, what it got and what it accepts; and turning the names it
accepts (a loss, an optimizer, metrics) into the objects they name."""

import numbers
from collections.abc import Iterable

from . import metrics as metrics_mod
from .callbacks import Callback


def whole_number(value, name, minimum):
    """``value`` as an int ≥ ``minimum``: a TypeError for a float such as 2.7
    (or a bool), a ValueError below ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"fit: {name} must be a whole number (an int ≥ {minimum}), got "
            f"{type(value).__name__} {value!r}"
        )
    if value < minimum:
        raise ValueError(f"fit: {name} must be at least {minimum}, got {value}")
    return int(value)


def as_callbacks(callbacks):
    """A list of Callbacks from one Callback or an iterable of them."""
    if isinstance(callbacks, Callback):
        return [callbacks]
    if callbacks is None:
        return []
    if not isinstance(callbacks, Iterable) or isinstance(callbacks, (str, bytes)):
        raise TypeError(
            "fit: callbacks must be a Callback or a list of Callbacks, got "
            f"{type(callbacks).__name__}"
        )
    out = list(callbacks)
    for i, cb in enumerate(out):
        if not isinstance(cb, Callback):
            raise TypeError(
                f"fit: callbacks[{i}] is a {type(cb).__name__}; expected an instance "
                "of glassnet.train.callbacks.Callback (EarlyStopping(), "
                "ModelCheckpoint(path)... or a subclass of Callback)"
            )
    return out


def as_metrics(metrics):
    """A list of metrics from one name or callable, or an iterable of them."""
    if metrics is None:
        return []
    if isinstance(metrics, str) or callable(metrics):
        return [metrics]
    return list(metrics)


def get_loss(loss):
    """A loss module from a name of ``nn.loss_registry.LOSSES`` ('mse',
    'cross_entropy', 'bce_with_logits', ...) or a callable."""
    if callable(loss):
        return loss
    from ..nn.loss_registry import LOSSES

    if loss not in LOSSES:
        raise ValueError(
            f"unknown loss {loss!r}; expected one of {', '.join(LOSSES.accepted())}"
            " or a callable (output, target) -> scalar tensor"
        )
    return LOSSES[loss].layer()


def get_optimizer(optimizer, params, lr=None):
    """An optimizer from an instance or a name of ``optim.OPTIMIZERS``
    ('sgd', 'momentum', 'adam', ...) and ``lr`` (default: the optimizer's)."""
    if hasattr(optimizer, "step") and hasattr(optimizer, "zero_grad"):
        return optimizer
    from ..optim.registry import OPTIMIZERS

    if optimizer not in OPTIMIZERS:
        raise ValueError(
            f"unknown optimizer {optimizer!r}; expected one of "
            f"{', '.join(OPTIMIZERS.accepted())} or an optimizer instance"
        )
    return OPTIMIZERS[optimizer].make(params, lr)


def _metrics_for(metrics, loss_fn):
    """Metric functions from names; with a from-logits binary loss, accuracy
    thresholds the logit at 0 (probability 0.5)."""
    fns = [metrics_mod.get_metric(m) for m in metrics]
    if type(loss_fn).__name__ == "BCEWithLogitsLoss":
        fns = [
            metrics_mod.Accuracy(threshold=0.0)
            if isinstance(m, metrics_mod.Accuracy) and m.threshold is None
            else m
            for m in fns
        ]
    return fns
