"""``DistributedDataParallel``: the same model on every rank, each on its own
shard of the batch, their gradients averaged during backward (as
``torch.nn.parallel.DistributedDataParallel``)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import numpy as np

from ...distributed import process_group as _group
from ...grad_mode import is_grad_enabled
from ...tensor import Tensor
from ..module import Module
from .reducer import Reducer


class DistributedDataParallel(Module):
    """Wrap ``module`` for data-parallel training over the default process group.

    At construction rank 0's parameters and buffers are copied to every rank
    (so ranks may start from different seeds). Each forward runs ``module``
    and, when gradients are on, arms the gradient averaging: during the
    following backward, gradients are averaged over the ranks in buckets of
    about ``bucket_cap_mb`` MB, each bucket's allreduce starting as soon as
    its gradients are complete, while backward goes on (see ``reducer``).
    After ``backward()`` returns, every rank holds the same ``.grad``s, the
    gradient of the whole (global) batch's mean loss when each rank's loss is
    a mean over an equal shard.

    ``broadcast_buffers=True`` (PyTorch's default): at every forward rank 0's
    buffers (BatchNorm's running statistics) are copied to all ranks; each
    rank still normalizes with its own shard's batch statistics.
    ``no_sync()``: backwards inside it only accumulate local gradients
    (gradient accumulation); the first synced backward averages the total.
    ``find_unused_parameters=True``: parameters that a forward's output does
    not depend on count as ready with a zero local gradient (else their
    missing gradient is an error at the next forward).
    ``device_ids``/``output_device`` must be None or CPU (no GPUs here).
    """

    def __init__(
        self,
        module: Module,
        device_ids: Any = None,
        output_device: Any = None,
        dim: int = 0,
        broadcast_buffers: bool = True,
        process_group: Any = None,
        bucket_cap_mb: float | None = None,
        find_unused_parameters: bool = False,
        gradient_as_bucket_view: bool = False,
        static_graph: bool = False,
    ) -> None:
        super().__init__()
        if not isinstance(module, Module):
            raise TypeError(
                f"DistributedDataParallel: module must be a glassnet nn.Module, got "
                f"{type(module).__name__}"
            )
        for name, value in (("device_ids", device_ids), ("output_device", output_device)):
            if value not in (None, [], "cpu", ["cpu"]):
                raise ValueError(
                    f"DistributedDataParallel: {name}={value!r}, but glassnet runs on the CPU "
                    f"only; leave {name} out"
                )
        _group._check_group(process_group, "DistributedDataParallel")
        cap = 25.0 if bucket_cap_mb is None else float(bucket_cap_mb)
        if not cap > 0:
            raise ValueError(
                f"DistributedDataParallel: bucket_cap_mb must be > 0, got {bucket_cap_mb!r}"
            )
        comm = _group._comm("DistributedDataParallel")
        self.module = module
        self.broadcast_buffers = bool(broadcast_buffers)
        self.find_unused_parameters = bool(find_unused_parameters)
        self.require_backward_grad_sync = True
        self.bucket_cap_mb = cap
        named = [(n, p) for n, p in module.named_parameters() if p.requires_grad]
        _check_same_model(comm, module)
        _broadcast_arrays(comm, _group._mpi(), [p._data for _, p in module.named_parameters()])
        _broadcast_arrays(comm, _group._mpi(), self._buffer_arrays())
        # (the Reducer is kept out of Module's attribute bookkeeping: it is not a submodule)
        object.__setattr__(self, "reducer", Reducer(named, comm, _group._mpi(), int(cap * 2**20)))
        object.__setattr__(self, "_comm", comm)

    def _buffer_arrays(self) -> list[np.ndarray]:
        return [b._data for b in self.module.buffers() if b is not None]

    def forward(self, *inputs: Any, **kwargs: Any) -> Any:
        if self.broadcast_buffers and self._comm.Get_size() > 1:
            buffers = self._buffer_arrays()
            if buffers:
                _broadcast_arrays(self._comm, _group._mpi(), buffers)
        out = self.module(*inputs, **kwargs)
        if is_grad_enabled() and self.require_backward_grad_sync:
            unused = _unused_parameters(self.reducer, out) if self.find_unused_parameters else []
            self.reducer.arm(unused)
        else:
            self.reducer.disarm()
        return out

    @contextlib.contextmanager
    def no_sync(self) -> Iterator[None]:
        """Backward passes of forwards run inside only accumulate local gradients."""
        old, self.require_backward_grad_sync = self.require_backward_grad_sync, False
        try:
            yield
        finally:
            self.require_backward_grad_sync = old

    @property
    def comm_seconds(self) -> float:
        """Seconds spent inside MPI calls averaging gradients (starting, waiting) so far."""
        return float(self.reducer.comm_seconds)

    def extra_repr(self) -> str:
        return f"bucket_cap_mb={self.bucket_cap_mb:g}, buckets={len(self.reducer.buckets)}"


def _check_same_model(comm: Any, module: Module) -> None:
    """Every rank must wrap the same architecture: compare the parameters' names,
    shapes and dtypes (one small allgather)."""
    layout = [(n, tuple(p.shape), str(p.dtype)) for n, p in module.named_parameters()]
    layouts = comm.allgather(layout)
    for rank, other in enumerate(layouts):
        if other != layout:
            mine = set(layout) ^ set(other)
            raise ValueError(
                f"DistributedDataParallel: rank {comm.Get_rank()} and rank {rank} wrap "
                f"different models (parameters that differ: {sorted(mine)[:4]}); every rank "
                "must build the same model"
            )


def _broadcast_arrays(comm: Any, mpi: Any, arrays: list[np.ndarray]) -> None:
    """Copy rank 0's ``arrays`` into every rank's, one fused broadcast per dtype."""
    by_dtype: dict[np.dtype, list[np.ndarray]] = {}
    for a in arrays:
        by_dtype.setdefault(a.dtype, []).append(a)
    for dtype, group in by_dtype.items():
        flat = np.concatenate([a.reshape(-1) for a in group]) if group else np.empty(0, dtype)
        if flat.dtype.char not in "fdbhilqBHILQ?":
            raise TypeError(
                f"DistributedDataParallel: cannot broadcast a parameter or buffer of dtype {dtype}"
            )
        comm.Bcast(flat, root=0)
        offset = 0
        for a in group:
            a[...] = flat[offset : offset + a.size].reshape(a.shape)
            offset += a.size


def _unused_parameters(reducer: Reducer, out: Any) -> list[Any]:
    """The parameters of ``reducer`` that no tensor in ``out`` depends on (a walk
    of the graph that made the output)."""
    roots = [t.grad_fn for t in _tensors(out) if t.grad_fn is not None]
    reached: set[int] = set()
    seen: set[int] = set()
    while roots:
        node = roots.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        links = node.links  # type: ignore[attr-defined]  # (an Op node: Node declares it in __slots__)
        n = len(links) >> 1
        for i in range(n):
            if links[n + i] is not None:
                roots.append(links[n + i])
            elif isinstance(links[i], Tensor):
                reached.add(id(links[i]))
    return [p for b in reducer.buckets for p in b.params if id(p) not in reached]


def _tensors(out: Any) -> Iterator[Tensor]:
    if isinstance(out, Tensor):
        yield out
    elif isinstance(out, (list, tuple)):
        for o in out:
            yield from _tensors(o)
    elif isinstance(out, dict):
        for o in out.values():
            yield from _tensors(o)
