"""Matrix products and optimizer updates through Intel MKL when it is
installed, else NumPy.

NumPy's wheels multiply matrices with the OpenBLAS they bundle; PyTorch's
CPU wheels use Intel MKL, whose float32 GEMM is 15–25% faster on the layer
shapes of a small MLP on the Intel CPUs we measured (see bench/). And
NumPy's elementwise functions run on one core, where PyTorch spreads an
optimizer's update over all of them. With ``pip install glassnet[mkl]``
(the ``mkl`` wheel, ``libmkl_rt``) glassnet calls MKL through ctypes:

    c = dot(a, b)            # a @ b, 2-D: cblas_?gemm (Linear, 2-D @, RNN steps)
    StackedProduct(a, b, out)  # out[j] = a @ b[i] for stacks: one GEMM a call, checked
                             # once (RNN steps); .all() every row in one
                             # cblas_?gemm_batch_strided, spread over MKL's threads
    VectorOps.over(w, g)     # threaded one-pass ?axpby, v?Mul, v?Sqrt, v?LinearFrac:
                             # SGD's and Adam's updates of big weights

Small work (fewer than ``DOT_MIN_FLOPS`` multiply-adds, ``VECTOR_MIN`` elements)
stays with NumPy, whose calls cost less. ``GLASSNET_BLAS=numpy`` turns MKL
off; ``status`` says which library is in use. Results differ from NumPy's
only by float rounding (another summation order inside the GEMM, a fused
multiply-add). How an array is handed to a CBLAS call (its layout, its
address, a call prepared once) is ``cblas``.
"""

import ctypes
import os

import numpy as np

from . import cpu, openmp, wheel_libs
from .cblas import NO_TRANS, ROW_MAJOR, PreparedGemm, address, fits, layout, same_view

MIN_FLOPS = 1 << 15  # m·n·k below this: a StackedProduct's steps go to NumPy
# m·n·k below this: np.dot (a ctypes call into MKL or oneDNN costs 6-9 µs here, np.dot of a
# (32, 64)·(64, 64) 3.3 µs; and below 2^18 NumPy's OpenBLAS stays on one thread)
DOT_MIN_FLOPS = 1 << 18
VECTOR_MIN = 4096  # fewer elements: NumPy (the call costs more than the pass)
ENV_VAR = "GLASSNET_BLAS"  # "numpy" turns MKL off; "mkl": MKL for every dtype on any CPU
THREADING_LAYERS = {"INTEL": 0, "SEQUENTIAL": 1, "PGI": 2, "GNU": 3, "TBB": 4}  # MKL_THREADING_*

status = "not loaded yet"  # which library multiplies glassnet's matrices, in words
_product = {}  # dtype -> product(ta, tb, m, n, k, pa, lda, pb, ldb, beta, po, ldo): dot's GEMM
_gemm = {}  # dtype -> cblas_sgemm / cblas_dgemm (StackedProduct), once loaded
_gemm_batch = {}  # dtype -> cblas_?gemm_batch_strided (StackedProduct.all, halves)
gemm_groups = {}  # dtype -> cblas_?gemm_batch (pointer arrays): ``stacks.matmul``
_max_threads = None  # MKL's mkl_get_max_threads, once loaded
_vector = {}  # (name, dtype) -> cblas_?axpby and MKL VML's v?Mul, v?Sqrt, v?LinearFrac
_loaded = False


