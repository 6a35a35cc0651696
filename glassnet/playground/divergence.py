"""When training blows up: what the page says and where the backward view
looks.

The playground's Trainer checks every mini-batch between backward and step
(``stop_on_nan``): when the loss or a gradient ∂L/∂w is no longer a finite
number, it raises before the update, so the network keeps the last finite
weights — the very numbers that blew up. ``Divergence`` records where
(epoch, batch, what), the training point with the largest loss under those
weights (the one the backward view opens on) and a smaller learning rate to
try.
"""

import re

import numpy as np

from ..grad_mode import no_grad
from ..tensor import Tensor
from .features import transform
from .options import LEARNING_RATES

BIG = 1e6  # |value| from which the backward view marks a number as blown up


def smaller_rate(lr):
    """The largest rate of the page's menu at most a third of ``lr`` (or lr / 10)."""
    below = [r for r in LEARNING_RATES if r <= lr / 3]
    return max(below) if below else lr / 10


def worst_point(network, data, features):
    """The index of the training point with the largest loss (NaN counts as the largest)."""
    x = transform(data.train_x, features)
    with no_grad(), np.errstate(all="ignore"):
        out = network.sequential(dropout=False)(Tensor(x))._data.astype(np.float64)
        if data.task == "classification":
            z = out - out.max(axis=1, keepdims=True)
            logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
            loss = -logp[np.arange(len(out)), data.train_y]
        else:
            loss = 0.5 * (data.train_y[:, 0] - out[:, 0]) ** 2
    loss = np.where(np.isnan(loss), np.inf, loss)
    return int(np.argmax(loss))


class Divergence:
    """What the page shows after a blow-up (``to_dict``)."""

    def __init__(self, error, epoch, lr, point):
        text = str(error)
        found = re.search(r"fit: (.*?) at batch (\d+) of epoch", text)
        self.what = found.group(1) if found else text
        self.batch = int(found.group(2)) if found else None
        self.epoch, self.lr, self.point = epoch, lr, point

    def to_dict(self):
        return {
            "epoch": self.epoch,
            "batch": self.batch,
            "what": self.what,
            "learningRate": self.lr,
            "suggestedRate": smaller_rate(self.lr),
            "point": self.point,
        }


def blown(value):
    """True for a number the backward view marks: NaN, ±∞ or |v| ≥ BIG."""
    return value is None or not np.isfinite(value) or abs(value) >= BIG
