"""``fit`` run data-parallel, when its process is one of several that
``mpiexec`` started (or the process group already holds several).

Every rank runs the same ``fit``: rank 0's weights are broadcast, each step
every rank trains on its share of the global batch (``batch_size`` is the
global batch, all ranks together) and DistributedDataParallel averages the
gradients, so every rank makes the same update. Rank 0's random state is
copied to every rank first (the same validation split everywhere); rank 0
draws each epoch's order, as one process would, sends it to all, and it is
dealt round-robin: the samples of global step k are those of step k
of a one-process run. The epoch's loss and metrics are summed over the ranks
before they are logged, so callbacks decide the same on every rank. Only rank
0 prints and writes files (ModelCheckpoint, CSVLogger, ProgressBar run
there alone); a checkpoint holds nothing that depends on the number of
ranks, so it resumes at any world size.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any

import numpy as np

from ..data.distributed import DistributedSampler
from ..random import get_generator, get_rng_state, set_rng_state
from .callbacks import Callback, CSVLogger, ModelCheckpoint, ProgressBar

RANK0_ONLY = (ModelCheckpoint, CSVLogger, ProgressBar)  # they print or write files


def start() -> DataParallel | None:
    """A DataParallel when this process is one of several, else None. Under an
    MPI launcher this joins the process group (mpi4py is needed then)."""
    from ..distributed import launch, process_group

    if not process_group.is_initialized():
        if not launch.under_mpi_launcher():
            return None
        try:
            process_group.init_process_group("mpi")
        except ImportError as exc:
            raise ImportError(
                f"fit: this process is one of {launch.launched_world_size()} started by an MPI "
                f"launcher, but mpi4py is missing, so they cannot train together: "
                f"{launch.INSTALL_HINT}"
            ) from exc
    if process_group.get_world_size() == 1:
        return None
    return DataParallel(process_group._comm("fit"), process_group._mpi())


class _SharedOrderSampler(DistributedSampler):
    """A DistributedSampler whose order rank 0 draws from the generator fit
    shuffles with, as a one-process DataLoader draws it, and sends to every
    rank (so that it is one order even if a rank's random stream drifted)."""

    def __init__(self, dataset, comm, shuffle, generator):
        super().__init__(dataset, comm.Get_size(), comm.Get_rank(), shuffle=shuffle)
        self.comm, self.generator = comm, generator

    def order(self) -> np.ndarray:
        n = len(self.dataset)
        if not self.shuffle:
            return np.arange(n)
        if self.rank == 0:
            order = get_generator(self.generator).permutation(n).astype(np.int64)
        else:
            order = np.empty(n, dtype=np.int64)
        self.comm.Bcast(order, root=0)
        return order


class _SetEpoch(Callback):
    """Calls a user's DistributedSampler's set_epoch before each epoch."""

    def __init__(self, sampler):
        self.sampler = sampler

    def on_epoch_begin(self, epoch, logs=None):
        self.sampler.set_epoch(epoch)


class DataParallel:
    """fit's side of the job: this rank, the world, and what changes in fit."""

    def __init__(self, comm: Any, mpi: Any) -> None:
        self.comm, self.mpi = comm, mpi
        self.rank, self.world = comm.Get_rank(), comm.Get_size()
        self.ddp: Any = None
        self.extra_callbacks: list[Callback] = []

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    def sync_random_state(self, generator: np.random.Generator | None) -> None:
        """Give every rank rank 0's random state (the default generator's and
        ``generator``'s), so that shuffles and splits are the same everywhere."""
        state = self.comm.bcast(get_rng_state(), root=0)
        set_rng_state(state)
        if generator is not None:
            generator.bit_generator.state = self.comm.bcast(generator.bit_generator.state, root=0)

    def callbacks(self, callbacks: Any) -> list[Callback]:
        """The callbacks this rank runs (from fit's list of them): all of them on
        rank 0; elsewhere all but those that print or write files."""
        if self.is_main:
            return list(callbacks)
        return [cb for cb in callbacks if not isinstance(cb, RANK0_ONLY)]

    def loader(self, train: Any, batch_size: int, shuffle: bool, generator: Any) -> Any:
        """This rank's DataLoader: its share of every global batch of ``batch_size``."""
        from ..data import DataLoader
        from .batches import as_dataset

        if isinstance(train, DataLoader):
            if not isinstance(train.sampler, DistributedSampler):
                raise ValueError(
                    f"fit: under mpiexec ({self.world} ranks) a DataLoader needs "
                    "sampler=DistributedSampler(dataset) (its batch_size is then each rank's); "
                    "or pass the Dataset or (X, y) and fit shards it"
                )
            self.extra_callbacks.append(_SetEpoch(train.sampler))
            return train
        if batch_size % self.world:
            raise ValueError(
                f"fit: batch_size {batch_size} does not split evenly over {self.world} ranks; "
                f"under mpiexec batch_size is the global batch (all ranks together): pass a "
                f"multiple of {self.world}"
            )
        dataset = as_dataset(train, "train")
        sampler = _SharedOrderSampler(dataset, self.comm, shuffle, generator)
        return DataLoader(dataset, batch_size=batch_size // self.world, sampler=sampler)

    def attach(self, trainer: Any) -> None:
        """Wrap the trainer's model in DistributedDataParallel (rank 0's weights
        to every rank; call after a checkpoint is restored) and hand it the job."""
        from ..nn.parallel import DistributedDataParallel

        model = trainer.model  # (a model the caller wrapped already is used as it is)
        wrapped = isinstance(model, DistributedDataParallel)
        self.ddp = model if wrapped else DistributedDataParallel(model)
        trainer.parallel = self
        trainer.callbacks.extend(self.extra_callbacks)
        for cb in self.extra_callbacks:
            cb.set_trainer(trainer)

    def forward(self, x: Any) -> Any:
        return self.ddp(x)

    def any(self, flag: bool) -> bool:
        """Whether ``flag`` is true on any rank (every rank gets the same answer)."""
        value = np.array([1 if flag else 0], dtype=np.int32)
        self.comm.Allreduce(self.mpi.IN_PLACE, value, op=self.mpi.MAX)
        return bool(value[0])

    def reduce_run(self, run: Any) -> None:
        """Sum the epoch's running loss and metric sums over the ranks."""
        values = np.array([run.loss, run.count, *run.sums.values()], dtype=np.float64)
        self.comm.Allreduce(self.mpi.IN_PLACE, values, op=self.mpi.SUM)
        run.loss, run.count = float(values[0]), int(values[1])
        for key, value in zip(list(run.sums), values[2:]):
            run.sums[key] = float(value)


def main_rank() -> bool:
    """True unless this process is a rank other than 0 of a job with several
    (without importing mpi4py when no launcher started the process)."""
    from ..distributed import launch, process_group

    if process_group.is_initialized():
        return process_group.get_rank() == 0
    return launch.launched_rank() == 0


@contextlib.contextmanager
def quiet_unless_main() -> Iterator[None]:
    """Send what the block prints to nowhere on ranks other than 0 (the
    ``glassnet`` commands: one rank reports)."""
    if main_rank():
        yield
        return
    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
        yield