def load():
    """Choose the libraries once; return ``status``.

    Every library that does heavy work shares one thread pool: two pools
    (MKL's Intel OpenMP beside oneDNN's GNU OpenMP, or beside NumPy's
    OpenBLAS) spin against each other on the same cores (the MLP's Adam step
    on 2 threads: 4.9 → 43 ms). So MKL runs on GNU OpenMP, oneDNN's; on an
    Intel CPU MKL does every product; on another, float32 products go to
    oneDNN's GEMM and float64 stays with NumPy (its OpenBLAS is faster than
    MKL's generic path there, and NumPy then does that dtype's vector work
    too: one pool)."""
    global _loaded, status
    if _loaded:
        return status
    _loaded = True
    choice = os.environ.get(ENV_VAR, "").lower()
    if openmp.forked:
        _forked()
        return status
    if choice == "numpy":
        status = f"numpy ({ENV_VAR}=numpy)"
        return status
    path = wheel_libs.find("libmkl_rt.so*")  # (the mkl wheel's)
    if path is None:
        status = "numpy (MKL not installed: pip install mkl; a dependency on x86-64 Linux)"
        return status
    mkl_everywhere = choice == "mkl" or cpu.is_intel()
    try:
        lib = ctypes.CDLL(path)
        pool = _choose_openmp(lib)
        for dtype, name, scalar in (
            (np.dtype(np.float32), "cblas_sgemm", ctypes.c_float),
            (np.dtype(np.float64), "cblas_dgemm", ctypes.c_double),
        ):
            if dtype == np.float64 and not mkl_everywhere:
                continue  # NumPy's OpenBLAS, for products and vector work alike
            _bind_gemm(lib, dtype, name, scalar)
            _bind_vector_ops(lib, dtype, name[6], scalar)
    except (OSError, AttributeError) as error:
        for table in (_gemm, _gemm_batch, gemm_groups, _vector, _product):
            table.clear()
        status = f"numpy (could not load MKL from {path}: {error})"
        return status
    global _max_threads
    _max_threads = getattr(lib, "MKL_Get_Max_Threads", None)
    if _max_threads is not None:
        _max_threads.restype, _max_threads.argtypes = ctypes.c_int, []
    float32 = "mkl"
    if not mkl_everywhere:
        float32 = _onednn_products() or "mkl (oneDNN not installed)"
    float64 = "mkl" if mkl_everywhere else "numpy (OpenBLAS: faster than MKL on this CPU)"
    openmp.started(_forked)
    status = (
        f"mkl ({os.path.basename(path)}, {pool}); float32 products: {float32}; float64: {float64}"
    )
    return status


def _choose_openmp(lib):
    """Put MKL on GNU OpenMP (oneDNN's threads) before its first call, unless
    MKL_THREADING_LAYER names another layer or there is no libgomp; say which."""
    asked = os.environ.get("MKL_THREADING_LAYER", "").strip().upper()
    lib.MKL_Set_Threading_Layer.restype = ctypes.c_int
    lib.MKL_Set_Threading_Layer.argtypes = [ctypes.c_int]
    if asked:
        if asked in THREADING_LAYERS:  # (set here too: MKL reads the variable only
            lib.MKL_Set_Threading_Layer(THREADING_LAYERS[asked])  # if nothing loaded libgomp yet)
        return f"threads: MKL_THREADING_LAYER={asked}"
    try:
        ctypes.CDLL("libgomp.so.1")
    except OSError:
        return "threads: Intel OpenMP (no libgomp)"
    lib.MKL_Set_Threading_Layer(THREADING_LAYERS["GNU"])
    return "threads: GNU OpenMP"


def _onednn_products():
    """Send float32 products to oneDNN's GEMM when it is installed; its name, or None."""
    path = wheel_libs.find("libdnnl.so.3*")
    if path is None:
        return None
    from .onednn import sgemm  # (here: importing glassnet need not import oneDNN's bindings)

    try:
        _product[np.dtype(np.float32)] = sgemm.bind(path)
    except (OSError, AttributeError):
        return None
    return (
        f"onednn ({os.path.basename(path)}; MKL's GEMM is slower on {cpu.vendor() or 'this CPU'})"
    )


def _cblas_product(gemm):
    """A CBLAS ``?gemm`` (row-major) as ``dot``'s product."""

    def product(ta, tb, m, n, k, pa, lda, pb, ldb, beta, po, ldo):
        gemm(ROW_MAJOR, ta, tb, m, n, k, 1.0, pa, lda, pb, ldb, beta, po, ldo)

    return product


