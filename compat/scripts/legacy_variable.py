# Code from older tutorials: torch.autograd.Variable, torch.FloatTensor / torch.LongTensor
# constructors, .type(torch.FloatTensor), loss.data, and updates written as
# w.data -= lr * w.grad.data with w.grad.data.zero_().
# compare: rtol 1e-4 - the weights and the data come from NumPy
import numpy as np
import torch
from torch.autograd import Variable

rng = np.random.default_rng(11)
features = rng.normal(size=(64, 3)).tolist()
labels = [int(a + 2 * b - c > 0) for a, b, c in features]

x = Variable(torch.FloatTensor(features))
y = Variable(torch.LongTensor(labels)).type(torch.FloatTensor).view(-1, 1)
w = Variable(torch.FloatTensor([[0.1], [-0.2], [0.05]]), requires_grad=True)
b = Variable(torch.zeros(1), requires_grad=True)

lr = 0.5
for epoch in range(100):
    logits = x.mm(w) + b
    p = torch.sigmoid(logits)
    loss = -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()
    loss.backward()
    w.data -= lr * w.grad.data
    b.data -= lr * b.grad.data
    w.grad.data.zero_()
    b.grad.data.zero_()

correct = ((p.data > 0.5).type(torch.LongTensor).view(-1) == torch.LongTensor(labels)).sum()
print("loss", loss.data.item(), "correct", correct.item(), "of", len(labels))
print(f"RESULT legacy_variable {loss.data.item():.6f}")
