"""The article's three tasks: y = x² from one input, a house price from
area and rooms, and XOR."""

import numpy as np

from ..random import get_generator
from ._util import binary_targets, check_count, check_nonneg, floats, standardized
from .labeled import LabeledDataset


def square(n=100, low=-1.0, high=1.0, noise=0.0, generator=None):
    """y = x² (+ Gaussian noise of standard deviation ``noise``), with x drawn
    uniformly from [low, high): the article's 1 → 2 ReLU → 1 example.

    Returns a regression LabeledDataset: features (n, 1), targets (n, 1).
    """
    n = check_count(n, "square")
    noise = check_nonneg(noise, "square")
    if not low < high:
        raise ValueError(f"square: expected low < high, got low={low!r}, high={high!r}")
    g = get_generator(generator)
    x = g.uniform(low, high, size=(n, 1))
    y = x**2 + noise * g.standard_normal((n, 1))
    return LabeledDataset(
        floats(x), floats(y), task="regression", feature_names=["x"], target_name="y", name="square"
    )


def xor(n=None, noise=0.0, labels="index", generator=None):
    """XOR, which no linear model can learn: label = x1 XOR x2.

    ``n=None`` gives the four points (0,0)→0, (0,1)→1, (1,0)→1, (1,1)→0 in
    that order. With ``n``, sample i is corner i % 4 (so the classes stay
    balanced) plus Gaussian noise of standard deviation ``noise`` on both
    inputs; the label is the corner's. ``labels``: ``"index"`` (int64 (n,)),
    ``"float"`` (0./1., (n, 1): the article's one-output network) or
    ``"pm1"`` (-1./+1., (n, 1)).
    """
    noise = check_nonneg(noise, "xor")
    corners = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
    which = np.arange(4) if n is None else np.arange(check_count(n, "xor")) % 4
    x = corners[which]
    if noise:
        x = x + noise * get_generator(generator).standard_normal(x.shape)
    y = corners[which, 0] != corners[which, 1]
    return LabeledDataset(
        floats(x),
        binary_targets(y, labels, "xor"),
        task="classification",
        feature_names=["x1", "x2"],
        target_name="x1 xor x2",
        classes=["0", "1"],
        name="xor",
    )


def house_prices(n=200, noise=0.0, standardize=False, generator=None):
    """The article's two-input example: a house price from its area and rooms.

    area ~ uniform on [30, 200) m²; rooms = round(area / 35 + N(0, 0.5²))
    clipped to 1..6 (bigger houses have more rooms); and, in thousands,

        price = 50 + 2 · area + 20 · rooms  (+ N(0, noise²))

    Returns a regression LabeledDataset: features (n, 2) = [area, rooms],
    targets (n, 1) = price. ``standardize=True`` scales each
    feature to mean 0, standard deviation 1 (sigmoid units need inputs near
    0; the targets keep their units).
    """
    n = check_count(n, "house_prices")
    noise = check_nonneg(noise, "house_prices")
    g = get_generator(generator)
    area = g.uniform(30.0, 200.0, size=n)
    rooms = np.clip(np.rint(area / 35.0 + 0.5 * g.standard_normal(n)), 1, 6)
    price = 50.0 + 2.0 * area + 20.0 * rooms + noise * g.standard_normal(n)
    x = np.stack([area, rooms], axis=1)
    if standardize:
        x = standardized(x)
    return LabeledDataset(
        floats(x),
        floats(price).reshape(-1, 1),
        task="regression",
        feature_names=["area_m2", "rooms"],
        target_name="price_thousands",
        name="house_prices",
    )
