"""One Transformer encoder layer (d_model 128, 4 heads, feed-forward 512, no
dropout) over sequences of 64, batch 32, the mean over time → linear 10, SGD
(issue 20's Transformer row)."""

import numpy as np

from ..models import TRANSFORMER_LAYERS, transformer_classifier
from .common import TrainingWorkload, framework_impls

D_MODEL, HEADS, FEEDFORWARD, CLASSES, LR, POOL = 128, 4, 512, 10, 0.01, 4


class Transformer(TrainingWorkload):
    name = "transformer"
    title = "Transformer encoder layer d128, 4 heads, ff 512, sequence 64, batch 32, SGD"

    def shape(self, cfg):
        return cfg.pick((32, 64), (4, 6))  # (batch, sequence length)

    def items(self, cfg):
        return self.shape(cfg)[0]

    def params(self, cfg):
        batch, seq = self.shape(cfg)
        return {
            "d_model": D_MODEL,
            "heads": HEADS,
            "feedforward": FEEDFORWARD,
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
            (rng.standard_normal((n, seq, D_MODEL), dtype=np.float32), rng.integers(0, 10, n))
            for _ in range(POOL)
        ]
        return framework_impls(
            fws,
            lambda nn: transformer_classifier(nn, D_MODEL, HEADS, FEEDFORWARD, CLASSES),
            "CrossEntropyLoss",
            "SGD",
            pool,
            needs=TRANSFORMER_LAYERS,
            lr=LR,
        )
