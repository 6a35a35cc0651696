"""A whole LSTM layer, or a convolution, in one call through Intel oneDNN,
when it is installed.

glassnet's own LSTM (``glassnet.ops.recurrent.layer``) runs each time step as a
few NumPy calls: every gate value is an array you can look at, and each
step is a node of the graph. That costs about ten small passes over memory
per step, where PyTorch's ``nn.LSTM`` on CPU hands the whole sequence to
oneDNN's RNN primitive, which computes each step's gates in one pass while
they are in cache (and ~1.6× faster here). With
``pip install glassnet[onednn]`` (the ``onednn-cpu-gomp`` wheel,
``libdnnl.so.3``) glassnet calls that same primitive through ctypes for
float32 ``nn.LSTM`` layers (``glassnet.ops.recurrent.fused_lstm``); the math is the
same (PyTorch's gate order i, f, g, o), the per-step values stay inside
oneDNN. ``GLASSNET_ONEDNN=0`` or ``glassnet.backends.onednn.enabled = False`` turns
it off; float64 always runs glassnet's own steps.

    kernel = lstm_kernel(T, B, n_in, H, reverse)    # made once per shape, cached
    kernel.forward(x, h0, c0, w_ih, w_hh, b, out, h_T, c_T, workspace)
    kernel.backward(..., d_out, d_hT, d_cT, d_x, d_h0, d_c0, d_w_ih, d_w_hh, d_b)

The same goes for float32 2-D convolutions (``glassnet.ops.conv``, groups 1):
PyTorch's ``conv2d`` on CPU is oneDNN's convolution, which on the CNN of
``bench/`` is about 3× glassnet's im2col and per-image products for the
second layer (8 → 16 channels) and as fast for the first:

    kernel = conv_kernel(x.shape, w.shape, stride, padding, dilation, bias)
    kernel.forward(x, w, b, out)
    kernel.backward(x, w, d_out, d_x, d_w, d_b)   # None for a gradient not needed

Arrays are float32 and C-contiguous, weights in PyTorch's layout
(G·H, n): oneDNN's ``ldgoi``; reorder primitives turn them into the layouts
the RNN primitive prefers (and its weight gradients back). Only the C API
of oneDNN 3.x is used; memory layouts are given by strides, so no
format-tag numbers (which change between versions) are needed.
"""
import contextlib
import ctypes
import os
import threading
from collections import OrderedDict

import numpy as np

from . import wheel_libs

ENV_VAR = "GLASSNET_ONEDNN"  # "0" turns oneDNN off
_ENV_OFF = os.environ.get(ENV_VAR, "1").strip().lower() in ("0", "false", "no", "off")
enabled = not _ENV_OFF       # False: glassnet's own LSTM and convolution (``disabled()`` for a while)
status = "not loaded yet"    # in words: whether oneDNN runs LSTM layers and convolutions, and why not

_F32, _FORMAT_ANY = 3, 1                     # dnnl_f32, dnnl_format_tag_any
_FORWARD_TRAINING, _FORWARD_INFERENCE, _BACKWARD = 64, 96, 128
_CONVOLUTION_DIRECT = 1
_LEFT2RIGHT, _RIGHT2LEFT = 1, 2              # dnnl_rnn_direction_t
_QUERY_EXEC_ARG_MD = 255
_STREAM_IN_ORDER = 1
_DIFF = 128                                  # DNNL_ARG_DIFF_x = DNNL_ARG_x + 128
_ARG = {"src_layer": 1, "src_iter": 2, "src_iter_c": 3, "dst_layer": 17, "dst_iter": 18,
        "dst_iter_c": 19, "weights_layer": 33, "weights_iter": 34, "bias": 41,
        "workspace": 64, "from": 1, "to": 17,  # (a reorder reads DNNL_ARG_FROM, writes _TO)
        "src": 1, "weights": 33, "dst": 17, "scratchpad": 80}
_GATES = 4
_Dims = ctypes.c_int64 * 12                  # dnnl_dims_t
_P = ctypes.c_void_p

_lib = None
_engine = _stream = _attr = None  # _attr: every primitive's attributes (scratchpad given by us)
_lock = threading.Lock()  # one thread at a time runs a kernel (its buffers are shared)
_SCRATCHPAD_USER = 1
_kernels = OrderedDict()                     # (T, B, n_in, H, reverse, training) -> _LSTMKernel
_conv_kernels = OrderedDict()                # (shapes, stride, padding, dilation, bias) -> _ConvKernel
_KEEP = 16                                   # kernels (shapes) kept, of each kind