def _bind_gemm(lib, dtype, name, scalar):
    """MKL's GEMM, batched GEMMs (strided, and of pointer arrays: ``stacks``) for
    one dtype (the GEMM is also ``dot``'s, unless another is chosen)."""
    p, n = ctypes.c_void_p, ctypes.c_int
    fn = getattr(lib, name)
    fn.restype = None
    fn.argtypes = [n] * 6 + [scalar, p, n, p, n, scalar, p, n]
    _gemm[dtype] = fn
    _product[dtype] = _cblas_product(fn)
    batch = getattr(lib, name + "_batch_strided", None)
    if batch is not None:
        batch.restype = None
        batch.argtypes = [n] * 6 + [scalar, p, n, n, p, n, n, scalar, p, n, n, n]
        _gemm_batch[dtype] = batch
    group = getattr(lib, name + "_batch", None)  # (groups of GEMMs given by pointer arrays)
    if group is not None:
        group.restype = None
        group.argtypes = [n] + [p] * 13 + [n, p]  # (the group count by value)
        gemm_groups[dtype] = group


def _forked():
    """In a child forked after the libraries were loaded: NumPy for everything
    (see ``openmp``: GNU OpenMP cannot run after ``os.fork``)."""
    global status
    for table in (_gemm, _gemm_batch, gemm_groups, _vector, _product):
        table.clear()
    status = "numpy (a forked process: GNU OpenMP cannot run after os.fork)"


def mkl_threads():
    """How many threads MKL's next call may use (0 when MKL is not in use)."""
    if not _loaded:
        load()
    return _max_threads() if _max_threads is not None and _gemm else 0


def _bind_vector_ops(lib, dtype, letter, scalar):
    """MKL's threaded vector functions for one dtype (letter 's' or 'd')."""
    p, n = ctypes.c_void_p, ctypes.c_int
    for name, symbol, args in (
        ("axpby", f"cblas_{letter}axpby", [n, scalar, p, n, scalar, p, n]),
        ("mul", f"v{letter}Mul", [n, p, p, p]),
        ("sqrt", f"v{letter}Sqrt", [n, p, p]),
        ("linear_frac", f"v{letter}LinearFrac", [n, p, p, scalar, scalar, scalar, scalar, p]),
    ):
        fn = getattr(lib, symbol)
        fn.restype = None
        fn.argtypes = args
        _vector[name, dtype] = fn


def _numpy_dot(a, b, out, accumulate):
    """``dot`` by NumPy (what MKL does not take)."""
    if out is None:
        return np.dot(a, b)
    if accumulate:
        out += np.dot(a, b)
    else:
        np.matmul(a, b, out=out)
    return out


def dot(a, b, out=None, accumulate=False):
    """``a @ b`` for 2-D arrays: MKL's GEMM when loaded and worth it, else
    NumPy. With ``out`` the product is written there (``accumulate``: added
    to what ``out`` holds, GEMM's β = 1) and ``out`` is returned."""
    if not _loaded:
        load()
    if a.ndim != 2 or b.ndim != 2 or a.size * b.shape[1] < DOT_MIN_FLOPS:  # m·k·n
        return np.dot(a, b) if out is None else _numpy_dot(a, b, out, accumulate)
    product = _product.get(a.dtype)
    m, k = a.shape
    n = b.shape[1]
    if product is None or b.dtype != a.dtype or k != b.shape[0]:
        return _numpy_dot(a, b, out, accumulate)
    la, lb = layout(a), layout(b)
    if la is None or lb is None:
        return _numpy_dot(a, b, out, accumulate)
    if out is None:
        out = np.empty((m, n), a.dtype)
    elif not fits(out, m, n, a.dtype) or np.may_share_memory(out, a) or np.may_share_memory(out, b):
        return _numpy_dot(a, b, out, accumulate)
    product(
        la[0],
        lb[0],
        m,
        n,
        k,
        address(a),
        la[1],
        address(b),
        lb[1],
        1.0 if accumulate else 0.0,
        address(out),
        out.strides[0] // out.itemsize,
    )
    return out


def _check_stacks(a, b, out):
    """Raise unless ``out[j] = a @ b[i]`` fits: a 2-D, b and out 3-D stacks of
    (k × n) and (m × n) slices (dtypes that differ leave it to NumPy)."""
    shapes = f"a {a.shape} {a.dtype}, b {b.shape} {b.dtype}, out {out.shape} {out.dtype}"
    if a.ndim != 2 or b.ndim != 3 or out.ndim != 3:
        raise ValueError(f"StackedProduct: expected a 2-D a and 3-D stacks b and out, got {shapes}")
    (m, k), n = a.shape, b.shape[2]
    if b.shape[1] != k or out.shape[1:] != (m, n):
        raise ValueError(
            f"StackedProduct: out[j] = a @ b[i] needs b's slices {k} × n and out's "
            f"{m} × n, got {shapes}"
        )


