# A word-level language model in the style of the classic example: a Dictionary, batchify
# with narrow / view / t().contiguous(), get_batch, an RNNModel (Embedding, Dropout, LSTM,
# Linear), init_hidden with weight.new_zeros, repackage_hidden, clip_grad_norm_, the update
# by hand through p.data.add_(p.grad, alpha=-lr), evaluation in eval mode, perplexity.
# compare: rtol 1e-3 - the weights and the text come from NumPy, dropout is 0
import math

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


class Dictionary:
    def __init__(self):
        self.word2idx, self.idx2word = {}, []

    def add_word(self, word):
        if word not in self.word2idx:
            self.idx2word.append(word)
            self.word2idx[word] = len(self.idx2word) - 1
        return self.word2idx[word]

    def __len__(self):
        return len(self.idx2word)


def sentences(rng, n):
    """A tiny grammar: determiner, adjective?, noun, verb, determiner, noun."""
    det, adj = ["the", "a"], ["small", "red", "quick"]
    noun, verb = ["cat", "dog", "net", "graph"], ["sees", "trains", "likes"]
    for _ in range(n):
        words = [rng.choice(det)] + ([rng.choice(adj)] if rng.random() < 0.5 else [])
        yield words + [
            rng.choice(noun),
            rng.choice(verb),
            rng.choice(det),
            rng.choice(noun),
            "<eos>",
        ]


rng = np.random.default_rng(4)
dictionary = Dictionary()


def tokenize(n):
    ids = [dictionary.add_word(w) for s in sentences(rng, n) for w in s]
    return torch.tensor(ids, dtype=torch.long)


train_data, val_data = tokenize(300), tokenize(60)


def batchify(data, bsz):
    nbatch = data.size(0) // bsz
    data = data.narrow(0, 0, nbatch * bsz)
    return data.view(bsz, -1).t().contiguous()


bptt = 12


def get_batch(source, i):
    seq_len = min(bptt, len(source) - 1 - i)
    data = source[i : i + seq_len]
    target = source[i + 1 : i + 1 + seq_len].view(-1)
    return data, target


class RNNModel(nn.Module):
    def __init__(self, ntoken, ninp, nhid, nlayers, dropout=0.0):
        super().__init__()
        self.drop = nn.Dropout(dropout)
        self.encoder = nn.Embedding(ntoken, ninp)
        self.rnn = nn.LSTM(ninp, nhid, nlayers, dropout=dropout)
        self.decoder = nn.Linear(nhid, ntoken)
        self.nhid, self.nlayers, self.ntoken = nhid, nlayers, ntoken

    def forward(self, input, hidden):
        emb = self.drop(self.encoder(input))
        output, hidden = self.rnn(emb, hidden)
        decoded = self.decoder(self.drop(output)).view(-1, self.ntoken)
        return nn.functional.log_softmax(decoded, dim=1), hidden

    def init_hidden(self, bsz):
        weight = next(self.parameters())
        return (
            weight.new_zeros(self.nlayers, bsz, self.nhid),
            weight.new_zeros(self.nlayers, bsz, self.nhid),
        )


def repackage_hidden(h):
    if isinstance(h, torch.Tensor):
        return h.detach()
    return tuple(repackage_hidden(v) for v in h)


train_batches, val_batches = batchify(train_data, 10), batchify(val_data, 5)
ntokens = len(dictionary)
model = RNNModel(ntokens, 16, 32, 2)
init_from_numpy(model)
criterion = nn.NLLLoss()
lr, clip = 2.0, 0.25


def evaluate(data_source):
    model.eval()
    total_loss = 0.0
    hidden = model.init_hidden(5)
    with torch.no_grad():
        for i in range(0, data_source.size(0) - 1, bptt):
            data, targets = get_batch(data_source, i)
            output, hidden = model(data, hidden)
            hidden = repackage_hidden(hidden)
            total_loss += len(data) * criterion(output, targets).item()
    return total_loss / (len(data_source) - 1)


for epoch in range(1, 5):
    model.train()
    hidden = model.init_hidden(10)
    for i in range(0, train_batches.size(0) - 1, bptt):
        data, targets = get_batch(train_batches, i)
        model.zero_grad()
        hidden = repackage_hidden(hidden)
        output, hidden = model(data, hidden)
        loss = criterion(output, targets)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
        for p in model.parameters():
            p.data.add_(p.grad, alpha=-lr)
    val_loss = evaluate(val_batches)
    print(f"epoch {epoch}: valid loss {val_loss:.3f}, perplexity {math.exp(val_loss):.2f}")
print(f"RESULT word_lm_lstm {val_loss:.6f}")
