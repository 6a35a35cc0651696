"""Products of stacks of matrices, ``a @ b`` on (..., m, k) and (..., k, n)
arrays, in one call of MKL's grouped GEMM (``cblas_?gemm_batch``) where
glassnet's products go to MKL's thread pool.

NumPy's ``matmul`` on stacks calls its OpenBLAS once per matrix, on
OpenBLAS's own threads. Beside the pool every other heavy op uses (GNU
OpenMP: MKL's and oneDNN's) the two spin against each other: a Transformer
layer's training step here took 39 ms with OpenBLAS on 2 threads for its
attention's products and 29 ms with it on one. So the attention and the
batched ``@`` hand their stacks to ``matmul`` below: one call for the whole
stack (the batch dims broadcast as NumPy's; each operand's matrices found by
their addresses, so strided views such as heads split off a projection need
no copy), spread over MKL's threads. A dtype MKL does not do here (float64
on a CPU where NumPy's OpenBLAS does the products), an ``out``, a layout
MKL does not take or small work: NumPy's ``matmul``.
"""

import ctypes

import numpy as np

from . import blas
from .cblas import ROW_MAJOR, layout

MIN_FLOPS = 1 << 16  # multiply-adds of the whole stack below which np.matmul is cheaper
_int = ctypes.c_int


def _offsets(a, batch):
    """Byte offsets of each matrix of ``a`` (batch dims broadcast to ``batch``)."""
    dims = a.ndim - 2
    off = np.zeros((1,) * len(batch), np.intp)
    lead = len(batch) - dims
    for i in range(dims):
        if a.shape[i] > 1:
            shape = [1] * len(batch)
            shape[lead + i] = a.shape[i]
            off = off + (np.arange(a.shape[i], dtype=np.intp) * a.strides[i]).reshape(shape)
    return np.broadcast_to(off, batch).ravel()


def _first(a):
    """The first matrix of a stack (or the matrix itself)."""
    return a[(0,) * (a.ndim - 2)] if a.ndim > 2 else a


def matmul(a, b, out=None):
    """``np.matmul(a, b)`` for float arrays, stacks in one grouped GEMM where MKL
    takes them (see the module docstring); the same result to float rounding."""
    if out is not None or a.ndim < 2 or b.ndim < 2 or (a.ndim == 2 and b.ndim == 2):
        return np.matmul(a, b, out=out)
    if not blas._loaded:
        blas.load()
    group = blas.gemm_groups.get(a.dtype)
    (m, k), (k2, n) = a.shape[-2:], b.shape[-2:]
    if group is None or b.dtype != a.dtype or k != k2 or 0 in a.shape or 0 in b.shape:
        return np.matmul(a, b)
    try:
        batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    except ValueError:
        return np.matmul(a, b)  # (NumPy's error names the shapes)
    count = int(np.prod(batch))
    la, lb = layout(_first(a)), layout(_first(b))
    if la is None or lb is None or count * m * n * k < MIN_FLOPS or count >= 1 << 31:
        return np.matmul(a, b)
    result = np.empty(batch + (m, n), a.dtype)
    pa = a.ctypes.data + _offsets(a, batch)
    pb = b.ctypes.data + _offsets(b, batch)
    pc = result.ctypes.data + np.arange(count, dtype=np.intp) * (m * n * a.itemsize)
    scalar = ctypes.c_float if a.dtype == np.float32 else ctypes.c_double
    one = ctypes.c_int * 1
    group(
        ROW_MAJOR,
        one(la[0]),
        one(lb[0]),
        one(m),
        one(n),
        one(k),
        (scalar * 1)(1.0),
        pa.ctypes.data,
        one(la[1]),
        pb.ctypes.data,
        one(lb[1]),
        (scalar * 1)(0.0),
        pc.ctypes.data,
        one(n),
        1,
        one(count),
    )
    return result
