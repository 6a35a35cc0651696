"""Tensor methods and Python operators, bound to the functions in ``api``,
and the in-place methods (``add_``, ``x[i] = v``, ``+=``...).

In-place changes follow PyTorch: on a leaf that requires grad they are an
error unless grad mode is off (``with gn.no_grad():``, as optimizers do);
on a tensor inside the graph they are recorded as a new op, and the version
counter makes any backward that saved the old value raise instead of
silently using the new one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .. import creation, versions
from ..devices import as_device, to_args
from ..errors import GraphError, ShapeError, describe
from ..grad_mode import state
from ..random import get_generator
from ..tensor import Tensor
from . import api, display, dlpack, shape

if TYPE_CHECKING:
    from collections.abc import Callable


def _swap(fn):
    return lambda self, other: fn(other, self)


def _inplace(t, name, graph_fn, array_fn, operands=()):
    """Apply an in-place change to ``t``.

    graph_fn(old) -> Tensor: the out-of-place result, used when the change
    must be recorded; array_fn(array): does it in place on the ndarray.
    """
    recording = state.enabled and (
        t.requires_grad or any(isinstance(o, Tensor) and o.requires_grad for o in operands)
    )
    if recording:
        if t.grad_fn is None and t.requires_grad:
            raise GraphError(
                f"{name}: a leaf tensor that requires grad (shape {t.shape}) cannot be changed "
                "in place while gradients are recorded; do it inside `with gn.no_grad():` "
                "(as an optimizer step does) or use the out-of-place form"
            )
        old = Tensor._make(t._data, t.requires_grad, t.grad_fn)
        # the old array stays intact, but for the nodes recorded so far (as in PyTorch) the
        # tensor changed; noted before the new op is recorded, which may save the old array
        versions.bump(t, array=old._data)
        result = graph_fn(old)
        if result.shape != t.shape:
            raise ShapeError(
                f"{name}: the result has shape {result.shape}, but the tensor "
                f"changed in place has shape {t.shape}"
            )
        t._data = result._data
        t.grad_fn = result.grad_fn
        t.requires_grad = True
    else:
        if not t._data.flags.writeable:
            raise ValueError(
                f"{name}: this tensor {describe(t._data)} is read-only (a view made by "
                "expand/broadcasting, or memory shared read-only through DLPack); "
                ".clone() it before changing it"
            )
        try:
            array_fn(t._data)
        except ValueError as exc:
            raise ShapeError(
                f"{name}: cannot apply to a tensor of shape {t.shape}: {exc}"
            ) from None
        except TypeError as exc:
            raise TypeError(
                f"{name}: cannot write the result into a {t.dtype} tensor: {exc}"
            ) from None
        versions.bump(t)
    return t


def _raw(x):
    return x._data if isinstance(x, Tensor) else x


def _binary_inplace(name, fn, ufunc):
    def method(self, other):
        return _inplace(
            self,
            name,
            lambda old: fn(old, other),
            lambda a: ufunc(a, _raw(other), out=a, casting="same_kind"),
            (other,),
        )

    method.__name__ = name
    method.__doc__ = f"In-place {fn.__name__}: self = {fn.__name__}(self, other)."
    return method


def _scaled_inplace(name, fn, ufunc):
    """``add_`` / ``sub_`` with PyTorch's ``alpha``: self = self ± alpha·other."""
    plain = _binary_inplace(name, fn, ufunc)

    def method(self, other, *, alpha=1):
        if alpha == 1:
            return plain(self, other)
        if isinstance(other, Tensor):
            scaled = api.mul(other, alpha)
        elif isinstance(other, (int, float)):
            scaled = other * alpha  # a Python number stays weak: float32 stays float32
        else:
            scaled = np.multiply(other, alpha)
        return plain(self, scaled)

    method.__name__ = name
    method.__doc__ = f"In-place {fn.__name__}: self = {fn.__name__}(self, alpha·other)."
    return method


