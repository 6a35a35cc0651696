"""Where new arrays come from: ``empty``, ``zeros``, ``ones`` and ``full``,
with NumPy's arguments.

The ops, the tensor factories (``gn.zeros``, ``gn.empty``...), the
optimizers' buffers and the recurrent layers' states make a new array through
these functions, or through NumPy's ``*_like`` functions when it is shaped like an
existing array. Today they are NumPy's; another array library with NumPy's
interface (CuPy, say) would be one change here, not one in every op.
"""

import numpy as np


def empty(shape, dtype=None):
    return np.empty(shape, dtype)


def zeros(shape, dtype=None):
    return np.zeros(shape, dtype)


def ones(shape, dtype=None):
    return np.ones(shape, dtype)


def full(shape, fill_value, dtype=None):
    return np.full(shape, fill_value, dtype)
