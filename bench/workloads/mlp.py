"""Workloads 3 and 4: an MLP 784-512-256-10 with softmax cross-entropy, at
batch 128 and 1024, with SGD and with Adam, on random "images".

At batch 1024 the row also reports achieved GFLOP/s: the FLOPs of the
step's matrix multiplies (forward, weight gradients, input gradients but
the first layer's) over its time, next to two references timed in the same
round-robin: only those matmuls in NumPy float32 (the step's matmul limit)
and a 1024³ sgemm."""

import numpy as np

from ..models import mlp
from ..numpy_reference import BufferedMLP, FreshMLP, matmul_step, mlp_step_flops, sgemm
from .common import TrainingWorkload, framework_impls, numpy_impl

SIZES, LR = (784, 512, 256, 10), {"sgd": 0.01, "adam": 1e-3}
OPTIMIZERS = {"sgd": "SGD", "adam": "Adam"}
POOL = 4  # distinct batches, used in turn


class MLP(TrainingWorkload):
    def __init__(self, batch, optimizer):
        self.full_batch, self.optimizer = batch, optimizer
        self.name = f"mlp-b{batch}-{optimizer}"
        self.title = f"MLP 784-512-256-10, batch {batch}, cross-entropy, {OPTIMIZERS[optimizer]}"
        self.gflops = batch >= 1024

    def batch(self, cfg):
        return cfg.pick(self.full_batch, self.full_batch // 16)

    def items(self, cfg):
        return self.batch(cfg)

    def params(self, cfg):
        return {
            "sizes": SIZES,
            "batch": self.batch(cfg),
            "optimizer": OPTIMIZERS[self.optimizer],
            "lr": LR[self.optimizer],
            "loss": "CrossEntropy",
        }

    def impls(self, cfg, fws):
        rng, n = np.random.default_rng(0), self.batch(cfg)
        pool = [
            (rng.random((n, SIZES[0]), dtype=np.float32), rng.integers(0, 10, n))
            for _ in range(POOL)
        ]
        lr = LR[self.optimizer]
        net = dict(sizes=SIZES, loss="cross_entropy", optimizer=self.optimizer, lr=lr)
        return framework_impls(
            fws,
            lambda nn: mlp(nn, SIZES),
            "CrossEntropyLoss",
            OPTIMIZERS[self.optimizer],
            pool,
            lr=lr,
        ) + [
            numpy_impl("numpy", FreshMLP, pool, **net),
            numpy_impl("numpy-buffers", BufferedMLP, pool, **net),
        ]

    def extra_steps(self, cfg):
        if not self.gflops:
            return {}
        n = cfg.pick(1024, 256)
        return {"matmul-only": matmul_step(SIZES, self.batch(cfg)), f"sgemm-{n}": sgemm(n)[0]}

    def extra(self, cfg, results, extra_times):
        if not self.gflops:
            return {}
        flops = mlp_step_flops(SIZES, self.batch(cfg))
        n = cfg.pick(1024, 256)

        def gflops(ms, work=flops):
            return work / (ms / 1e3) / 1e9 if ms else None

        limit = gflops(extra_times["matmul-only"]["ms_per_step"])
        out = {
            "step_gflop": flops / 1e9,
            "matmul_only_ms": extra_times["matmul-only"]["ms_per_step"],
            "matmul_only_gflops": limit,
            "sgemm_n": n,
            "sgemm_gflops": gflops(extra_times[f"sgemm-{n}"]["ms_per_step"], 2 * n**3),
            "gflops": {},
            "fraction_of_matmul_only": {},
        }
        for name, r in results.items():
            g = gflops(r.get("ms_per_step"))
            out["gflops"][name] = g
            out["fraction_of_matmul_only"][name] = g / limit if g and limit else None
        return out
