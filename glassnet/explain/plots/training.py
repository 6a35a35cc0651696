"""Train and validation loss (and metrics) per epoch, from ``gn.fit``'s
History or from a plain dict of lists."""

from ..i18n import text
from .common import finish, new_figure

TEXT = {
    "title": {"en": "Training and validation loss", "zh": "训练损失与验证损失"},
    "epoch": {"en": "epoch", "zh": "轮次（epoch）"},
    "loss": {"en": "loss", "zh": "损失"},
    "train": {"en": "train {name}", "zh": "训练集 {name}"},
    "val": {"en": "validation {name}", "zh": "验证集 {name}"},
    "best": {"en": "best validation: epoch {e}", "zh": "验证集最佳：第 {e} 轮"},
    "accuracy": {"en": "accuracy", "zh": "准确率"},
}


def curves_of(history):
    """The {name: [value per epoch]} dict of a History (or of a dict itself)."""
    data = getattr(history, "history", history)
    if not isinstance(data, dict):
        raise TypeError(f"expected a History or a dict of lists, got {type(history).__name__}")
    return {k: list(map(float, v)) for k, v in data.items()}


def plot_loss_curves(history, path=None, lang=None, metrics=True, log_scale=False):
    """Loss per epoch for train and validation (a panel per metric too when
    ``metrics``); marks the epoch with the lowest validation loss."""
    data = curves_of(history)
    if "loss" not in data:
        raise ValueError(f"plot_loss_curves: no 'loss' in the history (keys: {sorted(data)})")
    names = ["loss"] + (
        [k for k in data if k not in ("loss", "lr") and not k.startswith("val_")] if metrics else []
    )
    fig = new_figure(path, figsize=(5 * len(names), 3.8), layout="constrained")
    axes = fig.subplots(1, len(names), squeeze=False)[0]
    for ax, name in zip(axes, names):
        label = text(TEXT, name, lang) if name in TEXT else name
        epochs = range(1, len(data[name]) + 1)
        ax.plot(epochs, data[name], "-", lw=2, label=text(TEXT, "train", lang, name=label))
        if "val_" + name in data:
            val = data["val_" + name]
            ax.plot(
                range(1, len(val) + 1), val, "--", lw=2, label=text(TEXT, "val", lang, name=label)
            )
            if name == "loss" and val:
                best = min(range(len(val)), key=val.__getitem__)
                ax.plot(
                    best + 1,
                    val[best],
                    "o",
                    color="C1",
                    ms=8,
                    mfc="none",
                    mew=2,
                    label=text(TEXT, "best", lang, e=best + 1),
                )
        if name == "loss" and log_scale:
            ax.set_yscale("log")
        ax.set_xlabel(text(TEXT, "epoch", lang))
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
        ax.legend()
    fig.suptitle(text(TEXT, "title", lang))
    return finish(fig, path, lang)
