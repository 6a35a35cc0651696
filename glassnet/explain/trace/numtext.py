"""How explanations write numbers: one value, a short list, or a summary.

``fmt(v)`` writes 4 decimals (0.1385), switching to scientific notation
for very small or very large values (1.234e-05); ``summary(arr)`` writes
every value of a small array and min/mean/max/norm of a large one.
"""

import numpy as np

from ..i18n import text

FULL_LIMIT = 8  # arrays with at most this many elements are written in full
KEEP_LIMIT = 4096  # snapshot() keeps arrays up to this size whole, larger ones as Stats

TABLE = {
    "stats": {
        "en": "min {min}, mean {mean}, max {max}, ‖·‖ {norm} ({n} values)",
        "zh": "最小 {min},平均 {mean},最大 {max},范数 {norm}(共 {n} 个值)",
    },
    "empty": {"en": "(empty)", "zh": "(空)"},
}


def fmt(v, digits=4):
    """One number: fixed ``digits`` decimals, or scientific when it would be unreadable."""
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    v = float(v)
    if v == 0 or not np.isfinite(v):
        return "0" if v == 0 else str(v)
    if 10.0 ** -min(digits, 3) <= abs(v) < 1e6:
        return f"{v:.{digits}f}"
    return f"{v:.{max(digits - 1, 1)}e}"


def fmt_arg(v, digits=4):
    """A number used as an operand: negatives in parentheses, (-0.3000)."""
    s = fmt(v, digits)
    return f"({s})" if s.startswith("-") else s


class Stats:
    """min, mean, max, norm and count of a large array (what snapshot keeps)."""

    __slots__ = ("min", "mean", "max", "norm", "size", "shape")

    def __init__(self, a):
        a = np.asarray(a, dtype=np.float64)
        self.min, self.mean, self.max = float(a.min()), float(a.mean()), float(a.max())
        self.norm, self.size, self.shape = float(np.linalg.norm(a)), a.size, a.shape

    def __repr__(self):
        return (
            f"Stats(shape={self.shape}, min={self.min:.4g}, mean={self.mean:.4g}, "
            f"max={self.max:.4g}, norm={self.norm:.4g})"
        )


def snapshot(arr):
    """A copy to keep: the array itself up to KEEP_LIMIT elements, else its Stats."""
    a = np.asarray(arr)
    if a.size <= KEEP_LIMIT or a.dtype.kind not in "biuf":
        return a.copy()
    return Stats(a)


def summary(arr, digits=4, lang=None, limit=FULL_LIMIT):
    """Every value for a small array (a number for one element), else min/mean/max/norm."""
    if isinstance(arr, (int, float, np.number)):
        return fmt(arr, digits)
    if isinstance(arr, Stats):
        return text(
            TABLE,
            "stats",
            lang,
            min=fmt(arr.min, digits),
            mean=fmt(arr.mean, digits),
            max=fmt(arr.max, digits),
            norm=fmt(arr.norm, digits),
            n=arr.size,
        )
    a = np.asarray(arr)
    if a.size == 0:
        return text(TABLE, "empty", lang)
    if a.size == 1:
        return fmt(a.reshape(-1)[0], digits)  # numpy scalars keep int-ness
    if a.size <= limit:
        return "[" + ", ".join(fmt(v, digits) for v in a.reshape(-1)) + "]"
    a = a.astype(np.float64, copy=False)
    return text(
        TABLE,
        "stats",
        lang,
        min=fmt(a.min(), digits),
        mean=fmt(a.mean(), digits),
        max=fmt(a.max(), digits),
        norm=fmt(np.linalg.norm(a), digits),
        n=a.size,
    )
