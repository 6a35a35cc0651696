"""Dead ReLUs: units whose ReLU output is 0 for every input of a data set.
Their derivative is 0 there too, so no gradient reaches their weights and
they never come back (the article's 死神经元). A too-large learning rate
can throw many units there in a few steps."""

import numpy as np

from ..i18n import text
from .common import finish, new_figure

TEXT = {
    "title": {
        "en": "Dead ReLUs during training (output 0 for every training input)",
        "zh": "训练中的死 ReLU（对所有训练输入输出都为 0）",
    },
    "dead": {"en": "dead ReLU units (%)", "zh": "死 ReLU 神经元（%）"},
    "dead_title": {"en": "share of dead units", "zh": "死神经元所占比例"},
    "loss_title": {"en": "training loss", "zh": "训练损失"},
    "loss": {"en": "loss (log scale)", "zh": "损失（对数坐标）"},
    "epoch": {"en": "epoch", "zh": "轮次（epoch）"},
    "lr": {"en": "{opt} η = {lr:g}", "zh": "{opt} η = {lr:g}"},
    "diverged": {"en": " (diverged)", "zh": "（发散）"},
}


def _relus(model):
    from ...nn import ReLU

    relus = [m for m in model.modules() if isinstance(m, ReLU)]
    if not relus:
        raise ValueError("dead_relu_fraction: the model has no nn.ReLU module")
    return relus


def relu_outputs(model, X):
    """The output of every nn.ReLU module of ``model`` on inputs ``X``
    (ndarrays in call order), recorded with forward hooks, no graph kept."""
    from ...grad_mode import no_grad
    from ...train.loop import _as_tensor

    outputs = []
    handles = [
        m.register_forward_hook(lambda mod, args, out: outputs.append(out._data))
        for m in _relus(model)
    ]
    try:
        with no_grad():
            model(_as_tensor(X, "X"))
    finally:
        for h in handles:
            h.remove()
    return outputs


def dead_relu_mask(model, X):
    """Per nn.ReLU module, a boolean array over its units (dims after the
    batch dim): True where the output is 0 for every row of ``X``."""
    return [np.all(out.reshape(len(out), -1) <= 0, axis=0) for out in relu_outputs(model, X)]


def dead_relu_fraction(model, X):
    """Per nn.ReLU module (in call order), the fraction of its units that are
    dead on ``X``: 0 for every input row."""
    return [float(mask.mean()) for mask in dead_relu_mask(model, X)]


def dead_relu_history(model, X, y, lr=0.01, epochs=50, loss="mse", optimizer="sgd", batch_size=32):
    """Train with ``gn.fit`` (shuffled mini-batches of ``batch_size``, from the
    default generator), measuring the dead units on all of ``X`` before
    training and after every epoch.

    Returns {"fraction": (epochs+1, n_relu_layers), "overall": (epochs+1,)
    share of all ReLU units, "loss": (epochs,) training loss per epoch,
    "diverged": whether training stopped early on an inf/NaN loss}.
    """
    from ...train.callbacks import Callback
    from ...train.loop import fit

    if hasattr(optimizer, "param_groups"):
        lr = optimizer.param_groups[0]["lr"]
    sizes = [mask.size for mask in dead_relu_mask(model, X)]
    rows, losses = [dead_relu_fraction(model, X)], []

    class Measure(Callback):
        def on_epoch_end(self, epoch, logs=None):
            rows.append(dead_relu_fraction(model, X))
            losses.append(logs["loss"])

    try:
        with np.errstate(over="ignore", invalid="ignore"):  # diverging runs are reported
            fit(
                model,
                (X, y),
                loss=loss,
                optimizer=optimizer,
                lr=lr,
                epochs=epochs,
                batch_size=batch_size,
                callbacks=[Measure()],
                verbose=0,
            )
        diverged = False
    except FloatingPointError:  # the loss became inf/NaN: keep the epochs before it
        diverged = True
    fraction = np.array(rows)
    return {
        "fraction": fraction,
        "overall": fraction @ np.array(sizes) / sum(sizes),
        "loss": np.array(losses),
        "diverged": diverged,
        "lr": lr,
        "optimizer": optimizer if isinstance(optimizer, str) else type(optimizer).__name__,
    }


def plot_dead_relus(runs, path=None, lang=None):
    """``runs``: a list (or dict values) of dead_relu_history(...) results.
    Left: % dead units per epoch; right: the training loss."""
    fig = new_figure(path, figsize=(11, 4.2), layout="constrained")
    left, right = fig.subplots(1, 2)
    runs = list(runs.values()) if isinstance(runs, dict) else list(runs)
    for i, run in enumerate(runs):
        label = text(TEXT, "lr", lang, lr=run["lr"], opt=_optimizer_name(run["optimizer"]))
        if run["diverged"]:
            label += text(TEXT, "diverged", lang)
        left.plot(
            np.arange(len(run["overall"])),
            100 * run["overall"],
            "-",
            color=f"C{i}",
            lw=2,
            label=label,
        )
        loss = np.where(np.isfinite(run["loss"]), run["loss"], np.nan)
        right.semilogy(np.arange(1, len(loss) + 1), loss, color=f"C{i}", lw=2, label=label)
    left.set(
        xlabel=text(TEXT, "epoch", lang),
        ylabel=text(TEXT, "dead", lang),
        title=text(TEXT, "dead_title", lang),
        ylim=(-3, 103),
    )
    right.set(
        xlabel=text(TEXT, "epoch", lang),
        ylabel=text(TEXT, "loss", lang),
        title=text(TEXT, "loss_title", lang),
    )
    for ax in (left, right):
        ax.grid(alpha=0.3, which="both")
        ax.legend()
    fig.suptitle(text(TEXT, "title", lang))
    return finish(fig, path, lang)


def _optimizer_name(name):
    """The class name of a registered optimizer ('adam' → 'Adam'); anything else as it is."""
    from ...optim.registry import OPTIMIZERS

    return OPTIMIZERS[name].cls.__name__ if name in OPTIMIZERS else str(name)