class OneDNNError(RuntimeError):
    """A oneDNN call failed (its status code is in the message)."""


class _ExecArg(ctypes.Structure):
    _fields_ = [("arg", ctypes.c_int), ("memory", _P)]


def load():
    """Look for oneDNN once; return ``status``."""
    global _lib, _engine, _stream, _attr, status
    if _lib is not None or status != "not loaded yet":
        return status
    if _ENV_OFF:
        status = f"off ({ENV_VAR}=0)"
        return status
    path = wheel_libs.find("libdnnl.so.3*")  # (the onednn-cpu-gomp wheel's)
    if path is None:
        status = "off (oneDNN not installed: pip install glassnet[onednn])"
        return status
    try:
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
        engine, stream = _P(), _P()
        _check(lib.dnnl_engine_create(ctypes.byref(engine), 1, ctypes.c_size_t(0)),
               "dnnl_engine_create")
        _check(lib.dnnl_stream_create(ctypes.byref(stream), engine, _STREAM_IN_ORDER),
               "dnnl_stream_create")
        # each primitive gets its scratch memory from us (a NumPy buffer): then any
        # thread may run it, and tracemalloc sees that memory
        attr = _P()
        _check(lib.dnnl_primitive_attr_create(ctypes.byref(attr)), "dnnl_primitive_attr_create")
        _check(lib.dnnl_primitive_attr_set_scratchpad_mode(attr, _SCRATCHPAD_USER),
               "dnnl_primitive_attr_set_scratchpad_mode")
    except (OSError, AttributeError, OneDNNError) as error:
        status = f"off (could not load oneDNN from {path}: {error})"
        return status
    _lib, _engine, _stream, _attr = lib, engine, stream, attr
    status = f"onednn ({os.path.basename(path)})"
    return status


def available():
    """Can oneDNN run an LSTM layer or a convolution now (installed, loaded, not turned off)?"""
    return enabled and load().startswith("onednn")


@contextlib.contextmanager
def disabled():
    """Run the body with glassnet's own LSTM steps (every gate an array, one
    graph node per step) and im2col convolutions, as
    ``torch.backends.mkldnn.flags(enabled=False)``."""
    global enabled
    before, enabled = enabled, False
    try:
        yield
    finally:
        enabled = before


def _check(code, what):
    if code != 0:
        raise OneDNNError(f"{what} failed: oneDNN status {code}")


class _Descs:
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
            _check(_lib.dnnl_memory_desc_create_with_tag(ctypes.byref(md), len(shape),
                                                         _Dims(*shape), _F32, _FORMAT_ANY),
                   "dnnl_memory_desc_create_with_tag")
        else:
            if strides is None:
                strides = [int(s) for s in np.cumprod((list(shape[1:]) + [1])[::-1])[::-1]]
            _check(_lib.dnnl_memory_desc_create_with_strides(
                ctypes.byref(md), len(shape), _Dims(*shape), _F32, _Dims(*strides)),
                "dnnl_memory_desc_create_with_strides")
        self.made.append(md)
        return md

    def weights(self, n_in, hidden):
        """PyTorch's weight (G·H, n_in) as oneDNN sees it: dims (layers,
        directions, n_in, G, H) = (1, 1, n, G, H) laid out l, d, g, o, i (``ldgoi``)."""
        size = _GATES * hidden * n_in
        return self((1, 1, n_in, _GATES, hidden), (size, size, 1, hidden * n_in, n_in))


class _Memory:
    """A oneDNN memory object over NumPy arrays: ``point(arr)`` makes it use
    ``arr``'s buffer for the next execution."""

    __slots__ = ("handle", "size")

    def __init__(self, md):
        self.handle = _P()
        _check(_lib.dnnl_memory_create(ctypes.byref(self.handle), md, _engine, _P(0)),
               "dnnl_memory_create")
        self.size = _lib.dnnl_memory_desc_get_size(md)

    def point(self, arr):
        _check(_lib.dnnl_memory_set_data_handle(self.handle, arr.ctypes.data),
               "dnnl_memory_set_data_handle")


def _arg(name):
    """oneDNN's number for an execution argument: 'src', 'diff_src', …"""
    base = name.removeprefix("diff_")
    return _ARG[base] + (_DIFF if base != name else 0)


def _primitive_desc(create, *args):
    """A primitive descriptor from oneDNN's ``create`` function (its name: the
    engine and the output pointer are filled in)."""
    pd = _P()
    _check(getattr(_lib, create)(ctypes.byref(pd), _engine, *args), create)
    return pd


