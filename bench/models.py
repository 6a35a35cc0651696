"""The networks of the suite, written once against a framework's ``nn``
(glassnet's or PyTorch's), so both sides run the same architecture."""


def mlp(nn, sizes):
    """Linear layers of ``sizes`` with ReLU between them, e.g. (784, 512, 256, 10)."""
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        if i:
            layers.append(nn.ReLU())
        layers.append(nn.Linear(n_in, n_out))
    return nn.Sequential(*layers)


CNN_LAYERS = ("Conv2d", "MaxPool2d", "Flatten")


def cnn(nn):
    """conv(1→8, 3×3)-ReLU-maxpool2-conv(8→16, 3×3)-ReLU-maxpool2-linear(400→10),
    for 1×28×28 images (28 → 26 → 13 → 11 → 5, and 16·5·5 = 400)."""
    return nn.Sequential(
        nn.Conv2d(1, 8, 3),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(400, 10),
    )


LSTM_LAYERS = ("LSTM",)
GRU_LAYERS = ("GRU",)
TRANSFORMER_LAYERS = ("TransformerEncoderLayer",)


def lstm_classifier(nn, n_in, hidden, classes):
    """An LSTM over (batch, time, n_in) sequences, a linear head on the last step."""

    class LSTMClassifier(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = nn.LSTM(n_in, hidden, batch_first=True)
            self.head = nn.Linear(hidden, classes)

        def forward(self, x):
            out, _ = self.lstm(x)
            return self.head(out[:, -1])

    return LSTMClassifier()


def gru_classifier(nn, n_in, hidden, classes):
    """A GRU over (batch, time, n_in) sequences, a linear head on the last step."""

    class GRUClassifier(nn.Module):
        def __init__(self):
            super().__init__()
            self.gru = nn.GRU(n_in, hidden, batch_first=True)
            self.head = nn.Linear(hidden, classes)

        def forward(self, x):
            out, _ = self.gru(x)
            return self.head(out[:, -1])

    return GRUClassifier()


def transformer_classifier(nn, d_model, heads, feedforward, classes):
    """One Transformer encoder layer over (batch, time, d_model), no dropout; a
    linear head on the mean over time."""

    class TransformerClassifier(nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = nn.TransformerEncoderLayer(
                d_model, heads, dim_feedforward=feedforward, dropout=0.0, batch_first=True
            )
            self.head = nn.Linear(d_model, classes)

        def forward(self, x):
            return self.head(self.encoder(x).mean(dim=1))

    return TransformerClassifier()
