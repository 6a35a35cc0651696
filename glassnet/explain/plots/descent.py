"""Gradient descent seen on a loss curve (1-D) and on a loss surface's
contours (2-D): w ← w − η·∂L/∂w for several learning rates η, and SGD
against momentum and Adam. Every step is a real glassnet step: the loss is
a Tensor, ``backward()`` gives ∂L/∂w, a ``glassnet.optim`` optimizer moves w."""

import numpy as np

from ..i18n import text
from .common import finish, new_figure

TEXT = {
    "title1": {
        "en": "Gradient descent on L(w) = (w − 3)² + 1",
        "zh": "在 L(w) = (w − 3)² + 1 上做梯度下降",
    },
    "title1_custom": {"en": "Gradient descent on a loss curve", "zh": "损失曲线上的梯度下降"},
    "title2_custom": {"en": "Gradient descent on a loss surface", "zh": "损失曲面上的梯度下降"},
    "title2": {
        "en": "Gradient descent on L(w₁, w₂) = w₁²/2 + 5·w₂²",
        "zh": "在 L(w₁, w₂) = w₁²/2 + 5·w₂² 上做梯度下降",
    },
    "small": {"en": "η = {lr:g}: too small, slow", "zh": "η = {lr:g}：太小，走得慢"},
    "good": {"en": "η = {lr:g}: about right", "zh": "η = {lr:g}：合适"},
    "large": {"en": "η = {lr:g}: too large, diverges", "zh": "η = {lr:g}：太大，发散"},
    "lr": {"en": "η = {lr:g}", "zh": "η = {lr:g}"},
    "loss": {"en": "loss L(w)", "zh": "损失 L(w)"},
    "steps": {"en": "{n} steps, start w = {w0:g}", "zh": "{n} 步，起点 w = {w0:g}"},
    "rates": {"en": "SGD, several learning rates", "zh": "SGD，不同学习率"},
    "opts": {"en": "SGD vs momentum vs Adam", "zh": "SGD、动量法与 Adam 的对比"},
    "sgd": {"en": "SGD η = {lr:g}", "zh": "SGD η = {lr:g}"},
    "momentum": {"en": "SGD + momentum 0.9, η = {lr:g}", "zh": "SGD + 动量 0.9，η = {lr:g}"},
    "adam": {"en": "Adam η = {lr:g}", "zh": "Adam η = {lr:g}"},
    "minimum": {"en": "minimum", "zh": "最小值"},
}
LABELS = ("small", "good", "large")
RATES_1D = (0.05, 0.3, 1.05)
RATES_2D = (0.01, 0.08, 0.205)
LIMIT = 1e6  # a diverging path stops here


def parabola(w):
    """The 1-D example loss L(w) = (w − 3)² + 1 (minimum 1 at w = 3)."""
    return (w - 3) ** 2 + 1


def bowl(w):
    """The 2-D example loss L = w₁²/2 + 5·w₂²: an elongated bowl (curvatures
    1 and 10), where one η is too small along w₁ and too large along w₂."""
    return 0.5 * w[0] ** 2 + 5 * w[1] ** 2


def descent_path(loss, start, lr, steps=20, optimizer="sgd", **options):
    """Run ``steps`` steps of ``optimizer`` (a name of ``optim.OPTIMIZERS``:
    'sgd', 'momentum', 'adam', ... or a class from glassnet.optim) from ``start`` on
    ``loss`` (Tensor → scalar Tensor).

    Returns {"w": (k+1, *shape) positions, "loss": (k+1,) losses}; k < steps
    only if w ran past ±1e6 (diverged). In float64; with 'sgd' each step is
    exactly w ← w − η·L′(w).
    """
    import glassnet as gn

    opt_cls, settings = _optimizer_class(optimizer)
    w = gn.tensor(np.asarray(start, dtype=np.float64), requires_grad=True)
    opt = opt_cls([w], lr=lr, **{**settings, **options})
    path, losses = [w._data.copy()], []
    for _ in range(steps):
        opt.zero_grad()
        value = loss(w)
        value.backward()
        losses.append(value.item())
        opt.step()
        path.append(w._data.copy())
        if not np.all(np.abs(path[-1]) < LIMIT):
            break
    with gn.no_grad():
        losses.append(loss(w).item())
    return {"w": np.array(path), "loss": np.array(losses)}


def _optimizer_class(optimizer):
    """A name of ``optim.OPTIMIZERS`` → (class, its fixed settings); a class → (class, {})."""
    if isinstance(optimizer, str):
        from ...optim.registry import OPTIMIZERS

        spec = OPTIMIZERS[optimizer]
        return spec.cls, spec.settings
    return optimizer, {}


