"""Two 2-D data sets with more than two classes, for softmax and
cross-entropy: ``spirals`` (three interleaved arms) and ``blobs`` (four
Gaussian clusters). Like TensorFlow Playground's sets they live in the
[-6, 6]² view, take a noise percentage 0 to 50, and draw from ``generator``.
Their classes are named 1 to k, as the output neurons ŷ[1]…ŷ[k] of the
backward view (the targets are the indices 0 to k − 1).
"""

import numpy as np

from ..data.labeled import LabeledDataset


def _dataset(x, y, k, name, g):
    order = g.permutation(len(x))
    return LabeledDataset(
        x[order].astype(np.float32),
        y[order].astype(np.int64),
        task="classification",
        feature_names=["x1", "x2"],
        target_name="label",
        classes=[str(c + 1) for c in range(k)],  # named from 1, as the outputs ŷ[1]…ŷ[k]
        name=name,
    )


def _sizes(n, k):
    return [n // k + (1 if c < n % k else 0) for c in range(k)]


def spirals(n=500, noise=0, classes=3, generator=None):
    """``classes`` spiral arms turning once around the centre: for class c and
    t in [0, 1), radius 5·t and angle 2π·t + 2π·c/classes, moved by
    U(-1, 1)·(noise/100)·3 on each coordinate."""
    g = generator if generator is not None else np.random.default_rng()
    xs, ys = [], []
    for c, m in enumerate(_sizes(n, classes)):
        t = np.arange(m) / max(m, 1)
        angle = 2 * np.pi * (t + c / classes)
        xs.append(np.stack([5 * t * np.sin(angle), 5 * t * np.cos(angle)], axis=1))
        ys.append(np.full(m, c))
    x = np.concatenate(xs) + g.uniform(-1, 1, (n, 2)) * 3 * noise / 100
    return _dataset(x, np.concatenate(ys), classes, "spirals", g)


def blobs(n=500, noise=0, classes=4, generator=None):
    """``classes`` Gaussian clusters on a circle of radius 3.5, each with
    standard deviation 0.6 + 3·noise/100."""
    g = generator if generator is not None else np.random.default_rng()
    sizes = _sizes(n, classes)
    angle = 2 * np.pi * np.arange(classes) / classes + np.pi / 4
    centres = 3.5 * np.stack([np.cos(angle), np.sin(angle)], axis=1)
    y = np.repeat(np.arange(classes), sizes)
    x = centres[y] + (0.6 + 3 * noise / 100) * g.standard_normal((n, 2))
    return _dataset(x, y, classes, "blobs", g)