class StackedProduct:
    """``out[j] = a @ b[i]`` (``accumulate``: ``+=``) for the 2-D slices of two
    3-D stacks, the same ``a`` every time: the products of an RNN's steps
    (one weight times each step's state, each in its own row of a stack).
    What ``dot`` checks at every call (layouts, sizes, overlap, addresses:
    5–10 µs, a sixth of such a product) is checked once, when it is made;
    a call is then one GEMM call. ``out`` may be ``b`` itself (a plain RNN
    computes each step's state in the row after its input's; a call with
    i = j then goes to ``dot``, which leaves it to NumPy); any other
    overlap, a layout MKL does not take, or no MKL, and each call is
    ``dot`` on the slices.

    ``halves=True``: when MKL has two threads or more, each product is one
    ``cblas_?gemm_batch_strided`` call of two GEMMs, the top and the bottom
    half of the rows, which MKL runs on two threads at once. For an RNN's
    backward product W_hhᵀ·δ (128 × 512 times 512 × 32) MKL's own split of
    one GEMM gains nothing from a second thread; the halves take about a
    fifth less (on one thread they cost a little more, so they are not used)."""

    __slots__ = ("_a", "_b", "_out", "_args", "_same", "_call")

    def __init__(self, a, b, out, halves=False):
        if not _loaded:
            load()
        _check_stacks(a, b, out)
        self._a, self._b, self._out = a, b, out  # read-only below: the plan holds their addresses
        self._same = same_view(out, b)
        self._args = args = self._plan(a, b, out, self._same)
        self._call = None  # one call's GEMM, prepared
        if args is not None:
            if halves and mkl_threads() > 1:
                self._call = self._plan_halves(args, a.dtype, len(b), len(out))
            if self._call is None:
                gemm, ta, tb, m, n, k, pa, lda, pb, sb, ldb, po, so, ldo = args
                self._call = PreparedGemm(
                    gemm,
                    (ROW_MAJOR, ta, tb, m, n, k, 1.0, pa, lda, pb, ldb, 0.0, po, ldo),
                    9,
                    11,
                    12,
                    sb,
                    so,
                    len(b),
                    len(out),
                )

    a = property(lambda self: self._a, doc="The matrix (m × k) every slice is multiplied by.")
    b = property(lambda self: self._b, doc="The stack of right-hand sides (… × k × n).")
    out = property(lambda self: self._out, doc="The stack the products go into (… × m × n).")

    @staticmethod
    def _plan(a, b, out, same):
        """The GEMM and its arguments (the slices' addresses as base + index·stride),
        or None when MKL cannot take these stacks."""
        gemm = _gemm.get(a.dtype)  # (the shapes fit: _check_stacks)
        if (
            gemm is None
            or len(b) == 0
            or len(out) == 0
            or b.dtype != a.dtype
            or out.dtype != a.dtype
        ):
            return None
        (m, k), n = a.shape, b.shape[2]
        if m * k * n < MIN_FLOPS:
            return None
        la, lb = layout(a), layout(b[0])
        if (
            la is None
            or lb is None
            or not fits(out[0], m, n, a.dtype)
            or not out.flags.writeable
            or np.may_share_memory(out, a)
            or (not same and np.may_share_memory(out, b))
            or abs(out.strides[0]) < m * out.strides[1]
        ):  # slices of out overlap
            return None
        return (
            gemm,
            la[0],
            lb[0],
            m,
            n,
            k,
            a.ctypes.data,
            la[1],
            b.ctypes.data,
            b.strides[0],
            lb[1],
            out.ctypes.data,
            out.strides[0],
            out.strides[1] // out.itemsize,
        )

    @staticmethod
    def _plan_halves(args, dtype, nb, no):
        """The batched GEMM and its arguments for the two row halves, or None
        (no plan, an odd row count, or no batched GEMM in this MKL)."""
        batch = _gemm_batch.get(dtype)
        if args is None or args[3] % 2 or batch is None:
            return None
        _, ta, tb, m, n, k, pa, lda, pb, sb, ldb, po, so, ldo = args
        half = m // 2  # row r of op(a) is r·lda elements on (a as stored) or r (transposed)
        stride_a = half * lda if ta == NO_TRANS else half
        return PreparedGemm(
            batch,
            (
                ROW_MAJOR,
                ta,
                tb,
                half,
                n,
                k,
                1.0,
                pa,
                lda,
                stride_a,
                pb,
                ldb,
                0,
                0.0,
                po,
                ldo,
                half * ldo,
                2,
            ),
            10,
            13,
            14,
            sb,
            so,
            nb,
            no,
        )

    def all(self):
        """out[t] = a @ b[t] for every row t of the stacks, in one batched GEMM
        (``cblas_?gemm_batch_strided``: MKL spreads the products over its
        threads, where a loop of calls or NumPy's matmul stays on one core);
        without MKL (or a plan), NumPy's matmul. Returns ``out``."""
        args = self._args
        if args is None or self._same or len(self._b) != len(self._out):
            np.matmul(self._a, self._b, out=self._out)
            return self._out
        gemm, ta, tb, m, n, k, pa, lda, pb, sb, ldb, po, so, ldo = args
        batch = _gemm_batch.get(self._a.dtype)
        size = self._a.itemsize
        if batch is None or sb % size or so % size:
            np.matmul(self._a, self._b, out=self._out)
            return self._out
        batch(
            ROW_MAJOR,
            ta,
            tb,
            m,
            n,
            k,
            1.0,
            pa,
            lda,
            0,
            pb,
            ldb,
            sb // size,
            0.0,
            po,
            ldo,
            so // size,
            len(self._b),
        )
        return self._out

    def __call__(self, i, j, accumulate=False):
        if self._call is None or (i == j and self._same):
            if not (0 <= i < len(self._b) and 0 <= j < len(self._out)):  # (as PreparedGemm)
                raise IndexError(
                    f"StackedProduct: slice i={i!r} of b (0 … {len(self._b) - 1}) "
                    f"into slice j={j!r} of out (0 … {len(self._out) - 1}): an "
                    "index is outside its stack"
                )
            return dot(self._a, self._b[i], out=self._out[j], accumulate=accumulate)
        self._call(i, j, accumulate)
        return self._out[j]


