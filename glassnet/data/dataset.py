"""Map-style data sets (as torch.utils.data): ``Dataset`` (``dataset[i]``
and ``len(dataset)``), ``TensorDataset`` (samples are rows of tensors) and
``Subset`` (a dataset seen through a list of indices).

A dataset may also define ``get_batch(indices)``, returning the collated
batch for an integer array of indices in one step; ``DataLoader`` uses it
instead of a per-sample loop (``TensorDataset`` and ``Subset`` do).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..tensor import Tensor
from ._util import leaf
from .collate import default_collate

if TYPE_CHECKING:
    from ..hints import TensorLike


class Dataset:
    """Base class: subclasses define ``__getitem__(i)`` and ``__len__()``."""

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__(index)")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must define __len__()")


class TensorDataset(Dataset):
    """Sample i is ``tuple(t[i] for t in tensors)``; all tensors must have the
    same first dimension (the number of samples). ndarrays are accepted and
    wrapped without copying."""

    def __init__(self, *tensors: TensorLike) -> None:
        if not tensors:
            raise ValueError("TensorDataset: expected at least one tensor")
        wrapped = []
        for k, t in enumerate(tensors):
            if isinstance(t, np.ndarray):
                t = leaf(t)
            if not isinstance(t, Tensor):
                raise TypeError(
                    f"TensorDataset: argument {k} must be a Tensor or ndarray, "
                    f"got {type(t).__name__}"
                )
            if t.ndim == 0:
                raise ValueError(
                    f"TensorDataset: argument {k} is a 0-d tensor; each tensor "
                    "needs a first dimension indexing the samples"
                )
            wrapped.append(t)
        sizes = [t.shape[0] for t in wrapped]
        if len(set(sizes)) > 1:
            shapes = ", ".join(str(tuple(t.shape)) for t in wrapped)
            raise ValueError(
                f"TensorDataset: every tensor must have the same size in its first "
                f"dimension (the samples), got shapes {shapes}"
            )
        self.tensors = tuple(wrapped)

    def __getitem__(self, index):
        return tuple(t[index] for t in self.tensors)

    def __len__(self):
        return self.tensors[0].shape[0]

    def get_batch(self, indices):
        """The batch for these sample indices, as a tuple of tensors (one
        NumPy fancy-index per tensor; the batch is outside any graph)."""
        return tuple(leaf(t._data[indices]) for t in self.tensors)


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order."""

    def __init__(self, dataset, indices):
        self.dataset = dataset
        self.indices = np.asarray(indices, dtype=np.int64).reshape(-1)

    def __getitem__(self, index):
        if isinstance(index, (list, np.ndarray)):
            return [self.dataset[int(i)] for i in self.indices[index]]
        return self.dataset[int(self.indices[index])]

    def __len__(self):
        return len(self.indices)

    def get_batch(self, indices):
        """The collated batch: one ``get_batch`` call on the underlying data
        set when it has one, else its samples through ``default_collate``."""
        picked = self.indices[indices]
        if hasattr(self.dataset, "get_batch"):
            return self.dataset.get_batch(picked)
        return default_collate([self.dataset[int(i)] for i in picked])
