# a recurrent layer applies the same cell at every step, carrying a hidden
# state: h_t = tanh(W_x·x_t + W_h·h_(t−1) + b) for the plain RNN. A Linear
# layer reads the answer from the last state
class Reader(nn.Module):
    def __init__(self, cell):
        super().__init__()
        self.cell = cell(input_size=2, hidden_size=12, batch_first=True)
        self.out = nn.Linear(12, 1)

    def forward(self, x):
        states, _ = self.cell(x)  # (N, T, hidden): the state after every step
        return self.out(states[:, -1])  # the last one


baseline = ((y_test - y_train.mean()) ** 2).mean().item()
print(f"always answering the mean: test MSE {baseline:.4f}")
trained = {}
for cell in (nn.RNN, nn.LSTM):
    gn.manual_seed(0)
    model = trained[cell.__name__] = Reader(cell)
    gn.fit(
        model,
        (x_train, y_train),
        loss="mse",
        optimizer="adam",
        lr=0.01,
        epochs=25,
        batch_size=20,
        verbose=0,
    )
    mse = ((gn.predict(model, x_test) - y_test) ** 2).mean().item()
    print(f"{cell.__name__:>5}: test MSE {mse:.4f}")
