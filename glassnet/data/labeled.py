"""``LabeledDataset``: the (features, targets) TensorDataset that every
function in ``gn.datasets`` returns, with names for what its columns mean."""

import numpy as np

from .dataset import TensorDataset

TASKS = ("classification", "regression")


class LabeledDataset(TensorDataset):
    """A ``TensorDataset(features, targets)`` that knows its columns.

    ``features``: (n, d) floats (float32 by default). ``targets``: int64
    class indices of shape (n,) for classification (or floats of shape
    (n, 1) when a binary set is asked for ``labels="float"``/``"pm1"``),
    floats of shape (n, 1) for regression. ``X, y = ds.tensors`` (or
    ``ds.features, ds.targets``) unpacks it; ``ds[i]`` is ``(x_i, y_i)``.

    Attributes: ``feature_names`` (list of str), ``target_name`` (str),
    ``classes`` (class names, index i naming class i; None for regression),
    ``task`` ("classification" or "regression"), ``name`` (str).
    """

    def __init__(
        self,
        features,
        targets,
        *,
        task,
        feature_names=None,
        target_name="target",
        classes=None,
        name="dataset",
    ):
        super().__init__(features, targets)
        if task not in TASKS:
            raise ValueError(
                f"LabeledDataset: task must be 'classification' or 'regression', got {task!r}"
            )
        if self.tensors[0].ndim != 2:
            raise ValueError(
                f"LabeledDataset: features must be a 2-d (samples, features) "
                f"tensor, got shape {self.tensors[0].shape}"
            )
        d = self.tensors[0].shape[1]
        self.feature_names = (
            list(feature_names) if feature_names is not None else [f"x{i + 1}" for i in range(d)]
        )
        if len(self.feature_names) != d:
            raise ValueError(
                f"LabeledDataset: {len(self.feature_names)} feature names for {d} feature columns"
            )
        self.target_name = target_name
        self.classes = None if classes is None else list(classes)
        self.task = task
        self.name = name

    @property
    def features(self):
        return self.tensors[0]

    @property
    def targets(self):
        return self.tensors[1]

    def subset(self, indices):
        """A new LabeledDataset with the samples at ``indices`` (copied) and
        the same names."""
        indices = np.asarray(indices, dtype=np.int64)
        return LabeledDataset(
            self.features._data[indices],
            self.targets._data[indices],
            task=self.task,
            feature_names=self.feature_names,
            target_name=self.target_name,
            classes=self.classes,
            name=self.name,
        )

    def __repr__(self):
        extra = f", classes={self.classes}" if self.classes is not None else ""
        return (
            f"LabeledDataset({self.name!r}: {len(self)} samples, features "
            f"{self.feature_names if len(self.feature_names) <= 8 else len(self.feature_names)}"
            f", {self.task}, target {self.target_name!r}{extra})"
        )
