# The same cubic fit in the older style: parameters updated through .data
# (p.data.add_(p.grad, alpha=-lr)) and gradients cleared with p.grad.data.zero_().
# compare: rtol 1e-4 - the coefficients start at fixed values and x is a fixed grid
import math

import torch

x = torch.linspace(-math.pi, math.pi, 200)
y = torch.sin(x)
xx = x.unsqueeze(-1).pow(torch.tensor([1, 2, 3]))  # features x, x^2, x^3

weights = torch.tensor([[0.1, -0.2, 0.05]], requires_grad=True)
bias = torch.tensor([0.3], requires_grad=True)
params = [weights, bias]

lr = 1e-5
for step in range(400):
    y_pred = xx @ weights.t() + bias
    loss = (y_pred.squeeze(-1) - y).pow(2).sum()
    loss.backward()
    for p in params:
        p.data.add_(p.grad, alpha=-lr)
        p.grad.data.zero_()
    if step % 100 == 99:
        print(step, loss.item())

print("weights:", weights.data.tolist(), "bias:", bias.data.item())
print(f"RESULT polynomial_data_update {loss.item():.6f}")
