from glassnet.explain import charts

# the same network, data and number of epochs; only the optimizer differs
data = gn.datasets.moons(n=200, noise=0.15, labels="float", generator=np.random.default_rng(0))
curves = {}
for name, optimizer, lr in (
    ("SGD", "sgd", 0.05),
    ("SGD + momentum 0.9", gn.optim.SGD, 0.05),
    ("Adam", "adam", 0.01),
):
    gn.manual_seed(0)
    model = nn.Sequential(
        nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 1)
    )
    if optimizer is gn.optim.SGD:
        optimizer = gn.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    history = gn.fit(
        model,
        data,
        loss="bce_with_logits",
        optimizer=optimizer,
        lr=lr,
        epochs=40,
        batch_size=20,
        metrics="accuracy",
        verbose=0,
    )
    curves[name] = history.history["loss"]
    print(
        f"{name:>18}: loss {curves[name][-1]:.4f}, accuracy {history.history['accuracy'][-1]:.0%}"
    )
series = [{"label": k, "x": np.arange(1, 41), "y": v} for k, v in curves.items()]
charts.line_chart_svg(series, xlabel="epoch", ylabel="training loss", log_y=True)
