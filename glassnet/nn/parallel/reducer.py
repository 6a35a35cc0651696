"""The gradient averaging of DistributedDataParallel: buckets of gradients,
each averaged over the ranks by one allreduce, started during backward.

The parameters are split, in reverse order (the order backward finishes
their gradients in, last layer first), into buckets of at most
``bucket_cap_bytes`` of one dtype; each bucket owns one flat buffer. When a
parameter's ``.grad`` is complete (its post-accumulate hook), it is copied
into its bucket's buffer; when a bucket is full, a non-blocking
``Iallreduce`` (sum) starts on it while backward goes on with the layers
below. Buckets start in the same order on every rank (MPI needs every rank
to call collectives in one order), so a full bucket waits for the ones
before it. When the last bucket started, all are waited for and every
gradient becomes the buffer's sum ÷ world size:

    ∂L/∂w = (1/N) Σ_r ∂L_r/∂w

— with each rank's loss a mean over its equal shard, the gradient of the
mean loss over the whole batch.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np


class _Bucket:
    __slots__ = ("params", "offsets", "buffer", "ready", "request")

    def __init__(self, params: list[Any]) -> None:
        self.params = params
        sizes = [p._data.size for p in params]
        self.offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(int).tolist()
        self.buffer = np.zeros(self.offsets[-1], dtype=params[0]._data.dtype)
        self.ready = 0
        self.request: Any = None


def _split(params: list[Any], cap_bytes: int) -> list[list[Any]]:
    """Consecutive runs of one dtype, each at most ``cap_bytes`` (a bigger
    parameter gets a bucket of its own)."""
    buckets: list[list[Any]] = []
    current: list[Any] = []
    used = 0
    for p in params:
        nbytes = p._data.nbytes
        if current and (p._data.dtype != current[0]._data.dtype or used + nbytes > cap_bytes):
            buckets.append(current)
            current, used = [], 0
        current.append(p)
        used += nbytes
    if current:
        buckets.append(current)
    return buckets


class Reducer:
    """Averages the gradients of ``params`` over ``comm`` during each armed backward."""

    def __init__(self, named_params: list[tuple[str, Any]], comm: Any, mpi: Any, cap_bytes: int):
        self.comm, self.mpi = comm, mpi
        self.world = comm.Get_size()
        self.names = {id(p): name for name, p in named_params}
        params = [p for _, p in named_params][::-1]
        self.buckets = [_Bucket(group) for group in _split(params, cap_bytes)]
        self.where: dict[int, tuple[_Bucket, int]] = {}
        for bucket in self.buckets:
            for i, p in enumerate(bucket.params):
                self.where[id(p)] = (bucket, i)
        self.marked: set[int] = set()
        self.armed = False
        self.next = 0  # the next bucket to start
        self.comm_seconds = 0.0  # time spent inside MPI calls (starting, driving, waiting)
        self.handles = [p.register_post_accumulate_grad_hook(self._ready) for p in params]

    def arm(self, unused: Sequence[Any] = ()) -> None:
        """Before a backward that must average: empty buckets; ``unused``
        parameters (no gradient will come) count as ready at once."""
        if self.armed and self.marked:
            self._unfinished()
        self.armed = True
        self.marked.clear()
        self.next = 0
        for bucket in self.buckets:
            bucket.ready = 0
            bucket.request = None
        for p in unused:
            self._ready(p)

    def disarm(self) -> None:
        self.armed = False
        self.marked.clear()

    def _unfinished(self) -> None:
        missing = [
            self.names[id(p)] for b in self.buckets for p in b.params if id(p) not in self.marked
        ]
        self.disarm()
        raise RuntimeError(
            "DistributedDataParallel: the previous backward did not produce a gradient for "
            f"{len(missing)} parameter(s) ({', '.join(missing[:8])}"
            f"{', …' if len(missing) > 8 else ''}), so their average over the ranks was never "
            "taken. Make every parameter take part in the loss, or pass "
            "find_unused_parameters=True to DistributedDataParallel"
        )

    def _ready(self, p: Any) -> None:
        """A post-accumulate hook: ``p.grad`` is complete for this backward."""
        if not self.armed:
            return
        key = id(p)
        if key in self.marked:
            raise RuntimeError(
                f"DistributedDataParallel: parameter {self.names[key]} got a gradient twice in "
                "one iteration (two backward passes after one forward); use no_sync() for all "
                "but the last, or call the model once per backward"
            )
        self.marked.add(key)
        bucket, i = self.where[key]
        lo, hi = bucket.offsets[i], bucket.offsets[i + 1]
        if p.grad is None:
            bucket.buffer[lo:hi] = 0
        else:
            bucket.buffer[lo:hi] = p.grad._data.reshape(-1)
        bucket.ready += 1
        if bucket.ready == len(bucket.params):
            self._start_ready()
        elif self.next:
            self._drive()

    def _start_ready(self) -> None:
        t0 = time.perf_counter()
        MPI = self.mpi
        while self.next < len(self.buckets):
            bucket = self.buckets[self.next]
            if bucket.ready != len(bucket.params):
                break
            bucket.request = self.comm.Iallreduce(MPI.IN_PLACE, bucket.buffer, op=MPI.SUM)
            self.next += 1
        self.comm_seconds += time.perf_counter() - t0
        if self.next == len(self.buckets):
            self._finish()

    def _drive(self) -> None:
        """Let MPI move the started allreduces on (MPICH progresses a
        non-blocking collective only inside MPI calls)."""
        t0 = time.perf_counter()
        self.mpi.Request.Testall([b.request for b in self.buckets[: self.next]])
        self.comm_seconds += time.perf_counter() - t0

    def _finish(self) -> None:
        """Wait for every bucket, then write the averages into the ``.grad``s."""
        t0 = time.perf_counter()
        self.mpi.Request.Waitall([b.request for b in self.buckets])
        self.comm_seconds += time.perf_counter() - t0
        scale = 1.0 / self.world
        for bucket in self.buckets:
            np.multiply(bucket.buffer, scale, out=bucket.buffer)
            for i, p in enumerate(bucket.params):
                average = bucket.buffer[bucket.offsets[i] : bucket.offsets[i + 1]]
                _set_grad(p, average.reshape(p._data.shape))
        self.disarm()

    def remove(self) -> None:
        for handle in self.handles:
            handle.remove()


def _set_grad(p: Any, value: np.ndarray) -> None:
    from ...tensor import Tensor

    grad = p.grad
    if grad is None:
        p.grad = Tensor._make(value.copy(), False, None)
    elif grad._data.flags.writeable and grad._data.shape == value.shape:
        np.copyto(grad._data, value)
    else:
        grad._data = value.copy()
