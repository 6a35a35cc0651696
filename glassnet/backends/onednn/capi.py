"""oneDNN's C API through ctypes: the library, its engine and stream, memory
descriptors, memory objects over NumPy arrays, primitives, reorders, and
the cache of kernels built on them (``lstm.py``, ``conv.py``).

Only the C API of oneDNN 3.x is used; memory layouts are given by strides,
so no format-tag numbers (which change between versions) are needed. Each
primitive gets its scratch memory from us (a NumPy buffer): then any thread
may run it, and tracemalloc sees that memory. One thread at a time runs a
kernel (``LOCK``: their memory objects are shared).

The loaded library, engine, stream and attributes live here and only here
(``load_library`` sets them); the switch (``enabled``, ``status``) lives in
the package's ``__init__``.
"""

import ctypes
import os
import threading
from collections import OrderedDict

import numpy as np

from ..cblas import address

F32, FORMAT_ANY = 3, 1  # dnnl_f32, dnnl_format_tag_any
FORWARD_TRAINING, FORWARD_INFERENCE, BACKWARD = 64, 96, 128  # dnnl_prop_kind_t
_QUERY_EXEC_ARG_MD = 255
_STREAM_IN_ORDER = 1
_SCRATCHPAD_USER = 1
_DIFF = 128  # DNNL_ARG_DIFF_x = DNNL_ARG_x + 128
_POST_OP_BASE = 32768  # DNNL_ARG_ATTR_MULTIPLE_POST_OP_BASE
ELTWISE_SQRT, ELTWISE_LINEAR, ELTWISE_POW = 0x25, 0x26, 0x30  # dnnl_alg_kind_t
BINARY_ADD, BINARY_MUL, BINARY_SUB = 0x1FFF0, 0x1FFF1, 0x1FFF5
_ARG = {
    "src_layer": 1,
    "src_iter": 2,
    "src_iter_c": 3,
    "dst_layer": 17,
    "dst_iter": 18,
    "dst_iter_c": 19,
    "weights_layer": 33,
    "weights_iter": 34,
    "bias": 41,
    "workspace": 64,
    "from": 1,
    "to": 17,  # (a reorder reads DNNL_ARG_FROM, writes _TO)
    "src": 1,
    "weights": 33,
    "dst": 17,
    "scratchpad": 80,
    "mean": 49,
    "variance": 50,
    "scale": 51,
    "shift": 52,  # (a normalization's statistics, γ and β)
    "src_0": 1,
    "src_1": 2,  # (a binary primitive's operands)
    "diff_scale": 255,
    "diff_shift": 256,  # (their gradients are not DNNL_ARG_x + 128)
}
Dims = ctypes.c_int64 * 12  # dnnl_dims_t
_P = ctypes.c_void_p

KEEP = 16  # kernels (shapes) a KernelCache keeps
LOCK = threading.Lock()  # one thread at a time runs a kernel or a cache

_lib = None
_engine = _stream = _attr = None  # _attr: every primitive's attributes (scratchpad given by us)


class OneDNNError(RuntimeError):
    """A oneDNN call failed (its status code is in the message)."""


class _ExecArg(ctypes.Structure):
    _fields_ = [("arg", ctypes.c_int), ("memory", _P)]


def check(code, what):
    """Raise ``OneDNNError`` unless oneDNN's call ``what`` returned success (0)."""
    if code != 0:
        raise OneDNNError(f"{what} failed: oneDNN status {code}")


def load_library(path):
    """Open libdnnl at ``path`` and make the CPU engine, a stream and the
    primitives' attributes; raises OSError, AttributeError or OneDNNError
    (and keeps nothing) when that fails. Returns the library's file name."""
    global _lib, _engine, _stream, _attr
    lib = ctypes.CDLL(path)
    lib.dnnl_primitive_desc_query_md.restype = _P
    lib.dnnl_primitive_desc_query_md.argtypes = [_P, ctypes.c_int, ctypes.c_int]
    lib.dnnl_memory_desc_get_size.restype = ctypes.c_size_t
    lib.dnnl_memory_desc_get_size.argtypes = [_P]
    lib.dnnl_memory_set_data_handle.argtypes = [_P, _P]
    lib.dnnl_primitive_execute.argtypes = [_P, _P, ctypes.c_int, _P]
    lib.dnnl_stream_wait.argtypes = [_P]
    lib.dnnl_memory_desc_equal.restype = ctypes.c_int
    lib.dnnl_memory_desc_equal.argtypes = [_P, _P]
    engine, stream, attr = _P(), _P(), _P()
    check(lib.dnnl_engine_create(ctypes.byref(engine), 1, ctypes.c_size_t(0)), "dnnl_engine_create")
    check(
        lib.dnnl_stream_create(ctypes.byref(stream), engine, _STREAM_IN_ORDER), "dnnl_stream_create"
    )
    check(lib.dnnl_primitive_attr_create(ctypes.byref(attr)), "dnnl_primitive_attr_create")
    check(
        lib.dnnl_primitive_attr_set_scratchpad_mode(attr, _SCRATCHPAD_USER),
        "dnnl_primitive_attr_set_scratchpad_mode",
    )
    _lib, _engine, _stream, _attr = lib, engine, stream, attr
    return os.path.basename(path)


