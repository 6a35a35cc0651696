"""``write_figures``: every figure of the article, computed from real glassnet
runs and written to one directory (``glassnet figures --out DIR``)."""

import os

from ..plots.activations import plot_activations
from ..plots.boundary import plot_decision_boundary
from ..plots.common import save
from ..plots.dead_relu import dead_relu_history, plot_dead_relus
from ..plots.descent import plot_descent_1d, plot_descent_2d
from ..plots.gradients import deep_mlp, plot_gradient_norms, vanishing_gradient_runs
from ..plots.training import plot_loss_curves

FORMATS = ("png", "svg")


def write_figures(out_dir, lang=None, formats=FORMATS, quick=False, seed=0):
    """Write every figure to ``out_dir`` in each of ``formats`` and return the
    paths. ``quick=True`` uses tiny data sets and few epochs (seconds); the
    default trains the full-size runs (about 10 s). Every run starts from
    ``gn.manual_seed(seed)``, so the figures are the same each time. The
    network diagram and computation graph (SVG by nature) are written when
    'svg' is asked for."""
    formats = tuple(f.lower().lstrip(".") for f in formats)
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise ValueError(f"write_figures: formats must be among {FORMATS}, got {formats}")
    os.makedirs(out_dir, exist_ok=True)
    paths = []

    def write(name, make):
        first = os.path.join(out_dir, f"{name}.{formats[0]}")
        fig = make(first)
        paths.append(first)
        for fmt in formats[1:]:
            paths.append(save(fig, os.path.join(out_dir, f"{name}.{fmt}")))

    import glassnet as gn

    gn.manual_seed(seed)
    write("activations", lambda p: plot_activations(p, lang))
    write("descent_1d", lambda p: plot_descent_1d(p, lang))
    write("descent_2d", lambda p: plot_descent_2d(p, lang))
    model, train, test, history = train_xor(quick)
    write("loss_curves", lambda p: plot_loss_curves(history, p, lang))
    write("decision_boundary", lambda p: plot_decision_boundary(model, train, test, p, lang))
    write("gradient_norms", lambda p: plot_gradient_norms(gradient_runs(quick), p, lang))
    write("dead_relus", lambda p: plot_dead_relus(dead_relu_runs(quick), p, lang))
    if "svg" in formats:
        paths += _diagrams(out_dir, lang, quick)
    return paths


def train_xor(quick=False):
    """The article's XOR, on the Playground's 2-D version with 25% noise: a
    2-16-16-2 tanh network trained with Adam long enough to overfit (the
    validation loss turns up). Returns (model, train, test, history)."""
    import glassnet as gn

    from ... import nn

    data = gn.datasets.xor2d(n=80 if quick else 200, noise=25)
    train, test = gn.datasets.train_test_split(data, test_size=0.3)
    model = nn.Sequential(
        nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 2)
    )
    history = gn.fit(
        model,
        train,
        loss="cross_entropy",
        optimizer="adam",
        lr=0.01,
        epochs=8 if quick else 200,
        batch_size=32,
        validation=test,
        metrics=["accuracy"],
        verbose=0,
    )
    return model, train, test, history


def gradient_runs(quick=False):
    """vanishing_gradient_runs on the circle data (scaled to about [-1, 1])."""
    import glassnet as gn

    X, y = gn.datasets.circle(n=64 if quick else 200, labels="float").tensors
    return vanishing_gradient_runs(
        X / 5,
        y,
        depth=6 if quick else 10,
        width=8 if quick else 32,
        epochs=5 if quick else 100,
        lr=0.2,
    )


def dead_relu_runs(quick=False, lrs=(0.003, 0.03, 0.3)):
    """dead_relu_history with Adam at a sensible and at too-large learning
    rates, each from the same He-initialized 2-16-16-16-1 ReLU network."""
    import glassnet as gn

    X, y = gn.datasets.circle(n=64 if quick else 200, labels="float").tensors
    state = gn.get_rng_state()
    runs = []
    for lr in lrs:
        gn.set_rng_state(state)
        model = deep_mlp("relu", "he", depth=4, width=16)
        runs.append(
            dead_relu_history(
                model,
                X / 5,
                y,
                lr=lr,
                epochs=4 if quick else 30,
                loss="bce_with_logits",
                optimizer="adam",
                batch_size=16,
            )
        )
    return runs


def _diagrams(out_dir, lang, quick):
    """The network diagram and the computation graph of the article's 1-2-1
    ReLU network after learning y = x² (skipped while those modules are missing)."""
    try:
        from ..draw.diagram import network_svg
        from ..draw.graph import graph_svg
    except ImportError:
        return []
    import glassnet as gn

    from ... import nn

    model = nn.Sequential(nn.Linear(1, 2), nn.ReLU(), nn.Linear(2, 1))
    gn.fit(
        model,
        gn.datasets.square(n=50),
        loss="half_squared_error",
        optimizer="sgd",
        lr=0.1,
        epochs=5 if quick else 200,
        batch_size=10,
        verbose=0,
    )
    x, y = gn.tensor([[0.5]]), gn.tensor([[0.25]])
    loss_fn = nn.HalfSquaredError()
    svgs = {
        "network": network_svg(model, x, y, loss_fn, show="gradients", lang=lang),
        "graph": graph_svg(loss_fn(model(x), y), lang=lang, names=model),
    }
    paths = []
    for name, svg in svgs.items():
        path = os.path.join(out_dir, f"{name}.svg")
        with open(path, "w", encoding="utf-8") as f:
            f.write(svg)
        paths.append(path)
    return paths
