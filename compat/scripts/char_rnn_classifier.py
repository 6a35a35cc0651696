# Classifying words by the "language" they look like, with an RNN written from nn.Linear
# layers (input + hidden -> hidden, hidden -> output, LogSoftmax): one-hot letters built by
# indexing, a hidden state from torch.zeros, output.topk(1) for the guess, and the update
# done by hand through p.data.add_(p.grad.data, alpha=-learning_rate).
# compare: rtol 1e-3 - the weights and the training order come from NumPy
import math
import string

import numpy as np
import torch
import torch.nn as nn


def init_from_numpy(model, seed=0):
    """Every parameter drawn from NumPy, so that any library starts from the same numbers."""
    rng = np.random.default_rng(seed)
    with torch.no_grad():
        for _, p in sorted(model.named_parameters(), key=lambda item: item[0]):
            bound = 1.0 / math.sqrt(p[0].numel() if p.dim() > 1 else p.numel())
            p.copy_(torch.from_numpy(rng.uniform(-bound, bound, tuple(p.shape)).astype(np.float32)))


all_letters = string.ascii_lowercase
n_letters = len(all_letters)
syllables = {
    "Vowelish": ["ao", "ie", "ua", "eo", "ai"],
    "Consonantish": ["str", "ck", "nd", "rg", "pl"],
    "Mixed": ["ka", "to", "mi", "ru", "se"],
}
categories = list(syllables)
rng = np.random.default_rng(3)
words = {
    c: ["".join(rng.choice(s, size=rng.integers(2, 4))) for _ in range(30)]
    for c, s in syllables.items()
}


def line_to_tensor(line):
    tensor = torch.zeros(len(line), 1, n_letters)
    for li, letter in enumerate(line):
        tensor[li][0][all_letters.find(letter)] = 1
    return tensor


class RNN(nn.Module):
    def __init__(self, input_size, hidden_size, output_size):
        super().__init__()
        self.hidden_size = hidden_size
        self.i2h = nn.Linear(input_size + hidden_size, hidden_size)
        self.h2o = nn.Linear(hidden_size, output_size)
        self.softmax = nn.LogSoftmax(dim=1)

    def forward(self, input, hidden):
        combined = torch.cat((input, hidden), 1)
        hidden = torch.tanh(self.i2h(combined))
        output = self.softmax(self.h2o(hidden))
        return output, hidden

    def init_hidden(self):
        return torch.zeros(1, self.hidden_size)


rnn = RNN(n_letters, 32, len(categories))
init_from_numpy(rnn)
criterion = nn.NLLLoss()
learning_rate = 0.02


def train(category_tensor, line_tensor):
    hidden = rnn.init_hidden()
    rnn.zero_grad()
    for i in range(line_tensor.size()[0]):
        output, hidden = rnn(line_tensor[i], hidden)
    loss = criterion(output, category_tensor)
    loss.backward()
    for p in rnn.parameters():
        p.data.add_(p.grad.data, alpha=-learning_rate)
    return output, loss.item()


current_loss = 0.0
for it in range(1, 601):
    category = categories[rng.integers(len(categories))]
    word = words[category][rng.integers(30)]
    output, loss = train(
        torch.tensor([categories.index(category)], dtype=torch.long), line_to_tensor(word)
    )
    current_loss += loss
    if it % 200 == 0:
        top_n, top_i = output.topk(1)
        print(f"{it} {current_loss / 200:.4f} {word} -> {categories[top_i[0].item()]}")
        last_average = current_loss / 200
        current_loss = 0.0
print(f"RESULT char_rnn_classifier {last_average:.6f}")
