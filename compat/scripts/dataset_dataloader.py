# Dataset and DataLoader from torch.utils.data: a Dataset subclass, TensorDataset,
# random_split, DataLoader(batch_size, shuffle, num_workers=0, pin_memory, drop_last).
# compare: at-least 0.9 - test accuracy; the shuffle and the split draw from each library's
# own random stream, so only the accuracy reached can be compared
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset, TensorDataset, random_split

torch.manual_seed(0)


class TwoMoons(Dataset):
    """Two interleaved half circles with noise, made with NumPy."""

    def __init__(self, n, seed=0):
        rng = np.random.default_rng(seed)
        t = rng.uniform(0, np.pi, n)
        label = rng.integers(0, 2, n)
        x = np.where(label == 0, np.cos(t), 1 - np.cos(t))
        y = np.where(label == 0, np.sin(t), 0.5 - np.sin(t))
        self.points = np.stack([x, y], axis=1).astype(np.float32)
        self.points += rng.normal(0, 0.1, self.points.shape).astype(np.float32)
        self.labels = label.astype(np.int64)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, idx):
        return torch.from_numpy(self.points[idx]), torch.tensor(self.labels[idx])


data = TwoMoons(600)
train_set, test_set = random_split(data, [480, 120])
train_loader = DataLoader(
    train_set, batch_size=32, shuffle=True, num_workers=0, pin_memory=False, drop_last=True
)
test_loader = DataLoader(test_set, batch_size=64, shuffle=False, num_workers=0)
print(len(train_set), len(test_set), len(train_loader), len(test_loader))

model = nn.Sequential(nn.Linear(2, 32), nn.ReLU(), nn.Linear(32, 2))
optimizer = torch.optim.Adam(model.parameters(), lr=0.02)
loss_fn = nn.CrossEntropyLoss()
for epoch in range(15):
    for points, labels in train_loader:
        loss = loss_fn(model(points), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

correct = 0
with torch.no_grad():
    for points, labels in test_loader:
        correct += (model(points).argmax(dim=1) == labels).sum().item()

# TensorDataset: the same data as whole tensors
tensors = TensorDataset(torch.from_numpy(data.points), torch.from_numpy(data.labels))
first_x, first_y = tensors[0]
print("TensorDataset item:", first_x.shape, first_y.item())
print(f"RESULT dataset_dataloader {correct / len(test_set):.4f}")
