"""Tensor: an ndarray (``.data``), its gradient (``.grad``), whether it
requires one, and the node of the graph that made it (``.grad_fn``).

The arithmetic, reductions, shape ops and the rest are attached as methods
by ``glassnet.ops`` (so this file holds only what every tensor is).
"""
import weakref

import numpy as np

from . import dtypes as backend
from .errors import DTypeError
from .grad_mode import state


def to_array(data, dtype=None, copy=False):
    """Turn ``data`` (Tensor, ndarray, list, number) into an ndarray.

    Python floats become the default float dtype (float32), Python ints
    int64 and bools bool, as in PyTorch; an ndarray keeps its dtype unless
    ``dtype`` is given.
    """
    if isinstance(data, Tensor):
        arr = data.data
    elif isinstance(data, np.ndarray):
        arr = data
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


class Tensor:
    """An n-dimensional array that can record how it was made.

    Differences from PyTorch: ``.data`` is a NumPy array (not a Tensor),
    ``.dtype`` is a NumPy dtype and ``.shape`` a plain tuple.
    """

    __slots__ = ("data", "grad", "requires_grad", "grad_fn", "_version", "__dict__",
                 "__weakref__")

    # rarely set, so class-level defaults (an instance that sets one gets its own)
    _hooks = None          # hooks on a leaf's gradient
    _retains_grad = False  # a non-leaf that keeps its .grad
    name = None
    __array_priority__ = 1000  # ndarray (op) Tensor defers to Tensor's reflected ops

    def __init__(self, data, dtype=None, requires_grad=False, name=None):
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
    def shape(self):
        return self.data.shape

    @property
    def ndim(self):
        return self.data.ndim

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def is_leaf(self):
        """True for tensors the user made (and results of ops that needed no grad)."""
        return self.grad_fn is None

    @property
    def device(self):
        return "cpu"

    def size(self, dim=None):
        return self.data.shape if dim is None else self.data.shape[dim]

    def dim(self):
        return self.data.ndim

    def numel(self):
        return self.data.size

    def __len__(self):
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.data.shape[0]

    def __iter__(self):
        if self.data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self.data.shape[0]))

    __hash__ = object.__hash__

    # ---- leaving the graph ---------------------------------------------------
    def numpy(self):
        """The data as an ndarray (shares memory, like torch's ``.numpy()``)."""
        if self.requires_grad and state.enabled and self.grad_fn is not None:
            pass  # PyTorch asks for detach(); reading values is harmless here
        return self.data

    def __array__(self, dtype=None, copy=None):
        if dtype is not None:
            return self.data.astype(dtype, copy=False)
        return self.data

    def item(self):
        if self.data.size != 1:
            raise ValueError(f"item: only a tensor with one element can be converted to a "
                             f"Python number, this one has shape {self.shape}")
        return self.data.item()

    def tolist(self):
        return self.data.tolist()

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __index__(self):
        if self.data.dtype.kind not in "iu" or self.data.size != 1:
            raise TypeError(f"only one-element integer tensors can be used as an index, "
                            f"got {self.shape} {self.dtype}")
        return int(self.item())

    def __bool__(self):
        if self.data.size != 1:
            raise ValueError(f"the truth value of a tensor with {self.data.size} elements is "
                             "ambiguous; use .any() or .all()")
        return bool(self.data)

    def __format__(self, spec):
        if self.data.ndim == 0:
            return format(self.data.item(), spec)
        return repr(self)

    def detach(self):
        """A new leaf tensor sharing this one's data, outside the graph."""
        return Tensor._make(self.data, False, None)

    def requires_grad_(self, requires_grad=True):
        if requires_grad and not backend.is_float(self.data.dtype):
            raise DTypeError(f"requires_grad: only floating-point tensors can require "
                             f"gradients, this one is {self.dtype} with shape {self.shape}")
        if not requires_grad and self.grad_fn is not None:
            raise RuntimeError("requires_grad_(False): only leaf tensors can stop requiring "
                               "grad; use .detach() for a non-leaf")
        self.requires_grad = bool(requires_grad)
        return self

    # ---- gradients -------------------------------------------------------------
    def retain_grad(self):
        """Keep ``.grad`` for this non-leaf tensor after backward (leaves always keep it)."""
        if not self.requires_grad:
            raise RuntimeError("retain_grad: this tensor does not require grad")
        if self.grad_fn is not None:
            self.grad_fn._retain = weakref.ref(self)
            self.grad_fn._watched = True
            self._retains_grad = True
        return None

    @property
    def retains_grad(self):
        return self._retains_grad

    def register_hook(self, hook):
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

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Backpropagate from this tensor: every leaf that requires grad and
        contributed to it gets ∂self/∂leaf added to its ``.grad``."""
        _backward(self, gradient, retain_graph=retain_graph, create_graph=create_graph,
                  inputs=inputs)

    # ---- printing ------------------------------------------------------------
    def __repr__(self):
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


class _HookHandle:
    __slots__ = ("_hooks", "_hook")

    def __init__(self, hooks, hook):
        self._hooks = hooks
        self._hook = hook

    def remove(self):
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
