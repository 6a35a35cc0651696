# Saving and loading: torch.save(model.state_dict()) and load_state_dict(torch.load(...)),
# then a general checkpoint (epoch, model and optimizer state, loss) resumed to train on.
# compare: rtol 1e-4 - the weights and the data come from NumPy
import math
import os
import tempfile

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


def make_model():
    return nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3))


rng = np.random.default_rng(8)
X = torch.from_numpy(rng.normal(size=(120, 4)).astype(np.float32))
y = torch.from_numpy((X.numpy()[:, 0] > 0).astype(np.int64) + (X.numpy()[:, 1] > 0.5))
criterion = nn.CrossEntropyLoss()


def train(model, optimizer, steps):
    for _ in range(steps):
        optimizer.zero_grad()
        loss = criterion(model(X), y)
        loss.backward()
        optimizer.step()
    return loss.item()


model = make_model()
init_from_numpy(model)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
loss = train(model, optimizer, 30)

with tempfile.TemporaryDirectory() as folder:
    weights_path = os.path.join(folder, "model_weights.pth")
    torch.save(model.state_dict(), weights_path)
    restored = make_model()
    restored.load_state_dict(torch.load(weights_path))
    restored.eval()
    with torch.no_grad():
        same = torch.allclose(restored(X), model(X))
    print("restored model gives the same outputs:", same)

    checkpoint_path = os.path.join(folder, "checkpoint.tar")
    torch.save(
        {
            "epoch": 30,
            "model_state_dict": model.state_dict(),
            "optimizer_state_dict": optimizer.state_dict(),
            "loss": loss,
        },
        checkpoint_path,
    )
    checkpoint = torch.load(checkpoint_path, weights_only=True)
    resumed = make_model()
    resumed_optimizer = torch.optim.SGD(resumed.parameters(), lr=0.1, momentum=0.9)
    resumed.load_state_dict(checkpoint["model_state_dict"])
    resumed_optimizer.load_state_dict(checkpoint["optimizer_state_dict"])
    print("resuming from epoch", checkpoint["epoch"], "loss", round(checkpoint["loss"], 4))

resumed.train()
final = train(resumed, resumed_optimizer, 30)
uninterrupted = train(model, optimizer, 30)
print("resumed", final, "uninterrupted", uninterrupted)
print(f"RESULT save_load_checkpoint {final + float(same):.6f}")
