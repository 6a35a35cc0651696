"""Training a session's network with glassnet: mini-batch epochs with the
chosen optimizer, L1/L2 penalty and dropout; the loss on the training and
test points; a history of both and of each layer's gradient norm."""
import time

import numpy as np

from .. import nn, optim
from ..grad_mode import no_grad
from ..tensor import Tensor
from . import limits
from .features import transform

LOSS_CODE = {"classification": "nn.CrossEntropyLoss()", "regression": "nn.HalfSquaredError()"}


def loss_function(task):
    """Softmax + cross-entropy for classes; the article's ½(y − ŷ)² for numbers."""
    return nn.CrossEntropyLoss() if task == "classification" else nn.HalfSquaredError()


def make_optimizer(name, params, lr):
    if name == "adam":
        return optim.Adam(params, lr=lr)
    return optim.SGD(params, lr=lr, momentum=0.9 if name == "momentum" else 0.0)


OPTIMIZER_CODE = {"sgd": "gn.optim.SGD(model.parameters(), lr={lr!r})",
                  "momentum": "gn.optim.SGD(model.parameters(), lr={lr!r}, momentum=0.9)",
                  "adam": "gn.optim.Adam(model.parameters(), lr={lr!r})"}


class History:
    """Rows of numbers per epoch, thinned to every other row when full."""

    def __init__(self):
        self.rows = []

    def add(self, row):
        self.rows.append(row)
        if len(self.rows) > limits.HISTORY_POINTS:
            last = self.rows[-1]
            self.rows = self.rows[:-1:2] + [last]

    def columns(self, n):
        return [[r[k] for r in self.rows] for k in range(n)]


class Trainer:
    """Trains ``network`` on ``data`` with the settings of ``config``."""

    def __init__(self, network, data, config, generator):
        self.network, self.data, self.rng = network, data, generator
        self.loss_fn = loss_function(data.task)
        self.epoch = 0
        self.losses = History()      # (epoch, train loss, test loss)
        self.grad_norms = History()  # (epoch, ‖∂L/∂W₁‖, ‖∂L/∂W₂‖, ...)
        self.optimizer = None
        self._order = None           # the epoch under way: its order and position
        self.set_features(config.features)
        self.configure(config)
        self.record()

    def set_features(self, names):
        d = self.data
        self.train_x, self.test_x = transform(d.train_x, names), transform(d.test_x, names)

    def configure(self, config, reset_optimizer=False):
        """Take the training settings (optimizer, rate, batch, penalty) of ``config``."""
        self.config = config
        if self.optimizer is None or reset_optimizer:
            self.optimizer = make_optimizer(config.optimizer, self.network.parameters(),
                                            config.learningRate)
        for group in self.optimizer.param_groups:
            group["lr"] = config.learningRate

    def _penalty(self):
        c = self.config
        if c.regularization == "none" or c.regularizationRate == 0:
            return None
        weights = [lin.weight for lin in self.network.linears]
        fn = optim.l1_penalty if c.regularization == "l1" else optim.l2_penalty
        return fn(weights, lam=c.regularizationRate)

    def train(self, deadline=None):
        """Shuffled mini-batches until the epoch ends (True) or, if given,
        ``time.monotonic()`` passes ``deadline`` (False: the epoch goes on
        at the next call), so a big epoch never holds the engine for long."""
        n = len(self.train_x)
        if self._order is None:
            self._order, self._pos = self.rng.permutation(n), 0
            self._norms, self._batches = np.zeros(len(self.network.linears)), 0
        model = self.network.sequential(dropout=True)
        with np.errstate(all="ignore"):
            while self._pos < n:
                idx = self._order[self._pos:self._pos + self.config.batchSize]
                self._pos += len(idx)
                self.optimizer.zero_grad()
                loss = self.loss_fn(model(Tensor(self.train_x[idx])),
                                    Tensor(self.data.train_y[idx]))
                penalty = self._penalty()
                if penalty is not None:
                    loss = loss + penalty
                loss.backward()
                self._norms += [np.linalg.norm(lin.weight.grad.data)
                                for lin in self.network.linears]
                self._batches += 1
                self.optimizer.step()
                if deadline is not None and self._pos < n and time.monotonic() >= deadline:
                    return False
        self.epoch += 1
        self.record(self._norms / max(self._batches, 1))
        self._order = None
        return True

    def run_epoch(self):
        """The rest of the current epoch (a whole one if none is under way)."""
        self.train()

    def loss_on(self, x, y):
        if len(x) == 0:
            return float("nan")
        with no_grad(), np.errstate(all="ignore"):
            return float(self.loss_fn(self.network.sequential(dropout=False)(Tensor(x)),
                                      Tensor(y)).item())

    def record(self, norms=None):
        self.train_loss = self.loss_on(self.train_x, self.data.train_y)
        self.test_loss = self.loss_on(self.test_x, self.data.test_y)
        self.losses.add((self.epoch, self.train_loss, self.test_loss))
        if norms is not None:
            self.grad_norms.add((self.epoch, *map(float, norms)))
