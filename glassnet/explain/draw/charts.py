"""Line charts as plain SVG text (no matplotlib needed): the loss curve and
the learned function in the HTML report."""

import math

import numpy as np

from .svg import document, element, esc, num, text_el

PALETTE = ("#0877bd", "#f59322", "#2ca02c", "#d62728", "#9467bd")


def _ticks(lo, hi, n=5):
    if hi <= lo:
        hi = lo + 1
    step = 10 ** math.floor(math.log10((hi - lo) / n))
    for m in (1, 2, 5, 10):
        if (hi - lo) / (step * m) <= n:
            step *= m
            break
    start = math.ceil(lo / step) * step
    return [start + i * step for i in range(int((hi - start) / step) + 1)]


def line_chart_svg(series, title="", xlabel="", ylabel="", log_y=False, width=460, height=300):
    """An SVG line chart. ``series``: list of dicts with 'label', 'x', 'y' and
    optionally 'color', 'dash' (e.g. '4 3') and 'points' (True: dots, no line).
    Each series is one <g class="series"> holding one <polyline> (or dots)."""
    if not series:
        raise ValueError("line_chart_svg: expected at least one series")
    left, right, top, bottom = 58, 16, 34, 46
    xs = np.concatenate([np.asarray(s["x"], dtype=float).ravel() for s in series])
    ys = np.concatenate([np.asarray(s["y"], dtype=float).ravel() for s in series])
    keep = np.isfinite(ys) & ((ys > 0) if log_y else True)
    if not keep.any():
        raise ValueError("line_chart_svg: no finite values to draw")
    x_lo, x_hi = float(xs.min()), float(xs.max())
    yv = np.log10(ys[keep]) if log_y else ys[keep]
    y_lo, y_hi = float(yv.min()), float(yv.max())
    if y_hi == y_lo:
        y_lo, y_hi = y_lo - 1, y_hi + 1
    if x_hi == x_lo:
        x_lo, x_hi = x_lo - 1, x_hi + 1
    pw, ph = width - left - right, height - top - bottom

    def px(x):
        return left + (x - x_lo) / (x_hi - x_lo) * pw

    def py(y):
        v = math.log10(y) if log_y else y
        return top + (1 - (v - y_lo) / (y_hi - y_lo)) * ph

    parts = [element("rect", x=left, y=top, width=pw, height=ph, fill="#fff", stroke="#ccc")]
    for t in _ticks(x_lo, x_hi):
        parts.append(
            element(
                "line", x1=num(px(t)), y1=top + ph, x2=num(px(t)), y2=top + ph + 4, stroke="#888"
            )
        )
        parts.append(
            text_el(
                num(px(t)), top + ph + 16, f"{t:g}", **{"text-anchor": "middle", "font-size": 11}
            )
        )
    for t in _ticks(y_lo, y_hi):
        label = f"{10**t:.3g}" if log_y else f"{t:.3g}"
        y = top + (1 - (t - y_lo) / (y_hi - y_lo)) * ph
        parts.append(element("line", x1=left, y1=num(y), x2=left + pw, y2=num(y), stroke="#eee"))
        parts.append(
            text_el(left - 6, num(y + 4), label, **{"text-anchor": "end", "font-size": 11})
        )
    for i, s in enumerate(series):
        color = s.get("color", PALETTE[i % len(PALETTE)])
        x = np.asarray(s["x"], dtype=float).ravel()
        y = np.asarray(s["y"], dtype=float).ravel()
        ok = np.isfinite(y) & ((y > 0) if log_y else True)
        pts = [(px(a), py(b)) for a, b in zip(x[ok], y[ok])]
        if s.get("points"):
            body = "".join(
                element("circle", cx=num(a), cy=num(b), r=2.5, fill=color) for a, b in pts
            )
        else:
            extra = {"stroke-dasharray": s["dash"]} if s.get("dash") else {}
            body = element(
                "polyline",
                points=" ".join(f"{num(a)},{num(b)}" for a, b in pts),
                fill="none",
                stroke=color,
                **{"stroke-width": 2},
                **extra,
            )
        parts.append(element("g", body, **{"class": "series", "data-label": s["label"]}))
        ly = top + 14 + 16 * i
        parts.append(
            element(
                "line",
                x1=left + pw - 120,
                y1=ly,
                x2=left + pw - 100,
                y2=ly,
                stroke=color,
                **{"stroke-width": 2},
            )
        )
        parts.append(text_el(left + pw - 96, ly + 4, s["label"], **{"font-size": 11}))
    parts.append(
        text_el(
            width / 2,
            20,
            title,
            **{"text-anchor": "middle", "font-size": 14, "font-weight": "bold"},
        )
    )
    parts.append(
        text_el(left + pw / 2, height - 8, xlabel, **{"text-anchor": "middle", "font-size": 12})
    )
    parts.append(
        element(
            "text",
            esc(ylabel),
            x=14,
            y=top + ph / 2,
            **{
                "font-size": 12,
                "text-anchor": "middle",
                "transform": f"rotate(-90 14 {top + ph / 2})",
            },
        )
    )
    return document("".join(parts), width, height, title_text=title)