class Descs:
    """Memory descriptors made while a kernel is built, destroyed together
    once its primitives (which copy what they need) are made."""

    def __init__(self):
        self.made = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        for md in self.made:
            _lib.dnnl_memory_desc_destroy(md)
        self.made.clear()

    def __call__(self, shape, strides=None):
        """A float32 descriptor: the given strides (in elements), C order
        without them, or 'any' (the primitive chooses the layout)."""
        md = _P()
        if strides == "any":
            check(
                _lib.dnnl_memory_desc_create_with_tag(
                    ctypes.byref(md), len(shape), Dims(*shape), F32, FORMAT_ANY
                ),
                "dnnl_memory_desc_create_with_tag",
            )
        else:
            if strides is None:
                strides = [int(s) for s in np.cumprod((list(shape[1:]) + [1])[::-1])[::-1]]
            check(
                _lib.dnnl_memory_desc_create_with_strides(
                    ctypes.byref(md), len(shape), Dims(*shape), F32, Dims(*strides)
                ),
                "dnnl_memory_desc_create_with_strides",
            )
        self.made.append(md)
        return md


def same_layout(md, other):
    """Do two memory descriptors describe the same shape and layout?"""
    return bool(_lib.dnnl_memory_desc_equal(md, other))


class _Memory:
    """A oneDNN memory object over NumPy arrays: ``point(arr)`` makes it use
    ``arr``'s buffer for the next execution."""

    __slots__ = ("handle", "size", "address")

    def __init__(self, md):
        self.handle = _P()
        check(
            _lib.dnnl_memory_create(ctypes.byref(self.handle), md, _engine, _P(0)),
            "dnnl_memory_create",
        )
        self.size = _lib.dnnl_memory_desc_get_size(md)
        self.address = None  # where it points now

    def point(self, arr):
        """(Skipped when it points there already: an optimizer's weights and
        moments are the same arrays at every step.)"""
        where = address(arr) if arr.nbytes else arr.ctypes.data
        if where != self.address:
            check(
                _lib.dnnl_memory_set_data_handle(self.handle, where), "dnnl_memory_set_data_handle"
            )
            self.address = where


def _arg(name):
    """oneDNN's number for an execution argument: 'src', 'diff_src',
    'post_op_3' (DNNL_ARG_ATTR_MULTIPLE_POST_OP(3) | DNNL_ARG_SRC_1), …"""
    if name in _ARG:
        return _ARG[name]
    if name.startswith("post_op_"):
        return _POST_OP_BASE * (int(name.removeprefix("post_op_")) + 1) | _ARG["src_1"]
    base = name.removeprefix("diff_")
    return _ARG[base] + (_DIFF if base != name else 0)


def primitive_desc(create, *args, attr=None):
    """A primitive descriptor from oneDNN's ``create`` function (its name):
    the output pointer, the engine (first) and the attributes (last: the
    shared ones unless ``attr``, a ``PostOps``' attributes, is given) are
    filled in."""
    pd = _P()
    check(getattr(_lib, create)(ctypes.byref(pd), _engine, *args, attr or _attr), create)
    return pd


class PostOps:
    """Attributes with a chain of post-ops (run in order on the primitive's
    result before it is stored), for ``primitive_desc(..., attr=ops.attr)``;
    ``close()`` frees them once the descriptor is made (it copies them).

        ops = PostOps()
        ops.eltwise(ELTWISE_LINEAR, alpha, beta)  # r = alpha·r + beta (or √r, r^beta·alpha…)
        ops.binary(BINARY_MUL, md)  # r = r · src1 (an execution argument, see post_op_arg)
        ops.sum(scale)              # r = r + scale·dst (dst's contents before the call)
    """

    def __init__(self):
        self.attr, self._ops, self.count = _P(), _P(), 0
        made = _lib.dnnl_primitive_attr_create(ctypes.byref(self.attr))
        check(made, "dnnl_primitive_attr_create")
        check(
            _lib.dnnl_primitive_attr_set_scratchpad_mode(self.attr, _SCRATCHPAD_USER),
            "dnnl_primitive_attr_set_scratchpad_mode",
        )
        check(_lib.dnnl_post_ops_create(ctypes.byref(self._ops)), "dnnl_post_ops_create")

    def _appended(self, code, what):
        check(code, what)
        check(_lib.dnnl_primitive_attr_set_post_ops(self.attr, self._ops), "set_post_ops")
        self.count += 1
        return self.count - 1

    def eltwise(self, alg, alpha=0.0, beta=0.0):
        fn = _lib.dnnl_post_ops_append_eltwise
        return self._appended(
            fn(self._ops, alg, ctypes.c_float(alpha), ctypes.c_float(beta)), "append_eltwise"
        )

    def binary(self, alg, md):
        """Returns the post-op's index: its operand is ``post_op_arg(index)``."""
        return self._appended(_lib.dnnl_post_ops_append_binary(self._ops, alg, md), "append_binary")

    def sum(self, scale=1.0):
        fn = _lib.dnnl_post_ops_append_sum
        return self._appended(fn(self._ops, ctypes.c_float(scale), 0, 0), "append_sum")

    def close(self):
        _lib.dnnl_post_ops_destroy(self._ops)
        _lib.dnnl_primitive_attr_destroy(self.attr)


