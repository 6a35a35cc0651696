"""TensorFlow Playground's 2-D data sets, with the definitions of its
``src/dataset.ts`` (classifyCircleData, classifyXORData,
classifyTwoGaussData, classifySpiralData, regressPlane, regressGaussian).

As on the Playground: ``noise`` is the slider's percentage (0 to 50, used as
a fraction 0 to 0.5), points lie in the Playground's [-6, 6]² view (the
Gaussians' tails excepted), and the points come out shuffled. Playground's
labels are -1/+1; here class 0 is its -1 and class 1 its +1, and
``labels="pm1"`` gives its -1./+1. floats (``"index"``: int64 (n,), the
default; ``"float"``: 0./1. floats (n, 1)). Where the Playground draws
numSamples/2 points per class, n odd gives the +1 class the extra point.
The draws come from ``generator`` (or the default one), not from the
Playground's Math.random, so the points differ but follow the same laws.
"""

import numpy as np

from ..random import get_generator
from ._util import binary_targets, check_count, floats, playground_noise
from .labeled import LabeledDataset

_CLASSES = ["-1", "+1"]


def _halves(n):
    return n - n // 2, n // 2  # the +1 class first, as the Playground generates it


def _classification(x, plus, labels, name, g):
    order = g.permutation(len(x))
    return LabeledDataset(
        floats(x[order]),
        binary_targets(plus[order], labels, name),
        task="classification",
        feature_names=["x1", "x2"],
        target_name="label",
        classes=_CLASSES,
        name=name,
    )


def _regression(x, y, name):
    return LabeledDataset(
        floats(x),
        floats(y).reshape(-1, 1),
        task="regression",
        feature_names=["x1", "x2"],
        target_name="label",
        name=name,
    )


def circle(n=500, noise=0, labels="index", generator=None):
    """A disc inside a ring (radius 5). Half the points have r ~ U(0, 2.5),
    half r ~ U(3.5, 5), at angles ~ U(0, 2π); the label is +1 when the point
    moved by noise offsets U(-5, 5)·noise is within 2.5 of the centre.
    So with noise 0 the label is exactly ``|x| < 2.5``."""
    n, noise = check_count(n, "circle"), playground_noise(noise, "circle")
    g = get_generator(generator)
    n_in, n_out = _halves(n)
    r = np.concatenate([g.uniform(0, 2.5, n_in), g.uniform(3.5, 5.0, n_out)])
    angle = g.uniform(0, 2 * np.pi, n)
    x = np.stack([r * np.sin(angle), r * np.cos(angle)], axis=1)
    moved = x + g.uniform(-5, 5, (n, 2)) * noise
    plus = np.hypot(moved[:, 0], moved[:, 1]) < 2.5
    return _classification(x, plus, labels, "circle", g)


def xor2d(n=500, noise=0, labels="index", generator=None):
    """Exclusive or of the quadrants. Coordinates ~ U(-5, 5), pushed 0.3 away
    from the axes (so they lie in [-5.3, -0.3] ∪ (0.3, 5.3]); the label is
    +1 when x1·x2 >= 0 after moving the point by U(-5, 5)·noise."""
    n, noise = check_count(n, "xor2d"), playground_noise(noise, "xor2d")
    g = get_generator(generator)
    x = g.uniform(-5, 5, (n, 2))
    x += np.where(x > 0, 0.3, -0.3)
    moved = x + g.uniform(-5, 5, (n, 2)) * noise
    plus = moved[:, 0] * moved[:, 1] >= 0
    return _classification(x, plus, labels, "xor2d", g)


def gauss(n=500, noise=0, labels="index", generator=None):
    """Two Gaussian blobs: +1 centred at (2, 2), -1 at (-2, -2), each
    coordinate with variance 0.5 + 7·noise (the Playground's linear map of
    noise 0..0.5 onto variance 0.5..4). Noise widens the blobs; labels
    never flip. Points in the tails can fall outside [-6, 6] (the
    Playground does not clip them either)."""
    n, noise = check_count(n, "gauss"), playground_noise(noise, "gauss")
    g = get_generator(generator)
    std = np.sqrt(0.5 + (4 - 0.5) * noise / 0.5)
    n_plus, n_minus = _halves(n)
    centre = np.repeat([[2.0, 2.0], [-2.0, -2.0]], [n_plus, n_minus], axis=0)
    x = centre + std * g.standard_normal((n, 2))
    plus = np.arange(n) < n_plus
    return _classification(x, plus, labels, "gauss", g)


def spiral(n=500, noise=0, labels="index", generator=None):
    """Two interleaved spirals. For class size m and i = 0..m-1: r = 5·i/m,
    t = 1.75·2π·i/m + δ, point (r·sin t, r·cos t) + U(-1, 1)·noise on each
    coordinate; δ = 0 for +1 and π for -1."""
    n, noise = check_count(n, "spiral"), playground_noise(noise, "spiral")
    g = get_generator(generator)
    parts = []
    for m, delta in zip(_halves(n), (0.0, np.pi)):
        i = np.arange(m) / max(m, 1)
        r, t = 5 * i, 1.75 * i * 2 * np.pi + delta
        parts.append(np.stack([r * np.sin(t), r * np.cos(t)], axis=1))
    x = np.concatenate(parts) + g.uniform(-1, 1, (n, 2)) * noise
    plus = np.arange(n) < len(parts[0])
    return _classification(x, plus, labels, "spiral", g)


def _uniform_points(n, noise, g):
    """Points ~ U(-6, 6)², and the same moved by U(-6, 6)·noise (where the
    label is read)."""
    x = g.uniform(-6, 6, (n, 2))
    return x, x + g.uniform(-6, 6, (n, 2)) * noise


def plane(n=1200, noise=0, generator=None):
    """Regression on a tilted plane: points ~ U(-6, 6)², label = (x1 + x2)/10
    read at the point moved by U(-6, 6)·noise (so in [-1.2, 1.2] without
    noise, and exactly (x1 + x2)/10 with noise 0)."""
    n, noise = check_count(n, "plane"), playground_noise(noise, "plane")
    x, moved = _uniform_points(n, noise, get_generator(generator))
    return _regression(x, moved.sum(axis=1) / 10, "plane")


_GAUSSIANS = np.array(
    [[-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1], [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1]],
    dtype=np.float64,
)


def multi_gauss_label(x):
    """The multi_gauss label of points x (n, 2): over six bumps at
    (±4 or 0, ±2.5) with signs alternating like a chessboard, the signed
    value sign·max(0, 1 - distance/2) largest in absolute value."""
    d = np.hypot(x[:, None, 0] - _GAUSSIANS[:, 0], x[:, None, 1] - _GAUSSIANS[:, 1])
    values = _GAUSSIANS[:, 2] * np.clip(1 - d / 2, 0, 1)
    return values[np.arange(len(x)), np.abs(values).argmax(axis=1)]


def multi_gauss(n=1200, noise=0, generator=None):
    """Regression on six signed bumps (see ``multi_gauss_label``), points
    ~ U(-6, 6)², label read at the point moved by U(-6, 6)·noise; labels lie
    in [-1, 1]."""
    n, noise = check_count(n, "multi_gauss"), playground_noise(noise, "multi_gauss")
    x, moved = _uniform_points(n, noise, get_generator(generator))
    return _regression(x, multi_gauss_label(moved), "multi_gauss")
