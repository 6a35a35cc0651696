"""Sliding windows over the last two axes (im2col) and their adjoint
(col2im) — the shape machinery shared by convolution and pooling, kept out
of the ops.

For a (padded) input x of shape (N, C, H, W), a kernel kH×kW, stride (sH, sW)
and dilation (dH, dW), window position (oh, ow) sees the kernel tap (i, j) at

    x[n, c, oh·sH + i·dH, ow·sW + j·dW],   OH = ⌊(H − dH·(kH − 1) − 1) / sH⌋ + 1.

``Windows.gather`` copies those values into columns (N, C, kH, kW, P), one
column per window position, with stride tricks (no Python loop over
pixels); ``Windows.scatter`` is its adjoint: it adds columns back where they
were read from, one slice add per tap (kH·kW additions over the whole batch;
overlapping windows accumulate). ``tap`` gives one tap's strided slices.
"""

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .. import alloc


def pair(value, name, op, allow_zero=False):
    """An int or a pair of ints as a pair of non-negative ints (positive unless
    ``allow_zero``), or a clear error."""
    low = 0 if allow_zero else 1
    if type(value) is int and value >= low:  # the common cases, checked quickly
        return value, value
    if type(value) is tuple and len(value) == 2:
        a, b = value
        if type(a) is int and type(b) is int and a >= low and b >= low:
            return value
    if isinstance(value, (tuple, list)):
        vals = tuple(value)
    else:
        vals = (value, value)
    if len(vals) != 2 or any(
        isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < low for v in vals
    ):
        kind = "non-negative" if allow_zero else "positive"
        raise ValueError(f"{op}: {name} must be a {kind} int or a pair of them, got {value!r}")
    return int(vals[0]), int(vals[1])


def single(value, name, op, allow_zero=False):
    """An int or a 1-tuple of ints as a 1-tuple (the 1-D form of ``pair``)."""
    if isinstance(value, (tuple, list)):
        if len(value) != 1:
            raise ValueError(f"{op}: {name} must be an int or a 1-tuple, got {value!r}")
        value = value[0]
    return (pair(value, name, op, allow_zero)[0],)


