"""Tensor: an ndarray (``.data``), its gradient (``.grad``), whether it
requires one, and the node of the graph that made it (``.grad_fn``).

The arithmetic, reductions, shape ops and the rest are attached as methods
by ``glassnet.ops`` (so this file holds only what every tensor is).
"""
from __future__ import annotations

import builtins
import weakref
from typing import TYPE_CHECKING, Any, overload

import numpy as np

from . import dtypes as backend
from .devices import CPU
from .errors import DTypeError
from .grad_mode import state

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

    from .autograd import Node
    from .devices import device as Device
    from .functions import api as _api
    from .hints import DTypeLike, TensorLike


def to_array(data: TensorLike, dtype: DTypeLike | None = None, copy: bool = False) -> np.ndarray:
    """Turn ``data`` (Tensor, ndarray, list, number) into an ndarray.

    Python floats become the default float dtype (float32), Python ints
    int64 and bools bool, as in PyTorch; an ndarray keeps its dtype unless
    ``dtype`` is given.
    """
    if isinstance(data, Tensor):
        arr = data.data
    elif isinstance(data, np.ndarray):
        arr = data
        if arr.dtype.kind in "OUSV":
            raise DTypeError(f"tensor: expected an array of numbers (floats, ints or bools), "
                             f"got an ndarray of dtype {arr.dtype}; convert it first, e.g. "
                             "arr.astype(np.float32)")
    else:
        try:
            arr = np.asarray(data)
        except ValueError as exc:
            raise ValueError(f"tensor: cannot make an array of {type(data).__name__} data: {exc}") from None
        if arr.dtype.kind == "f" and dtype is None and not isinstance(data, np.generic):
            arr = arr.astype(backend.get_default_dtype())
        elif arr.dtype.kind in "OUSV":
            raise DTypeError(
                f"tensor: expected numbers (floats, ints or bools), got data of dtype {arr.dtype}")
        copy = False
    if dtype is not None:
        dtype = np.dtype(dtype)
        if arr.dtype != dtype:
            return arr.astype(dtype)
    if copy:
        return arr.copy()
    return arr


class Size(tuple):
    """A shape, as ``torch.Size``: a tuple of ints that prints as
    ``glassnet.Size([2, 3])`` and knows its ``numel()``. (In an f-string or
    ``format()`` it reads as the tuple, ``(2, 3)``, as glassnet's error
    messages show shapes; PyTorch's shows ``torch.Size([2, 3])`` there too.)"""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"glassnet.Size({list(self)})"

    def __format__(self, spec: str) -> str:
        return format(tuple(self).__repr__(), spec)

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, i):
        out = tuple.__getitem__(self, i)
        return Size(out) if isinstance(i, slice) else out

    def __add__(self, other: tuple) -> Size:
        return Size(tuple.__add__(self, tuple(other)))


