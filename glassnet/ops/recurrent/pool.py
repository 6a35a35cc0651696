"""The arrays of a recurrent run (states, saved gates, gradient buffers) come
from this small pool and are reused by later calls once nothing refers to
them, so a training loop does not take fresh memory from the operating
system at every step (which here costs more than the arithmetic)."""

import sys
from collections import OrderedDict

import numpy as np

from ... import alloc


def _unheld_count():
    """What ``sys.getrefcount`` says, in ``_Pool.empty``'s loop, of an array
    that only the pool's list holds (measured, not assumed: interpreters differ)."""
    kept = [alloc.empty(0)]
    for arr in kept:
        return sys.getrefcount(arr)


_UNHELD = _unheld_count()


class _Pool:
    """Arrays kept from call to call, handed out again once nothing else
    refers to them (their reference count says so: an array still used by
    a graph, a view of it or a caller is never handed out). At most ``keep``
    arrays per shape, ``limit`` bytes in all (the least recently used shapes
    go); ``clear()`` lets them all go."""

    def __init__(self, keep=4, limit=256 << 20):
        self.keep, self.limit = keep, limit
        self.arrays = OrderedDict()  # (shape, dtype) -> [arrays]
        self.nbytes = 0

    def clear(self):
        self.arrays.clear()
        self.nbytes = 0

    def empty(self, shape, dtype):
        key = (tuple(shape), np.dtype(dtype))
        kept = self.arrays.pop(key, [])
        self.arrays[key] = kept  # now the most recently used
        for arr in kept:
            if sys.getrefcount(arr) == _UNHELD:  # held by nothing but `kept`
                return arr
        arr = alloc.empty(shape, dtype)
        if len(kept) < self.keep and arr.nbytes <= self.limit // 8:
            kept.append(arr)
            self.nbytes += arr.nbytes
            while self.nbytes > self.limit:
                _, old = self.arrays.popitem(last=False)
                self.nbytes -= sum(a.nbytes for a in old)
        return arr


POOL = _Pool()
