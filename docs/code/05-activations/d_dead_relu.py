# dead ReLUs: a neuron whose z < 0 for every input outputs 0 and gets no
# gradient (relu'(z) = 0), so it never recovers. A too-large learning rate
# pushes many neurons there; the share of dead units per epoch, measured:
runs = []
for lr in (0.01, 0.5):
    gn.manual_seed(0)
    layers = [nn.Linear(2, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 1)]
    model = nn.Sequential(*layers)
    runs.append(explain.plots.dead_relu_history(model, X, y, lr=lr, epochs=15))
    print(f"lr = {lr}: {100 * runs[-1]['overall'][-1]:.0f}% of the ReLU units dead after 15 epochs")
fig = explain.plot_dead_relus(runs, lang=LANG)
