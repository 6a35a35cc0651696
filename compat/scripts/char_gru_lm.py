# A character-level language model: nn.Embedding, nn.GRU(batch_first=True), nn.Linear;
# truncated backpropagation through time (the hidden state carried on, detached);
# greedy generation with argmax; Adam.
# compare: rtol 1e-3 - the weights come from NumPy and the batches are in a fixed order
import math

import numpy as np
import torch
import torch.nn as nn


def init_from_numpy(model, seed=0):
    """Every parameter drawn from NumPy, so that any library starts from the same numbers."""
    rng = np.random.default_rng(seed)
    with torch.no_grad():
        for _, p in sorted(model.named_parameters(), key=lambda item: item[0]):
            bound = 1.0 / math.sqrt(p[0].numel() if p.dim() > 1 else p.numel())
            p.copy_(torch.from_numpy(rng.uniform(-bound, bound, tuple(p.shape)).astype(np.float32)))


text = "hello gradients, hello graphs. " * 40
chars = sorted(set(text))
stoi = {ch: i for i, ch in enumerate(chars)}
itos = {i: ch for ch, i in stoi.items()}
data = torch.tensor([stoi[ch] for ch in text], dtype=torch.long)
batch_size, seq_len = 8, 16
n = (len(data) - 1) // (batch_size * seq_len) * (batch_size * seq_len)
inputs = data[:n].view(batch_size, -1)
targets = data[1 : n + 1].view(batch_size, -1)


class CharGRU(nn.Module):
    def __init__(self, vocab, hidden):
        super().__init__()
        self.embed = nn.Embedding(vocab, 16)
        self.gru = nn.GRU(16, hidden, batch_first=True)
        self.head = nn.Linear(hidden, vocab)

    def forward(self, x, h=None):
        out, h = self.gru(self.embed(x), h)
        return self.head(out), h


model = CharGRU(len(chars), 32)
init_from_numpy(model)
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
criterion = nn.CrossEntropyLoss()
for epoch in range(6):
    h = None
    for start in range(0, inputs.size(1), seq_len):
        x = inputs[:, start : start + seq_len]
        y = targets[:, start : start + seq_len]
        logits, h = model(x, h)
        h = h.detach()
        loss = criterion(logits.reshape(-1, len(chars)), y.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print(f"epoch {epoch}: loss {loss.item():.4f}")

model.eval()
with torch.no_grad():
    x = torch.tensor([[stoi["h"]]])
    h, out = None, "h"
    for _ in range(30):
        logits, h = model(x, h)
        x = logits[:, -1].argmax(dim=-1, keepdim=True)
        out += itos[x.item()]
print("generated:", repr(out))
print(f"RESULT char_gru_lm {loss.item():.6f}")
