# Device handling as the tutorials write it: torch.device("cuda" if available else "cpu"),
# model.to(device), tensors .to(device), factories with device=, .cpu().numpy(), .item().
# compare: rtol 1e-3 - the weights and the data come from NumPy
import math

import numpy as np
import torch
from torch import nn


def init_from_numpy(model, seed=0):
    """Every parameter drawn from NumPy, so that any library starts from the same numbers."""
    rng = np.random.default_rng(seed)
    with torch.no_grad():
        for _, p in sorted(model.named_parameters(), key=lambda item: item[0]):
            bound = 1.0 / math.sqrt(p[0].numel() if p.dim() > 1 else p.numel())
            p.copy_(torch.from_numpy(rng.uniform(-bound, bound, tuple(p.shape)).astype(np.float32)))


device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
print(f"Using {device} device")

model = nn.Sequential(nn.Linear(3, 16), nn.ReLU(), nn.Linear(16, 1))
init_from_numpy(model)
model = model.to(device)
print("parameters on", next(model.parameters()).device)

rng = np.random.default_rng(10)
X = torch.tensor(rng.normal(size=(100, 3)), dtype=torch.float32).to(device)
y = (X[:, :1] * 2 - X[:, 1:2] + 0.5).to(device)
offset = torch.zeros(1, device=device)
scale = torch.ones(1, 1, device=device, dtype=torch.float32)
assert X.device == offset.device

optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
for epoch in range(100):
    pred = model(X) * scale + offset
    loss = ((pred - y) ** 2).mean()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

predictions = model(X).detach().cpu().numpy()
print("predictions:", predictions.shape, type(predictions).__name__)
print(f"RESULT device_handling {loss.item():.6f}")
