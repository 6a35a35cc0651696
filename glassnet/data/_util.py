"""Small helpers shared by the data modules: argument checks that name the
calling function, wrapping arrays as tensors, standardizing, and the three
label conventions of the binary data sets."""

import numpy as np

from ..dtypes import get_default_dtype
from ..tensor import Tensor


def leaf(array):
    """A plain tensor (no graph) holding ``array`` without copying it."""
    return Tensor._make(np.asarray(array), False, None)


def floats(array):
    """``array`` as the default float dtype (float32 unless changed)."""
    return np.asarray(array, dtype=get_default_dtype())


def check_count(n, fn, name="n", low=1):
    """``n`` must be an int >= low."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < low:
        raise ValueError(f"{fn}: {name} must be an integer >= {low}, got {n!r}")
    return int(n)


def check_nonneg(x, fn, name="noise", high=None):
    """``x`` must be a real number in [0, high] (high=None: no upper bound)."""
    try:
        value = float(x)
    except (TypeError, ValueError):
        raise TypeError(f"{fn}: {name} must be a number, got {type(x).__name__}") from None
    if not 0 <= value <= (np.inf if high is None else high):
        bound = "" if high is None else f" and <= {high}"
        raise ValueError(f"{fn}: {name} must be >= 0{bound}, got {x!r}")
    return value


def playground_noise(noise, fn):
    """Playground's noise: a percentage 0-50, used as a fraction 0-0.5."""
    if not isinstance(noise, (int, float, np.number)) or not 0 <= noise <= 50:
        raise ValueError(
            f"{fn}: noise is a percentage from 0 to 50, as on TensorFlow "
            f"Playground's slider, got {noise!r}"
        )
    return float(noise) / 100.0


LABELS = ("index", "float", "pm1")


def binary_targets(y01, labels, fn):
    """0/1 labels in one of three conventions:

    - ``"index"``: int64 class indices, shape (n,) (for CrossEntropyLoss with
      two outputs, like every classification set here);
    - ``"float"``: float 0./1., shape (n, 1) (one sigmoid output with BCELoss
      or the article's squared error);
    - ``"pm1"``: float -1./+1., shape (n, 1) (TensorFlow Playground's own
      convention: one tanh output and squared error).
    """
    y01 = np.asarray(y01)
    if labels == "index":
        return y01.astype(np.int64)
    if labels == "float":
        return floats(y01).reshape(-1, 1)
    if labels == "pm1":
        return floats(2 * y01 - 1).reshape(-1, 1)
    raise ValueError(f"{fn}: labels must be one of {', '.join(map(repr, LABELS))}, got {labels!r}")


def standardized(x):
    """Each column shifted to mean 0 and scaled to standard deviation 1
    (constant columns are only shifted)."""
    x = np.asarray(x, dtype=np.float64)
    std = x.std(axis=0)
    return (x - x.mean(axis=0)) / np.where(std > 0, std, 1.0)
