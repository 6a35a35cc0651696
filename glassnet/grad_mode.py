"""Whether operations record the graph: ``no_grad``, ``enable_grad``,
``set_grad_enabled`` (context managers and decorators, as in PyTorch), and
the anomaly-detection switch."""

from __future__ import annotations

import functools
import threading
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

if TYPE_CHECKING:
    from collections.abc import Callable

    from typing_extensions import Self

    F = TypeVar("F", bound=Callable[..., Any])


class _State(threading.local):
    """Grad mode and anomaly mode, per thread (as in PyTorch): a ``no_grad``
    block in one thread does not stop another thread's graph."""

    def __init__(self):
        self.enabled = True
        self.anomaly = False


state = _State()


def is_grad_enabled() -> bool:
    return state.enabled


def is_anomaly_enabled() -> bool:
    return state.anomaly


class _GradSwitch:
    """Sets grad mode inside a ``with`` block or a decorated function, and
    restores the previous mode after."""

    def __init__(self, mode: bool) -> None:
        self._mode = bool(mode)
        self._prev: list[bool] = []

    def __enter__(self) -> Self:
        self._prev.append(state.enabled)
        state.enabled = self._mode
        return self

    def __exit__(self, *exc: object) -> Literal[False]:
        state.enabled = self._prev.pop()
        return False

    def __call__(self, fn: F) -> F:
        mode = self._mode

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            prev = state.enabled
            state.enabled = mode
            try:
                return fn(*args, **kwargs)
            finally:
                state.enabled = prev

        return cast("F", wrapper)


class no_grad(_GradSwitch):
    """Operations inside build no graph: their results have requires_grad=False.
    Use as ``with gn.no_grad():``, ``@gn.no_grad()`` or ``@gn.no_grad``."""

    def __new__(cls, fn=None):
        if fn is not None:
            return cls()(fn)
        return super().__new__(cls)

    def __init__(self, fn=None):
        super().__init__(False)


class enable_grad(_GradSwitch):
    """Turn graph recording back on inside a ``no_grad`` block."""

    def __new__(cls, fn=None):
        if fn is not None:
            return cls()(fn)
        return super().__new__(cls)

    def __init__(self, fn=None):
        super().__init__(True)


class set_grad_enabled(_GradSwitch):
    """``set_grad_enabled(False)`` switches recording off at once (as a plain
    call) or for a ``with`` block, restoring the previous mode on exit."""

    def __init__(self, mode):
        super().__init__(mode)
        self._prev.append(state.enabled)
        state.enabled = self._mode

    def __enter__(self):
        return self


class detect_anomaly:
    """While active, a NaN or Inf produced by an op's forward or backward
    raises an AnomalyError naming the op."""

    def __init__(self, check_nan: bool = True) -> None:
        self.check = bool(check_nan)
        self._prev: list[bool] = []

    def __enter__(self) -> Self:
        self._prev.append(state.anomaly)
        state.anomaly = self.check
        return self

    def __exit__(self, *exc: object) -> Literal[False]:
        state.anomaly = self._prev.pop()
        return False

    def __call__(self, fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with detect_anomaly(self.check):
                return fn(*args, **kwargs)

        return cast("F", wrapper)
