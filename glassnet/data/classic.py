"""Two classic 2-D benchmarks: scikit-learn's two moons and the CMU
two-spirals problem."""

import numpy as np

from ..random import get_generator
from ._util import binary_targets, check_count, check_nonneg, floats
from .labeled import LabeledDataset


def moons(n=100, noise=0.0, shuffle=True, labels="index", generator=None):
    """Two interleaving half circles, as sklearn.datasets.make_moons (in
    NumPy, no scikit-learn needed).

    The outer moon (class 0) has n // 2 points (cos t, sin t) and the inner
    one (class 1) the other points (1 - cos t, 1/2 - sin t), t evenly spaced
    over [0, π]. Then, as in scikit-learn, the points are shuffled (when
    ``shuffle``) and Gaussian noise of standard deviation ``noise`` is added.
    Without noise and shuffle the points equal make_moons'; with them they
    follow the same law from a different generator.
    """
    n = check_count(n, "moons")
    noise = check_nonneg(noise, "moons")
    n_out = n // 2
    t_out, t_in = np.linspace(0, np.pi, n_out), np.linspace(0, np.pi, n - n_out)
    x = np.concatenate(
        [
            np.stack([np.cos(t_out), np.sin(t_out)], axis=1),
            np.stack([1 - np.cos(t_in), 1 - np.sin(t_in) - 0.5], axis=1),
        ]
    )
    y = np.arange(n) >= n_out
    if shuffle or noise:
        g = get_generator(generator)
        if shuffle:
            order = g.permutation(n)
            x, y = x[order], y[order]
        if noise:
            x = x + g.normal(scale=noise, size=x.shape)
    return LabeledDataset(
        floats(x),
        binary_targets(y, labels, "moons"),
        task="classification",
        feature_names=["x1", "x2"],
        target_name="moon",
        classes=["outer", "inner"],
        name="moons",
    )


def two_spirals(labels="index"):
    """The CMU two-spirals benchmark (Lang & Witbrock 1988): 2 × 97 points on
    two spirals of three turns each, generated as by Wieland's mkspiral.c:
    for i = 0..96, angle = iπ/16, radius = 6.5·(104 - i)/104, the point
    (radius·sin(angle), radius·cos(angle)) is class 1 and its negation
    class 0, interleaved in that order. No randomness; points lie in
    [-6.5, 6.5]²."""
    i = np.arange(97)
    angle, radius = i * np.pi / 16, 6.5 * (104 - i) / 104
    p = np.stack([radius * np.sin(angle), radius * np.cos(angle)], axis=1)
    x = np.stack([p, -p], axis=1).reshape(-1, 2)
    y = np.tile([1, 0], 97)
    return LabeledDataset(
        floats(x),
        binary_targets(y, labels, "two_spirals"),
        task="classification",
        feature_names=["x1", "x2"],
        target_name="spiral",
        classes=["0", "1"],
        name="two_spirals",
    )