def _setitem(self, idx, value):
    raw_idx = shape._index_arg(idx)

    def write(a):
        a[raw_idx] = _raw(value)

    return _inplace(self, "setitem", lambda old: api.index_put(old, idx, value), write, (value,))


def _fill_(self, value):
    return _setitem(self, Ellipsis, value)


def _zero_(self):
    return _setitem(self, Ellipsis, 0)


def _copy_(self, src):
    return _setitem(self, Ellipsis, src)


def _clamp_(self, min=None, max=None):
    return _inplace(
        self, "clamp_", lambda old: api.clamp(old, min, max), lambda a: np.clip(a, min, max, out=a)
    )


def _random_fill(name, draw):
    def method(self, *args, generator=None, **kwargs):
        if state.enabled and self.requires_grad:
            raise GraphError(
                f"{name}: cannot refill a tensor that requires grad while "
                "gradients are recorded; use `with gn.no_grad():` (as nn.init does)"
            )
        values = draw(get_generator(generator), self.shape, *args, **kwargs)
        self._data[...] = values
        versions.bump(self)
        return self

    method.__name__ = name
    return method


def _to(self, *args, **kwargs):
    """``.to(dtype)``, ``.to(device)``, ``.to(device, dtype)``, ``.to(other)``
    (its dtype), keywords ``device``, ``dtype``, ``non_blocking``, ``copy``: as
    PyTorch. The device must be the CPU; the tensor itself comes back when
    nothing changes (unless ``copy=True``)."""
    dtype, copy = to_args(args, kwargs, "Tensor.to")
    out = self if dtype is None else api.to_dtype(self, dtype)
    return api.clone(out) if copy and out is self else out


def _cpu(self, memory_format=None):
    return self


def _cuda(self, device=None, non_blocking=False, memory_format=None):
    """Raises ``DeviceError``: glassnet runs on the CPU only."""
    as_device("cuda" if device is None or isinstance(device, int) else device, "Tensor.cuda")
    return self


def _type_name(dtype):
    """'glassnet.FloatTensor' for float32 (PyTorch: 'torch.FloatTensor')."""
    for legacy in creation.LEGACY_TYPES:
        if legacy.dtype == dtype:
            return f"glassnet.{legacy.__name__}"
    return f"glassnet.{dtype}"


def _type(self, dtype=None, non_blocking=False):
    """``.type()``: the type's name ('glassnet.FloatTensor'); ``.type(dtype)``,
    ``.type(gn.LongTensor)`` or ``.type('torch.LongTensor')``: a cast."""
    if dtype is None:
        return _type_name(self.dtype)
    if isinstance(dtype, str) and dtype.partition(".")[0] in ("torch", "glassnet"):
        name = dtype.partition(".")[2]
        found = [t for t in creation.LEGACY_TYPES if t.__name__ == name]
        if not found:
            raise TypeError(
                f"type: unknown tensor type {dtype!r}; expected one of "
                f"{', '.join(t.__name__ for t in creation.LEGACY_TYPES)}"
            )
        dtype = found[0]
    return api.to_dtype(self, getattr(dtype, "dtype", dtype))


def _cast(dtype):
    def method(self, memory_format=None):
        return api.to_dtype(self, dtype)

    method.__name__ = np.dtype(dtype).name
    method.__doc__ = f"This tensor as {np.dtype(dtype)} (itself if it already is)."
    return method


def _new(make):
    """``self.new_zeros(size)`` & co.: a new tensor with ``self``'s dtype unless
    ``dtype`` is given (and ``self``'s device, the CPU)."""

    def method(self, *args, dtype=None, device=None, requires_grad=False, **kwargs):
        as_device(device, f"new_{make.__name__}")
        kwargs.pop("layout", None)
        kwargs.pop("pin_memory", None)
        return make(
            *args,
            dtype=self.dtype if dtype is None else dtype,
            requires_grad=requires_grad,
            **kwargs,
        )

    method.__name__ = f"new_{make.__name__}"
    return method


