# nn.Sequential regression: Linear / Tanh / Linear, MSELoss, Adam, full-batch training.
# compare: rtol 1e-3 - the weights and the data come from NumPy, so both runs start alike
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


rng = np.random.default_rng(1)
features = rng.uniform(-2, 2, size=(256, 2)).astype(np.float32)
targets = (np.sin(features[:, :1]) + 0.5 * features[:, 1:] ** 2).astype(np.float32)
X, Y = torch.from_numpy(features), torch.from_numpy(targets)

model = nn.Sequential(nn.Linear(2, 32), nn.Tanh(), nn.Linear(32, 1))
init_from_numpy(model)
loss_fn = nn.MSELoss()
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
for epoch in range(200):
    pred = model(X)
    loss = loss_fn(pred, Y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if epoch % 50 == 0:
        print(f"epoch {epoch}: loss {loss.item():.4f}")
print(model[0], model[-1].weight.shape)
print(f"RESULT sequential_regression {loss.item():.6f}")
