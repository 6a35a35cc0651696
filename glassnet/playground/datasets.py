"""The data a session trains on: one of the built-in sets (TensorFlow
Playground's six and two multi-class ones) or an uploaded CSV file, split
into training and test points with the session's seed.

The same seed gives the same points and the same split, which is what lets
a shared URL, and the exported script, rebuild them exactly.
"""

from dataclasses import dataclass

import numpy as np

from ..data import datasets as gd
from . import multiclass

# name -> (task, builder(n, noise, generator), how the exported script calls it)
DATASETS = {
    "circle": ("classification", gd.circle, "gn.datasets.circle"),
    "xor": ("classification", gd.xor2d, "gn.datasets.xor2d"),
    "gauss": ("classification", gd.gauss, "gn.datasets.gauss"),
    "spiral": ("classification", gd.spiral, "gn.datasets.spiral"),
    "spirals3": ("classification", multiclass.spirals, "glassnet.playground.multiclass.spirals"),
    "blobs4": ("classification", multiclass.blobs, "glassnet.playground.multiclass.blobs"),
    "plane": ("regression", gd.plane, "gn.datasets.plane"),
    "multigauss": ("regression", gd.multi_gauss, "gn.datasets.multi_gauss"),
}
UPLOAD = "csv"
VIEW = (-6.0, 6.0, -6.0, 6.0)  # Playground's view: x1 and x2 in [-6, 6]


@dataclass
class Data:
    """Training and test points (float32 (n, 2)) with their targets (int64
    class indices (n,) or float32 (n, 1)), the task, the class names and the
    view (x1 min, x1 max, x2 min, x2 max) the page draws."""

    name: str
    task: str
    train_x: np.ndarray
    train_y: np.ndarray
    test_x: np.ndarray
    test_y: np.ndarray
    classes: list
    view: tuple
    target_scale: float = 1.0  # regression: |targets| are at most about this

    @property
    def n_outputs(self):
        return len(self.classes) if self.task == "classification" else 1


def task_of(name, upload=None):
    if name == UPLOAD:
        return None if upload is None else upload.task
    return DATASETS[name][0]


def generate(name, points, noise, seed):
    """The built-in data set ``name`` (a LabeledDataset) and the generator
    that drew it (the split continues from it)."""
    rng = np.random.default_rng(seed)
    return DATASETS[name][1](points, noise, generator=rng), rng


def split(ds, train_ratio, rng):
    """(train, test) LabeledDatasets: ``train_ratio`` percent for training."""
    return gd.train_test_split(ds, test_size=(100 - train_ratio) / 100, generator=rng)


def _view_of(x):
    """The Playground view, widened (with a margin) to take in every point."""
    lo, hi = x.min(axis=0), x.max(axis=0)
    if lo.min() >= -6 and hi.max() <= 6:
        return VIEW
    pad = np.maximum((hi - lo) * 0.05, 1e-3)
    lo, hi = lo - pad, hi + pad
    return (float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1]))


def build(config, upload=None):
    """The session's Data for ``config`` (uploaded data for dataset "csv")."""
    if config.dataset == UPLOAD:
        ds, rng = upload, np.random.default_rng(config.seed)
    else:
        ds, rng = generate(config.dataset, config.points, config.noise, config.seed)
    train, test = split(ds, config.trainRatio, rng)
    x = ds.features._data
    classes = list(ds.classes) if ds.task == "classification" else []
    scale = 1.0
    if ds.task == "regression":
        scale = max(1.0, float(np.abs(ds.targets._data).max()))
    view = VIEW if config.dataset != UPLOAD else _view_of(x)
    return Data(
        name=config.dataset,
        task=ds.task,
        train_x=train.features._data,
        train_y=train.targets._data,
        test_x=test.features._data,
        test_y=test.targets._data,
        classes=classes,
        view=view,
        target_scale=scale,
    )
