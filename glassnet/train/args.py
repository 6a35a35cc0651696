"""Checking what ``fit`` is given before any work is done: each check names
the argument, what it got and what it accepts."""

import numbers
from collections.abc import Iterable

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
