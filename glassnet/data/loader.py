"""``DataLoader``: a data set served in batches, as torch.utils.data.DataLoader."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..random import get_generator
from .collate import default_collate

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from .dataset import Dataset


class DataLoader:
    """Iterate over ``dataset`` in batches of ``batch_size`` samples.

    The batch size picks the flavour of gradient descent that a training
    loop over these batches does (one update per batch):

    - ``batch_size=len(dataset)``: batch gradient descent, one update per
      epoch from the gradient of the whole data set;
    - ``batch_size=1``: stochastic gradient descent, one update per sample;
    - anything in between: mini-batch gradient descent, the usual choice.

    ``shuffle=True`` draws a new order every epoch (every ``iter()``) from
    ``generator`` (a ``numpy.random.Generator``; PyTorch takes a
    torch.Generator), or from the default generator (``gn.manual_seed``)
    when it is None, so the same seed gives the same batches. ``drop_last=True``
    leaves out a last batch smaller than ``batch_size``. ``collate_fn`` turns
    a list of samples into a batch (default: ``default_collate``); with the
    default, a data set that has ``get_batch`` (``TensorDataset``,
    ``Subset``) is indexed once per batch instead of once per sample.

    Differences from PyTorch: no worker processes, samplers or pinned
    memory; batches of tuple samples are tuples (PyTorch: lists).
    """

    def __init__(self, dataset: Dataset, batch_size: int = 1, shuffle: bool = False,
                 drop_last: bool = False, collate_fn: Callable[[list[Any]], Any] | None = None,
                 generator: np.random.Generator | None = None) -> None:
        if not (hasattr(dataset, "__getitem__") and hasattr(dataset, "__len__")):
            raise TypeError(f"DataLoader: dataset must be a map-style data set with __getitem__ "
                            f"and __len__, got {type(dataset).__name__}")
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) \
                or batch_size < 1:
            raise ValueError(f"DataLoader: batch_size must be a positive integer, got {batch_size!r}")
        if collate_fn is not None and not callable(collate_fn):
            raise TypeError(f"DataLoader: collate_fn must be callable or None, got "
                            f"{type(collate_fn).__name__}")
        get_generator(generator)  # checks its type now, not at the first epoch
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.collate_fn = collate_fn
        self.generator = generator

    def __len__(self) -> int:
        n, b = len(self.dataset), self.batch_size
        return n // b if self.drop_last else -(-n // b)

    def __iter__(self) -> Iterator[Any]:
        n = len(self.dataset)
        if self.shuffle:
            order = get_generator(self.generator).permutation(n)
        else:
            order = np.arange(n)
        stop = len(self) * self.batch_size if self.drop_last else n
        return (self._fetch(order[i:i + self.batch_size]) for i in range(0, stop, self.batch_size))

    def _fetch(self, indices):
        if self.collate_fn is None and hasattr(self.dataset, "get_batch"):
            return self.dataset.get_batch(indices)
        samples = [self.dataset[int(i)] for i in indices]
        return (self.collate_fn or default_collate)(samples)

    def __repr__(self):
        return (f"DataLoader(dataset of {len(self.dataset)} samples, batch_size="
                f"{self.batch_size}, shuffle={self.shuffle}, drop_last={self.drop_last})")