class _Primitive:
    """A primitive made from its descriptor, with a memory object per argument
    (the scratchpad's included, when it needs one)."""

    def __init__(self, pd, args):
        self.pd = pd
        self.handle = _P()
        _check(_lib.dnnl_primitive_create(ctypes.byref(self.handle), pd), "dnnl_primitive_create")
        self.scratch = _lib.dnnl_memory_desc_get_size(self.md("scratchpad"))
        args = tuple(args) + (("scratchpad",) if self.scratch else ())
        self.memory = {name: _Memory(self.md(name)) for name in args}
        self._args = (_ExecArg * len(args))(
            *[_ExecArg(_arg(name), self.memory[name].handle) for name in args])

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
        _check(_lib.dnnl_primitive_execute(self.handle, _stream, len(self._args), self._args),
               "dnnl_primitive_execute")
        _check(_lib.dnnl_stream_wait(_stream), "dnnl_stream_wait")


def _reorder(src_md, dst_md):
    """A primitive copying memory of layout ``src_md`` into layout ``dst_md``."""
    pd = _P()  # (the engine comes twice here: source's and destination's)
    _check(_lib.dnnl_reorder_primitive_desc_create(ctypes.byref(pd), src_md, _engine, dst_md,
                                                   _engine, _attr),
           "dnnl_reorder_primitive_desc_create")
    return _Primitive(pd, ("from", "to"))


class _Bound:
    """One argument of a primitive, given as a C-ordered NumPy array: used
    as it is when the primitive takes that layout, else through a buffer in
    the primitive's layout (made for the call, like a temporary of a NumPy
    expression) and a reorder, ``into`` the buffer before the call or out
    of it after."""

    def __init__(self, prim, name, user_md, into):
        self.md = prim.md(name)
        self.size, self.reorder, self.into = prim.size(name), None, into
        if not _lib.dnnl_memory_desc_equal(self.md, user_md):
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


_FORWARD_ARGS = ("src_layer", "src_iter", "src_iter_c", "weights_layer", "weights_iter", "bias",
                 "dst_layer", "dst_iter", "dst_iter_c")
_BACKWARD_ARGS = _FORWARD_ARGS + ("workspace",) + tuple(
    "diff_" + name for name in ("src_layer", "src_iter", "src_iter_c", "weights_layer",
                                "weights_iter", "bias", "dst_layer", "dst_iter", "dst_iter_c"))


