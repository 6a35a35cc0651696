"""Vanishing gradients, measured: the norm ||∂L/∂W|| of every layer's weight
gradient in a deep network, from the output back to the input, for sigmoid
against ReLU and for the default initialization against Xavier/He.

Backpropagation multiplies δ by f′(z) once per layer; sigmoid's f′ is at most
1/4, so in a deep sigmoid network the gradient reaching the first layers is
tiny and they hardly learn (the article's 梯度消失)."""

import numpy as np

from ..i18n import text
from .common import finish, new_figure

INITS = (None, "xavier", "he")  # the ones the figure compares (any of nn.init.INITIALIZERS works)
CONFIGS = (
    ("sigmoid", None),
    ("sigmoid", "xavier"),
    ("tanh", "xavier"),
    ("relu", None),
    ("relu", "he"),
)

TEXT = {
    "title": {
        "en": "Vanishing gradients: ||∂L/∂W|| per layer in a {n}-layer network",
        "zh": "梯度消失：{n} 层网络中每层的 ||∂L/∂W||",
    },
    "layers": {"en": "at the start (input → output)", "zh": "训练开始时（输入层 → 输出层）"},
    "layer": {"en": "layer (1 = next to the input)", "zh": "层（1 = 紧挨输入）"},
    "norm": {"en": "||∂L/∂W|| (log scale)", "zh": "||∂L/∂W||（对数坐标）"},
    "first_title": {"en": "first layer during training", "zh": "训练过程中的第一层"},
    "first": {"en": "||∂L/∂W₁|| (log scale)", "zh": "||∂L/∂W₁||（对数坐标）"},
    "loss_title": {"en": "training loss", "zh": "训练损失"},
    "loss": {"en": "loss", "zh": "损失"},
    "epoch": {"en": "epoch (full-batch step)", "zh": "轮次（全批量一步）"},
    "config": {"en": "{act}, {init}", "zh": "{act}，{init}"},
    None: {"en": "default init", "zh": "默认初始化"},
    "xavier": {"en": "Xavier init", "zh": "Xavier 初始化"},
    "he": {"en": "He init", "zh": "He 初始化"},
}


def deep_mlp(activation="sigmoid", init=None, depth=10, width=32, in_features=2, out_features=1):
    """``depth`` Linear layers of ``width`` units with ``activation`` between them.
    activation: a name of ``nn.activation_registry.ACTIVATIONS``; init: None
    (PyTorch's default, U(±1/√fan_in)) or a name of ``nn.init.INITIALIZERS``
    such as 'xavier' (Glorot normal) or 'he' (Kaiming normal, gain √2 for
    ReLU), which also zeroes the biases."""
    from ... import nn
    from ...nn.activation_registry import ACTIVATIONS

    act = ACTIVATIONS[activation]
    init_fn = None if init is None else nn.init.INITIALIZERS[init]
    sizes = [in_features] + [width] * (depth - 1) + [out_features]
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        linear = nn.Linear(n_in, n_out)
        if init_fn is not None:
            init_fn(linear.weight)
            nn.init.zeros_(linear.bias)
        layers.append(linear)
        if i < depth - 1:
            layers.append(act.layer())
    return nn.Sequential(*layers)


def gradient_norms_per_layer(
    model, X, y, loss="bce_with_logits", epochs=1, lr=0.1, optimizer="sgd"
):
    """Train ``model`` (a Module, or a function making one) for ``epochs``
    full-batch steps; before each step record ||∂L/∂W|| of every Linear weight.

    Returns {"layers": names, "norms": (epochs, n_layers) array (input side
    first), "loss": (epochs,) array, "model": the model}.
    """
    from ...nn import Linear, Module
    from ...train.loop import _as_tensor, _match_target, get_loss, get_optimizer

    if not isinstance(model, Module) and callable(model):
        model = model()
    names = [n for n, m in model.named_modules() if isinstance(m, Linear)]
    weights = [m.weight for m in model.modules() if isinstance(m, Linear)]
    if not weights:
        raise ValueError("gradient_norms_per_layer: the model has no Linear layer")
    X, y = _as_tensor(X, "X"), _as_tensor(y, "y")
    loss_fn, opt = get_loss(loss), get_optimizer(optimizer, model.parameters(), lr)
    norms, losses = [], []
    for _ in range(epochs):
        opt.zero_grad()
        out = model(X)
        value = loss_fn(out, _match_target(out, y))
        value.backward()
        norms.append([float(np.linalg.norm(w.grad._data)) for w in weights])
        losses.append(value.item())
        opt.step()
    return {"layers": names, "norms": np.array(norms), "loss": np.array(losses), "model": model}


def vanishing_gradient_runs(
    X, y, configs=CONFIGS, depth=10, width=32, epochs=1, lr=0.1, loss="bce_with_logits"
):
    """{(activation, init): gradient_norms_per_layer(...)} for each config,
    every network drawn from the same generator state (the same draws)."""
    from ...random import get_rng_state, set_rng_state

    state = get_rng_state()
    runs = {}
    for activation, init in configs:
        set_rng_state(state)
        model = deep_mlp(activation, init, depth, width, X.shape[1], 1)
        runs[(activation, init)] = gradient_norms_per_layer(model, X, y, loss, epochs, lr)
    return runs


def _label(key, lang):
    activation, init = key
    return text(
        TEXT,
        "config",
        lang,
        act={"relu": "ReLU"}.get(activation, activation),
        init=text(TEXT, init, lang) if init in TEXT else init,
    )


def plot_gradient_norms(runs, path=None, lang=None):
    """||∂L/∂W|| per layer at the start; with more than one epoch also the
    first layer's ||∂L/∂W₁|| and the loss over training."""
    over_time = max(len(r["norms"]) for r in runs.values()) > 1
    fig = new_figure(path, figsize=(15 if over_time else 6, 4.4), layout="constrained")
    axes = fig.subplots(1, 3 if over_time else 1, squeeze=False)[0]
    styles = ["o-", "s--", "^-", "D-", "v--", "x-"]
    depth = max(r["norms"].shape[1] for r in runs.values())
    for i, (key, run) in enumerate(runs.items()):
        norms, label = run["norms"], _label(key, lang)
        axes[0].semilogy(
            np.arange(1, norms.shape[1] + 1),
            norms[0],
            styles[i % len(styles)],
            color=f"C{i}",
            label=label,
        )
        if over_time:
            epochs = np.arange(1, len(norms) + 1)
            axes[1].semilogy(epochs, norms[:, 0], color=f"C{i}", lw=2, label=label)
            axes[2].plot(epochs, run["loss"], color=f"C{i}", lw=2, label=label)
    axes[0].set(
        xlabel=text(TEXT, "layer", lang),
        ylabel=text(TEXT, "norm", lang),
        title=text(TEXT, "layers", lang),
        xticks=np.arange(1, depth + 1),
    )
    if over_time:
        axes[1].set(
            xlabel=text(TEXT, "epoch", lang),
            ylabel=text(TEXT, "first", lang),
            title=text(TEXT, "first_title", lang),
        )
        axes[2].set(
            xlabel=text(TEXT, "epoch", lang),
            ylabel=text(TEXT, "loss", lang),
            title=text(TEXT, "loss_title", lang),
        )
    for ax in axes:
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=8)
    fig.suptitle(text(TEXT, "title", lang, n=depth))
    return finish(fig, path, lang)
