"""Data-parallel training over MPI, as ``torch.distributed``.

Start N copies of a script with ``mpiexec -n N python train.py``; in it::

    import glassnet.distributed as dist
    dist.init_process_group("mpi")
    rank, world = dist.get_rank(), dist.get_world_size()
    model = gn.nn.parallel.DistributedDataParallel(model)

``all_reduce``, ``broadcast``, ``all_gather`` and ``barrier`` work on glassnet
Tensors. mpi4py (``pip install 'glassnet[distributed]'``) is imported by
``init_process_group`` only: importing this package does not start MPI.
"""

from .collectives import ReduceOp, Work, all_gather, all_reduce, barrier, broadcast
from .launch import under_mpi_launcher
from .process_group import (
    destroy_process_group,
    get_backend,
    get_rank,
    get_world_size,
    group,
    init_process_group,
    is_available,
    is_initialized,
    is_mpi_available,
)

__all__ = [
    "ReduceOp",
    "Work",
    "all_gather",
    "all_reduce",
    "barrier",
    "broadcast",
    "destroy_process_group",
    "get_backend",
    "get_rank",
    "get_world_size",
    "group",
    "init_process_group",
    "is_available",
    "is_initialized",
    "is_mpi_available",
    "under_mpi_launcher",
]
