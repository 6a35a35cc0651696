"""Workload 1: the article's 1-2-1 ReLU network learning y = x², one sample
per step, SGD: almost no arithmetic, so this is pure framework overhead."""

import numpy as np

from ..models import mlp
from ..numpy_reference import BufferedMLP, FreshMLP
from .common import TrainingWorkload, framework_impls, numpy_impl

SIZES, LR = (1, 2, 1), 0.01


class Tiny(TrainingWorkload):
    name = "tiny"
    title = "1-2-1 ReLU, y = x², 1 sample/step, SGD"

    def items(self, cfg):
        return 1

    def params(self, cfg):
        return {"sizes": SIZES, "batch": 1, "optimizer": "SGD", "lr": LR, "loss": "MSE"}

    def impls(self, cfg, fws):
        x = np.random.default_rng(0).uniform(-1, 1, (64, 1, 1)).astype(np.float32)
        pool = list(zip(x, x * x))
        net = dict(sizes=SIZES, loss="mse", optimizer="sgd", lr=LR)
        return framework_impls(fws, lambda nn: mlp(nn, SIZES), "MSELoss", "SGD", pool, lr=LR) + [
            numpy_impl("numpy", FreshMLP, pool, **net),
            numpy_impl("numpy-buffers", BufferedMLP, pool, **net),
        ]