def plot_descent_1d(
    path=None, lang=None, loss=parabola, start=-1.0, lrs=RATES_1D, steps=12, view=(-2.0, 8.0)
):
    """One panel per learning rate: the loss curve over ``view`` (widened to
    hold the path) and the steps taken on it (by default too small, about
    right and too large)."""
    fig = new_figure(path, figsize=(4.2 * len(lrs), 3.6), layout="constrained")
    axes = fig.subplots(1, len(lrs), squeeze=False)[0]
    for i, (ax, lr) in enumerate(zip(axes, lrs)):
        run = descent_path(loss, start, lr, steps)
        ws = run["w"]
        lo, hi = min(ws.min(), view[0]), max(ws.max(), view[1])
        grid = np.linspace(lo, hi, 400)
        ax.plot(grid, _values(loss, grid), color="0.4", lw=1.5)
        ax.plot(ws, run["loss"], "o-", color=f"C{i}", ms=4, lw=1, alpha=0.9)
        ax.plot(ws[:1], run["loss"][:1], "s", color="k", ms=6)
        for (a, la), (b, lb) in zip(zip(ws[:-1], run["loss"][:-1]), zip(ws[1:], run["loss"][1:])):
            ax.annotate("", (b, lb), (a, la), arrowprops=dict(arrowstyle="->", color=f"C{i}", lw=1))
        key = LABELS[i] if loss is parabola and tuple(lrs) == RATES_1D else "lr"
        ax.set_title(text(TEXT, key, lang, lr=lr))
        ax.set_xlabel("w")
        ax.set_ylabel(text(TEXT, "loss", lang))
        ax.text(
            0.5,
            0.97,
            text(TEXT, "steps", lang, n=len(ws) - 1, w0=start),
            transform=ax.transAxes,
            ha="center",
            va="top",
            fontsize=9,
        )
        ax.grid(alpha=0.3)
    fig.suptitle(text(TEXT, "title1" if loss is parabola else "title1_custom", lang))
    return finish(fig, path, lang)


def _values(loss, coords):
    """loss at many points at once: ``coords`` is (N,) for 1-D w, (2, N) for
    2-D (so w[0], w[1] are rows); falls back to one point at a time."""
    import glassnet as gn

    coords = np.asarray(coords, dtype=np.float64)
    n = coords.shape[-1]
    with gn.no_grad():
        try:
            out = loss(gn.tensor(coords)).numpy()
            if out.shape == (n,):
                return out
        except Exception:  # a loss written for a single point only
            pass
        return np.array([loss(gn.tensor(p)).item() for p in np.moveaxis(coords, -1, 0)])


def _until_out(ws, x, y):
    """The path up to and including its first point outside the view."""
    out = (ws[:, 0] < x[0]) | (ws[:, 0] > x[-1]) | (ws[:, 1] < y[0]) | (ws[:, 1] > y[-1])
    return ws[: int(np.argmax(out)) + 1] if out.any() else ws


def optimizer_runs(loss=bowl, start=(-4.0, 2.0), steps=40):
    """{label key: (lr, run)} for plain SGD, SGD with momentum 0.9 and Adam."""
    return {
        "sgd": (0.08, descent_path(loss, start, 0.08, steps)),
        "momentum": (0.02, descent_path(loss, start, 0.02, steps, optimizer="momentum")),
        "adam": (0.5, descent_path(loss, start, 0.5, steps, optimizer="adam")),
    }


def plot_descent_2d(
    path=None,
    lang=None,
    loss=bowl,
    start=(-4.0, 2.0),
    lrs=RATES_2D,
    steps=40,
    optimizers=True,
    view=((-5.0, 5.0), (-3.0, 3.0)),
):
    """Paths on the contours of a 2-D loss over ``view`` ((w₁ range), (w₂
    range)): SGD with several learning rates, and (``optimizers=True``) SGD
    vs momentum vs Adam."""
    named = loss is bowl and tuple(lrs) == RATES_2D  # then "too small", "too large" hold
    panels = [
        (
            "rates",
            {
                f"C{i}": (LABELS[i] if named else "lr", lr, descent_path(loss, start, lr, steps))
                for i, lr in enumerate(lrs)
            },
        )
    ]
    if optimizers:
        panels.append(
            (
                "opts",
                {
                    f"C{i}": (key, lr, run)
                    for i, (key, (lr, run)) in enumerate(optimizer_runs(loss, start, steps).items())
                },
            )
        )
    fig = new_figure(path, figsize=(6 * len(panels), 4.6), layout="constrained")
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    x, y = np.linspace(*view[0], 161), np.linspace(*view[1], 121)
    xx, yy = np.meshgrid(x, y)
    zz = _values(loss, np.stack([xx.ravel(), yy.ravel()])).reshape(xx.shape)
    span = max(float(zz.max() - zz.min()), 1e-12)
    levels = zz.min() + np.geomspace(1e-3 * span, span, 16)  # dense near the minimum
    lowest = np.unravel_index(np.argmin(zz), zz.shape)
    for ax, (title, runs) in zip(axes, panels):
        ax.contourf(xx, yy, zz, levels=levels, cmap="Blues_r", alpha=0.8)
        ax.contour(xx, yy, zz, levels=levels, colors="white", linewidths=0.5)
        for color, (key, lr, run) in runs.items():
            ws = _until_out(run["w"], x, y)
            ax.plot(
                ws[:, 0],
                ws[:, 1],
                ".-",
                color=color,
                lw=1.5,
                ms=5,
                label=text(TEXT, key, lang, lr=lr),
            )
        ax.plot(*start, "ks", ms=7)
        ax.plot(
            xx[lowest],
            yy[lowest],
            "*",
            color="gold",
            ms=14,
            mec="k",
            label=text(TEXT, "minimum", lang),
        )
        ax.set_xlim(x[0], x[-1])
        ax.set_ylim(y[0], y[-1])
        ax.set_xlabel("w₁")
        ax.set_ylabel("w₂")
        ax.set_title(text(TEXT, title, lang))
        ax.legend(loc="lower right", fontsize=8, framealpha=0.9)
    fig.suptitle(text(TEXT, "title2" if loss is bowl else "title2_custom", lang))
    return finish(fig, path, lang)
