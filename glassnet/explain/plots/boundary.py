"""Decision boundaries of a model on 2-D data, drawn as TensorFlow
Playground does: the model's output as a heatmap over the plane, the data
points on top (test points optional)."""

import numpy as np

from ..i18n import text
from .common import finish, new_figure

TEXT = {
    "title": {"en": "Decision boundary", "zh": "决策边界"},
    "prob": {"en": "P(class 1)", "zh": "P(类别 1)"},
    "class": {"en": "predicted class", "zh": "预测类别"},
    "output": {"en": "model output", "zh": "模型输出"},
    "train": {"en": "train, class {c}", "zh": "训练集，类别 {c}"},
    "test": {"en": "test, class {c}", "zh": "测试集，类别 {c}"},
    "acc": {"en": "accuracy: train {tr:.1%}", "zh": "准确率：训练集 {tr:.1%}"},
    "acc_test": {"en": ", test {te:.1%}", "zh": "，测试集 {te:.1%}"},
}


def _xy(data):
    """(X (n, 2), labels (n,)) as ndarrays from a dataset or an (X, y) pair."""
    X, y = getattr(data, "tensors", data)
    X = np.asarray(X, dtype=np.float64)  # a Tensor gives its array
    y = np.asarray(y)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"decision boundary: needs 2 features, got X of shape {X.shape}")
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    return X, y


def model_scores(model, X, output="logits"):
    """What the heatmap shows at points ``X`` (n, 2): for ``output='logits'``,
    sigmoid of a single output column or softmax P(class 1) of two; the
    argmax class for more than two; ``'probs'``/``'raw'`` take column 0 (or
    class 1) as is."""
    import glassnet as gn

    dtype = next(iter(model.parameters())).dtype if list(model.parameters()) else gn.float32
    out = gn.predict(model, gn.tensor(np.asarray(X), dtype=dtype)).numpy().astype(np.float64)
    out = out.reshape(len(X), -1)
    if out.shape[1] > 2:
        return out.argmax(axis=1).astype(np.float64)
    if output == "logits":
        if out.shape[1] == 1:
            return 1 / (1 + np.exp(-out[:, 0]))
        e = np.exp(out - out.max(axis=1, keepdims=True))
        return e[:, 1] / e.sum(axis=1)
    if output not in ("probs", "raw"):
        raise ValueError(f"output must be 'logits', 'probs' or 'raw', got {output!r}")
    return out[:, -1]


def decision_grid(model, X, resolution=120, output="logits", margin=0.5):
    """(xx, yy, scores) over the box around ``X`` (plus ``margin``)."""
    X = np.asarray(X, dtype=np.float64)
    lo, hi = X.min(axis=0) - margin, X.max(axis=0) + margin
    xx, yy = np.meshgrid(
        np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution)
    )
    grid = np.stack([xx.ravel(), yy.ravel()], axis=1)
    return xx, yy, model_scores(model, grid, output).reshape(xx.shape)


def _accuracy(model, X, y, output):
    """Share of points classified right (binary: score above the boundary,
    0.5 or 0 for 'raw', means the class above 0)."""
    scores = model_scores(model, X, output)
    if len(np.unique(y)) > 2:
        return float(np.mean(scores == y))
    return float(np.mean((scores >= _boundary(output)) == (y > 0)))


def _boundary(output):
    return 0.0 if output == "raw" else 0.5


def plot_decision_boundary(
    model, data, test=None, path=None, lang=None, output="logits", resolution=120, title=None
):
    """Heatmap of the model over the plane with the training points (and the
    ``test`` points, hollow); ``data``/``test``: datasets or (X, y) pairs."""
    X, y = _xy(data)
    Xt, yt = _xy(test) if test is not None else (np.zeros((0, 2)), np.zeros(0))
    xx, yy, scores = decision_grid(model, np.concatenate([X, Xt]), resolution, output)
    classes = np.unique(np.concatenate([y, yt]))
    binary = len(classes) <= 2
    fig = new_figure(path, figsize=(5.6, 4.8), layout="constrained")
    ax = fig.subplots()
    cmap = "RdBu" if binary else "tab10"
    if not binary:
        levels, label = np.arange(len(classes) + 1) - 0.5, "class"
    elif output == "raw":
        m = max(float(np.abs(scores).max()), 1e-9)
        levels, label = np.linspace(-m, m, 21), "output"
    else:
        levels, label = np.linspace(0, 1, 21), "prob"
    mesh = ax.contourf(xx, yy, scores, levels=levels, cmap=cmap, alpha=0.75)
    if binary and scores.min() < _boundary(output) < scores.max():
        ax.contour(xx, yy, scores, levels=[_boundary(output)], colors="k", linewidths=1.5)
    fig.colorbar(mesh, ax=ax, label=text(TEXT, label, lang))
    colours = ["#d6604d", "#2166ac"] if binary else [f"C{i}" for i in range(10)]
    for i, c in enumerate(classes):
        colour = colours[i % len(colours)]
        ax.scatter(
            *X[y == c].T,
            s=18,
            color=colour,
            edgecolors="white",
            linewidths=0.6,
            label=text(TEXT, "train", lang, c=_name(c)),
        )
        if len(Xt):
            ax.scatter(
                *Xt[yt == c].T,
                s=30,
                facecolors="none",
                edgecolors=colour,
                linewidths=1.4,
                label=text(TEXT, "test", lang, c=_name(c)),
            )
    subtitle = text(TEXT, "acc", lang, tr=_accuracy(model, X, y, output))
    if len(Xt):
        subtitle += text(TEXT, "acc_test", lang, te=_accuracy(model, Xt, yt, output))
    ax.set_title((title or text(TEXT, "title", lang)) + "\n" + subtitle)
    ax.set_xlabel("x₁")
    ax.set_ylabel("x₂")
    ax.legend(fontsize=8, loc="upper right", framealpha=0.85)
    return finish(fig, path, lang)


def _name(c):
    return int(c) if float(c).is_integer() else c
