"""From what ``fit``, ``evaluate`` and ``predict`` are given (a Dataset, a
DataLoader, an (X, y) pair of arrays) to tensors and (input, target)
batches, and each batch's target shaped against the model's output."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

import numpy as np

from ..tensor import Tensor

if TYPE_CHECKING:
    from ..data import DataLoader, Dataset
    from ..hints import TensorLike

    # what fit/evaluate take as data: a Dataset, a DataLoader or (X, y)
    Data: TypeAlias = Dataset | DataLoader | tuple[TensorLike, TensorLike]


def _as_tensor(x, name):
    if isinstance(x, Tensor):
        return x
    arr = np.asarray(x)
    if arr.dtype.kind == "f":
        arr = arr.astype(np.float32) if arr.dtype != np.float64 else arr
    elif arr.dtype.kind not in "iub":
        raise TypeError(f"fit: {name} must be numeric, got dtype {arr.dtype}")
    return Tensor(arr)


def as_dataset(data, what="data"):
    """A Dataset from a Dataset, a DataLoader's dataset, or an (X, y) pair."""
    from ..data import Dataset, TensorDataset

    if isinstance(data, Dataset):
        return data
    if isinstance(data, (tuple, list)) and len(data) == 2:
        return TensorDataset(_as_tensor(data[0], f"{what} X"), _as_tensor(data[1], f"{what} y"))
    raise TypeError(
        f"fit: {what} must be a Dataset, a DataLoader or an (X, y) pair, got {type(data).__name__}"
    )


def _loader(data, batch_size, shuffle, what):
    from ..data import DataLoader

    if isinstance(data, DataLoader):
        return data
    return DataLoader(as_dataset(data, what), batch_size=batch_size, shuffle=shuffle)


def _match_target(out, y):
    """A 1-D float target against an (N, 1) output is read as (N, 1), so the loss
    compares each prediction with its own target instead of broadcasting."""
    if out.ndim == 2 and out.shape[1] == 1 and y.ndim == 1 and y.dtype.kind == "f":
        return y.reshape(-1, 1)
    return y


def _split(batch):
    if isinstance(batch, (tuple, list)) and len(batch) == 2:
        return batch[0], batch[1]
    raise TypeError(f"fit: each batch must be an (input, target) pair; got {type(batch).__name__}")


def _batches(data, batch_size):
    from ..data import DataLoader

    if isinstance(data, DataLoader):
        return data
    return DataLoader(as_dataset(data, "data"), batch_size=batch_size, shuffle=False)
