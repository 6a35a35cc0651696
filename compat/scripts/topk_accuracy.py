# Top-k accuracy as the classic ImageNet example computes it (output.topk(maxk, 1, True,
# True), pred.t(), eq, expand_as), Tensor.narrow for a validation slice, new_zeros /
# new_ones / new_full / new_tensor for tensors shaped and typed like another one.
# compare: rtol 0.02 - the weights and the data come from NumPy (an accuracy, so a near
# tie decided the other way moves it by 1/397)
import math

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_digits


def init_from_numpy(model, seed=0):
    """Every parameter drawn from NumPy, so that any library starts from the same numbers."""
    rng = np.random.default_rng(seed)
    with torch.no_grad():
        for _, p in sorted(model.named_parameters(), key=lambda item: item[0]):
            bound = 1.0 / math.sqrt(p[0].numel() if p.dim() > 1 else p.numel())
            p.copy_(torch.from_numpy(rng.uniform(-bound, bound, tuple(p.shape)).astype(np.float32)))


def accuracy(output, target, topk=(1,)):
    """The share of targets among the k largest outputs, for each k."""
    with torch.no_grad():
        maxk = max(topk)
        batch_size = target.size(0)
        _, pred = output.topk(maxk, 1, True, True)
        pred = pred.t()
        correct = pred.eq(target.view(1, -1).expand_as(pred))
        res = []
        for k in topk:
            correct_k = correct[:k].reshape(-1).float().sum(0, keepdim=True)
            res.append(correct_k.mul_(100.0 / batch_size))
        return res


digits = load_digits()
X = torch.tensor(digits.data / 16.0, dtype=torch.float32)
y = torch.tensor(digits.target)
x_train, x_val = X.narrow(0, 0, 1400), X.narrow(0, 1400, X.size(0) - 1400)
y_train, y_val = y.narrow(0, 0, 1400), y.narrow(0, 1400, y.size(0) - 1400)

model = nn.Linear(64, 10)
init_from_numpy(model)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
for step in range(15):
    loss = nn.functional.cross_entropy(model(x_train), y_train)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

top1, top3 = accuracy(model(x_val), y_val, topk=(1, 3))
print(f"top-1 {top1.item():.2f}%  top-3 {top3.item():.2f}%")

template = X[:2]
z, o = template.new_zeros(3, 4), template.new_ones((2, 2))
f, t = template.new_full((2,), 7.0), template.new_tensor([1.0, 2.0])
assert z.dtype == template.dtype and t.dtype == template.dtype
extra = z.sum().item() + o.sum().item() + f.sum().item() + t.sum().item()
print(f"RESULT topk_accuracy {top1.item() + top3.item() + extra:.4f}")
