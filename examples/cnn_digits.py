"""A small CNN on scikit-learn's 8×8 digits, trained with glassnet.

    python examples/cnn_digits.py            # full run: ≥ 98% test accuracy

conv(1→16, 3×3, pad 1) → ReLU → conv(16→32, 3×3, pad 1) → ReLU → max-pool 2
→ flatten → linear(512→64) → ReLU → linear(64→10), Adam, cross-entropy.
"""

import numpy as np

import glassnet as gn
from glassnet import nn


def build():
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1),
        nn.ReLU(),
        nn.Conv2d(16, 32, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(32 * 4 * 4, 64),
        nn.ReLU(),
        nn.Linear(64, 10),
    )


def data(seed=0):
    ds = gn.datasets.digits(standardize=True)
    x, y = ds.tensors
    x = gn.tensor(x.numpy().reshape(-1, 1, 8, 8))
    return gn.datasets.train_test_split(
        x, y, test_size=0.2, stratify=y.numpy(), generator=np.random.default_rng(seed)
    )


def train(epochs=12, seed=0, verbose=0):
    """Train and return (model, history, test accuracy)."""
    gn.manual_seed(seed)
    x_tr, x_te, y_tr, y_te = data(seed)
    model = build()
    history = gn.fit(
        model,
        (x_tr, y_tr),
        loss="cross_entropy",
        optimizer="adam",
        lr=2e-3,
        epochs=epochs,
        batch_size=32,
        metrics=["accuracy"],
        verbose=verbose,
    )
    acc = gn.evaluate(model, (x_te, y_te), metrics=["accuracy"])["accuracy"]
    return model, history, acc


if __name__ == "__main__":
    _, _, accuracy = train(verbose=2)
    print(f"test accuracy: {accuracy:.4f}")
