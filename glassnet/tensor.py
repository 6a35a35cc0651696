"""Tensor: an ndarray, its gradient (``.grad``), whether it requires one,
and the node of the graph that made it (``.grad_fn``).

The array lives in the slot ``_data``: the package reads and writes it
directly (``t._data``: plain slot access, no call, on every hot path). The
public ``.data`` follows PyTorch: a detached Tensor sharing that array, and
``.numpy()`` gives the array itself.

The arithmetic, reductions, shape ops and the rest are attached as methods
by ``glassnet.functions`` (so this file holds only what every tensor is).
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any, overload

import numpy as np

from . import dtypes, versions
from .devices import CPU
from .errors import DTypeError
from .grad_mode import state

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

    from .autograd import Node
    from .devices import device as Device
    from .hints import DTypeLike, TensorLike


def to_array(data: TensorLike, dtype: DTypeLike | None = None, copy: bool = False) -> np.ndarray:
    """Turn ``data`` (Tensor, ndarray, list, number) into an ndarray.

    Python floats become the default float dtype (float32), Python ints
    int64 and bools bool, as in PyTorch; an ndarray keeps its dtype unless
    ``dtype`` is given.
    """
    if isinstance(data, Tensor):
        arr = data._data
    elif isinstance(data, np.ndarray):
        arr = data
        if arr.dtype.kind in "OUSV":
            raise DTypeError(
                f"tensor: expected an array of numbers (floats, ints or bools), "
                f"got an ndarray of dtype {arr.dtype}; convert it first, e.g. "
                "arr.astype(np.float32)"
            )
    else:
        try:
            arr = np.asarray(data)
        except ValueError as exc:
            raise ValueError(
                f"tensor: cannot make an array of {type(data).__name__} data: {exc}"
            ) from None
        if arr.dtype.kind == "f" and dtype is None and not isinstance(data, np.generic):
            arr = arr.astype(dtypes.get_default_dtype())
        elif arr.dtype.kind in "OUSV":
            raise DTypeError(
                f"tensor: expected numbers (floats, ints or bools), got data of dtype {arr.dtype}"
            )
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


# the leaves with a post-accumulate hook: while there is none, backward does not look for them
POST_HOOKED: weakref.WeakSet[Tensor] = weakref.WeakSet()

if TYPE_CHECKING:  # what mypy sees of the methods functions/methods.py attaches at import
    from .functions.method_types import TensorMethods
else:
    TensorMethods = object


class Tensor(TensorMethods):
    """An n-dimensional array that can record how it was made.

    Differences from PyTorch: ``.dtype`` is a NumPy dtype and ``.shape`` a
    plain tuple; ``np.asarray(t)`` gives the array even when ``t`` requires grad.
    """

    __slots__ = ("_data", "grad", "requires_grad", "grad_fn", "_version", "__dict__", "__weakref__")
    _data: np.ndarray  # the array: what the package reads (``.data`` is the public view)
    grad: Tensor | None
    requires_grad: bool
    grad_fn: Node | None

    # rarely set, so class-level defaults (an instance that sets one gets its own)
    _hooks: list[Callable[[Tensor], Tensor | None]] | None = None  # hooks on a leaf's gradient
    _post_hooks: list[Callable[[Tensor], Any]] | None = None  # after a leaf's .grad is complete
    _retains_grad = False  # a non-leaf that keeps its .grad
    _tracked = True  # False on a ``.data`` alias: its in-place changes are not noted for backward
    name: str | None = None
    __array_priority__ = 1000  # ndarray (op) Tensor defers to Tensor's reflected ops

    def __init__(
        self,
        data: TensorLike,
        dtype: DTypeLike | None = None,
        requires_grad: bool = False,
        name: str | None = None,
    ) -> None:
        self._data = to_array(data, dtype)
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
        t._data = array
        t.grad = None
        t.requires_grad = requires_grad
        t.grad_fn = node
        t._version = 0
        return t

    # ---- what a tensor is -------------------------------------------------
    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    @property
    def ndim(self) -> int:
        return self._data.ndim

    @property
    def dtype(self) -> np.dtype:
        return self._data.dtype

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
        return Size(self._data.shape) if dim is None else self._data.shape[dim]

    def dim(self) -> int:
        return self._data.ndim

    def numel(self) -> int:
        return self._data.size

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self) -> Iterator[Tensor]:
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    __hash__ = object.__hash__

    # ---- leaving the graph ---------------------------------------------------
    @property
    def data(self) -> Tensor:
        """This tensor's values as a new detached Tensor sharing the array, as
        ``torch.Tensor.data``: ``requires_grad`` False, no ``grad_fn``, and
        changing it in place (``p.data.add_(g, alpha=-lr)``, ``.zero_()``,
        ``.copy_(x)``, ``p.data[0] = 3``) changes this tensor, with no error
        even on a leaf that requires grad outside ``no_grad``.

        The danger, as in PyTorch: those changes are invisible to autograd. A
        graph that saved this tensor's values does not notice them and its
        backward uses the changed values (``.detach()`` is the safe form: its
        in-place changes make such a backward raise).
        """
        t = Tensor._make(self._data, False, None)
        t._tracked = False
        return t

    @data.setter
    def data(self, value: Tensor | np.ndarray) -> None:
        """``t.data = other``: ``t`` now holds ``other``'s array (shared, not
        copied; its shape may differ), keeping its ``requires_grad``, grad and
        graph node, as in PyTorch. An ndarray is accepted too (PyTorch wants a
        Tensor).

        Difference from PyTorch: a graph that saved ``t``'s old values would
        use the new ones in PyTorch; here it keeps the old array, so its
        backward raises (as after an in-place change) instead of giving a
        gradient PyTorch would not.
        """
        if isinstance(value, Tensor):
            array = value._data
        elif isinstance(value, np.ndarray):
            array = value
        else:
            raise TypeError(
                f"Tensor.data: expected a Tensor (or an ndarray) to set as the "
                f"data, got {type(value).__name__}"
            )
        if self.requires_grad and not dtypes.is_float(array.dtype):
            raise DTypeError(
                f"Tensor.data: data set to a tensor that requires gradients "
                f"must be floating point, got {array.dtype} with shape "
                f"{array.shape}"
            )
        old = self._data
        if array is not old:
            versions.stamp(old)
            self._data = array

    def numpy(self, *, force: bool = False) -> np.ndarray:
        """The array itself (shared memory: a change to one is a change to the
        other), as ``torch.Tensor.numpy()``: an error for a tensor that
        requires grad while gradients are recorded, unless ``force=True``
        (or use ``t.detach().numpy()``)."""
        if self.requires_grad and not force and state.enabled:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. "
                "Use tensor.detach().numpy() instead."
            )
        return self._data

    def __array__(self, dtype: DTypeLike | None = None, copy: bool | None = None) -> np.ndarray:
        """NumPy's protocol: the array itself (shared), converted to ``dtype``
        when asked; ``copy=True`` always copies, ``copy=False`` never does."""
        arr = self._data if dtype is None else self._data.astype(dtype, copy=False)
        if copy is False and arr is not self._data:
            raise ValueError(
                f"Tensor.__array__: a {self._data.dtype} tensor cannot become "
                f"{np.dtype(dtype)} without a copy (copy=False)"
            )
        return arr.copy() if copy and arr is self._data else arr

    def item(self) -> Any:
        if self._data.size != 1:
            raise ValueError(
                f"item: only a tensor with one element can be converted to a "
                f"Python number, this one has shape {self.shape}"
            )
        return self._data.item()

    def tolist(self) -> Any:
        return self._data.tolist()

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self._data.dtype.kind not in "iu" or self._data.size != 1:
            raise TypeError(
                f"only one-element integer tensors can be used as an index, "
                f"got {self.shape} {self.dtype}"
            )
        return int(self.item())

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise ValueError(
                f"the truth value of a tensor with {self._data.size} elements is "
                "ambiguous; use .any() or .all()"
            )
        return bool(self._data)

    def __format__(self, spec: str) -> str:
        if self._data.ndim == 0:
            return format(self._data.item(), spec)
        return repr(self)

    def detach(self) -> Tensor:
        """A new leaf tensor sharing this one's data, outside the graph."""
        return Tensor._make(self._data, False, None)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        if requires_grad and not dtypes.is_float(self._data.dtype):
            raise DTypeError(
                f"requires_grad: only floating-point tensors can require "
                f"gradients, this one is {self.dtype} with shape {self.shape}"
            )
        if not requires_grad and self.grad_fn is not None:
            raise RuntimeError(
                "requires_grad_(False): only leaf tensors can stop requiring "
                "grad; use .detach() for a non-leaf"
            )
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
            raise RuntimeError(
                "register_hook: cannot register a hook on a tensor that does not require grad"
            )
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

    def register_post_accumulate_grad_hook(self, hook: Callable[[Tensor], Any]) -> _HookHandle:
        """Call ``hook(self)`` once per backward, as soon as this leaf's ``.grad``
        holds that backward's whole gradient (every use summed), while the rest of
        the graph is still being walked (as PyTorch; the hook's return value is
        ignored). DistributedDataParallel starts its allreduces from here."""
        if self.grad_fn is not None:
            raise RuntimeError(
                "register_post_accumulate_grad_hook: only a leaf tensor has its gradient "
                "accumulated into .grad; register_hook sees a non-leaf's gradient"
            )
        if not self.requires_grad:
            raise RuntimeError(
                "register_post_accumulate_grad_hook: cannot register a hook on a tensor that "
                "does not require grad"
            )
        if self._post_hooks is None:
            self._post_hooks = []
            POST_HOOKED.add(self)
        self._post_hooks.append(hook)
        return _HookHandle(self._post_hooks, hook)

    def backward(
        self,
        gradient: TensorLike | None = None,
        retain_graph: bool | None = None,
        create_graph: bool = False,
        inputs: Sequence[Tensor] | None = None,
    ) -> None:
        """Backpropagate from this tensor: every leaf that requires grad and
        contributed to it gets ∂self/∂leaf added to its ``.grad``."""
        _backward(
            self, gradient, retain_graph=retain_graph, create_graph=create_graph, inputs=inputs
        )

    # ---- printing ------------------------------------------------------------
    def __repr__(self) -> str:
        body = np.array2string(
            self._data, separator=", ", prefix="tensor(", precision=4, threshold=200, edgeitems=3
        )
        extras = []
        if self._data.dtype not in (dtypes.get_default_dtype(), dtypes.int64, dtypes.bool_):
            extras.append(f"dtype={self._data.dtype}")
        if self.grad_fn is not None:
            extras.append(f"grad_fn=<{self.grad_fn.name()}>")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        if self.name:
            extras.append(f"name={self.name!r}")
        return "tensor(" + body + "".join(", " + e for e in extras) + ")"


class _HookHandle:
    __slots__ = ("_hooks", "_hook")

    def __init__(self, hooks: list[Any], hook: Callable[[Tensor], Any]) -> None:
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

    return autograd.backward(
        tensor, gradient, retain_graph=retain_graph, create_graph=create_graph, inputs=inputs
    )
