"""Every public function in one namespace (``gn.exp``, ``gn.sum``,
``gn.cat``...; ``from glassnet.functions import api`` inside the package):
``math`` has the arithmetic, elementwise functions, reductions and matrix
products, ``shape`` what moves, selects or compares elements."""

from .math import *  # noqa: F401,F403
from .math import MinMax, TopK  # noqa: F401
from .shape import *  # noqa: F401,F403