def post_op_arg(index):
    """The execution-argument name of binary post-op ``index``'s operand."""
    return f"post_op_{index}"


class Primitive:
    """A primitive made from its descriptor, with a memory object per argument
    (the scratchpad's included, when it needs one)."""

    def __init__(self, pd, args):
        self.pd = pd
        self.handle = _P()
        check(_lib.dnnl_primitive_create(ctypes.byref(self.handle), pd), "dnnl_primitive_create")
        self.scratch = _lib.dnnl_memory_desc_get_size(self.md("scratchpad"))
        args = tuple(args) + (("scratchpad",) if self.scratch else ())
        self.memory = {name: _Memory(self.md(name)) for name in args}
        self._args = (_ExecArg * len(args))(
            *[_ExecArg(_arg(name), self.memory[name].handle) for name in args]
        )

    def md(self, name):
        return _P(_lib.dnnl_primitive_desc_query_md(self.pd, _QUERY_EXEC_ARG_MD, _arg(name)))

    def size(self, name):
        return self.memory[name].size

    def __del__(self):
        """Its oneDNN objects go when nothing refers to it any more (a graph
        node may keep a kernel for its backward after the cache let it go)."""
        lib = _lib
        if lib is None:  # (interpreter shutdown)
            return
        for memory in getattr(self, "memory", {}).values():
            lib.dnnl_memory_destroy(memory.handle)
        lib.dnnl_primitive_destroy(self.handle)
        lib.dnnl_primitive_desc_destroy(self.pd)

    def __call__(self, **arrays):
        """Run it on these arrays (argument name -> array, every argument but
        the scratchpad: a fresh one each call, as PyTorch does, so that the
        cached primitives do not each hold one: the LSTM's are 17 MB)."""
        for name, arr in arrays.items():
            self.memory[name].point(arr)
        if self.scratch:
            scratchpad = np.empty(self.scratch, np.uint8)
            self.memory["scratchpad"].point(scratchpad)
        check(
            _lib.dnnl_primitive_execute(self.handle, _stream, len(self._args), self._args),
            "dnnl_primitive_execute",
        )
        check(_lib.dnnl_stream_wait(_stream), "dnnl_stream_wait")


def _reorder(src_md, dst_md):
    """A primitive copying memory of layout ``src_md`` into layout ``dst_md``."""
    pd = _P()  # (the engine comes twice here: source's and destination's)
    check(
        _lib.dnnl_reorder_primitive_desc_create(
            ctypes.byref(pd), src_md, _engine, dst_md, _engine, _attr
        ),
        "dnnl_reorder_primitive_desc_create",
    )
    return Primitive(pd, ("from", "to"))


class Bound:
    """One argument of a primitive, given as a C-ordered NumPy array: used
    as it is when the primitive takes that layout, else through a buffer in
    the primitive's layout (made for the call, like a temporary of a NumPy
    expression) and a reorder, ``into`` the buffer before the call or out
    of it after."""

    def __init__(self, prim, name, user_md, into):
        self.md = prim.md(name)
        self.size, self.reorder, self.into = prim.size(name), None, into
        if not same_layout(self.md, user_md):
            self.reorder = _reorder(user_md, self.md) if into else _reorder(self.md, user_md)

    def given(self, arr):
        """What to hand the primitive for ``arr`` (reordered into a buffer if need be)."""
        if self.reorder is None:
            return arr
        handed = np.empty(self.size, np.uint8)
        if self.into:
            self.reorder(**{"from": arr, "to": handed})
        return handed

    def taken(self, handed, arr):
        """After the call: what the primitive wrote into ``handed``, reordered into ``arr``."""
        if self.reorder is not None:
            self.reorder(**{"from": handed, "to": arr})


class KernelCache:
    """Kernels by key, each made by ``make(*key)`` the first time its key is
    asked for; the ``keep`` most recently used stay (the others are freed
    once no graph node holds them)."""

    def __init__(self, make, keep=KEEP):
        self.make, self.keep = make, keep
        self._kept = OrderedDict()  # the most recently used last

    def get(self, key):
        with LOCK:
            kernel = self._kept.pop(key, None)
            if kernel is None:
                kernel = self.make(*key)
                while len(self._kept) >= self.keep:
                    self._kept.popitem(last=False)
            self._kept[key] = kernel
            return kernel

    def clear(self):
        """Let every kernel go (a graph node that holds one keeps it)."""
        with LOCK:
            self._kept.clear()

    def kept(self):
        """The kernels kept now, key -> kernel, the least recently used first (a copy)."""
        with LOCK:
            return OrderedDict(self._kept)
