"""What the sequence workloads share (LSTM, GRU, Transformer): batches of
(batch, time, features) float32 sequences with a class each, a classifier
built the same way in every framework, cross-entropy, SGD. A subclass names
its sizes (``features``, ``lr``, ``shape``), its ``model(nn)``, the layers
glassnet needs for it (``needs``) and the ``params`` the report lists."""

import numpy as np

from .common import TrainingWorkload, framework_impls

CLASSES, POOL = 10, 4


class SequenceWorkload(TrainingWorkload):
    features = 0  # the size of each step's input
    lr = 0.01
    sizes = ((32, 50), (4, 5))  # (batch, time): the full run's, then --quick's
    needs: tuple = ()

    def model(self, nn):
        raise NotImplementedError

    def layer_params(self):
        """The model's sizes, for the report."""
        raise NotImplementedError

    def shape(self, cfg):
        return cfg.pick(*self.sizes)  # (batch, sequence length)

    def items(self, cfg):
        return self.shape(cfg)[0]

    def params(self, cfg):
        batch, seq = self.shape(cfg)
        return {
            **self.layer_params(),
            "sequence": seq,
            "batch": batch,
            "classes": CLASSES,
            "optimizer": "SGD",
            "lr": self.lr,
            "loss": "CrossEntropy",
        }

    def impls(self, cfg, fws):
        rng, (n, seq) = np.random.default_rng(0), self.shape(cfg)
        pool = [
            (
                rng.standard_normal((n, seq, self.features), dtype=np.float32),
                rng.integers(0, CLASSES, n),
            )
            for _ in range(POOL)
        ]
        return framework_impls(
            fws, self.model, "CrossEntropyLoss", "SGD", pool, needs=self.needs, lr=self.lr
        )