class VectorOps:
    """MKL's threaded one-pass vector functions on same-shape C-contiguous
    arrays (an output may be one of the inputs): ``VectorOps.over(*arrays)``
    gives one when MKL is in use and every array qualifies (float32/float64,
    writable, at least ``VECTOR_MIN`` elements, no two overlapping), else
    None, and the caller uses NumPy (for SGD's update of a 512×784 weight on
    2 threads here that is two passes on one core, 7× the time).

        axpby(a, x, b, y):  y = a·x + b·y        mul(x, y, out):  out = x·y
        sqrt(x, out):       out = √x             ratio(x, y, shift, out):  out = x / (y + shift)
    """

    __slots__ = ("n", "_fns")

    def __init__(self, n, dtype):
        self.n = n
        self._fns = {name: _vector[name, dtype] for name in ("axpby", "mul", "sqrt", "linear_frac")}

    @classmethod
    def over(cls, *arrays):
        if not _loaded:
            load()
        first = arrays[0]
        dtype, shape = first.dtype, first.shape
        if ("mul", dtype) not in _vector or not VECTOR_MIN <= first.size < 1 << 31:
            return None
        for i, a in enumerate(arrays):
            if (
                a.dtype != dtype
                or a.shape != shape
                or not a.flags.c_contiguous
                or not a.flags.writeable
            ):
                return None
            if any(b is not a and np.may_share_memory(a, b) for b in arrays[:i]):
                return None
        return cls(first.size, dtype)

    def axpby(self, a, x, b, y):
        self._fns["axpby"](self.n, a, address(x), 1, b, address(y), 1)

    def mul(self, x, y, out):
        self._fns["mul"](self.n, address(x), address(y), address(out))

    def sqrt(self, x, out):
        self._fns["sqrt"](self.n, address(x), address(out))

    def ratio(self, x, y, shift, out):
        self._fns["linear_frac"](self.n, address(x), address(y), 1.0, 0.0, 1.0, shift, address(out))
