from glassnet.explain import charts

# initialization: the spread of the activations through 10 tanh layers of
# width 100, for three ways to draw the starting weights
x = gn.randn(500, 100)
series = []
for label, init in (
    ("N(0, 1)", lambda w: nn.init.normal_(w, std=1.0)),
    ("N(0, 0.01²)", lambda w: nn.init.normal_(w, std=0.01)),
    ("Xavier", nn.init.xavier_uniform_),
):
    gn.manual_seed(0)
    a, spread = x, []
    for _ in range(10):
        layer = nn.Linear(100, 100)
        init(layer.weight)
        nn.init.zeros_(layer.bias)
        a = gn.tanh(layer(a)).detach()
        spread.append(a.std().item())
    series.append({"label": label, "x": np.arange(1, 11), "y": spread})
    saturated = (a.abs() > 0.99).float().mean().item()  # where tanh'(z) ≈ 0
    print(
        f"{label:>12}: std of a, layer 1 {spread[0]:.3f}, layer 10 {spread[-1]:.2e}; "
        f"saturated in layer 10: {saturated:.0%}"
    )
charts.line_chart_svg(series, xlabel="layer", ylabel="std of a", log_y=True)
