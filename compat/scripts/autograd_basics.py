# Autograd basics: requires_grad, backward, .grad, accumulation, no_grad, detach,
# requires_grad_, retain_grad, torch.autograd.grad.
# compare: rtol 1e-6 - no randomness: the inputs are written out
import torch

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
w = torch.tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.5]], requires_grad=True)
b = torch.zeros(2, requires_grad=True)

z = w @ x + b
z.retain_grad()
a = torch.tanh(z)
loss = (a**2).sum()
loss.backward()
print("dL/dw:", w.grad)
print("dL/dz (retained):", z.grad)
first = w.grad.sum().item() + b.grad.sum().item() + z.grad.sum().item() + x.grad.sum().item()

# gradients accumulate until they are zeroed
loss2 = (w * w).sum()
loss2.backward()
accumulated = w.grad.sum().item()
w.grad.zero_()
x.grad = None

with torch.no_grad():
    y = w * 2
print("under no_grad:", y.requires_grad)

d = (w * 3).detach()
print("detached:", d.requires_grad)
d.requires_grad_()
out = (d.sin() * x.detach()).sum()
out.backward()
detached_grad = d.grad.abs().sum().item()

# a gradient without touching .grad
u = torch.tensor(2.0, requires_grad=True)
v = u**3 + 2 * u
(du,) = torch.autograd.grad(v, u)
print("dv/du at 2:", du.item())

print("is_leaf:", x.is_leaf, z.is_leaf, "requires_grad:", z.requires_grad)
total = first + accumulated + detached_grad + du.item()
print(f"RESULT autograd_basics {total:.6f}")
