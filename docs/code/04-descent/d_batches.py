from glassnet.explain import charts

# y = x² on 64 points: the same network and the same number of epochs, trained
# with all 64 points per step (batch), 8 per step (mini-batch) and 1 (stochastic)
data = gn.datasets.square(n=64)
runs = {}
for name, batch_size in (("batch, 64", 64), ("mini-batch, 8", 8), ("stochastic, 1", 1)):
    gn.manual_seed(0)
    model = nn.Sequential(nn.Linear(1, 16), nn.Tanh(), nn.Linear(16, 1))
    history = gn.fit(
        model,
        data,
        loss="mse",
        optimizer="sgd",
        lr=0.05,
        epochs=30,
        batch_size=batch_size,
        verbose=0,
    )
    runs[name] = history.history["loss"]
    print(f"{name:>14}: {64 // batch_size:>2} updates per epoch, final loss {runs[name][-1]:.4f}")
series = [{"label": k, "x": np.arange(1, 31), "y": v} for k, v in runs.items()]
charts.line_chart_svg(series, xlabel="epoch", ylabel="loss (MSE)", log_y=True)
