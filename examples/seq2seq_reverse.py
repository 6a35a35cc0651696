"""A small encoder–decoder Transformer (nn.Transformer) learns to reverse a
sequence of digits, written as a PyTorch seq2seq tutorial would write it.

The encoder reads the digits; the decoder writes the answer one token at a
time, starting from a BOS token, each step attending to what it wrote so far
(a causal target mask) and to the encoder's output (cross-attention).
Training uses teacher forcing (the decoder sees the true previous tokens);
the test decodes greedily, feeding back its own predictions.

    python examples/seq2seq_reverse.py
"""

import math

import numpy as np

import glassnet as gn
from glassnet import nn

DIGITS, LENGTH = 10, 6
BOS = DIGITS  # the token that starts every answer
VOCAB = DIGITS + 1


class PositionalEncoding(nn.Module):
    """Adds sin/cos waves of the position: PE[p, 2i] = sin(p / 10000^(2i/d)),
    PE[p, 2i+1] = cos(p / 10000^(2i/d))."""

    def __init__(self, d_model, max_len=64):
        super().__init__()
        position = np.arange(max_len)[:, None]
        div_term = np.exp(np.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))
        pe = np.zeros((max_len, d_model), dtype=np.float32)
        pe[:, 0::2] = np.sin(position * div_term)
        pe[:, 1::2] = np.cos(position * div_term)
        self.register_buffer("pe", gn.tensor(pe))

    def forward(self, x):  # (batch, seq, d_model)
        return x + self.pe[: x.shape[1]]


class Seq2Seq(nn.Module):
    def __init__(self, d_model=32, nhead=4, layers=1, dim_feedforward=64):
        super().__init__()
        self.d_model = d_model
        self.src_embed = nn.Embedding(VOCAB, d_model)
        self.tgt_embed = nn.Embedding(VOCAB, d_model)
        self.position = PositionalEncoding(d_model)
        self.transformer = nn.Transformer(
            d_model, nhead, layers, layers, dim_feedforward, dropout=0.0, batch_first=True
        )
        self.generator = nn.Linear(d_model, VOCAB)

    def encode(self, src):
        return self.transformer.encoder(self.position(self.src_embed(src)))

    def decode(self, tgt, memory):
        mask = nn.Transformer.generate_square_subsequent_mask(tgt.shape[1])
        x = self.position(self.tgt_embed(tgt))
        return self.transformer.decoder(x, memory, tgt_mask=mask)

    def forward(self, src, tgt):  # → (batch, tgt_len, VOCAB) logits
        return self.generator(self.decode(tgt, self.encode(src)))


def batch(n, rng):
    """Digits, the decoder's input (BOS + the answer but its last token), the answer."""
    src = rng.integers(0, DIGITS, (n, LENGTH))
    answer = src[:, ::-1]
    tgt_in = np.concatenate([np.full((n, 1), BOS), answer[:, :-1]], axis=1)
    return gn.tensor(src), gn.tensor(tgt_in), gn.tensor(answer.copy())


def greedy_decode(model, src):
    """Write the answer token by token, each time feeding back the most likely one."""
    memory = model.encode(src)
    out = np.full((src.shape[0], 1), BOS)
    for _ in range(LENGTH):
        logits = model.generator(model.decode(gn.tensor(out), memory))
        out = np.concatenate([out, logits.data[:, -1].argmax(-1)[:, None]], axis=1)
    return out[:, 1:]


def train(steps=300, batch_size=64, seed=0, verbose=False):
    """Adam with teacher forcing; returns (model, whole-sequence accuracy of greedy
    decoding on new sequences)."""
    gn.manual_seed(seed)
    rng = np.random.default_rng(seed)
    model = Seq2Seq()
    opt = gn.optim.Adam(model.parameters(), lr=3e-3)
    loss_fn = nn.CrossEntropyLoss()
    for step in range(steps):
        src, tgt_in, answer = batch(batch_size, rng)
        loss = loss_fn(model(src, tgt_in).reshape(-1, VOCAB), answer.reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
        if verbose and step % 50 == 0:
            print(f"step {step}: loss {loss.item():.4f}")
    model.eval()
    src, _, answer = batch(200, rng)
    with gn.no_grad():
        pred = greedy_decode(model, src)
    return model, float((pred == answer).all(dim=1).float().mean().item())


def main():
    _, accuracy = train(verbose=True)
    print(f"sequences reversed exactly (greedy decoding, new sequences): {accuracy:.3f}")


if __name__ == "__main__":
    main()
