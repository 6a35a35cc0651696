"""The adding problem: an LSTM learns it, a plain RNN does worse.

Each sequence has T steps of two channels: a random value in [0, 1] and a
marker that is 1 at exactly two steps (one in the first half, one in the
second). The target is the sum of the two marked values. The first marked
value must be carried across many steps — the gradient must flow back
through them: tanh shrinks it at every step, the LSTM's cell state holds it.

    python examples/lstm_vs_rnn.py [--plot curves.png]
"""

import argparse

import numpy as np

import glassnet as gn
from glassnet import nn


def adding_problem(n, steps, rng):
    values = rng.uniform(0, 1, (n, steps)).astype(np.float32)
    marks = np.zeros((n, steps), dtype=np.float32)
    first = rng.integers(0, steps // 2, n)
    second = rng.integers(steps // 2, steps, n)
    marks[np.arange(n), first] = 1
    marks[np.arange(n), second] = 1
    x = np.stack([values, marks], axis=2)  # (n, steps, 2)
    y = (values * marks).sum(axis=1, keepdims=True)  # (n, 1)
    return gn.tensor(x), gn.tensor(y)


class Regressor(nn.Module):
    """A recurrent layer, then a linear head on the last step's hidden state."""

    def __init__(self, cell, hidden=32):
        super().__init__()
        self.rnn = cell(2, hidden, batch_first=True)
        self.head = nn.Linear(hidden, 1)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.head(out[:, -1])


def train(kind, steps=30, epochs=100, n=1000, seed=0, lr=1e-2, verbose=0):
    """Train an 'lstm' or 'rnn'; returns the History (loss, val_loss per epoch)."""
    gn.manual_seed(seed)
    rng = np.random.default_rng(seed)
    x, y = adding_problem(n, steps, rng)
    xv, yv = adding_problem(n // 4, steps, rng)
    model = Regressor(nn.LSTM if kind == "lstm" else nn.RNN)
    return gn.fit(
        model,
        (x, y),
        loss="mse",
        optimizer="adam",
        lr=lr,
        epochs=epochs,
        batch_size=50,
        validation=(xv, yv),
        verbose=verbose,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--plot", default="lstm_vs_rnn.png")
    args = parser.parse_args()
    curves = {k: train(k, args.steps, args.epochs, verbose=2) for k in ("rnn", "lstm")}
    for k, h in curves.items():
        print(
            f"{k}: final validation MSE {h.history['val_loss'][-1]:.4f} "
            "(always predicting 1.0 gives about 0.167)"
        )
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    for k, h in curves.items():
        ax.plot(h.history["loss"], label=f"{k.upper()} train")
        ax.plot(h.history["val_loss"], "--", label=f"{k.upper()} validation")
    ax.set(
        xlabel="epoch",
        ylabel="MSE",
        yscale="log",
        title=f"The adding problem, {args.steps} steps: LSTM vs RNN",
    )
    ax.legend()
    fig.tight_layout()
    fig.savefig(args.plot)
    print(f"wrote {args.plot}")


if __name__ == "__main__":
    main()
