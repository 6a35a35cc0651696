"""Seeded randomness. Every random draw in glassnet comes from a
``numpy.random.Generator``; ``manual_seed(n)`` resets the default one so the
same seed gives the same run."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

_default = [np.random.default_rng(0)]


def manual_seed(seed: int) -> np.random.Generator:
    """Seed the default generator (as torch.manual_seed) and return it."""
    _default[0] = np.random.default_rng(int(seed))
    return _default[0]


def default_generator() -> np.random.Generator:
    return _default[0]


def get_generator(generator: np.random.Generator | None = None) -> np.random.Generator:
    """The generator to draw from: the one given, or the default one."""
    if generator is None:
        return _default[0]
    if isinstance(generator, np.random.Generator):
        return generator
    raise TypeError(f"expected a numpy.random.Generator or None, got {type(generator).__name__}")


def get_rng_state() -> Mapping[str, Any]:
    """The default generator's state (a dict), for checkpoints."""
    return _default[0].bit_generator.state


def set_rng_state(state: Mapping[str, Any]) -> None:
    _default[0].bit_generator.state = state
