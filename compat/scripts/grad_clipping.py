# Gradient clipping on an RNN with large recurrent weights (exploding gradients):
# clip_grad_norm_ (its returned total norm) and clip_grad_value_.
# compare: rtol 1e-3 - the weights and the data come from NumPy
import numpy as np
import torch
import torch.nn as nn

rng = np.random.default_rng(9)
X = torch.from_numpy(rng.normal(size=(16, 30, 4)).astype(np.float32))
Y = X[:, :, 0].sum(dim=1, keepdim=True) * 0.1


class Summer(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.RNN(4, 16, batch_first=True)
        self.head = nn.Linear(16, 1)

    def forward(self, x):
        out, h = self.rnn(x)
        return self.head(out[:, -1])


model = Summer()
with torch.no_grad():
    for name, p in sorted(model.named_parameters(), key=lambda item: item[0]):
        scale = 1.5 if "weight_hh" in name else 0.5  # recurrent weights too large on purpose
        p.copy_(
            torch.from_numpy(
                rng.normal(0, scale / np.sqrt(p.shape[-1]), tuple(p.shape)).astype(np.float32)
            )
        )

optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
norms = []
for step in range(60):
    optimizer.zero_grad()
    loss = nn.functional.mse_loss(model(X), Y)
    loss.backward()
    if step % 2 == 0:
        norms.append(torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0).item())
    else:
        torch.nn.utils.clip_grad_value_(model.parameters(), clip_value=0.1)
    optimizer.step()
print("gradient norms before clipping:", [round(n, 3) for n in norms[:5]])
print(f"RESULT grad_clipping {loss.item() + norms[0]:.6f}")
