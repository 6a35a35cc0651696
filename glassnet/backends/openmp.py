"""GNU OpenMP and ``os.fork``: MKL (on GNU OpenMP, see ``blas``) and oneDNN
run their threads in libgomp's pool, and a child made by ``os.fork`` after
that pool started inherits the pool without its threads: its next parallel
region waits for them for ever (a DataLoader or multiprocessing worker that
multiplies a matrix would hang). So once a library on GNU OpenMP is loaded
(``started()``), a forked child turns every such library off (``forked`` is
True there): NumPy does its products (its OpenBLAS re-creates its threads
after a fork) and glassnet's own steps its layers.
"""

import os
from collections.abc import Callable

loaded = False  # has this process loaded a library that runs on GNU OpenMP?
forked = False  # is this a child forked after that (no GNU OpenMP here)?
_on_fork: list[Callable[[], None]] = []  # what each back end does in such a child


def started(on_fork):
    """A back end loaded a library on GNU OpenMP; ``on_fork()`` turns it off in a forked child."""
    global loaded
    loaded = True
    _on_fork.append(on_fork)


def _after_fork_in_child():
    global forked
    if loaded:
        forked = True
        for turn_off in _on_fork:
            turn_off()


os.register_at_fork(after_in_child=_after_fork_in_child)
