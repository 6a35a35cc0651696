# a 10-layer network: ‖∂L/∂W‖ of each layer, measured on one batch of moons.
# Each sigmoid layer multiplies δ by σ'(z) ≤ 0.25, so the layers near the
# input receive gradients orders of magnitude smaller than those near the output
gn.manual_seed(0)
data = gn.datasets.moons(n=256, noise=0.1, labels="float", generator=np.random.default_rng(0))
X, y = data.tensors
configs = [("sigmoid", None), ("tanh", None), ("relu", "he")]
runs = explain.plots.vanishing_gradient_runs(X, y, configs=configs, depth=10, width=32)
for (activation, _), run in runs.items():
    norms = run["norms"][0]
    print(f"{activation:>8}: layer 1 ‖∂L/∂W‖ = {norms[0]:.2e}, layer 10 = {norms[-1]:.2e}")
fig = explain.plot_gradient_norms(runs, lang=LANG)