class Tensor:
    """An n-dimensional array that can record how it was made.

    Differences from PyTorch: ``.data`` is a NumPy array (not a Tensor),
    ``.dtype`` is a NumPy dtype and ``.shape`` a plain tuple.
    """

    __slots__ = ("data", "grad", "requires_grad", "grad_fn", "_version", "__dict__",
                 "__weakref__")
    data: np.ndarray
    grad: Tensor | None
    requires_grad: bool
    grad_fn: Node | None

    # rarely set, so class-level defaults (an instance that sets one gets its own)
    _hooks: list[Callable[[Tensor], Tensor | None]] | None = None  # hooks on a leaf's gradient
    _retains_grad = False  # a non-leaf that keeps its .grad
    name: str | None = None
    __array_priority__ = 1000  # ndarray (op) Tensor defers to Tensor's reflected ops

    def __init__(self, data: TensorLike, dtype: DTypeLike | None = None,
                 requires_grad: bool = False, name: str | None = None) -> None:
        self.data = to_array(data, dtype)
        self.grad = None
        self.grad_fn = None
        self._version = 0
        if name is not None:
            self.name = name
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    @classmethod
    def _make(cls, array, requires_grad, node):
        """Fast constructor used by ops: no checks, no copy."""
        t = object.__new__(Tensor)
        t.data = array
        t.grad = None
        t.requires_grad = requires_grad
        t.grad_fn = node
        t._version = 0
        return t

    # ---- what a tensor is -------------------------------------------------
    @property
    def shape(self) -> Size:
        return Size(self.data.shape)

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def is_leaf(self) -> bool:
        """True for tensors the user made (and results of ops that needed no grad)."""
        return self.grad_fn is None

    @property
    def device(self) -> Device:
        """Always the CPU (``glassnet.device("cpu")``): glassnet computes on the CPU only."""
        return CPU

    @property
    def is_cuda(self) -> bool:
        return False

    @overload
    def size(self) -> Size: ...
    @overload
    def size(self, dim: int) -> int: ...
    def size(self, dim: int | None = None) -> Size | int:
        return Size(self.data.shape) if dim is None else self.data.shape[dim]

    def dim(self) -> int:
        return self.data.ndim

    def numel(self) -> int:
        return self.data.size

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.data.shape[0]

    def __iter__(self) -> Iterator[Tensor]:
        if self.data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self.data.shape[0]))

    __hash__ = object.__hash__

    # ---- leaving the graph ---------------------------------------------------
    def numpy(self) -> np.ndarray:
        """The data as an ndarray (shares memory, like torch's ``.numpy()``)."""
        if self.requires_grad and state.enabled and self.grad_fn is not None:
            pass  # PyTorch asks for detach(); reading values is harmless here
        return self.data

    def __array__(self, dtype: DTypeLike | None = None, copy: bool | None = None) -> np.ndarray:
        if dtype is not None:
            return self.data.astype(dtype, copy=False)
        return self.data

    def item(self) -> Any:
        if self.data.size != 1:
            raise ValueError(f"item: only a tensor with one element can be converted to a "
                             f"Python number, this one has shape {self.shape}")
        return self.data.item()

    def tolist(self) -> Any:
        return self.data.tolist()

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self.data.dtype.kind not in "iu" or self.data.size != 1:
            raise TypeError(f"only one-element integer tensors can be used as an index, "
                            f"got {self.shape} {self.dtype}")
        return int(self.item())

    def __bool__(self) -> bool:
        if self.data.size != 1:
            raise ValueError(f"the truth value of a tensor with {self.data.size} elements is "
                             "ambiguous; use .any() or .all()")
        return bool(self.data)

    def __format__(self, spec: str) -> str:
        if self.data.ndim == 0:
            return format(self.data.item(), spec)
        return repr(self)

    def detach(self) -> Tensor:
        """A new leaf tensor sharing this one's data, outside the graph."""
        return Tensor._make(self.data, False, None)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        if requires_grad and not backend.is_float(self.data.dtype):
            raise DTypeError(f"requires_grad: only floating-point tensors can require "
                             f"gradients, this one is {self.dtype} with shape {self.shape}")
        if not requires_grad and self.grad_fn is not None:
            raise RuntimeError("requires_grad_(False): only leaf tensors can stop requiring "
                               "grad; use .detach() for a non-leaf")
        self.requires_grad = bool(requires_grad)
        return self

    # ---- gradients -------------------------------------------------------------
    def retain_grad(self) -> None:
        """Keep ``.grad`` for this non-leaf tensor after backward (leaves always keep it)."""
        if not self.requires_grad:
            raise RuntimeError("retain_grad: this tensor does not require grad")
        if self.grad_fn is not None:
            self.grad_fn._retain = weakref.ref(self)
            self.grad_fn._watched = True
            self._retains_grad = True
        return None

    @property
    def retains_grad(self) -> bool:
        return self._retains_grad

    def register_hook(self, hook: Callable[[Tensor], Tensor | None]) -> _HookHandle:
        """Call ``hook(grad)`` with this tensor's gradient during backward; if it
        returns a tensor, that replaces the gradient. Returns a handle with
        ``.remove()``."""
        if not self.requires_grad:
            raise RuntimeError("register_hook: cannot register a hook on a tensor that "
                               "does not require grad")
        if self.grad_fn is not None:
            hooks = self.grad_fn._hooks
            if hooks is None:
                hooks = self.grad_fn._hooks = []
                self.grad_fn._watched = True
        else:
            if self._hooks is None:
                self._hooks = []
            hooks = self._hooks
        hooks.append(hook)
        return _HookHandle(hooks, hook)

    def backward(self, gradient: TensorLike | None = None, retain_graph: bool | None = None,
                 create_graph: bool = False, inputs: Sequence[Tensor] | None = None) -> None:
        """Backpropagate from this tensor: every leaf that requires grad and
        contributed to it gets ∂self/∂leaf added to its ``.grad``."""
        _backward(self, gradient, retain_graph=retain_graph, create_graph=create_graph,
                  inputs=inputs)

    # ---- printing ------------------------------------------------------------
    def __repr__(self) -> str:
        body = np.array2string(self.data, separator=", ", prefix="tensor(",
                               precision=4, threshold=200, edgeitems=3)
        extras = []
        if self.data.dtype not in (backend.get_default_dtype(), backend.int64, backend.bool_):
            extras.append(f"dtype={self.data.dtype}")
        if self.grad_fn is not None:
            extras.append(f"grad_fn=<{self.grad_fn.name()}>")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        if self.name:
            extras.append(f"name={self.name!r}")
        return "tensor(" + body + "".join(", " + e for e in extras) + ")"

    if TYPE_CHECKING:
        # What mypy sees of the methods and operators that functions/methods.py attaches
        # when glassnet is imported: the public functions themselves where a method is one
        # (so a signature is written once), declarations for the rest.
        add = _api.add
        sub = _api.sub
        mul = _api.mul
        div = _api.div
        neg = _api.neg
        pow = _api.pow
        maximum = _api.maximum
        minimum = _api.minimum
        square = _api.square
        __neg__ = _api.neg
        __pow__ = _api.pow
        __matmul__ = _api.matmul
        __abs__ = _api.abs
        __lt__ = _api.lt
        __le__ = _api.le
        __gt__ = _api.gt
        __ge__ = _api.ge
        __getitem__ = _api.getitem
        eq = _api.eq
        ne = _api.ne
        lt = _api.lt
        le = _api.le
        gt = _api.gt
        ge = _api.ge
        isclose = _api.isclose
        allclose = _api.allclose
        equal = _api.equal
        exp = _api.exp
        log = _api.log
        sqrt = _api.sqrt
        abs = _api.abs
        sin = _api.sin
        cos = _api.cos
        tanh = _api.tanh
        sigmoid = _api.sigmoid
        relu = _api.relu
        clamp = _api.clamp
        clip = _api.clamp
        masked_fill = _api.masked_fill
        clone = _api.clone
        sum = _api.sum
        mean = _api.mean
        var = _api.var
        std = _api.std
        max = _api.max
        min = _api.min
        amax = _api.amax
        amin = _api.amin
        logsumexp = _api.logsumexp
        softmax = _api.softmax
        log_softmax = _api.log_softmax
        argmax = _api.argmax
        argmin = _api.argmin
        all = _api.all
        any = _api.any
        matmul = _api.matmul
        mm = _api.mm
        reshape = _api.reshape
        view = _api.view
        flatten = _api.flatten
        permute = _api.permute
        transpose = _api.transpose
        swapaxes = _api.transpose
        t = _api.t
        squeeze = _api.squeeze
        unsqueeze = _api.unsqueeze
        expand = _api.expand
        expand_as = _api.expand_as
        split = _api.split
        chunk = _api.chunk
        gather = _api.gather
        index_select = _api.index_select
        is_floating_point = _api.is_floating_point
        topk = _api.topk
        narrow = _api.narrow
        roll = _api.roll

        def __add__(self, other: TensorLike) -> Tensor: ...
        def __radd__(self, other: TensorLike) -> Tensor: ...
        def __sub__(self, other: TensorLike) -> Tensor: ...
        def __rsub__(self, other: TensorLike) -> Tensor: ...
        def __mul__(self, other: TensorLike) -> Tensor: ...
        def __rmul__(self, other: TensorLike) -> Tensor: ...
        def __truediv__(self, other: TensorLike) -> Tensor: ...
        def __rtruediv__(self, other: TensorLike) -> Tensor: ...
        def __rpow__(self, other: TensorLike) -> Tensor: ...
        def __rmatmul__(self, other: TensorLike) -> Tensor: ...
        def __pos__(self) -> Tensor: ...
        def __invert__(self) -> Tensor: ...
        def __and__(self, other: TensorLike) -> Tensor: ...
        def __or__(self, other: TensorLike) -> Tensor: ...
        def __eq__(self, other: object) -> Tensor: ...  # type: ignore[override]
        def __ne__(self, other: object) -> Tensor: ...  # type: ignore[override]
        def __setitem__(self, idx: Any, value: TensorLike) -> None: ...
        def __iadd__(self, other: TensorLike) -> Tensor: ...
        def __isub__(self, other: TensorLike) -> Tensor: ...
        def __imul__(self, other: TensorLike) -> Tensor: ...
        def __itruediv__(self, other: TensorLike) -> Tensor: ...
        def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any,
                            **kwargs: Any) -> Any: ...
        def where(self, condition: TensorLike, other: TensorLike) -> Tensor: ...
        def view_as(self, other: Tensor) -> Tensor: ...
        def reshape_as(self, other: Tensor) -> Tensor: ...
        def contiguous(self) -> Tensor: ...
        def cpu(self) -> Tensor: ...
        def cuda(self, device: Device | str | int | None = None,
                 non_blocking: builtins.bool = False) -> Tensor: ...
        def to(self, *args: Tensor | DTypeLike | Device | str, **kwargs: Any) -> Tensor: ...
        def half(self) -> Tensor: ...
        def short(self) -> Tensor: ...
        def char(self) -> Tensor: ...
        def byte(self) -> Tensor: ...
        def new_zeros(self, *size: Any, **kwargs: Any) -> Tensor: ...
        def new_ones(self, *size: Any, **kwargs: Any) -> Tensor: ...
        def new_empty(self, *size: Any, **kwargs: Any) -> Tensor: ...
        def new_full(self, size: Any, fill_value: TensorLike, **kwargs: Any) -> Tensor: ...
        def new_tensor(self, data: TensorLike, **kwargs: Any) -> Tensor: ...
        def type(self, dtype: DTypeLike | None = None) -> Tensor | str: ...
        def float(self) -> Tensor: ...
        def double(self) -> Tensor: ...
        def long(self) -> Tensor: ...
        def int(self) -> Tensor: ...
        def bool(self) -> Tensor: ...
        def add_(self, other: TensorLike) -> Tensor: ...
        def sub_(self, other: TensorLike) -> Tensor: ...
        def mul_(self, other: TensorLike) -> Tensor: ...
        def div_(self, other: TensorLike) -> Tensor: ...
        def fill_(self, value: TensorLike) -> Tensor: ...
        def zero_(self) -> Tensor: ...
        def copy_(self, src: TensorLike) -> Tensor: ...
        def clamp_(self, min: builtins.float | None = None,
                   max: builtins.float | None = None) -> Tensor: ...
        def normal_(self, mean: builtins.float = 0.0, std: builtins.float = 1.0, *,
                    generator: np.random.Generator | None = None) -> Tensor: ...
        def uniform_(self, a: builtins.float = 0.0, b: builtins.float = 1.0, *,
                     generator: np.random.Generator | None = None) -> Tensor: ...
        @property
        def T(self) -> Tensor: ...
        @property
        def mT(self) -> Tensor: ...


class _HookHandle:
    __slots__ = ("_hooks", "_hook")

    def __init__(self, hooks: list[Callable[[Tensor], Tensor | None]],
                 hook: Callable[[Tensor], Tensor | None]) -> None:
        self._hooks = hooks
        self._hook = hook

    def remove(self) -> None:
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)


def _backward(tensor, gradient=None, retain_graph=None, create_graph=False, inputs=None):
    """``autograd.backward``. autograd imports this module, so this module does not
    import autograd at module level: autograd replaces this function by its own
    ``backward`` when it is imported (glassnet's ``__init__`` imports it first), and
    until then a call imports it (a call-time import on every backward would cost
    ~1 µs)."""
    from . import autograd
    return autograd.backward(tensor, gradient, retain_graph=retain_graph,
                             create_graph=create_graph, inputs=inputs)
