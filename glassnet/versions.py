"""Noticing in-place changes to arrays that backward still needs.

One clock orders everything: each recorded graph node takes a tick
(``Node.seq``) and so does each in-place change. ``bump`` notes the change
of a tensor: its ``_version`` counter moves on (as ``torch.Tensor._version``)
and its array is stamped with the time. Backward compares the stamps of a
node's saved arrays with the node's own time: an array changed after the node
was recorded makes its gradient wrong, and that is an error.

Recording costs nothing per input, and backward skips the check entirely
while nothing has changed since the oldest node of the graph was recorded
(the usual forward → backward → optimizer step order).
"""

import itertools
import weakref

import numpy as np

clock = itertools.count(1)
changed: dict[
    int, int
] = {}  # id(array) -> clock time of its latest in-place change (while it lives)
latest = 0  # clock time of the latest in-place change of any array


def bump(*tensors, array=None):
    """Note that ``tensors`` were just changed in place (their arrays, or
    ``array``: the old array a tensor had before its array was replaced).

    A ``.data`` alias (``_tracked`` False) only counts its own version, as in
    PyTorch: changes made through it are invisible to backward."""
    global latest
    latest = next(clock)
    for t in tensors:
        t._version += 1
        if t._tracked:
            _stamp(t._data if array is None else array, latest)


def stamp(array):
    """Note that ``array`` changed for every node recorded so far (a tensor's
    old array, after its ``.data`` was replaced), without counting a version."""
    global latest
    latest = next(clock)
    _stamp(array, latest)


def _stamp(a, now):
    key = id(a)
    if key not in changed:  # forget the stamp when the array dies (its id is reused)
        weakref.finalize(a, changed.pop, key, None)
    changed[key] = now


def changed_since(arrays, time):
    """True when one of ``arrays`` (ndarrays, or tensors: their arrays) was
    changed in place after clock time ``time``."""
    for a in arrays:
        if not isinstance(a, np.ndarray):
            a = getattr(a, "_data", a)  # a Tensor saved by a user Function
        if changed.get(id(a), 0) > time:
            return True
    return False
