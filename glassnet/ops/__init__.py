"""The op library: one file per family of ops (forward and backward on raw
arrays), the public functions in ``api`` and the Tensor methods in ``methods``."""
from . import methods
from .api import *  # noqa: F401,F403

methods.attach()
