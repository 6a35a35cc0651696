"""Workload 8: end to end, an MLP 64-64-10 on scikit-learn's 8×8 digits
(standardized; the same 80/20 split for both sides) trained with Adam in
mini-batches of 32 through each framework's own DataLoader until the test
accuracy reaches 97%, evaluated after every epoch. One "step" here is the
whole run: building the model, training, evaluating."""

import numpy as np

import glassnet as gn

from ..models import mlp
from .common import Impl, measure, not_available, row

SIZES, LR, BATCH, TARGET = (64, 64, 10), 1e-3, 32, 0.97
REPS_SHARE = 3  # a third of the usual repetitions: a run takes a good part of a second


def split(seed=0, test=0.2):
    ds = gn.datasets.digits(standardize=True)
    x, y = ds.features.numpy(), ds.targets.numpy()
    order = np.random.default_rng(seed).permutation(len(x))
    n_test = int(round(len(x) * test))
    te, tr = order[:n_test], order[n_test:]
    return x[tr], y[tr], x[te], y[te]


def digits_impl(fw, data, max_epochs, outcome):
    """``fw`` training to TARGET; each run's epochs and accuracy go to ``outcome``."""
    xtr, ytr, xte, yte = data
    train = fw.data.TensorDataset(fw.tensor(xtr), fw.tensor(ytr))
    x_test = fw.tensor(xte)

    def make():
        def run():
            fw.seed(0)
            model = mlp(fw.nn, SIZES)
            opt, loss_fn = fw.optim.Adam(model.parameters(), lr=LR), fw.nn.CrossEntropyLoss()
            loader = fw.data.DataLoader(train, batch_size=BATCH, shuffle=True)
            acc, epoch = 0.0, 0
            while acc < TARGET and epoch < max_epochs:
                for x, y in loader:
                    opt.zero_grad()
                    loss_fn(model(x), y).backward()
                    opt.step()
                epoch += 1
                with fw.no_grad():
                    acc = float((fw.to_numpy(model(x_test)).argmax(1) == yte).mean())
            outcome[fw.name] = {"epochs": epoch, "test_accuracy": acc, "reached": acc >= TARGET}

        return run

    return Impl(fw.name, make, fw.memory_method, details=lambda: outcome.get(fw.name))


class Digits:
    name = "digits"
    title = "digits MLP 64-64-10 to 97% test accuracy (Adam, batch 32), whole run"

    def measured(self, cfg, fws, data=None):
        """glassnet's and PyTorch's whole runs (each reports its epochs and accuracy)."""
        data = split() if data is None else data
        outcome, max_epochs = {}, cfg.pick(100, 3)
        impls = [digits_impl(fws.glassnet, data, max_epochs, outcome)]
        impls.append(
            digits_impl(fws.torch, data, max_epochs, outcome)
            if fws.torch is not None
            else not_available("pytorch", fws.torch_reason)
        )
        return impls

    def run(self, cfg, fws):
        max_epochs = cfg.pick(100, 3)
        params = {
            "sizes": SIZES,
            "batch": BATCH,
            "optimizer": "Adam",
            "lr": LR,
            "target_accuracy": TARGET,
            "max_epochs": max_epochs,
        }
        try:
            data = split()
        except ImportError as exc:  # digits ship with scikit-learn, an optional extra
            reason = f"n/a ({exc})"
            results = {
                "glassnet": {"status": "n/a", "reason": reason},
                "pytorch": {"status": "n/a", "reason": reason},
            }
            return [row(self, results, None, step="run", params=params)]
        cfg = cfg.for_long_steps(REPS_SHARE)
        results, _ = measure(self, self.measured(cfg, fws, data), cfg, 1, memory_steps=1)
        outcome = {name: r.pop("details") for name, r in results.items() if "details" in r}
        n_train = len(data[0])
        for name, r in results.items():
            if r.get("ms_per_step") and name in outcome:
                r["per_s"] = outcome[name]["epochs"] * n_train / (r["ms_per_step"] / 1e3)
        return [row(self, results, None, step="run", params=params, extra=outcome)]
