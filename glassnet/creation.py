"""Making tensors: ``tensor`` and the factories (zeros, ones, full, arange,
linspace, eye, rand, randn, randint, *_like). Floats default to float32;
random draws come from the seeded generator (``gn.manual_seed``). Each
takes PyTorch's ``device=``: "cpu" (or None), the only device glassnet has;
another raises ``DeviceError``."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from . import alloc, dtypes
from .devices import as_device
from .random import get_generator
from .tensor import Size as ShapeSize
from .tensor import Tensor, to_array

if TYPE_CHECKING:
    from .devices import device as Device
    from .hints import DTypeLike, Size, TensorLike

    DeviceLike = Device | str | None


def _dtype(dtype):
    return dtypes.get_default_dtype() if dtype is None else np.dtype(dtype)


def _shape(size):
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    return tuple(int(s) for s in size)


def _leaf(array, requires_grad):
    t = Tensor._make(array, False, None)
    if requires_grad:
        t.requires_grad_(True)
    return t


def tensor(
    data: TensorLike,
    dtype: DTypeLike | None = None,
    device: DeviceLike = None,
    requires_grad: bool = False,
) -> Tensor:
    """A new tensor holding a copy of ``data`` (as torch.tensor)."""
    as_device(device, "tensor")
    return _leaf(to_array(data, dtype, copy=True), requires_grad)


def zeros(
    *size: Size,
    dtype: DTypeLike | None = None,
    device: DeviceLike = None,
    requires_grad: bool = False,
) -> Tensor:
    as_device(device, "zeros")
    return _leaf(alloc.zeros(_shape(size), dtype=_dtype(dtype)), requires_grad)


def ones(
    *size: Size,
    dtype: DTypeLike | None = None,
    device: DeviceLike = None,
    requires_grad: bool = False,
) -> Tensor:
    as_device(device, "ones")
    return _leaf(alloc.ones(_shape(size), dtype=_dtype(dtype)), requires_grad)


def empty(
    *size: Size,
    dtype: DTypeLike | None = None,
    device: DeviceLike = None,
    requires_grad: bool = False,
) -> Tensor:
    as_device(device, "empty")
    return _leaf(alloc.empty(_shape(size), dtype=_dtype(dtype)), requires_grad)


def full(
    size: Size,
    fill_value: float,
    dtype: DTypeLike | None = None,
    device: DeviceLike = None,
    requires_grad: bool = False,
) -> Tensor:
    as_device(device, "full")
    if dtype is None and isinstance(fill_value, (bool, int)) and not isinstance(fill_value, float):
        dtype = np.bool_ if isinstance(fill_value, bool) else np.int64
    return _leaf(alloc.full(_shape((size,)), fill_value, dtype=_dtype(dtype)), requires_grad)


def arange(
    start: float,
    end: float | None = None,
    step: float = 1,
    dtype: DTypeLike | None = None,
    device: DeviceLike = None,
    requires_grad: bool = False,
) -> Tensor:
    """Values from start (default 0) up to, not including, end."""
    as_device(device, "arange")
    if end is None:
        start, end = 0, start
    if dtype is None:
        all_int = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
        dtype = np.int64 if all_int else dtypes.get_default_dtype()
    return _leaf(np.arange(start, end, step).astype(dtype), requires_grad)


def linspace(
    start: float,
    end: float,
    steps: int,
    dtype: DTypeLike | None = None,
    device: DeviceLike = None,
    requires_grad: bool = False,
) -> Tensor:
    as_device(device, "linspace")
    return _leaf(np.linspace(start, end, int(steps)).astype(_dtype(dtype)), requires_grad)


def eye(
    n: int,
    m: int | None = None,
    dtype: DTypeLike | None = None,
    device: DeviceLike = None,
    requires_grad: bool = False,
) -> Tensor:
    as_device(device, "eye")
    return _leaf(np.eye(n, m, dtype=_dtype(dtype)), requires_grad)


def rand(
    *size: Size,
    dtype: DTypeLike | None = None,
    device: DeviceLike = None,
    requires_grad: bool = False,
    generator: np.random.Generator | None = None,
) -> Tensor:
    """Uniform on [0, 1)."""
    as_device(device, "rand")
    g = get_generator(generator)
    return _leaf(g.random(_shape(size)).astype(_dtype(dtype)), requires_grad)


def randn(
    *size: Size,
    dtype: DTypeLike | None = None,
    device: DeviceLike = None,
    requires_grad: bool = False,
    generator: np.random.Generator | None = None,
) -> Tensor:
    """Standard normal."""
    as_device(device, "randn")
    g = get_generator(generator)
    return _leaf(g.standard_normal(_shape(size)).astype(_dtype(dtype)), requires_grad)


def randint(
    low: int,
    high: int | None = None,
    size: Size = (),
    dtype: DTypeLike | None = None,
    generator: np.random.Generator | None = None,
    device: DeviceLike = None,
) -> Tensor:
    """Integers in [low, high) (int64 by default)."""
    as_device(device, "randint")
    if high is None:
        low, high = 0, low
    g = get_generator(generator)
    return _leaf(g.integers(low, high, size=_shape((size,))).astype(dtype or np.int64), False)


def randperm(
    n: int, generator: np.random.Generator | None = None, device: DeviceLike = None
) -> Tensor:
    as_device(device, "randperm")
    return _leaf(get_generator(generator).permutation(int(n)).astype(np.int64), False)


def _like_dtype(x, dtype):
    return x.dtype if dtype is None else np.dtype(dtype)


def zeros_like(
    x: Tensor,
    dtype: DTypeLike | None = None,
    device: DeviceLike = None,
    requires_grad: bool = False,
) -> Tensor:
    as_device(device, "zeros_like")
    return _leaf(alloc.zeros(x.shape, dtype=_like_dtype(x, dtype)), requires_grad)


def ones_like(
    x: Tensor,
    dtype: DTypeLike | None = None,
    device: DeviceLike = None,
    requires_grad: bool = False,
) -> Tensor:
    as_device(device, "ones_like")
    return _leaf(alloc.ones(x.shape, dtype=_like_dtype(x, dtype)), requires_grad)


def empty_like(
    x: Tensor,
    dtype: DTypeLike | None = None,
    device: DeviceLike = None,
    requires_grad: bool = False,
) -> Tensor:
    as_device(device, "empty_like")
    return _leaf(alloc.empty(x.shape, dtype=_like_dtype(x, dtype)), requires_grad)


def full_like(
    x: Tensor,
    fill_value: float,
    dtype: DTypeLike | None = None,
    device: DeviceLike = None,
    requires_grad: bool = False,
) -> Tensor:
    as_device(device, "full_like")
    return _leaf(alloc.full(x.shape, fill_value, dtype=_like_dtype(x, dtype)), requires_grad)


def rand_like(
    x: Tensor,
    dtype: DTypeLike | None = None,
    device: DeviceLike = None,
    requires_grad: bool = False,
    generator: np.random.Generator | None = None,
) -> Tensor:
    as_device(device, "rand_like")
    return rand(
        *x.shape, dtype=_like_dtype(x, dtype), requires_grad=requires_grad, generator=generator
    )


def randn_like(
    x: Tensor,
    dtype: DTypeLike | None = None,
    device: DeviceLike = None,
    requires_grad: bool = False,
    generator: np.random.Generator | None = None,
) -> Tensor:
    as_device(device, "randn_like")
    return randn(
        *x.shape, dtype=_like_dtype(x, dtype), requires_grad=requires_grad, generator=generator
    )


# ---- the legacy typed constructors: gn.FloatTensor(...), gn.LongTensor(...) -----------
class _LegacyTensorType(type):
    """The metaclass of ``FloatTensor`` & co.: calling one makes a Tensor of its
    dtype, and ``isinstance(t, gn.FloatTensor)`` asks whether ``t`` is a
    float32 Tensor (as in PyTorch)."""

    dtype: np.dtype

    def __call__(cls, *args: TensorLike | Size, device: DeviceLike = None) -> Tensor:
        """``FloatTensor(2, 3)`` or ``FloatTensor(gn.Size([2, 3]))``: that shape,
        uninitialized; ``FloatTensor([1, 2])`` (a list, tuple, array or a
        Tensor of the same dtype): that data; ``FloatTensor()``: shape (0,)."""
        as_device(device, cls.__name__)
        if not args:
            return _leaf(alloc.empty((0,), cls.dtype), False)
        sizes = args[0] if len(args) == 1 and isinstance(args[0], ShapeSize) else args
        if all(isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in sizes):
            return _leaf(alloc.empty(_shape(sizes), cls.dtype), False)
        if len(args) > 1:
            raise TypeError(
                f"{cls.__name__}: expected sizes (ints) or one sequence of data, "
                f"got {len(args)} arguments"
            )
        data = args[0]
        if isinstance(data, Tensor):
            if data.dtype != cls.dtype:
                raise TypeError(
                    f"{cls.__name__}: expected a tensor of dtype {cls.dtype}, got "
                    f"{data.dtype}; use .to({cls.dtype}) to convert it"
                )
            return data
        return _leaf(to_array(data, cls.dtype, copy=True), False)

    def __instancecheck__(cls, obj: object) -> bool:
        return isinstance(obj, Tensor) and obj.dtype == cls.dtype

    def __repr__(cls) -> str:
        return f"<class 'glassnet.{cls.__name__}'>"


def _legacy(name: str, dtype: np.dtype) -> _LegacyTensorType:
    doc = f"A {dtype} Tensor (PyTorch's legacy constructor): see ``_LegacyTensorType.__call__``."
    return _LegacyTensorType(name, (), {"dtype": dtype, "__doc__": doc, "__slots__": ()})


FloatTensor = _legacy("FloatTensor", dtypes.float32)
DoubleTensor = _legacy("DoubleTensor", dtypes.float64)
HalfTensor = _legacy("HalfTensor", dtypes.float16)
LongTensor = _legacy("LongTensor", dtypes.int64)
IntTensor = _legacy("IntTensor", dtypes.int32)
ShortTensor = _legacy("ShortTensor", dtypes.int16)
CharTensor = _legacy("CharTensor", dtypes.int8)
ByteTensor = _legacy("ByteTensor", dtypes.uint8)
BoolTensor = _legacy("BoolTensor", dtypes.bool_)
LEGACY_TYPES = (
    FloatTensor,
    DoubleTensor,
    HalfTensor,
    LongTensor,
    IntTensor,
    ShortTensor,
    CharTensor,
    ByteTensor,
    BoolTensor,
)
