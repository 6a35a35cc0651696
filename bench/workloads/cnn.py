"""Workload 5: a small CNN on 1×28×28 images, batch 64, SGD. glassnet's side
runs as soon as ``gn.nn`` has Conv2d and MaxPool2d (same code, same
architecture); until then it is reported as n/a."""

import numpy as np

from ..models import CNN_LAYERS, cnn
from .common import TrainingWorkload, framework_impls

LR, POOL = 0.01, 4


class CNN(TrainingWorkload):
    name = "cnn"
    title = "CNN conv8-pool-conv16-pool-linear on 1×28×28, batch 64, SGD"

    def batch(self, cfg):
        return cfg.pick(64, 8)

    def items(self, cfg):
        return self.batch(cfg)

    def params(self, cfg):
        return {
            "input": (1, 28, 28),
            "batch": self.batch(cfg),
            "optimizer": "SGD",
            "lr": LR,
            "loss": "CrossEntropy",
        }

    def impls(self, cfg, fws):
        rng, n = np.random.default_rng(0), self.batch(cfg)
        pool = [
            (rng.random((n, 1, 28, 28), dtype=np.float32), rng.integers(0, 10, n))
            for _ in range(POOL)
        ]
        return framework_impls(fws, cnn, "CrossEntropyLoss", "SGD", pool, needs=CNN_LAYERS, lr=LR)
