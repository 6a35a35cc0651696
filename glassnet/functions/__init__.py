"""The public functions (``gn.exp``, ``gn.sum``, ``gn.cat``...) and the Tensor
methods and operators bound to them: argument handling in PyTorch's names,
then one op's ``apply``."""

from . import methods
from .api import *  # noqa: F401,F403

methods.attach()
