"""``DataLoader``: a data set served in batches, as torch.utils.data.DataLoader."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..random import get_generator
from .collate import default_collate

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

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

    ``sampler`` (an iterable of indices, e.g. a list or a permutation)
    replaces the order that ``shuffle`` picks, as PyTorch's.

    PyTorch's other arguments are accepted so that its code runs unchanged,
    and change nothing here: glassnet loads every batch in the main process,
    so ``num_workers``, ``persistent_workers``, ``prefetch_factor``,
    ``worker_init_fn``, ``multiprocessing_context`` and ``timeout`` have no
    workers to act on; ``pin_memory`` has no GPU to pin for. Differences from
    PyTorch: no ``batch_sampler``; batches of tuple samples are tuples
    (PyTorch: lists).
    """

    def __init__(
        self,
        dataset: Dataset,
        batch_size: int = 1,
        shuffle: bool | None = False,
        sampler: Iterable[int] | None = None,
        batch_sampler: None = None,
        num_workers: int = 0,
        collate_fn: Callable[[list[Any]], Any] | None = None,
        pin_memory: bool = False,
        drop_last: bool = False,
        timeout: float = 0,
        worker_init_fn: Callable[[int], None] | None = None,
        multiprocessing_context: Any = None,
        generator: np.random.Generator | None = None,
        *,
        prefetch_factor: int | None = None,
        persistent_workers: bool = False,
        pin_memory_device: str = "",
        in_order: bool = True,
    ) -> None:
        if not (hasattr(dataset, "__getitem__") and hasattr(dataset, "__len__")):
            raise TypeError(
                f"DataLoader: dataset must be a map-style data set with __getitem__ "
                f"and __len__, got {type(dataset).__name__}"
            )
        if (
            isinstance(batch_size, bool)
            or not isinstance(batch_size, (int, np.integer))
            or batch_size < 1
        ):
            raise ValueError(
                f"DataLoader: batch_size must be a positive integer, got {batch_size!r}"
            )
        if collate_fn is not None and not callable(collate_fn):
            raise TypeError(
                f"DataLoader: collate_fn must be callable or None, got {type(collate_fn).__name__}"
            )
        if (
            isinstance(num_workers, bool)
            or not isinstance(num_workers, (int, np.integer))
            or num_workers < 0
        ):
            raise ValueError(
                f"DataLoader: num_workers must be a non-negative integer, got {num_workers!r}"
            )
        if batch_sampler is not None:
            raise ValueError(
                "DataLoader: batch_sampler is not supported; glassnet batches the "
                "indices itself: pass batch_size and shuffle or sampler"
            )
        if sampler is not None and shuffle:
            raise ValueError("DataLoader: sampler option is mutually exclusive with shuffle")
        get_generator(generator)  # checks its type now, not at the first epoch
        self.sampler = sampler
        self.num_workers = int(num_workers)
        self.pin_memory = bool(pin_memory)
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.collate_fn = collate_fn
        self.generator = generator

    def __len__(self) -> int:
        n = len(self.dataset) if self.sampler is None else len(self.sampler)  # type: ignore[arg-type]
        b = self.batch_size
        return n // b if self.drop_last else -(-n // b)

    def __iter__(self) -> Iterator[Any]:
        n = len(self.dataset)
        if self.sampler is not None:
            order = np.fromiter((int(i) for i in self.sampler), dtype=np.int64)
            n = len(order)
        elif self.shuffle:
            order = get_generator(self.generator).permutation(n)
        else:
            order = np.arange(n)
        stop = len(self) * self.batch_size if self.drop_last else n
        return (
            self._fetch(order[i : i + self.batch_size]) for i in range(0, stop, self.batch_size)
        )

    def _fetch(self, indices):
        if self.collate_fn is None and hasattr(self.dataset, "get_batch"):
            return self.dataset.get_batch(indices)
        samples = [self.dataset[int(i)] for i in indices]
        return (self.collate_fn or default_collate)(samples)

    def __repr__(self):
        return (
            f"DataLoader(dataset of {len(self.dataset)} samples, batch_size="
            f"{self.batch_size}, shuffle={self.shuffle}, drop_last={self.drop_last})"
        )
