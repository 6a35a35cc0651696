"""Handing NumPy arrays to a CBLAS GEMM: the row-major convention's flags,
a 2-D array's layout (transposed or not, its leading dimension), the address
of its first element, whether a result can be written into an array, and
``PreparedGemm``, one GEMM call whose ctypes arguments are made once.

No library is loaded here: ``blas`` finds MKL and calls these with its
functions.
"""

import ctypes

ROW_MAJOR, NO_TRANS, TRANS = 101, 111, 112
_c_char, _addressof = ctypes.c_char, ctypes.addressof


def layout(a):
    """(transpose flag, leading dimension) for a 2-D array with a unit stride
    in one of its dimensions, or None."""
    rows, cols = a.shape
    size = a.itemsize
    s0, s1 = a.strides
    if s0 % size or s1 % size:
        return None
    s0, s1 = s0 // size, s1 // size
    if (s1 == 1 or cols == 1) and s0 >= cols:
        return NO_TRANS, s0
    if (s0 == 1 or rows == 1) and s1 >= rows:
        return TRANS, s1
    return None


def address(a):
    """The address of ``a``'s first element. ``ctypes.c_char.from_buffer``
    costs a third of ``a.ctypes.data`` (which matters for the small per-step
    products of an RNN), but takes only writable contiguous arrays."""
    flags = a.flags
    if flags.writeable:
        if flags.c_contiguous:
            return _addressof(_c_char.from_buffer(a))
        if flags.f_contiguous:
            return _addressof(_c_char.from_buffer(a.T))
    return a.ctypes.data


def fits(out, m, n, dtype):
    """Can MKL write an (m, n) result straight into ``out``?"""
    return (
        out.dtype == dtype
        and out.shape == (m, n)
        and (out.strides[1] == out.itemsize or n == 1)
        and out.strides[0] >= n * out.itemsize
        and out.strides[0] % out.itemsize == 0
    )


def same_view(x, y):
    """Are x and y the same elements of the same memory (views alike)?"""
    return (
        x.shape == y.shape
        and x.strides == y.strides
        and x.dtype == y.dtype
        and x.ctypes.data == y.ctypes.data
    )


class PreparedGemm:
    """One GEMM (or batched GEMM) call whose arguments are ctypes objects made
    once: a call sets only b's and out's addresses and β. ctypes then converts
    nothing, 2–3 µs less per call than passing Python numbers (an RNN makes
    two such calls a step, of ~30–50 µs each). The addresses are computed
    (base + index·stride), so a call checks its two indices against the
    stacks' lengths ``nb`` and ``no`` first: past either end GEMM would read
    or write memory that is not the stacks'."""

    __slots__ = (
        "fn",
        "args",
        "b_at",
        "beta_at",
        "out_at",
        "pb",
        "sb",
        "po",
        "so",
        "betas",
        "nb",
        "no",
    )

    def __init__(self, fn, values, b_at, beta_at, out_at, sb, so, nb, no):
        self.fn = fn
        self.args = [kind(v) for kind, v in zip(fn.argtypes, values)]
        self.b_at, self.beta_at, self.out_at = b_at, beta_at, out_at
        self.pb, self.po, self.sb, self.so = values[b_at], values[out_at], sb, so
        self.nb, self.no = nb, no
        beta = fn.argtypes[beta_at]
        self.betas = (beta(0.0), beta(1.0))

    def __call__(self, i, j, accumulate):
        """The product of b's slice i into out's slice j (β = 1 if ``accumulate``)."""
        if not (0 <= i < self.nb and 0 <= j < self.no):
            raise IndexError(
                f"StackedProduct: slice i={i!r} of b (0 … {self.nb - 1}) into "
                f"slice j={j!r} of out (0 … {self.no - 1}): an index is outside "
                "its stack"
            )
        args = self.args
        args[self.b_at].value = self.pb + i * self.sb
        args[self.out_at].value = self.po + j * self.so
        args[self.beta_at] = self.betas[accumulate]
        self.fn(*args)