def out_size(size, kernel, stride, dilation, pad_before, pad_after, ceil_mode=False):
    """Number of window positions along one axis (PyTorch's formula; with
    ``ceil_mode`` a last partial window counts if it starts inside the input
    or the left padding)."""
    span = size + pad_before + pad_after - dilation * (kernel - 1) - 1
    if span < 0:
        return 0
    if not ceil_mode:
        return span // stride + 1
    n = -(-span // stride) + 1
    if (n - 1) * stride >= size + pad_before:
        n -= 1
    return n


def pad2d(x, top, bottom, left, right, value=0):
    """x (…, H, W) with ``value`` rows/columns added on each side (no copy when
    no padding is asked for)."""
    if not (top or bottom or left or right):
        return x
    h, w = x.shape[-2:]
    out = alloc.full(x.shape[:-2] + (h + top + bottom, w + left + right), value, dtype=x.dtype)
    out[..., top : top + h, left : left + w] = x
    return out


def strided_view(a, shape, strides, writeable=False):
    """numpy's ``as_strided`` for a C-contiguous ``a``, without its per-call cost
    (about 9 µs, which small layers feel); the extent is still bounds-checked."""
    if not a.flags.c_contiguous:
        return as_strided(a, shape, strides, writeable=writeable)
    view = np.ndarray(shape, a.dtype, a, 0, strides)
    if not writeable:
        view.flags.writeable = False
    return view


def tap(i, j, stride, dilation, out_hw):
    """The (rows, cols) slices of the padded input that tap (i, j) reads."""
    r0, c0 = i * dilation[0], j * dilation[1]
    return (
        slice(r0, r0 + stride[0] * (out_hw[0] - 1) + 1, stride[0]),
        slice(c0, c0 + stride[1] * (out_hw[1] - 1) + 1, stride[1]),
    )


class Windows:
    """The window positions of a kernel over a padded (H, W) plane, as P columns.

    Strided (any stride): P = OH·OW, position oh·OW + ow.

    Row-flat (``flat=True``, stride 1 only): P = (OH − 1)·W + OW, position
    oh·W + ow — the window slides along whole rows of the row-major plane, so
    that tap (i, j) of every position is one contiguous run,
    x.flat[i·dH·W + j·dW :][:P]. The positions with ow ≥ OW (the last W − OW
    of each row) wrap into the next row: they are computed and ignored
    (``to_image`` leaves them out, ``from_image`` gives them zero gradient).
    Copying contiguous runs is several times faster than gathering short
    strided rows, for W/OW more arithmetic and a strided copy of whatever is
    computed per position (see glassnet.ops.conv for when that pays).
    """

    def __init__(self, padded_hw, kernel, stride, dilation, out_hw=None, flat=False):
        self.padded_hw, self.kernel = tuple(padded_hw), tuple(kernel)
        self.stride, self.dilation = tuple(stride), tuple(dilation)
        if out_hw is None:  # every position that fits (a transposed convolution passes fewer)
            out_hw = (
                out_size(n, k, s, d, 0, 0)
                for n, k, s, d in zip(padded_hw, kernel, stride, dilation)
            )
        self.out_hw = tuple(out_hw)
        (oh, ow), w = self.out_hw, self.padded_hw[1]
        self.flat = flat and self.stride == (1, 1)
        self.row = w if self.flat else ow  # distance between output rows, in positions
        self.positions = (oh - 1) * w + ow if self.flat else oh * ow

    def gather(self, xp):
        """Columns (N, C, kH, kW, P): [n, c, i, j, p] = the value tap (i, j) of
        window position p reads. A contiguous copy of xp's windows."""
        xp = np.ascontiguousarray(xp)
        (kh, kw), (dh, dw), (sh, sw) = self.kernel, self.dilation, self.stride
        n, c = xp.shape[:2]
        s_n, s_c, s_h, s_w = xp.strides
        if self.flat:
            view = strided_view(
                xp, (n, c, kh, kw, self.positions), (s_n, s_c, s_h * dh, s_w * dw, s_w)
            )
            return np.ascontiguousarray(view)
        view = strided_view(
            xp, (n, c, kh, kw) + self.out_hw, (s_n, s_c, s_h * dh, s_w * dw, s_h * sh, s_w * sw)
        )
        return np.ascontiguousarray(view).reshape(n, c, kh, kw, self.positions)

    def scatter(self, cols):
        """Adjoint of ``gather``: cols (N, C, kH, kW, P) → (N, C, H, W), each
        column added back where it was read from."""
        n, c, kh, kw = cols.shape[:4]
        h, w = self.padded_hw
        if self.flat:
            out = alloc.zeros((n, c, h * w), dtype=cols.dtype)
            for i in range(kh):
                for j in range(kw):
                    start = i * self.dilation[0] * w + j * self.dilation[1]
                    out[:, :, start : start + self.positions] += cols[:, :, i, j]
            return out.reshape(n, c, h, w)
        out = alloc.zeros((n, c, h, w), dtype=cols.dtype)
        image = cols.reshape(cols.shape[:4] + self.out_hw)
        for i in range(kh):
            for j in range(kw):
                rows, columns = tap(i, j, self.stride, self.dilation, self.out_hw)
                out[:, :, rows, columns] += image[:, :, i, j]
        return out

    def to_image(self, a):
        """A view (…, OH, OW) of per-position values a (…, P)."""
        step = a.strides[-1]
        return strided_view(a, a.shape[:-1] + self.out_hw, a.strides[:-1] + (self.row * step, step))

    def from_image(self, g):
        """Per-position values (…, P) from g (…, OH, OW); the ignored row-flat
        positions get zeros."""
        if not self.flat or self.row == self.out_hw[1]:
            return np.ascontiguousarray(g).reshape(g.shape[:-2] + (self.positions,))
        out = alloc.zeros(g.shape[:-2] + (self.positions,), dtype=g.dtype)
        step = out.strides[-1]
        strided_view(out, g.shape, out.strides[:-1] + (self.row * step, step), True)[...] = g
        return out
