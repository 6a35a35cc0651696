"""Special functions NumPy lacks: erf (for the exact GELU).

SciPy's erf is used when SciPy is installed; otherwise the standard
library's ``math.erf`` is applied element by element (exact, slower).
"""
import math

import numpy as np

try:  # optional speed-up; glassnet's only required dependency is NumPy
    from scipy.special import erf as _scipy_erf
except ImportError:  # pragma: no cover - depends on the environment
    _scipy_erf = None

_math_erf = np.frompyfunc(math.erf, 1, 1)


def erf(x):
    if _scipy_erf is not None:
        return _scipy_erf(x).astype(x.dtype, copy=False)
    return _math_erf(x).astype(x.dtype)