class _LSTMKernel:
    """oneDNN's LSTM primitives for one shape and direction: forward (training
    or inference) and, for training, backward; the weights go in (and their
    gradients come out) through reorders from and to PyTorch's layout."""

    def __init__(self, steps, batch, n_in, hidden, reverse, training):
        self.training = training
        direction = _RIGHT2LEFT if reverse else _LEFT2RIGHT
        with _Descs() as desc:
            src, state = desc((steps, batch, n_in)), desc((1, 1, batch, hidden))
            dst, bias = desc((steps, batch, hidden)), desc((1, 1, _GATES, hidden))
            w_in, w_h = (1, 1, n_in, _GATES, hidden), (1, 1, hidden, _GATES, hidden)
            ours_in, ours_h = desc.weights(n_in, hidden), desc.weights(hidden, hidden)
            pd = _primitive_desc(
                "dnnl_lstm_forward_primitive_desc_create",
                _FORWARD_TRAINING if training else _FORWARD_INFERENCE, direction, src, state,
                state, desc(w_in, "any"), desc(w_h, "any"), None, None, bias, dst, state, state,
                0, _attr)
            self.fwd = _Primitive(pd, _FORWARD_ARGS + (("workspace",) if training else ()))
            self.fwd_weights = (_Bound(self.fwd, "weights_layer", ours_in, True),
                                _Bound(self.fwd, "weights_iter", ours_h, True))
            self.workspace_bytes = self.fwd.size("workspace") if training else 0
            if not training:
                return
            bpd = _primitive_desc(
                "dnnl_lstm_backward_primitive_desc_create", _BACKWARD, direction,
                src, state, state, desc(w_in, "any"), desc(w_h, "any"), None, None, bias,
                dst, state, state,
                src, state, state, desc(w_in, "any"), desc(w_h, "any"), None, None, bias,
                dst, state, state, 0, pd, _attr)
            self.bwd = _Primitive(bpd, _BACKWARD_ARGS)
            self.bwd_weights = (_Bound(self.bwd, "weights_layer", ours_in, True),
                                _Bound(self.bwd, "weights_iter", ours_h, True))
            self.bwd_grads = (_Bound(self.bwd, "diff_weights_layer", ours_in, False),
                              _Bound(self.bwd, "diff_weights_iter", ours_h, False))

    def forward(self, x, h0, c0, w_ih, w_hh, b, out, h_t, c_t, workspace=None):
        """out (T, B, H), h_t and c_t (B, H) from x (T, B, n), h0, c0 (B, H),
        the weights (G·H, n), (G·H, H) and the summed bias b (G·H,); training
        kernels also fill ``workspace`` (``workspace_bytes`` bytes) for backward."""
        with _lock:
            w_in, w_h = self.fwd_weights
            args = dict(src_layer=x, src_iter=h0, src_iter_c=c0, weights_layer=w_in.given(w_ih),
                        weights_iter=w_h.given(w_hh), bias=b, dst_layer=out, dst_iter=h_t,
                        dst_iter_c=c_t)
            if self.training:
                args["workspace"] = workspace
            self.fwd(**args)

    def backward(self, x, h0, c0, w_ih, w_hh, b, out, h_t, c_t, workspace,
                 d_out, d_ht, d_ct, d_x, d_h0, d_c0, d_w_ih, d_w_hh, d_b):
        """The gradients of x, h0, c0, the weights and the bias from those of
        out, h_t and c_t, with what ``forward`` wrote into ``workspace``."""
        with _lock:
            w_in, w_h = self.bwd_weights
            g_in, g_h = self.bwd_grads
            handed_in, handed_h = g_in.given(d_w_ih), g_h.given(d_w_hh)
            for buffer in (handed_in, handed_h, d_b):
                buffer.fill(0)  # oneDNN adds the weights' gradients into these
            self.bwd(src_layer=x, src_iter=h0, src_iter_c=c0, weights_layer=w_in.given(w_ih),
                     weights_iter=w_h.given(w_hh), bias=b, dst_layer=out, dst_iter=h_t,
                     dst_iter_c=c_t, workspace=workspace, diff_src_layer=d_x,
                     diff_src_iter=d_h0, diff_src_iter_c=d_c0, diff_weights_layer=handed_in,
                     diff_weights_iter=handed_h, diff_bias=d_b, diff_dst_layer=d_out,
                     diff_dst_iter=d_ht, diff_dst_iter_c=d_ct)
            g_in.taken(handed_in, d_w_ih)
            g_h.taken(handed_h, d_w_hh)


def _cached(table, key, make):
    """``table[key]``, made by ``make(*key)`` the first time; the ``_KEEP``
    most recently used stay (the others are freed once no graph node holds them)."""
    with _lock:
        kernel = table.pop(key, None)
        if kernel is None:
            kernel = make(*key)
            while len(table) >= _KEEP:
                table.popitem(last=False)
        table[key] = kernel  # the most recently used last
        return kernel


def lstm_kernel(steps, batch, n_in, hidden, reverse=False, training=True):
    """The (cached) oneDNN LSTM kernel for this shape; oneDNN must be available."""
    return _cached(_kernels, (steps, batch, n_in, hidden, bool(reverse), bool(training)),
                   _LSTMKernel)


