"""A tiny Transformer encoder, built from glassnet's own layers, learns to
reverse a sequence of digits.

Embedding + learned positions → TransformerEncoderLayer (self-attention +
feed-forward, each with a residual and LayerNorm) → a linear layer giving
each position a distribution over the 10 digits. To output the digit at
the mirrored position, each position must attend there: attention learns it.

    python examples/tiny_transformer.py
"""

import numpy as np

import glassnet as gn
from glassnet import nn

VOCAB, LENGTH = 10, 8


class Reverser(nn.Module):
    def __init__(self, d_model=32, heads=4):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, d_model)
        self.position = nn.Parameter(gn.randn(LENGTH, d_model) * 0.1)
        self.block = nn.TransformerEncoderLayer(
            d_model, heads, dim_feedforward=64, dropout=0.0, batch_first=True
        )
        self.out = nn.Linear(d_model, VOCAB)

    def forward(self, tokens):  # (batch, LENGTH) int64
        h = self.embed(tokens) + self.position
        return self.out(self.block(h))  # (batch, LENGTH, VOCAB)


def batches(n, rng):
    x = rng.integers(0, VOCAB, (n, LENGTH))
    return gn.tensor(x), gn.tensor(x[:, ::-1].copy())


def train(steps=600, batch=64, seed=0, verbose=False):
    """Train with Adam; returns (model, accuracy per token on fresh sequences)."""
    gn.manual_seed(seed)
    rng = np.random.default_rng(seed)
    model = Reverser()
    opt = gn.optim.Adam(model.parameters(), lr=3e-3)
    loss_fn = nn.CrossEntropyLoss()
    for step in range(steps):
        x, y = batches(batch, rng)
        logits = model(x)
        loss = loss_fn(logits.reshape(-1, VOCAB), y.reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
        if verbose and step % 100 == 0:
            print(f"step {step}: loss {loss.item():.4f}")
    x, y = batches(500, rng)
    model.eval()
    with gn.no_grad():
        pred = model(x).argmax(dim=-1)
    return model, float((pred == y).float().mean())


if __name__ == "__main__":
    _, accuracy = train(verbose=True)
    print(f"token accuracy on new sequences: {accuracy:.4f}")
