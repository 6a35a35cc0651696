# A part-of-speech tagger: word indices, nn.Embedding, nn.LSTM, nn.Linear, F.log_softmax,
# nn.NLLLoss, SGD; torch.tensor(..., dtype=torch.long); evaluation under torch.no_grad().
# compare: rtol 1e-3 - the weights come from NumPy, so both runs start from the same numbers
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim


def init_from_numpy(model, seed=0):
    """Every parameter drawn from NumPy, so that any library starts from the same numbers."""
    rng = np.random.default_rng(seed)
    with torch.no_grad():
        for _, p in sorted(model.named_parameters(), key=lambda item: item[0]):
            bound = 1.0 / math.sqrt(p[0].numel() if p.dim() > 1 else p.numel())
            p.copy_(torch.from_numpy(rng.uniform(-bound, bound, tuple(p.shape)).astype(np.float32)))


training_data = [
    ("the cat ate the fish".split(), ["DET", "NN", "V", "DET", "NN"]),
    ("a dog read that book".split(), ["DET", "NN", "V", "DET", "NN"]),
    ("everybody read the paper".split(), ["NN", "V", "DET", "NN"]),
    ("the dog saw a cat".split(), ["DET", "NN", "V", "DET", "NN"]),
    ("that cat ate everybody".split(), ["DET", "NN", "V", "NN"]),
]
word_to_ix = {}
for sentence, _ in training_data:
    for word in sentence:
        if word not in word_to_ix:
            word_to_ix[word] = len(word_to_ix)
tag_to_ix = {"DET": 0, "NN": 1, "V": 2}


def prepare_sequence(seq, to_ix):
    idxs = [to_ix[w] for w in seq]
    return torch.tensor(idxs, dtype=torch.long)


class LSTMTagger(nn.Module):
    def __init__(self, embedding_dim, hidden_dim, vocab_size, tagset_size):
        super().__init__()
        self.word_embeddings = nn.Embedding(vocab_size, embedding_dim)
        self.lstm = nn.LSTM(embedding_dim, hidden_dim)
        self.hidden2tag = nn.Linear(hidden_dim, tagset_size)

    def forward(self, sentence):
        embeds = self.word_embeddings(sentence)
        lstm_out, _ = self.lstm(embeds.view(len(sentence), 1, -1))
        tag_space = self.hidden2tag(lstm_out.view(len(sentence), -1))
        return F.log_softmax(tag_space, dim=1)


model = LSTMTagger(6, 6, len(word_to_ix), len(tag_to_ix))
init_from_numpy(model)
loss_function = nn.NLLLoss()
optimizer = optim.SGD(model.parameters(), lr=0.3)

for epoch in range(100):
    total_loss = 0.0
    for sentence, tags in training_data:
        model.zero_grad()
        sentence_in = prepare_sequence(sentence, word_to_ix)
        targets = prepare_sequence(tags, tag_to_ix)
        tag_scores = model(sentence_in)
        loss = loss_function(tag_scores, targets)
        loss.backward()
        optimizer.step()
        total_loss += loss.item()

with torch.no_grad():
    inputs = prepare_sequence(training_data[0][0], word_to_ix)
    tag_scores = model(inputs)
    print("tags of", training_data[0][0], "->", tag_scores.argmax(dim=1).tolist())
print(f"RESULT lstm_tagger {total_loss:.6f}")
