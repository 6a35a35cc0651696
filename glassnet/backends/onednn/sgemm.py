"""oneDNN's float32 GEMM, ``dnnl_sgemm``, as a product ``blas.dot`` calls.

oneDNN chooses its GEMM kernel by the instructions a CPU has (AVX-512,
AVX2, …), whoever made it; MKL's GEMM takes a generic path on CPUs that are
not Intel's. On the AMD EPYC of bench/ (AVX-512), for the layer shapes of
the MLP workloads, one core: oneDNN 30.2 ms, OpenBLAS 30.9 ms, MKL 39.9 ms.
oneDNN runs on GNU OpenMP, the threads its convolutions and LSTMs use (and
MKL's, which ``blas`` puts on GNU OpenMP): one pool for all the heavy work.

    C = α·op(A)·op(B) + β·C, row-major, op = as stored ('N') or transposed ('T')
"""

import ctypes

from ..cblas import NO_TRANS, TRANS

_FLAG = {NO_TRANS: b"N", TRANS: b"T"}


def bind(path):
    """``product(ta, tb, m, n, k, pa, lda, pb, ldb, beta, po, ldo)`` over the
    ``dnnl_sgemm`` of the library at ``path`` (CBLAS's transpose flags,
    addresses as integers, α = 1); raises OSError or AttributeError when the
    library or the function is missing."""
    fn = ctypes.CDLL(path).dnnl_sgemm
    dim, ptr = ctypes.c_int64, ctypes.c_void_p
    fn.restype = ctypes.c_int
    fn.argtypes = [ctypes.c_char, ctypes.c_char, dim, dim, dim, ctypes.c_float]
    fn.argtypes += [ptr, dim, ptr, dim, ctypes.c_float, ptr, dim]
    flag = _FLAG

    def product(ta, tb, m, n, k, pa, lda, pb, ldb, beta, po, ldo):
        status = fn(flag[ta], flag[tb], m, n, k, 1.0, pa, lda, pb, ldb, beta, po, ldo)
        if status:
            raise RuntimeError(
                f"oneDNN's dnnl_sgemm failed (status {status}) for a {m}×{k} by {k}×{n} "
                f"product (lda {lda}, ldb {ldb}, ldc {ldo}, transposes {ta}, {tb})"
            )

    return product
