"""A whole LSTM layer, a convolution or a max pooling in one call through Intel oneDNN,
when it is installed; this module is the switch.

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
oneDNN. Float32 ``nn.GRU`` layers likewise run oneDNN's linear-before-reset
GRU primitive (``glassnet.ops.recurrent.fused_gru``). The same goes for
float32 2-D convolutions (``glassnet.ops.conv``, groups 1): PyTorch's
``conv2d`` on CPU is oneDNN's convolution, which on the CNN of ``bench/``
is about 3× glassnet's im2col and per-image products for the second layer
(8 → 16 channels) and as fast for the first. And for float32 max pooling
without a NaN (``glassnet.ops.pool``; ``pool``): about half the time of
glassnet's walk over the taps on one core, threaded. And for float32 layer
normalization (``glassnet.ops.norm.LayerNorm``; ``layer_norm``): one
threaded pass per row where glassnet's own makes several NumPy passes on
one core. And Adam's update of a float32 weight (``glassnet.optim.Adam``;
``adam``): three fused threaded passes where NumPy makes eleven. And
float32 softmax and log-softmax of at least ``ops.softmax.ONEDNN_MIN``
values, attention's weights included (``softmax``): one threaded pass each
way where NumPy makes five forward and three backward.

``GLASSNET_ONEDNN=0``, ``glassnet.backends.onednn.enabled = False`` or
``with glassnet.onednn.disabled():`` turn it off; float64 always runs
glassnet's own steps and im2col.

The parts: ``capi`` (oneDNN's C API through ctypes), ``lstm``
(``lstm_kernel``), ``gru`` (``gru_kernel``: linear-before-reset GRU, PyTorch's),
``conv`` (``conv_kernel``), ``pool`` (``pool_kernel``),
``layer_norm`` (``layer_norm_kernel``), ``adam`` (``adam_kernel``),
``softmax`` (``softmax_kernel``),
``sgemm`` (its float32 GEMM, for ``backends.blas``). Kernels are cached per shape
(the ``KEEP`` latest of each kind); ``clear_caches()`` lets them go.
"""

import contextlib
import os

from .. import openmp, wheel_libs
from . import adam, capi, conv, gru, layer_norm, lstm, pool, softmax
from .adam import adam_kernel
from .capi import KEEP, OneDNNError
from .conv import conv_kernel
from .gru import gru_kernel
from .layer_norm import layer_norm_kernel
from .lstm import lstm_kernel
from .pool import pool_kernel
from .softmax import softmax_kernel

__all__ = [
    "ENV_VAR",
    "KEEP",
    "OneDNNError",
    "adam_kernel",
    "available",
    "cached",
    "clear_caches",
    "conv_kernel",
    "disabled",
    "enabled",
    "gru_kernel",
    "layer_norm_kernel",
    "load",
    "lstm_kernel",
    "pool_kernel",
    "softmax_kernel",
    "status",
]

ENV_VAR = "GLASSNET_ONEDNN"  # "0" turns oneDNN off
_ENV_OFF = os.environ.get(ENV_VAR, "1").strip().lower() in ("0", "false", "no", "off")
enabled = not _ENV_OFF  # False: glassnet's own LSTM and convolution (``disabled()`` for a while)
status = "not loaded yet"  # in words: whether oneDNN runs LSTM layers and convolutions, and why not

_CACHES = {
    "lstm": lstm.KERNELS,
    "gru": gru.KERNELS,
    "conv": conv.KERNELS,
    "pool": pool.KERNELS,
    "layer_norm": layer_norm.KERNELS,
    "adam": adam.KERNELS,
    "softmax": softmax.KERNELS,
}


def load():
    """Look for oneDNN once; return ``status``."""
    global status
    if status != "not loaded yet":
        return status
    if openmp.forked:
        _forked()
        return status
    if _ENV_OFF:
        status = f"off ({ENV_VAR}=0)"
        return status
    path = wheel_libs.find("libdnnl.so.3*")  # (the onednn-cpu-gomp wheel's)
    if path is None:
        status = (
            "off (oneDNN not installed: pip install onednn-cpu-gomp; a dependency on x86-64 Linux)"
        )
        return status
    try:
        name = capi.load_library(path)
    except (OSError, AttributeError, OneDNNError) as error:
        status = f"off (could not load oneDNN from {path}: {error})"
        return status
    status = f"onednn ({name})"
    openmp.started(_forked)
    return status


def _forked():
    """In a child forked after oneDNN (or MKL on GNU OpenMP) was loaded:
    glassnet's own steps (see ``backends.openmp``)."""
    global status
    status = "off (a forked process: GNU OpenMP cannot run after os.fork)"


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


def clear_caches():
    """Let go of every cached kernel, LSTM and convolution (their primitives,
    reorders and workspaces; a graph node that still holds one keeps it), as
    ``torch.cuda.empty_cache()`` does for PyTorch's cached memory."""
    for cache in _CACHES.values():
        cache.clear()


def cached(kind):
    """The kernels cached now for ``kind`` ('lstm', 'gru', 'conv', 'pool', 'layer_norm',
    'adam' or 'softmax'):
    key -> kernel,
    the least recently used first (a copy: changing it changes no cache)."""
    if kind not in _CACHES:
        raise ValueError(f"onednn.cached: unknown kind {kind!r}; expected one of {sorted(_CACHES)}")
    return _CACHES[kind].kept()