def _new_full(size, fill_value, dtype=None, requires_grad=False):
    return creation.full(size, fill_value, dtype=dtype, requires_grad=requires_grad)


def _new_tensor(data, dtype=None, requires_grad=False):
    return creation.tensor(data, dtype=dtype, requires_grad=requires_grad)


_new_full.__name__, _new_tensor.__name__ = "full", "tensor"


METHODS = {
    # arithmetic and operators
    "add": api.add,
    "sub": api.sub,
    "mul": api.mul,
    "div": api.div,
    "neg": api.neg,
    "pow": api.pow,
    "maximum": api.maximum,
    "minimum": api.minimum,
    "square": api.square,
    "__add__": api.add,
    "__radd__": _swap(api.add),
    "__sub__": api.sub,
    "__rsub__": _swap(api.sub),
    "__mul__": api.mul,
    "__rmul__": _swap(api.mul),
    "__truediv__": api.div,
    "__rtruediv__": _swap(api.div),
    "__neg__": api.neg,
    "__pow__": api.pow,
    "__rpow__": _swap(api.pow),
    "__matmul__": api.matmul,
    "__rmatmul__": _swap(api.matmul),
    "__abs__": api.abs,
    "__pos__": lambda self: self,
    "__eq__": api.eq,
    "__ne__": api.ne,
    "__lt__": api.lt,
    "__le__": api.le,
    "__gt__": api.gt,
    "__ge__": api.ge,
    "__getitem__": api.getitem,
    "__setitem__": _setitem,
    "__invert__": lambda self: Tensor._make(
        np.logical_not(self._data) if self.dtype == np.bool_ else ~self._data, False, None
    ),
    "__and__": lambda self, o: Tensor._make(self._data & _raw(o), False, None),
    "__or__": lambda self, o: Tensor._make(self._data | _raw(o), False, None),
    "eq": api.eq,
    "ne": api.ne,
    "lt": api.lt,
    "le": api.le,
    "gt": api.gt,
    "ge": api.ge,
    "isclose": api.isclose,
    "allclose": api.allclose,
    "equal": api.equal,
    # elementwise
    "exp": api.exp,
    "log": api.log,
    "sqrt": api.sqrt,
    "abs": api.abs,
    "sin": api.sin,
    "cos": api.cos,
    "tanh": api.tanh,
    "sigmoid": api.sigmoid,
    "relu": api.relu,
    "clamp": api.clamp,
    "clip": api.clamp,
    "masked_fill": api.masked_fill,
    "clone": api.clone,
    "where": lambda self, cond, other: api.where(cond, self, other),
    # reductions
    "sum": api.sum,
    "mean": api.mean,
    "var": api.var,
    "std": api.std,
    "max": api.max,
    "min": api.min,
    "amax": api.amax,
    "amin": api.amin,
    "logsumexp": api.logsumexp,
    "softmax": api.softmax,
    "log_softmax": api.log_softmax,
    "argmax": api.argmax,
    "argmin": api.argmin,
    "all": api.all,
    "any": api.any,
    # linear algebra and shape
    "matmul": api.matmul,
    "mm": api.mm,
    "reshape": api.reshape,
    "view": api.view,
    "flatten": api.flatten,
    "permute": api.permute,
    "transpose": api.transpose,
    "swapaxes": api.transpose,
    "t": api.t,
    "squeeze": api.squeeze,
    "unsqueeze": api.unsqueeze,
    "expand": api.expand,
    "expand_as": api.expand_as,
    "split": api.split,
    "chunk": api.chunk,
    "gather": api.gather,
    "index_select": api.index_select,
    "view_as": lambda self, other: api.reshape(self, other.shape),
    "reshape_as": lambda self, other: api.reshape(self, other.shape),
    "contiguous": lambda self: self,
    "narrow": api.narrow,
    "topk": api.topk,
    "roll": api.roll,
    # devices and dtypes
    "cpu": _cpu,
    "cuda": _cuda,
    "to": _to,
    "type": _type,
    "float": _cast(np.float32),
    "double": _cast(np.float64),
    "half": _cast(np.float16),
    "long": _cast(np.int64),
    "int": _cast(np.int32),
    "short": _cast(np.int16),
    "char": _cast(np.int8),
    "byte": _cast(np.uint8),
    "bool": _cast(np.bool_),
    "new_zeros": _new(creation.zeros),
    "new_ones": _new(creation.ones),
    "new_empty": _new(creation.empty),
    "new_full": _new(_new_full),
    "new_tensor": _new(_new_tensor),
    "is_floating_point": api.is_floating_point,
    # DLPack: the array shared with PyTorch, NumPy... (functions/dlpack.py)
    "__dlpack__": dlpack.tensor_dlpack,
    "__dlpack_device__": dlpack.tensor_dlpack_device,
    # in place
    "add_": _scaled_inplace("add_", api.add, np.add),
    "sub_": _scaled_inplace("sub_", api.sub, np.subtract),
    "mul_": _binary_inplace("mul_", api.mul, np.multiply),
    "div_": _binary_inplace("div_", api.div, np.true_divide),
    "__iadd__": _binary_inplace("__iadd__", api.add, np.add),
    "__isub__": _binary_inplace("__isub__", api.sub, np.subtract),
    "__imul__": _binary_inplace("__imul__", api.mul, np.multiply),
    "__itruediv__": _binary_inplace("__itruediv__", api.div, np.true_divide),
    "fill_": _fill_,
    "zero_": _zero_,
    "copy_": _copy_,
    "clamp_": _clamp_,
    "normal_": _random_fill(
        "normal_", lambda g, shape, mean=0.0, std=1.0: g.normal(mean, std, shape)
    ),
    "uniform_": _random_fill("uniform_", lambda g, shape, a=0.0, b=1.0: g.uniform(a, b, shape)),
}


