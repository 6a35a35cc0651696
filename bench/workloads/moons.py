"""Workload 2: a 2-16-16-1 ReLU network on 100 two-moons points, full batch
(binary cross-entropy on the logit), SGD: small matrices, many ops."""

import numpy as np

import glassnet as gn

from ..models import mlp
from .common import TrainingWorkload, framework_impls

SIZES, LR, POINTS = (2, 16, 16, 1), 0.1, 100


class Moons(TrainingWorkload):
    name = "moons"
    title = "2-16-16-1 ReLU, 100 moons points, full batch, SGD"

    def items(self, cfg):
        return POINTS

    def params(self, cfg):
        return {
            "sizes": SIZES,
            "batch": POINTS,
            "optimizer": "SGD",
            "lr": LR,
            "loss": "BCEWithLogits",
        }

    def impls(self, cfg, fws):
        data = gn.datasets.moons(
            POINTS, noise=0.1, labels="float", generator=np.random.default_rng(0)
        )
        pool = [(data.features.numpy(), data.targets.numpy())]
        return framework_impls(
            fws, lambda nn: mlp(nn, SIZES), "BCEWithLogitsLoss", "SGD", pool, lr=LR
        )
