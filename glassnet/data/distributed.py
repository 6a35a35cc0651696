"""``DistributedSampler``: each rank's share of a data set, as
``torch.utils.data.distributed.DistributedSampler``."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import numpy as np


def _whole(value: Any, name: str, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ValueError(f"DistributedSampler: {name} must be an integer >= {low}, got {value!r}")
    return int(value)


class DistributedSampler:
    """The indices of rank ``rank``'s shard of ``dataset`` for a DataLoader's
    ``sampler=``: every rank gets the same number of samples (so every rank
    runs the same number of steps, which the collectives need).

    One order per epoch, the same on every rank (a permutation from
    ``seed + epoch`` when ``shuffle``; call ``set_epoch(epoch)`` before each
    epoch for a new one), is dealt out round-robin: rank r takes positions
    r, r + N, r + 2N, … With ``drop_last=False`` the order is padded with its
    own first indices up to a multiple of N (a few samples count twice);
    with ``drop_last=True`` its tail is dropped instead.

    ``num_replicas`` and ``rank`` default to the process group's world size
    and rank (``glassnet.distributed.init_process_group`` first).
    """

    def __init__(
        self,
        dataset: Any,
        num_replicas: int | None = None,
        rank: int | None = None,
        shuffle: bool = True,
        seed: int = 0,
        drop_last: bool = False,
    ) -> None:
        if not hasattr(dataset, "__len__"):
            raise TypeError(
                f"DistributedSampler: dataset must have a length, got {type(dataset).__name__}"
            )
        if num_replicas is None or rank is None:
            from ..distributed import get_rank, get_world_size, is_initialized

            if not is_initialized():
                raise RuntimeError(
                    "DistributedSampler: pass num_replicas= and rank=, or call "
                    "glassnet.distributed.init_process_group('mpi') first"
                )
            num_replicas = get_world_size() if num_replicas is None else num_replicas
            rank = get_rank() if rank is None else rank
        self.num_replicas = _whole(num_replicas, "num_replicas", 1)
        self.rank = _whole(rank, "rank", 0)
        if self.rank >= self.num_replicas:
            raise ValueError(
                f"DistributedSampler: rank {rank} is out of range: expected "
                f"0…{self.num_replicas - 1}"
            )
        self.dataset = dataset
        self.shuffle = bool(shuffle)
        self.seed = int(seed)
        self.drop_last = bool(drop_last)
        self.epoch = 0
        n = len(dataset)
        if self.drop_last:
            self.num_samples = n // self.num_replicas
        else:
            self.num_samples = math.ceil(n / self.num_replicas)
        self.total_size = self.num_samples * self.num_replicas
        if self.num_samples == 0:
            raise ValueError(
                f"DistributedSampler: {n} samples cannot give each of {self.num_replicas} "
                "ranks one with drop_last=True"
            )

    def set_epoch(self, epoch: int) -> None:
        """Pick the order of epoch ``epoch`` (call it on every rank, with the same value)."""
        self.epoch = _whole(epoch, "epoch", 0)

    def order(self) -> np.ndarray:
        """This epoch's order of the whole data set (the same on every rank)."""
        n = len(self.dataset)
        if self.shuffle:
            return np.random.default_rng(self.seed + self.epoch).permutation(n)
        return np.arange(n)

    def __iter__(self) -> Iterator[int]:
        order = self.order()
        if len(order) < self.total_size:  # pad with the order's own start (repeated if short)
            order = np.resize(order, self.total_size)
        mine = order[: self.total_size][self.rank :: self.num_replicas]
        return iter(mine.tolist())

    def __len__(self) -> int:
        return self.num_samples

    def __repr__(self) -> str:
        return (
            f"DistributedSampler(rank {self.rank} of {self.num_replicas}, {self.num_samples} "
            f"samples, shuffle={self.shuffle}, drop_last={self.drop_last})"
        )
