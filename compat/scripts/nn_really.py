# "What is torch.nn really", step by step on scikit-learn's 8x8 digits: a model from raw
# tensors (log_softmax and the negative log-likelihood by hand), then F.cross_entropy,
# nn.Module with nn.Parameter, nn.Linear, optim, TensorDataset, DataLoader, a fit() loop.
# compare: rtol 1e-3 - the weights come from NumPy and no loader shuffles, so both runs match
import math

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn, optim
from torch.utils.data import DataLoader, TensorDataset

digits = load_digits()
x = (digits.data / 16.0).astype(np.float32)
y = digits.target.astype(np.int64)
x_train, y_train, x_valid, y_valid = x[:1400], y[:1400], x[1400:], y[1400:]
x_train, y_train, x_valid, y_valid = map(torch.tensor, (x_train, y_train, x_valid, y_valid))
n, c = x_train.shape
print(x_train.shape, y_train.min(), y_train.max())

rng = np.random.default_rng(0)
start = rng.standard_normal((64, 10)).astype(np.float32) / math.sqrt(64)

# 1. raw tensors
weights = torch.from_numpy(start.copy())
weights.requires_grad_()
bias = torch.zeros(10, requires_grad=True)


def log_softmax(x):
    return x - x.exp().sum(-1).log().unsqueeze(-1)


def model(xb):
    return log_softmax(xb @ weights + bias)


def nll(input, target):
    return -input[range(target.shape[0]), target].mean()


def accuracy(out, yb):
    preds = torch.argmax(out, dim=1)
    return (preds == yb).float().mean()


bs, lr, epochs = 64, 0.5, 2
for epoch in range(epochs):
    for i in range((n - 1) // bs + 1):
        start_i = i * bs
        xb, yb = x_train[start_i : start_i + bs], y_train[start_i : start_i + bs]
        loss = nll(model(xb), yb)
        loss.backward()
        with torch.no_grad():
            weights -= weights.grad * lr
            bias -= bias.grad * lr
            weights.grad.zero_()
            bias.grad.zero_()
print("raw:", nll(model(x_valid), y_valid).item(), accuracy(model(x_valid), y_valid).item())
raw_loss = F.cross_entropy(x_valid @ weights + bias, y_valid).item()


# 2. nn.Module with nn.Parameter, then nn.Linear, then optim
class DigitsLogistic(nn.Module):
    def __init__(self):
        super().__init__()
        self.weights = nn.Parameter(torch.from_numpy(start.copy()))
        self.bias = nn.Parameter(torch.zeros(10))

    def forward(self, xb):
        return xb @ self.weights + self.bias


class DigitsLinear(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(64, 10)
        with torch.no_grad():
            self.lin.weight.copy_(torch.from_numpy(start.T.copy()))
            self.lin.bias.zero_()

    def forward(self, xb):
        return self.lin(xb)


def loss_batch(model, loss_func, xb, yb, opt=None):
    loss = loss_func(model(xb), yb)
    if opt is not None:
        loss.backward()
        opt.step()
        opt.zero_grad()
    return loss.item(), len(xb)


def fit(epochs, model, loss_func, opt, train_dl, valid_dl):
    for epoch in range(epochs):
        model.train()
        for xb, yb in train_dl:
            loss_batch(model, loss_func, xb, yb, opt)
        model.eval()
        with torch.no_grad():
            losses, nums = zip(*[loss_batch(model, loss_func, xb, yb) for xb, yb in valid_dl])
        val_loss = np.sum(np.multiply(losses, nums)) / np.sum(nums)
        print(epoch, val_loss)
    return val_loss


train_dl = DataLoader(TensorDataset(x_train, y_train), batch_size=bs)
valid_dl = DataLoader(TensorDataset(x_valid, y_valid), batch_size=bs * 2)
total = raw_loss
for make in (DigitsLogistic, DigitsLinear):
    net = make()
    total += fit(
        epochs, net, F.cross_entropy, optim.SGD(net.parameters(), lr=lr), train_dl, valid_dl
    )
print(f"RESULT nn_really {total:.6f}")
