# A sequence classifier on nn.TransformerEncoder: token embedding scaled by sqrt(d_model),
# a sinusoidal PositionalEncoding kept in a buffer, nn.TransformerEncoderLayer stacked by
# nn.TransformerEncoder (batch_first), a key-padding mask, mean pooling, Linear head.
# compare: at-least 0.85 - test accuracy; dropout and the initial weights come from each
# library's own random stream, so only the accuracy reached can be compared
import math

import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(0)


class PositionalEncoding(nn.Module):
    def __init__(self, d_model, max_len=64, dropout=0.1):
        super().__init__()
        self.dropout = nn.Dropout(p=dropout)
        position = torch.arange(max_len).unsqueeze(1)
        div_term = torch.exp(torch.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))
        pe = torch.zeros(1, max_len, d_model)
        pe[0, :, 0::2] = torch.sin(position * div_term)
        pe[0, :, 1::2] = torch.cos(position * div_term)
        self.register_buffer("pe", pe)

    def forward(self, x):
        return self.dropout(x + self.pe[:, : x.size(1)])


class Classifier(nn.Module):
    def __init__(self, vocab, d_model=32, nhead=4, layers=2, classes=2):
        super().__init__()
        self.d_model = d_model
        self.embedding = nn.Embedding(vocab, d_model, padding_idx=0)
        self.pos = PositionalEncoding(d_model)
        layer = nn.TransformerEncoderLayer(
            d_model, nhead, dim_feedforward=64, dropout=0.1, batch_first=True
        )
        self.encoder = nn.TransformerEncoder(layer, num_layers=layers)
        self.head = nn.Linear(d_model, classes)

    def forward(self, tokens):
        padding = tokens == 0
        x = self.pos(self.embedding(tokens) * math.sqrt(self.d_model))
        x = self.encoder(x, src_key_padding_mask=padding)
        keep = (~padding).unsqueeze(-1).float()
        return self.head((x * keep).sum(1) / keep.sum(1))


def make_data(n, rng):
    """Is there more of token 1 than of token 2? Sequences of length 4-12, 0-padded."""
    tokens = np.zeros((n, 12), dtype=np.int64)
    for row in tokens:
        length = rng.integers(4, 13)
        row[:length] = rng.integers(1, 6, size=length)
    labels = ((tokens == 1).sum(1) > (tokens == 2).sum(1)).astype(np.int64)
    return torch.from_numpy(tokens), torch.from_numpy(labels)


rng = np.random.default_rng(5)
x_train, y_train = make_data(1024, rng)
x_test, y_test = make_data(256, rng)
model = Classifier(vocab=6)
optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
criterion = nn.CrossEntropyLoss()
for epoch in range(8):
    model.train()
    for i in range(0, len(x_train), 64):
        loss = criterion(model(x_train[i : i + 64]), y_train[i : i + 64])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print(f"epoch {epoch}: loss {loss.item():.4f}")

model.eval()
with torch.no_grad():
    accuracy = (model(x_test).argmax(1) == y_test).float().mean().item()
print(f"RESULT transformer_encoder_classifier {accuracy:.4f}")
