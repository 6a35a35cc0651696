"""Workload 6: an LSTM (input 32, hidden 128) over sequences of 50 steps,
batch 32, a linear head to 10 classes on the last step, SGD. glassnet's
side runs as soon as ``gn.nn`` has LSTM; until then it is reported as n/a."""

import numpy as np

from ..models import LSTM_LAYERS, lstm_classifier
from .common import TrainingWorkload, framework_impls

N_IN, HIDDEN, CLASSES, LR, POOL = 32, 128, 10, 0.01, 4


class LSTM(TrainingWorkload):
    name = "lstm"
    title = "LSTM 32→128, sequence 50, batch 32, last step → linear 10, SGD"

    def shape(self, cfg):
        return cfg.pick((32, 50), (4, 5))  # (batch, sequence length)

    def items(self, cfg):
        return self.shape(cfg)[0]

    def params(self, cfg):
        batch, seq = self.shape(cfg)
        return {
            "input": N_IN,
            "hidden": HIDDEN,
            "sequence": seq,
            "batch": batch,
            "classes": CLASSES,
            "optimizer": "SGD",
            "lr": LR,
            "loss": "CrossEntropy",
        }

    def impls(self, cfg, fws):
        rng, (n, seq) = np.random.default_rng(0), self.shape(cfg)
        pool = [
            (rng.standard_normal((n, seq, N_IN), dtype=np.float32), rng.integers(0, 10, n))
            for _ in range(POOL)
        ]
        return framework_impls(
            fws,
            lambda nn: lstm_classifier(nn, N_IN, HIDDEN, CLASSES),
            "CrossEntropyLoss",
            "SGD",
            pool,
            needs=LSTM_LAYERS,
            lr=LR,
        )
