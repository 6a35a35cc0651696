"""The default process group: every process of the MPI job (its
``COMM_WORLD``), as ``torch.distributed``'s ``init_process_group`` /
``get_rank`` / ``get_world_size`` / ``destroy_process_group``.

mpi4py is imported by ``init_process_group`` only (importing it starts MPI).
"""

from __future__ import annotations

from typing import Any

from . import abort
from .launch import import_mpi, launched_world_size

_state: dict[str, Any] = {}  # "comm": the communicator while the group exists


class _World:
    """``dist.group.WORLD``: the default group (the only one glassnet has)."""

    def __repr__(self) -> str:
        return "<glassnet.distributed.group.WORLD>"


class group:  # noqa: N801 (torch.distributed.group)
    WORLD = _World()


def init_process_group(
    backend: str | None = "mpi",
    init_method: str | None = None,
    timeout: Any = None,
    world_size: int = -1,
    rank: int = -1,
    store: Any = None,
    group_name: str = "",
) -> None:
    """Join the processes of this MPI job into the default group.

    Only the ``"mpi"`` backend exists (None means it too): the processes are
    those ``mpiexec -n N`` started, and the rank and world size are MPI's;
    ``world_size``/``rank``, when given, must agree with them. A plain
    ``python`` run is a group of one. Installs an exception hook that ends the
    whole job when this rank raises (instead of leaving the others waiting).
    ``init_method``, ``timeout``, ``store`` and ``group_name`` are accepted for
    PyTorch's scripts and not used: MPI's launcher does the rendezvous.
    """
    if backend is not None and str(backend).lower() != "mpi":
        raise ValueError(
            f"init_process_group: backend {backend!r} is not available; glassnet runs on "
            "MPI only: backend='mpi', started with mpiexec -n N python script.py"
        )
    if "comm" in _state:
        raise RuntimeError(
            "init_process_group: trying to initialize the default process group twice"
        )
    MPI = import_mpi()
    comm = MPI.COMM_WORLD
    size, me = comm.Get_size(), comm.Get_rank()
    if world_size not in (-1, None) and int(world_size) != size:
        raise ValueError(
            f"init_process_group: world_size={world_size}, but MPI started {size} process(es); "
            f"start the script with mpiexec -n {world_size}, or leave world_size out"
        )
    if rank not in (-1, None) and int(rank) != me:
        raise ValueError(
            f"init_process_group: rank={rank}, but MPI numbered this process {me}; "
            "leave rank out (MPI's launcher numbers the processes)"
        )
    if size == 1 and launched_world_size() > 1:
        raise RuntimeError(
            f"init_process_group: the launcher started {launched_world_size()} processes but "
            "MPI sees only this one: mpi4py was built against a different MPI than the one "
            "whose mpiexec started the job (use the mpiexec next to the Python that runs the "
            "script, or rebuild mpi4py against your cluster's MPI)"
        )
    _state["comm"] = comm
    _state["mpi"] = MPI
    if size > 1:
        abort.install(comm)


def is_available() -> bool:
    """Whether mpi4py can be imported (without importing it)."""
    import importlib.util

    return importlib.util.find_spec("mpi4py") is not None


def is_mpi_available() -> bool:
    return is_available()


def is_initialized() -> bool:
    """Whether ``init_process_group`` ran (and ``destroy_process_group`` did not since)."""
    return "comm" in _state


def _comm(what: str) -> Any:
    comm = _state.get("comm")
    if comm is None:
        raise RuntimeError(
            f"{what}: the default process group has not been initialized; call "
            "glassnet.distributed.init_process_group('mpi') first"
        )
    return comm


def _mpi() -> Any:
    return _state["mpi"]


def _check_group(group_arg: Any, what: str) -> None:
    if group_arg is not None and group_arg is not group.WORLD:
        raise ValueError(f"{what}: only the default group (group=None) exists in glassnet")


def get_rank(group: Any = None) -> int:
    """This process's number, 0 … world size − 1."""
    _check_group(group, "get_rank")
    return int(_comm("get_rank").Get_rank())


def get_world_size(group: Any = None) -> int:
    """How many processes the group holds."""
    _check_group(group, "get_world_size")
    return int(_comm("get_world_size").Get_size())


def get_backend(group: Any = None) -> str:
    _check_group(group, "get_backend")
    _comm("get_backend")
    return "mpi"


def destroy_process_group(group: Any = None) -> None:
    """Leave the default group (MPI itself ends when the process exits)."""
    _check_group(group, "destroy_process_group")
    _comm("destroy_process_group")
    _state.clear()
    abort.uninstall()
