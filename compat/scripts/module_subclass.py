# nn.Module subclasses: parameters registered as attributes, a buffer, submodules,
# named_parameters, state_dict keys, train/eval, optim.SGD.
# compare: rtol 1e-4 - the parameters start at fixed values and x is a fixed grid
import math

import torch
from torch import nn


class Polynomial3(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Parameter(torch.tensor(0.2))
        self.b = nn.Parameter(torch.tensor(-0.1))
        self.c = nn.Parameter(torch.tensor(0.05))
        self.d = nn.Parameter(torch.tensor(0.02))
        self.register_buffer("scale", torch.tensor(1.0 / math.pi))

    def forward(self, x):
        x = x * self.scale
        return self.a + self.b * x + self.c * x**2 + self.d * x**3

    def string(self):
        return f"y = {self.a.item():.3f} + {self.b.item():.3f} x + {self.c.item():.3f} x^2"


class Residual(nn.Module):
    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def forward(self, x):
        return x + self.inner(x)


x = torch.linspace(-math.pi, math.pi, 300)
y = torch.sin(x)
model = Residual(Polynomial3())
print(model)
print([name for name, _ in model.named_parameters()])
print(list(model.state_dict().keys()))
print("parameters:", sum(p.numel() for p in model.parameters()))

criterion = torch.nn.MSELoss(reduction="sum")
optimizer = torch.optim.SGD(model.parameters(), lr=1e-4)
model.train()
for t in range(300):
    y_pred = model(x)
    loss = criterion(y_pred, y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
model.eval()
print(model.inner.string(), "training:", model.training)
print(f"RESULT module_subclass {loss.item():.6f}")
