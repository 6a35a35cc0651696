"""The check ``fit`` makes between ``backward`` and ``step``: is the loss
finite, and is every gradient ∂L/∂w? An update w ← w − η·∂L/∂w with a NaN
or an Inf in ∂L/∂w puts it into w for good, so a step is taken only when
both are finite; otherwise the weights stay as they were.

One pass per gradient, with no new array: the sum of squares g·g (a BLAS
dot, the fastest pass NumPy has) of a finite array is finite unless it
overflows, so only a non-finite g·g (NaN/Inf inside, or an overflow) is
looked at element by element."""

import math

import numpy as np


def nonfinite_count(array):
    """How many entries of ``array`` are NaN or ±Inf (0 for a finite array)."""
    flat = array.reshape(-1)
    with np.errstate(over="ignore", invalid="ignore"):
        total = np.dot(flat, flat)
    if math.isfinite(total):
        return 0
    return int(array.size - np.count_nonzero(np.isfinite(array)))


def nonfinite_problem(loss, grads, name_of=str):
    """None when ``loss`` (a float) and every gradient of ``grads`` (``(key,
    array)`` pairs) are finite; else what is not, in words, the gradient
    named by ``name_of(key)``."""
    if not math.isfinite(loss):
        return f"the loss is {loss}"
    for key, grad in grads:
        bad = nonfinite_count(grad)
        if bad:
            return (
                f"the loss is finite ({loss:.6g}) but ∂L/∂{name_of(key)} has {bad} NaN/Inf "
                f"of its {grad.size} entries"
            )
    return None
