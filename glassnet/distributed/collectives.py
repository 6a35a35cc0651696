"""Collectives on glassnet Tensors, as ``torch.distributed``'s: every rank
calls the same ones in the same order, with tensors of the same shape and
dtype. They work in place on the tensor's array (``all_reduce``,
``broadcast``) or fill the tensors given (``all_gather``)."""

from __future__ import annotations

import enum
from typing import Any

import numpy as np

from ..tensor import Tensor
from .process_group import _check_group, _comm, _mpi, get_world_size


class ReduceOp(enum.Enum):
    """How ``all_reduce`` combines the ranks' tensors (AVG: the sum over ranks ÷ N)."""

    SUM = "sum"
    PRODUCT = "product"
    MIN = "min"
    MAX = "max"
    AVG = "avg"


_MPI_OPS = {"sum": "SUM", "avg": "SUM", "product": "PROD", "min": "MIN", "max": "MAX"}
# the dtypes MPI reduces (NumPy's float16 has no MPI type); bool only for MIN/MAX
_DTYPES = "fdbhilqBHILQ"


class Work:
    """What a collective with ``async_op=True`` returns: ``wait()`` blocks until
    it finished (and the tensor holds the result), ``is_completed()`` asks."""

    def __init__(self, request: Any, finish: Any = None) -> None:
        self._request = request
        self._finish = finish
        self._done = False

    def wait(self, timeout: Any = None) -> bool:
        if not self._done:
            self._request.Wait()
            self._complete()
        return True

    def is_completed(self) -> bool:
        if not self._done and self._request.Test():
            self._complete()
        return self._done

    def _complete(self) -> None:
        self._done = True
        if self._finish is not None:
            self._finish()


def _as_tensor(tensor: Any, what: str) -> Tensor:
    if not isinstance(tensor, Tensor):
        raise TypeError(f"{what}: expected a glassnet Tensor, got {type(tensor).__name__}")
    return tensor


def _buffer(tensor: Tensor, what: str, reducing: bool) -> tuple[np.ndarray, bool]:
    """The array MPI works on (the tensor's own when it is contiguous and writable,
    else a copy to write back) and whether it is a copy."""
    arr = tensor._data
    kinds = _DTYPES + ("?" if not reducing else "")
    if arr.dtype.char not in kinds:
        raise TypeError(
            f"{what}: dtype {arr.dtype} cannot be sent over MPI; use float32/float64 or an "
            "integer dtype (float16 has no MPI type)"
        )
    if arr.flags.c_contiguous and arr.flags.writeable:
        return arr, False
    return np.ascontiguousarray(arr), True


def all_reduce(
    tensor: Tensor, op: ReduceOp = ReduceOp.SUM, group: Any = None, async_op: bool = False
) -> Work | None:
    """Combine ``tensor`` over every rank with ``op``; every rank's tensor then
    holds the result (e.g. SUM: Σ_r tensor_r)."""
    tensor = _as_tensor(tensor, "all_reduce")
    _check_group(group, "all_reduce")
    if not isinstance(op, ReduceOp):
        raise ValueError(
            f"all_reduce: op must be a ReduceOp (SUM, PRODUCT, MIN, MAX, AVG), got {op!r}"
        )
    comm = _comm("all_reduce")
    buf, copied = _buffer(tensor, "all_reduce", reducing=op not in (ReduceOp.MIN, ReduceOp.MAX))
    if op is ReduceOp.AVG and buf.dtype.kind != "f":
        raise TypeError(f"all_reduce: ReduceOp.AVG needs a floating-point tensor, got {buf.dtype}")
    MPI = _mpi()
    mpi_op = getattr(MPI, _MPI_OPS[op.value])
    size = get_world_size()

    def finish() -> None:
        if op is ReduceOp.AVG:
            np.multiply(buf, 1.0 / size, out=buf)
        if copied:
            tensor._data[...] = buf

    if async_op:
        return Work(comm.Iallreduce(MPI.IN_PLACE, buf, op=mpi_op), finish)
    comm.Allreduce(MPI.IN_PLACE, buf, op=mpi_op)
    finish()
    return None


def broadcast(
    tensor: Tensor, src: int = 0, group: Any = None, async_op: bool = False
) -> Work | None:
    """Copy rank ``src``'s ``tensor`` into every rank's ``tensor``."""
    tensor = _as_tensor(tensor, "broadcast")
    _check_group(group, "broadcast")
    comm = _comm("broadcast")
    size = comm.Get_size()
    if isinstance(src, bool) or not isinstance(src, (int, np.integer)) or not 0 <= src < size:
        raise ValueError(f"broadcast: src must be a rank in 0…{size - 1}, got {src!r}")
    buf, copied = _buffer(tensor, "broadcast", reducing=False)

    def finish() -> None:
        if copied:
            tensor._data[...] = buf

    if async_op:
        return Work(comm.Ibcast(buf, root=int(src)), finish)
    comm.Bcast(buf, root=int(src))
    finish()
    return None


def all_gather(
    tensor_list: list[Tensor], tensor: Tensor, group: Any = None, async_op: bool = False
) -> Work | None:
    """Fill ``tensor_list[r]`` with rank r's ``tensor``, on every rank."""
    tensor = _as_tensor(tensor, "all_gather")
    _check_group(group, "all_gather")
    comm = _comm("all_gather")
    size = comm.Get_size()
    if not isinstance(tensor_list, (list, tuple)) or len(tensor_list) != size:
        got = len(tensor_list) if isinstance(tensor_list, (list, tuple)) else type(tensor_list)
        raise ValueError(
            f"all_gather: tensor_list must hold one tensor per rank ({size}), got {got}"
        )
    for i, t in enumerate(tensor_list):
        t = _as_tensor(t, f"all_gather: tensor_list[{i}]")
        if t.shape != tensor.shape or t.dtype != tensor.dtype:
            raise ValueError(
                f"all_gather: tensor_list[{i}] is {t.dtype}{tuple(t.shape)}, expected the "
                f"input's {tensor.dtype}{tuple(tensor.shape)}"
            )
    send, _ = _buffer(tensor, "all_gather", reducing=False)
    gathered = np.empty((size, *send.shape), dtype=send.dtype)

    def finish() -> None:
        for t, part in zip(tensor_list, gathered):
            t._data[...] = part

    if async_op:
        return Work(comm.Iallgather(send, gathered), finish)
    comm.Allgather(send, gathered)
    finish()
    return None


def barrier(group: Any = None, async_op: bool = False) -> Work | None:
    """Wait until every rank reached this call."""
    _check_group(group, "barrier")
    comm = _comm("barrier")
    if async_op:
        return Work(comm.Ibarrier())
    comm.Barrier()
    return None
