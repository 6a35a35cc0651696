# Logistic regression on scikit-learn's breast-cancer set: standardised features,
# nn.Linear + nn.BCEWithLogitsLoss, torch.sigmoid, thresholded predictions
# (probs > 0.5).float(), optimizer.zero_grad(set_to_none=True), a held-out accuracy.
# compare: rtol 1e-4 - the weights and the split come from NumPy
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_breast_cancer

data = load_breast_cancer()
features = (data.data - data.data.mean(0)) / data.data.std(0)
order = np.random.default_rng(12).permutation(len(features))
train_idx, test_idx = order[:450], order[450:]
X_train = torch.tensor(features[train_idx], dtype=torch.float32)
y_train = torch.tensor(data.target[train_idx], dtype=torch.float32).unsqueeze(1)
X_test = torch.tensor(features[test_idx], dtype=torch.float32)
y_test = torch.tensor(data.target[test_idx], dtype=torch.float32).unsqueeze(1)

model = nn.Linear(30, 1)
with torch.no_grad():
    model.weight.copy_(torch.full((1, 30), 0.01))
    model.bias.fill_(0.0)
criterion = nn.BCEWithLogitsLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
for epoch in range(100):
    optimizer.zero_grad(set_to_none=True)
    loss = criterion(model(X_train), y_train)
    loss.backward()
    optimizer.step()

with torch.no_grad():
    probs = torch.sigmoid(model(X_test))
    predictions = (probs > 0.5).float()
    test_accuracy = (predictions == y_test).float().mean().item()
print(f"train loss {loss.item():.4f}, test accuracy {test_accuracy:.3f}")
print(f"RESULT binary_logistic {loss.item():.6f}")
