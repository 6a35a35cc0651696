# Optimizers with learning-rate schedulers: SGD+momentum with StepLR, Adam with
# CosineAnnealingLR, AdamW with OneCycleLR; param_groups and get_last_lr().
# compare: rtol 1e-3 - the weights and the data come from NumPy, so both runs start alike
import math

import numpy as np
import torch
from torch import nn, optim
from torch.optim.lr_scheduler import CosineAnnealingLR, OneCycleLR, StepLR


def init_from_numpy(model, seed=0):
    """Every parameter drawn from NumPy, so that any library starts from the same numbers."""
    rng = np.random.default_rng(seed)
    with torch.no_grad():
        for _, p in sorted(model.named_parameters(), key=lambda item: item[0]):
            bound = 1.0 / math.sqrt(p[0].numel() if p.dim() > 1 else p.numel())
            p.copy_(torch.from_numpy(rng.uniform(-bound, bound, tuple(p.shape)).astype(np.float32)))


rng = np.random.default_rng(2)
X = torch.from_numpy(rng.normal(size=(128, 5)).astype(np.float32))
true_w = torch.tensor([[1.0, -2.0, 0.5, 3.0, 0.0]])
Y = X @ true_w.t() + 0.1 * torch.from_numpy(rng.normal(size=(128, 1)).astype(np.float32))


def train(make_optimizer, make_scheduler, steps=100):
    model = nn.Sequential(nn.Linear(5, 8), nn.ReLU(), nn.Linear(8, 1))
    init_from_numpy(model)
    optimizer = make_optimizer(model.parameters())
    scheduler = make_scheduler(optimizer)
    for _ in range(steps):
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(model(X), Y)
        loss.backward()
        optimizer.step()
        scheduler.step()
    lr = scheduler.get_last_lr()[0]
    print(
        f"{type(optimizer).__name__:6s} {type(scheduler).__name__:18s} loss {loss.item():.5f} "
        f"lr {lr:.6f} (param_groups: {optimizer.param_groups[0]['lr']:.6f})"
    )
    return loss.item() + lr


total = train(
    lambda p: optim.SGD(p, lr=0.05, momentum=0.9), lambda o: StepLR(o, step_size=30, gamma=0.5)
)
total += train(
    lambda p: optim.Adam(p, lr=0.02, betas=(0.9, 0.999)),
    lambda o: CosineAnnealingLR(o, T_max=100, eta_min=1e-4),
)
total += train(
    lambda p: optim.AdamW(p, lr=0.01, weight_decay=0.01),
    lambda o: OneCycleLR(o, max_lr=0.05, total_steps=100),
)
print(f"RESULT optim_schedulers {total:.6f}")