class _ConvKernel:
    """oneDNN's convolution for one geometry: forward and, made at their
    first use, backward-data and backward-weights, each in the layouts
    oneDNN prefers (``format_tag any``: blocked channels, for its vectorised
    kernels), with reorders from and to glassnet's (N, C, H, W) and
    (O, C, kH, kW) arrays where they differ."""

    def __init__(self, x_shape, w_shape, stride, padding, dilation, bias):
        n, _, h, w = x_shape
        o, _, kh, kw = w_shape
        top, bottom, left, right = padding
        oh = (h + top + bottom - dilation[0] * (kh - 1) - 1) // stride[0] + 1
        ow = (w + left + right - dilation[1] * (kw - 1) - 1) // stride[1] + 1
        self.shapes = (x_shape, w_shape, (n, o, oh, ow))
        # oneDNN counts dilation from 0 (no gaps), PyTorch from 1
        self.geometry = (_Dims(*stride), _Dims(dilation[0] - 1, dilation[1] - 1),
                         _Dims(top, left), _Dims(bottom, right))
        self.bias = bias
        self.backward_data = self.backward_weights = None
        with _Descs() as desc:
            src, weights, dst = (desc(s) for s in self.shapes)
            self.fwd_pd = _primitive_desc(
                "dnnl_convolution_forward_primitive_desc_create", _FORWARD_TRAINING,
                _CONVOLUTION_DIRECT, desc(x_shape, "any"), desc(w_shape, "any"),
                desc((o,)) if bias else None, desc(self.shapes[2], "any"), *self.geometry, _attr)
            self.fwd = _Primitive(self.fwd_pd, ("src", "weights", "bias", "dst") if bias
                                  else ("src", "weights", "dst"))
            self.fwd_args = (_Bound(self.fwd, "src", src, True),
                             _Bound(self.fwd, "weights", weights, True),
                             _Bound(self.fwd, "dst", dst, False))

    def _make_backward_data(self):
        x_shape, w_shape, y_shape = self.shapes
        with _Descs() as desc:
            src, weights, dst = (desc(s) for s in self.shapes)
            pd = _primitive_desc(
                "dnnl_convolution_backward_data_primitive_desc_create", _CONVOLUTION_DIRECT,
                desc(x_shape, "any"), desc(w_shape, "any"), desc(y_shape, "any"),
                *self.geometry, self.fwd_pd, _attr)
            prim = _Primitive(pd, ("diff_src", "weights", "diff_dst"))
            self.backward_data = (prim, _Bound(prim, "diff_src", src, False),
                                  _Bound(prim, "weights", weights, True),
                                  _Bound(prim, "diff_dst", dst, True))

    def _make_backward_weights(self):
        x_shape, w_shape, y_shape = self.shapes
        with _Descs() as desc:
            src, weights, dst = (desc(s) for s in self.shapes)
            pd = _primitive_desc(
                "dnnl_convolution_backward_weights_primitive_desc_create", _CONVOLUTION_DIRECT,
                desc(x_shape, "any"), desc(w_shape, "any"),
                desc((w_shape[0],)) if self.bias else None, desc(y_shape, "any"),
                *self.geometry, self.fwd_pd, _attr)
            prim = _Primitive(pd, ("src", "diff_weights", "diff_bias", "diff_dst") if self.bias
                              else ("src", "diff_weights", "diff_dst"))
            self.backward_weights = (prim, _Bound(prim, "src", src, True),
                                     _Bound(prim, "diff_weights", weights, False),
                                     _Bound(prim, "diff_dst", dst, True))

    def forward(self, x, w, b, out):
        """out (N, O, OH, OW) = conv(x, w) + b (b None without a bias)."""
        with _lock:
            src, weights, dst = self.fwd_args
            handed = dst.given(out)
            args = dict(src=src.given(x), weights=weights.given(w), dst=handed)
            if self.bias:
                args["bias"] = b
            self.fwd(**args)
            dst.taken(handed, out)

    def backward(self, x, w, d_out, d_x=None, d_w=None, d_b=None):
        """Fill the gradients asked for (arrays of x's, w's and the bias's
        shapes; None: not needed; the bias's only with the weights') from ∂L/∂out."""
        with _lock:
            d_y = d_y_md = None  # ∂L/∂out as the first primitive took it (the second may too)
            if d_x is not None:
                if self.backward_data is None:
                    self._make_backward_data()
                prim, diff_src, weights, diff_dst = self.backward_data
                handed, d_y, d_y_md = diff_src.given(d_x), diff_dst.given(d_out), diff_dst.md
                prim(diff_src=handed, weights=weights.given(w), diff_dst=d_y)
                diff_src.taken(handed, d_x)
            if d_w is not None:
                if self.backward_weights is None:
                    self._make_backward_weights()
                prim, src, diff_weights, diff_dst = self.backward_weights
                if d_y is None or not _lib.dnnl_memory_desc_equal(d_y_md, diff_dst.md):
                    d_y = diff_dst.given(d_out)
                handed = diff_weights.given(d_w)
                args = dict(src=src.given(x), diff_weights=handed, diff_dst=d_y)
                if self.bias:
                    args["diff_bias"] = np.empty(self.shapes[1][0], np.float32) if d_b is None else d_b
                prim(**args)
                diff_weights.taken(handed, d_w)


def conv_kernel(x_shape, w_shape, stride, padding, dilation, bias):
    """The (cached) oneDNN convolution for this geometry: x (N, C, H, W), w
    (O, C, kH, kW), stride and dilation pairs, padding (top, bottom, left,
    right), ``bias`` whether there is one. oneDNN must be available."""
    key = (tuple(x_shape), tuple(w_shape), tuple(stride), tuple(padding), tuple(dilation),
           bool(bias))
    return _cached(_conv_kernels, key, _ConvKernel)