_UFUNCS: dict[np.ufunc, Callable[..., Tensor]] = {
    np.add: api.add,
    np.subtract: api.sub,
    np.multiply: api.mul,
    np.true_divide: api.div,
    np.power: api.pow,
    np.negative: api.neg,
    np.exp: api.exp,
    np.log: api.log,
    np.sqrt: api.sqrt,
    np.absolute: api.abs,
    np.sin: api.sin,
    np.cos: api.cos,
    np.tanh: api.tanh,
    np.maximum: api.maximum,
    np.minimum: api.minimum,
    np.matmul: api.matmul,
    np.equal: api.eq,
    np.not_equal: api.ne,
    np.less: api.lt,
    np.less_equal: api.le,
    np.greater: api.gt,
    np.greater_equal: api.ge,
}


def _array_ufunc(self, ufunc, method, *inputs, **kwargs):
    """NumPy ufuncs on tensors (``np.exp(t)``, ``np.float64(2) * t``) run the
    glassnet op, so they are recorded and keep float32; any other ufunc use
    works on the raw arrays and returns an ndarray."""
    if method == "__call__" and not kwargs and ufunc in _UFUNCS:
        return _UFUNCS[ufunc](*inputs)
    args = [i._data if isinstance(i, Tensor) else i for i in inputs]
    return getattr(ufunc, method)(*args, **kwargs)


def attach() -> None:
    # (mypy knows these from the declarations in Tensor's TYPE_CHECKING block)
    Tensor.__array_ufunc__ = _array_ufunc  # type: ignore[method-assign]
    Tensor._repr_html_ = display.tensor_html  # type: ignore[attr-defined]
    for name, fn in METHODS.items():
        setattr(Tensor, name, fn)
    Tensor.T = property(  # type: ignore[method-assign,assignment]
        lambda self: api.permute(self, *reversed(range(self.ndim))) if self.ndim > 1 else self
    )
    Tensor.mT = property(lambda self: api.transpose(self, -2, -1))  # type: ignore[method-assign,assignment]
