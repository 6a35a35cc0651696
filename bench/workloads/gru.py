"""A GRU (input 32, hidden 64) over sequences of 50 steps, batch 32, a linear
head to 10 classes on the last step, SGD (issue 20's GRU row)."""

import numpy as np

from ..models import GRU_LAYERS, gru_classifier
from .common import TrainingWorkload, framework_impls

N_IN, HIDDEN, CLASSES, LR, POOL = 32, 64, 10, 0.01, 4


class GRU(TrainingWorkload):
    name = "gru"
    title = "GRU 32→64, sequence 50, batch 32, last step → linear 10, SGD"

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
            lambda nn: gru_classifier(nn, N_IN, HIDDEN, CLASSES),
            "CrossEntropyLoss",
            "SGD",
            pool,
            needs=GRU_LAYERS,
            lr=LR,
        )
