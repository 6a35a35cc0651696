"""Making tensors: ``tensor`` and the factories (zeros, ones, full, arange,
linspace, eye, rand, randn, randint, *_like). Floats default to float32;
random draws come from the seeded generator (``gn.manual_seed``)."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from . import dtypes as backend
from .random import get_generator
from .tensor import Tensor, to_array

if TYPE_CHECKING:
    from .hints import DTypeLike, Size, TensorLike


def _dtype(dtype):
    return backend.get_default_dtype() if dtype is None else np.dtype(dtype)


def _shape(size):
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    return tuple(int(s) for s in size)


def _leaf(array, requires_grad):
    t = Tensor._make(array, False, None)
    if requires_grad:
        t.requires_grad_(True)
    return t


def tensor(data: TensorLike, dtype: DTypeLike | None = None, requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data`` (as torch.tensor)."""
    return _leaf(to_array(data, dtype, copy=True), requires_grad)


def zeros(*size: Size, dtype: DTypeLike | None = None, requires_grad: bool = False) -> Tensor:
    return _leaf(np.zeros(_shape(size), dtype=_dtype(dtype)), requires_grad)


def ones(*size: Size, dtype: DTypeLike | None = None, requires_grad: bool = False) -> Tensor:
    return _leaf(np.ones(_shape(size), dtype=_dtype(dtype)), requires_grad)


def empty(*size: Size, dtype: DTypeLike | None = None, requires_grad: bool = False) -> Tensor:
    return _leaf(np.empty(_shape(size), dtype=_dtype(dtype)), requires_grad)


def full(size: Size, fill_value: float, dtype: DTypeLike | None = None,
         requires_grad: bool = False) -> Tensor:
    if dtype is None and isinstance(fill_value, (bool, int)) and not isinstance(fill_value, float):
        dtype = np.bool_ if isinstance(fill_value, bool) else np.int64
    return _leaf(np.full(_shape((size,)), fill_value, dtype=_dtype(dtype)), requires_grad)


def arange(start: float, end: float | None = None, step: float = 1, dtype: DTypeLike | None = None,
           requires_grad: bool = False) -> Tensor:
    """Values from start (default 0) up to, not including, end."""
    if end is None:
        start, end = 0, start
    if dtype is None:
        all_int = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
        dtype = np.int64 if all_int else backend.get_default_dtype()
    return _leaf(np.arange(start, end, step).astype(dtype), requires_grad)


def linspace(start: float, end: float, steps: int, dtype: DTypeLike | None = None,
             requires_grad: bool = False) -> Tensor:
    return _leaf(np.linspace(start, end, int(steps)).astype(_dtype(dtype)), requires_grad)


def eye(n: int, m: int | None = None, dtype: DTypeLike | None = None,
        requires_grad: bool = False) -> Tensor:
    return _leaf(np.eye(n, m, dtype=_dtype(dtype)), requires_grad)


def rand(*size: Size, dtype: DTypeLike | None = None, requires_grad: bool = False,
         generator: np.random.Generator | None = None) -> Tensor:
    """Uniform on [0, 1)."""
    g = get_generator(generator)
    return _leaf(g.random(_shape(size)).astype(_dtype(dtype)), requires_grad)


def randn(*size: Size, dtype: DTypeLike | None = None, requires_grad: bool = False,
          generator: np.random.Generator | None = None) -> Tensor:
    """Standard normal."""
    g = get_generator(generator)
    return _leaf(g.standard_normal(_shape(size)).astype(_dtype(dtype)), requires_grad)


def randint(low: int, high: int | None = None, size: Size = (), dtype: DTypeLike | None = None,
            generator: np.random.Generator | None = None) -> Tensor:
    """Integers in [low, high) (int64 by default)."""
    if high is None:
        low, high = 0, low
    g = get_generator(generator)
    return _leaf(g.integers(low, high, size=_shape((size,))).astype(dtype or np.int64), False)


def randperm(n: int, generator: np.random.Generator | None = None) -> Tensor:
    return _leaf(get_generator(generator).permutation(int(n)).astype(np.int64), False)


def _like_dtype(x, dtype):
    return x.dtype if dtype is None else np.dtype(dtype)


def zeros_like(x: Tensor, dtype: DTypeLike | None = None, requires_grad: bool = False) -> Tensor:
    return _leaf(np.zeros(x.shape, dtype=_like_dtype(x, dtype)), requires_grad)


def ones_like(x: Tensor, dtype: DTypeLike | None = None, requires_grad: bool = False) -> Tensor:
    return _leaf(np.ones(x.shape, dtype=_like_dtype(x, dtype)), requires_grad)


def empty_like(x: Tensor, dtype: DTypeLike | None = None, requires_grad: bool = False) -> Tensor:
    return _leaf(np.empty(x.shape, dtype=_like_dtype(x, dtype)), requires_grad)


def full_like(x: Tensor, fill_value: float, dtype: DTypeLike | None = None,
              requires_grad: bool = False) -> Tensor:
    return _leaf(np.full(x.shape, fill_value, dtype=_like_dtype(x, dtype)), requires_grad)


def rand_like(x: Tensor, dtype: DTypeLike | None = None, requires_grad: bool = False,
              generator: np.random.Generator | None = None) -> Tensor:
    return rand(*x.shape, dtype=_like_dtype(x, dtype), requires_grad=requires_grad,
                generator=generator)


def randn_like(x: Tensor, dtype: DTypeLike | None = None, requires_grad: bool = False,
               generator: np.random.Generator | None = None) -> Tensor:
    return randn(*x.shape, dtype=_like_dtype(x, dtype), requires_grad=requires_grad,
                 generator=generator)
