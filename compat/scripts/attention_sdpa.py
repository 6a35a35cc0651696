# Causal self-attention written with F.scaled_dot_product_attention: q, k, v from one
# Linear, heads split with view/transpose, is_causal=True; trained to output the token
# seen two steps earlier (which the causal mask allows and attention must find).
# compare: rtol 1e-3 - the weights and the data come from NumPy
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def init_from_numpy(model, seed=0):
    """Every parameter drawn from NumPy, so that any library starts from the same numbers."""
    rng = np.random.default_rng(seed)
    with torch.no_grad():
        for _, p in sorted(model.named_parameters(), key=lambda item: item[0]):
            bound = 1.0 / math.sqrt(p[0].numel() if p.dim() > 1 else p.numel())
            p.copy_(torch.from_numpy(rng.uniform(-bound, bound, tuple(p.shape)).astype(np.float32)))


class CausalSelfAttention(nn.Module):
    def __init__(self, d_model, n_head):
        super().__init__()
        self.n_head = n_head
        self.qkv = nn.Linear(d_model, 3 * d_model)
        self.proj = nn.Linear(d_model, d_model)

    def forward(self, x):
        B, T, C = x.size()
        q, k, v = self.qkv(x).split(C, dim=2)
        q = q.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        k = k.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        v = v.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.proj(y.transpose(1, 2).contiguous().view(B, T, C))


class TinyModel(nn.Module):
    def __init__(self, vocab=8, d_model=32, n_head=4, length=10):
        super().__init__()
        self.tok = nn.Embedding(vocab, d_model)
        self.pos = nn.Embedding(length, d_model)
        self.attn = CausalSelfAttention(d_model, n_head)
        self.ln = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, vocab)

    def forward(self, idx):
        positions = torch.arange(idx.size(1))
        x = self.tok(idx) + self.pos(positions)
        x = x + self.attn(self.ln(x))
        return self.head(x)


rng = np.random.default_rng(7)
tokens = torch.from_numpy(rng.integers(0, 8, size=(256, 10)))
targets = torch.roll(tokens, shifts=2, dims=1)
model = TinyModel()
init_from_numpy(model)
optimizer = torch.optim.AdamW(model.parameters(), lr=5e-3)
for step in range(40):
    logits = model(tokens)
    loss = F.cross_entropy(logits[:, 2:].reshape(-1, 8), targets[:, 2:].reshape(-1))
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()
    if step % 10 == 0:
        print(f"step {step}: loss {loss.item():.4f}")
print(f"RESULT attention_sdpa {loss.item():.6f}")
