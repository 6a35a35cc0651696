"""``fit`` in a Jupyter notebook: a notebook progress bar (tqdm's widget
form) and a live loss plot, one SVG chart redrawn in place after every
epoch. Nothing here imports IPython or tqdm unless a notebook kernel is
already running them."""

import math
import sys
from html import escape

COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b")


def in_notebook():
    """True inside a Jupyter kernel (read from the modules already loaded:
    IPython's shell there has a ``kernel``; a terminal IPython has none)."""
    ipython = sys.modules.get("IPython")
    if ipython is None or "ipykernel" not in sys.modules:
        return False
    shell = ipython.get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def notebook_tqdm():
    """tqdm's notebook progress bar, or None without tqdm or ipywidgets."""
    try:
        import ipywidgets  # noqa: F401  (tqdm.notebook falls back to text without it)
        from tqdm.notebook import tqdm
    except ImportError:
        return None
    return tqdm


def loss_chart_svg(curves, width=420, height=240):
    """An SVG line chart of ``curves`` ({name: [(epoch, value), ...]}),
    epochs along x, the values along y (the axis spans their range)."""
    points = [p for pts in curves.values() for p in pts]
    left, right, top, bottom = 56, 12, 12, 34
    w, h = width - left - right, height - top - bottom
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'font-family="sans-serif" font-size="11">',
        f'<rect x="{left}" y="{top}" width="{w}" height="{h}" fill="none" stroke="#999"/>',
    ]
    if points:
        x0, x1 = min(p[0] for p in points), max(p[0] for p in points)
        y0, y1 = min(p[1] for p in points), max(p[1] for p in points)
        x1, y1 = (x1 if x1 > x0 else x0 + 1), (y1 if y1 > y0 else y0 + abs(y0) * 0.1 + 1e-12)

        def px(x, y):
            return left + (x - x0) / (x1 - x0) * w, top + (y1 - y) / (y1 - y0) * h

        for value, (_, yy) in ((y1, px(x0, y1)), (y0, px(x0, y0))):
            parts.append(
                f'<text x="{left - 4}" y="{yy + 4:.1f}" text-anchor="end">{value:.4g}</text>'
            )
        parts.append(
            f'<text x="{left + w / 2}" y="{height - 6}" text-anchor="middle">epoch {x0}–{x1}</text>'
        )
        for i, (name, pts) in enumerate(curves.items()):
            color = COLORS[i % len(COLORS)]
            xy = " ".join("{:.1f},{:.1f}".format(*px(x, y)) for x, y in pts)
            parts.append(f'<polyline points="{xy}" fill="none" stroke="{color}" stroke-width="2"/>')
            parts.append(
                f'<text x="{left + w - 4}" y="{top + 14 + 14 * i}" text-anchor="end" '
                f'fill="{color}">{escape(name)} {pts[-1][1]:.4g}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


class _Svg:
    """An object a notebook draws as the SVG it holds."""

    def __init__(self, svg):
        self.svg = svg

    def _repr_svg_(self):
        return self.svg


class LiveLossPlot:
    """The loss curves of a run (``loss``, ``val_loss``...), shown under the
    cell and redrawn after each epoch."""

    def __init__(self):
        self.curves = {}
        self.handle = None

    def update(self, epoch, logs):
        for name, value in logs.items():
            if name.endswith("loss") and isinstance(value, (int, float)) and math.isfinite(value):
                self.curves.setdefault(name, []).append((epoch + 1, float(value)))
        if not self.curves:
            return
        from IPython.display import display  # loaded: this runs in a notebook kernel only

        figure = _Svg(loss_chart_svg(self.curves))
        if self.handle is None:
            self.handle = display(figure, display_id=True)
        else:
            self.handle.update(figure)
