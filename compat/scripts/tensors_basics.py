# Tensors and broadcasting: factories, dtypes, arithmetic, views, indexing, reductions.
# compare: rtol 1e-6 - no randomness: every number comes from arange, linspace or NumPy
import numpy as np
import torch

torch.manual_seed(0)

a = torch.arange(12, dtype=torch.float32).reshape(3, 4)
b = torch.linspace(0, 1, steps=4)
print("a:", a.shape, a.dtype, "b:", b.shape)

c = a + b  # (3, 4) + (4,): b is added to every row
d = a[:, :1] * torch.ones(1, 4)  # (3, 1) * (1, 4) -> (3, 4)
e = torch.from_numpy(np.eye(4, dtype=np.float32) * 2)
f = c @ e.T
g = torch.matmul(a, e).sum(dim=1, keepdim=True)

x = torch.zeros(2, 3)
x[0] = torch.tensor([1.0, 2.0, 3.0])
x[1, 1:] = 5.0
x.add_(1).mul_(0.5)

y = torch.cat([a, c], dim=0)
z = torch.stack([b, b * 2], dim=1)
m = a.view(4, 3).t().contiguous()
p = a.permute(1, 0).unsqueeze(0).squeeze(0)
mask = a > 5
w = torch.where(mask, a, torch.zeros_like(a))
clipped = torch.clamp(a - 6, min=-2, max=2).abs()

values, indices = torch.max(a, dim=1)
labels = torch.tensor([[1, 2], [3, 4]])
print("integer tensor:", labels.dtype, "floats:", labels.float().dtype)

n = np.array([[0.5, -1.0], [2.0, 3.0]], dtype=np.float32)
t = torch.tensor(n)
back = (t * 2).numpy()

total = (
    c.sum().item()
    + d.mean().item()
    + f.max().item()
    + g.sum().item()
    + x.sum(dim=1).sum().item()
    + y.std().item()
    + z.sum().item()
    + m[1, 2].item()
    + p.mean().item()
    + w.sum().item()
    + clipped.sum().item()
    + values.sum().item()
    + indices.sum().item()
    + labels.sum().item()
    + float(back.sum())
    + a.exp().log().sum().item()
    + torch.sqrt(a + 1).sum().item()
    + a.mean(0).tolist()[2]
    + len(a.tolist())
    + mask.sum().item()
)
print(f"RESULT tensors_basics {total:.6f}")
