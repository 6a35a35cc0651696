# A small image classifier, CIFAR-tutorial style, on scikit-learn's 8x8 digits:
# Conv2d, BatchNorm2d, ReLU, MaxPool2d, Dropout, torch.flatten, Linear; SGD with momentum;
# model.train() / model.eval(), torch.no_grad(), accuracy with argmax.
# compare: at-least 0.85 - test accuracy; dropout's masks and the shuffle come from each
# library's own random stream, so only the accuracy reached can be compared
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from sklearn.datasets import load_digits
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
digits = load_digits()
images = torch.tensor((digits.images / 16.0).astype(np.float32)).unsqueeze(1)  # N, 1, 8, 8
labels = torch.tensor(digits.target, dtype=torch.long)
trainset = TensorDataset(images[:1400], labels[:1400])
testset = TensorDataset(images[1400:], labels[1400:])
trainloader = DataLoader(trainset, batch_size=32, shuffle=True)
testloader = DataLoader(testset, batch_size=100, shuffle=False)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(8)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(8, 16, 3, padding=1)
        self.dropout = nn.Dropout(0.25)
        self.fc1 = nn.Linear(16 * 2 * 2, 32)
        self.fc2 = nn.Linear(32, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.bn1(self.conv1(x))))
        x = self.pool(F.relu(self.conv2(x)))
        x = torch.flatten(x, 1)
        x = self.dropout(F.relu(self.fc1(x)))
        return self.fc2(x)


net = Net()
criterion = nn.CrossEntropyLoss()
optimizer = optim.SGD(net.parameters(), lr=0.05, momentum=0.9)
for epoch in range(8):
    net.train()
    running_loss = 0.0
    for i, (inputs, targets) in enumerate(trainloader):
        optimizer.zero_grad()
        outputs = net(inputs)
        loss = criterion(outputs, targets)
        loss.backward()
        optimizer.step()
        running_loss += loss.item()
    print(f"[{epoch + 1}] loss: {running_loss / (i + 1):.3f}")

net.eval()
correct = total = 0
with torch.no_grad():
    for inputs, targets in testloader:
        outputs = net(inputs)
        _, predicted = torch.max(outputs, 1)
        total += targets.size(0)
        correct += (predicted == targets).sum().item()
print(f"Accuracy on the {total} test images: {100 * correct // total} %")
print(f"RESULT cnn_classifier {correct / total:.4f}")
