"""Activation functions and their derivatives, the derivatives computed by
glassnet's own backward pass (not by hand formulas)."""

import numpy as np

from ..i18n import text
from .common import finish, new_figure

ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "gelu")  # the figure's panels
LEAKY_SLOPE = 0.1  # larger than PyTorch's 0.01 so the slope is visible

TEXT = {
    "title": {
        "en": "Activation functions and their derivatives (f′ from backpropagation)",
        "zh": "激活函数及其导数（f′ 由反向传播算出）",
    },
    "f": {"en": "f(z)", "zh": "函数 f(z)"},
    "df": {"en": "f′(z), autograd", "zh": "导数 f′(z)（自动求导）"},
    "max": {"en": "max f′ = {v:.3g}", "zh": "f′ 最大值 = {v:.3g}"},
    "sigmoid": {"en": "sigmoid σ(z)", "zh": "sigmoid σ(z)"},
    "tanh": {"en": "tanh", "zh": "tanh（双曲正切）"},
    "relu": {"en": "ReLU max(0, z)", "zh": "ReLU max(0, z)"},
    "leaky_relu": {"en": "Leaky ReLU (slope 0.1)", "zh": "Leaky ReLU（斜率 0.1）"},
    "elu": {"en": "ELU (α = 1)", "zh": "ELU（α = 1）"},
    "gelu": {"en": "GELU z·Φ(z)", "zh": "GELU z·Φ(z)"},
}


def _function(name):
    """f(z) of a name of ``nn.activation_registry.ACTIVATIONS`` (Leaky ReLU with
    the steeper slope of the figure)."""
    from ...nn.activation_registry import ACTIVATIONS as REGISTRY

    entry = REGISTRY[name]
    if entry.name == "leaky_relu":
        return lambda z: entry.function(z, LEAKY_SLOPE)
    return entry.function


def activation_curves(names=ACTIVATIONS, z=None):
    """{name: {"z", "a", "da"}}: f(z) and f′(z) on a grid (default −5..5),
    f′ being z.grad after backward() of Σ f(z) (each term depends on one z)."""
    import glassnet as gn

    grid = np.linspace(-5, 5, 401) if z is None else np.asarray(z, dtype=np.float64)
    curves = {}
    for name in names:
        zt = gn.tensor(grid, dtype=gn.float64, requires_grad=True)
        a = _function(name)(zt)
        a.sum().backward()
        curves[name] = {"z": grid.copy(), "a": a._data.copy(), "da": zt.grad._data.copy()}
    return curves


def plot_activations(path=None, lang=None, names=ACTIVATIONS):
    """One panel per activation: f(z) and its autograd derivative f′(z)."""
    curves = activation_curves(names)
    cols = min(3, len(names))
    rows = -(-len(names) // cols)
    fig = new_figure(path, figsize=(4 * cols, 3.2 * rows), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    for ax, name in zip(axes, names):
        c = curves[name]
        ax.axhline(0, color="0.7", lw=0.8)
        ax.axvline(0, color="0.7", lw=0.8)
        ax.plot(c["z"], c["a"], color="C0", lw=2, label=text(TEXT, "f", lang))
        ax.plot(c["z"], c["da"], color="C3", lw=2, ls="--", label=text(TEXT, "df", lang))
        ax.text(
            0.03,
            0.97,
            text(TEXT, "max", lang, v=float(c["da"].max())),
            transform=ax.transAxes,
            va="top",
            fontsize=9,
            color="C3",
        )
        ax.set_title(text(TEXT, name, lang))
        ax.set_xlabel("z")
        ax.set_ylim(-1.3, 2.5)
        ax.grid(alpha=0.3)
    for ax in axes[len(names) :]:
        ax.set_visible(False)
    fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncols=2)
    fig.suptitle(text(TEXT, "title", lang))
    return finish(fig, path, lang)
