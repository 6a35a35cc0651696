"""A rank that raises ends the whole job.

When one process of an MPI job dies of an exception, the others wait for it
in their next collective forever. ``install`` sets ``sys.excepthook`` so
that an uncaught exception prints which rank failed and why, then calls
``MPI_Abort``: the launcher ends every process and exits non-zero.
"""

from __future__ import annotations

import sys
import traceback

_installed: list = []  # [the hook we replaced] while ours is in place


def install(comm) -> None:
    """Abort ``comm``'s whole job on an uncaught exception in this process."""
    if _installed:
        return
    previous = sys.excepthook
    rank, size = comm.Get_rank(), comm.Get_size()

    def abort_job(kind, value, tb):
        if issubclass(kind, KeyboardInterrupt):  # Ctrl-C reaches every rank: nothing to end
            previous(kind, value, tb)
            return
        text = "".join(traceback.format_exception(kind, value, tb))
        sys.stderr.write(
            f"glassnet.distributed: rank {rank} of {size} raised an exception; ending the whole "
            f"job (MPI_Abort) so that the other ranks do not wait for it forever:\n{text}"
        )
        sys.stderr.flush()
        sys.stdout.flush()
        comm.Abort(1)

    _installed.append(previous)
    sys.excepthook = abort_job


def uninstall() -> None:
    """Put back the hook that ``install`` replaced."""
    if _installed:
        sys.excepthook = _installed.pop()
