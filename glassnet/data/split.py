"""Splitting data: ``random_split`` (as torch.utils.data.random_split) and
``train_test_split`` (as sklearn.model_selection.train_test_split)."""

import math

import numpy as np

from ..random import get_generator
from ..tensor import Tensor
from ._util import leaf
from .dataset import Dataset, Subset, TensorDataset
from .labeled import LabeledDataset


def random_split(dataset, lengths, generator=None):
    """Split ``dataset`` into non-overlapping ``Subset``s of random samples.

    ``lengths`` are sample counts adding up to ``len(dataset)``, or fractions
    adding up to 1: then each gets floor(fraction * n) samples and the
    remainder goes one by one to the first subsets (as in PyTorch).
    """
    n = len(dataset)
    lengths = list(lengths)
    if not lengths:
        raise ValueError("random_split: lengths is empty")
    for x in lengths:
        if isinstance(x, bool) or not isinstance(x, (int, float, np.integer, np.floating)) or x < 0:
            raise ValueError(
                f"random_split: lengths must be non-negative counts or fractions, got {lengths}"
            )
    if all(isinstance(x, (int, np.integer)) for x in lengths):
        if sum(lengths) != n:
            raise ValueError(
                f"random_split: lengths {lengths} add up to {sum(lengths)}, but the "
                f"data set has {n} samples"
            )
    elif math.isclose(sum(lengths), 1.0) and sum(lengths) <= 1 + 1e-9:
        counts = [math.floor(n * f) for f in lengths]
        for i in range(n - sum(counts)):
            counts[i % len(counts)] += 1
        lengths = counts
    else:
        raise ValueError(
            f"random_split: fractions {lengths} add up to {sum(lengths)}, expected 1 "
            f"(or give sample counts adding up to {n})"
        )
    order = get_generator(generator).permutation(n)
    ends = np.cumsum(lengths)
    return [Subset(dataset, order[end - size : end]) for size, end in zip(lengths, ends)]


def train_test_split(*data, test_size=0.25, shuffle=True, stratify=None, generator=None):
    """Split data into a training part and a test part.

    ``train_test_split(dataset)`` returns ``(train, test)``: LabeledDatasets
    for a LabeledDataset (names kept), TensorDatasets for a TensorDataset,
    ``Subset``s for any other data set. ``train_test_split(X, y, ...)`` with
    tensors or ndarrays of equal length returns ``[X_train, X_test, y_train,
    y_test]`` as scikit-learn does.

    ``test_size``: a fraction in (0, 1) (the test part gets ceil(fraction *
    n) samples) or a count. ``shuffle=False`` keeps the order (the test part
    is the end). ``stratify``: class labels (n,) whose proportions both
    parts keep. Random draws come from ``generator`` or the default one.
    """
    if not data:
        raise ValueError("train_test_split: expected a data set or arrays to split")
    n = _length(data)
    n_test = _test_count(test_size, n)
    if stratify is not None:
        if not shuffle:
            raise ValueError("train_test_split: stratify needs shuffle=True")
        test_idx, train_idx = _stratified(stratify, n, n_test, get_generator(generator))
    else:
        order = get_generator(generator).permutation(n) if shuffle else np.arange(n)
        train_idx, test_idx = order[: n - n_test], order[n - n_test :]
    if len(data) == 1 and isinstance(data[0], Dataset):
        return _take_dataset(data[0], train_idx), _take_dataset(data[0], test_idx)
    return [part for a in data for part in (_take(a, train_idx), _take(a, test_idx))]


def _length(data):
    if len(data) == 1 and isinstance(data[0], Dataset):
        return len(data[0])
    sizes = []
    for k, a in enumerate(data):
        if isinstance(a, Dataset):
            raise TypeError(
                "train_test_split: give one data set, or several tensors/arrays (not a mix)"
            )
        if not isinstance(a, (Tensor, np.ndarray)) or a.ndim == 0:
            raise TypeError(
                f"train_test_split: argument {k} must be a data set, a tensor or an "
                f"ndarray with a first dimension, got {type(a).__name__}"
            )
        sizes.append(a.shape[0])
    if len(set(sizes)) > 1:
        raise ValueError(
            f"train_test_split: the arrays have different lengths {sizes}; "
            "expected one sample per row in each"
        )
    return sizes[0]


def _test_count(test_size, n):
    if isinstance(test_size, (float, np.floating)) and 0 < test_size < 1:
        count = math.ceil(test_size * n)
    elif isinstance(test_size, (int, np.integer)) and not isinstance(test_size, bool):
        count = int(test_size)
    else:
        raise ValueError(
            f"train_test_split: test_size must be a fraction in (0, 1) or a sample "
            f"count, got {test_size!r}"
        )
    if not 0 < count < n:
        raise ValueError(
            f"train_test_split: test_size={test_size!r} leaves {count} test and "
            f"{n - count} training samples out of {n}; both must be at least 1"
        )
    return count


def _stratified(labels, n, n_test, g):
    """Per class, a random share of the test count proportional to its size
    (largest remainders get the leftover samples)."""
    labels = np.asarray(labels._data if isinstance(labels, Tensor) else labels).reshape(-1)
    if labels.shape[0] != n:
        raise ValueError(f"train_test_split: stratify has {labels.shape[0]} labels for {n} samples")
    classes, inverse, counts = np.unique(labels, return_inverse=True, return_counts=True)
    ideal = counts * n_test / n
    share = np.floor(ideal).astype(np.int64)
    extra = np.argsort(-(ideal - share), kind="stable")[: n_test - share.sum()]
    share[extra] += 1
    test, train = [], []
    for c in range(len(classes)):
        members = g.permutation(np.flatnonzero(inverse == c))
        test.append(members[: share[c]])
        train.append(members[share[c] :])
    return g.permutation(np.concatenate(test)), g.permutation(np.concatenate(train))


def _take(a, idx):
    if isinstance(a, Tensor):
        return leaf(a._data[idx])
    return a[idx]


def _take_dataset(ds, idx):
    if isinstance(ds, LabeledDataset):
        return ds.subset(idx)
    if type(ds) is TensorDataset:
        return TensorDataset(*(leaf(t._data[idx]) for t in ds.tensors))
    return Subset(ds, idx)
