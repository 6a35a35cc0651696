"""Was this process started by an MPI launcher (``mpiexec``, ``mpirun``,
``srun``)? Read from the environment variables the launchers set, so that
asking does not import mpi4py (nor start MPI) in a plain ``python`` run."""

from __future__ import annotations

import os

# (size, rank) variables: MPICH's hydra and Intel MPI (PMI), Open MPI, PMIx launchers
# (Open MPI 5, Slurm with --mpi=pmix), Slurm's srun (PMI2 / its own)
_SIZE_RANK = (
    ("PMI_SIZE", "PMI_RANK"),
    ("OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_RANK"),
    ("PMIX_SIZE", "PMIX_RANK"),
    ("SLURM_NTASKS", "SLURM_PROCID"),
)

INSTALL_HINT = "pip install 'glassnet[distributed]' (mpi4py, and the MPICH wheel on Linux)"


def launched_world_size() -> int:
    """The number of processes the launcher started (1 when none did)."""
    for size_var, rank_var in _SIZE_RANK:
        size = os.environ.get(size_var)
        if size is not None and rank_var in os.environ:
            try:
                return max(1, int(size))
            except ValueError:
                return 1
    return 1


def launched_rank() -> int:
    """This process's rank as the launcher numbered it (0 when none did)."""
    for size_var, rank_var in _SIZE_RANK:
        if size_var in os.environ and rank_var in os.environ:
            try:
                return int(os.environ[rank_var])
            except ValueError:
                return 0
    return 0


def under_mpi_launcher() -> bool:
    """True when an MPI launcher started more than one process (this among them)."""
    return launched_world_size() > 1


def import_mpi():
    """``mpi4py.MPI`` (which initializes MPI), or an ImportError saying what to install."""
    try:
        from mpi4py import MPI
    except ImportError as exc:
        raise ImportError(
            f"glassnet.distributed needs mpi4py, which is not installed: {INSTALL_HINT}"
        ) from exc
    return MPI
