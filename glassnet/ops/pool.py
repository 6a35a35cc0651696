"""Pooling: max, average and adaptive average over the last two axes of
(N, C, H, W) arrays.

Max and average pooling visit the kernel's taps one at a time: tap (i, j)
of every window, for the whole batch at once, is one strided slice of the
padded input (see ``_im2col.tap``), so forward and backward are kH·kW
vectorised steps, never a loop over pixels.

Adaptive average pooling is a fixed linear map on each axis: with
Aₕ (OH, H) holding 1/(end − start) on [start, end) of each output row,

    y = Aₕ · x · A_wᵀ,    ∂L/∂x = Aₕᵀ · ∂L/∂y · A_w.
"""

import numpy as np

from .. import alloc
from ..autograd import Op
from ..backends import onednn
from ._graph import constant
from ._im2col import out_size, pad2d, tap
from .linear_map import LinearMap


def pool_geometry(hw, kernel, stride, padding, dilation, ceil_mode):
    """Output size (OH, OW) and the extra bottom/right padding that ceil_mode's
    last partial window reads (so every window lies inside the padded array)."""
    out, extra = [], []
    for d in range(2):
        n = out_size(hw[d], kernel[d], stride[d], dilation[d], padding[d], padding[d], ceil_mode)
        reach = (n - 1) * stride[d] + dilation[d] * (kernel[d] - 1) + 1
        out.append(n)
        extra.append(max(0, reach - hw[d] - 2 * padding[d]))
    return tuple(out), tuple(extra)


def _taps(kernel):
    return [(i, j) for i in range(kernel[0]) for j in range(kernel[1])]


class MaxPool2d(Op):
    """Forward walks the taps, keeping the running maximum and the winning tap
    of each window (the first maximum in row-major order; a NaN wins, as in
    PyTorch) as a small integer. Each tap's strided plane is copied once into
    a contiguous buffer, so the comparisons run at contiguous speed, and the
    winner is updated without branches (winner = max(winner, k·better): a
    later tap k is larger than every earlier one).

    With ``indices`` (a list), the flat position h·W + w of each winner in the
    unpadded input plane is appended to it (``return_indices``).

    A float32 batch without a NaN, undilated windows (with gaps a window can
    lie wholly in the padding: −∞ here, oneDNN gives the lowest float), goes
    to oneDNN's pooling instead when it is installed (``backends.onednn.pool``:
    threaded, about half the time here; the same maxima and winners);
    ``backward_graph`` then finds the winners again by the walk above.
    """

    formula = "y[p, q] = max of x_pad over window (p, q) (the padding is −∞)"
    rule = (
        "∂L/∂x[winner of (p, q)] += ∂L/∂y[p, q]: each window's gradient goes to its "
        "first maximum, 0 to the others"
    )
    grad_fn_name = "MaxPool2DWithIndicesBackward0"

    @staticmethod
    def forward(
        ctx,
        x,
        kernel=(2, 2),
        stride=(2, 2),
        padding=(0, 0),
        dilation=(1, 1),
        ceil_mode=False,
        indices=None,
    ):
        geometry = (kernel, stride, padding, dilation, ceil_mode)
        if indices is None and tuple(dilation) == (1, 1) and _onednn_takes(x):
            out = _onednn_forward(ctx, x, geometry)
            if out is not None:
                return out
        best, winner, xp_shape = _winners(x, *geometry)
        if ctx.needs_input_grad:
            ctx.save_for_backward(winner)
            ctx.geometry = (x.shape, xp_shape, kernel, stride, padding, dilation)
        if indices is not None:
            indices.append(_flat_indices(winner, x.shape, kernel, stride, padding, dilation))
        return best

    @staticmethod
    def backward(ctx, grad):
        if hasattr(ctx, "pool_kernel"):  # (oneDNN's forward: its workspace holds the winners)
            workspace, _ = ctx.saved_tensors
            gx = alloc.empty(ctx.pool_kernel.shapes[0], np.float32)
            ctx.pool_kernel.backward(np.ascontiguousarray(grad, np.float32), workspace, gx)
            return (gx,)
        (winner,) = ctx.saved_tensors
        return (_to_winners(grad, winner, ctx.geometry),)

    @staticmethod
    def backward_graph(ctx, grad):
        if hasattr(ctx, "pool_kernel"):  # the winners again, by glassnet's own walk over x
            _, x = ctx.saved_tensors
            kernel, stride, padding, dilation, ceil_mode = ctx.pool_geometry
            _, winner, xp_shape = _winners(x, *ctx.pool_geometry)
            geometry = (x.shape, xp_shape, kernel, stride, padding, dilation)
        else:
            (winner,) = ctx.saved_tensors
            geometry = ctx.geometry
        return LinearMap.apply(
            grad,
            lambda g: _to_winners(g, winner, geometry),
            lambda gx: _from_winners(gx, winner, geometry),
        )


def _winners(x, kernel, stride, padding, dilation, ceil_mode):
    """glassnet's own max pooling: (each window's maximum, its winning tap
    (a small integer), the padded input's shape)."""
    hw, (eh, ew) = pool_geometry(x.shape[2:], kernel, stride, padding, dilation, ceil_mode)
    xp = pad2d(x, padding[0], padding[0] + eh, padding[1], padding[1] + ew, -np.inf)
    taps = _taps(kernel)
    plane = x.shape[:2] + hw
    best = alloc.empty(plane, dtype=x.dtype)
    np.copyto(best, xp[_at(taps[0], stride, dilation, hw)])
    winner = alloc.zeros(plane, dtype=np.min_scalar_type(len(taps) - 1))
    s, better, code = np.empty_like(best), alloc.empty(plane, dtype=bool), np.empty_like(winner)
    for k, ij in enumerate(taps[1:], 1):
        np.copyto(s, xp[_at(ij, stride, dilation, hw)])
        np.greater(s, best, out=better)
        better |= np.isnan(s)
        np.maximum(best, s, out=best)
        np.multiply(better, winner.dtype.type(k), out=code)
        np.maximum(winner, code, out=winner)
    return best, winner, xp.shape


def _onednn_takes(x):
    """Can oneDNN pool x: a float32 (N, C, H, W) batch without a NaN (oneDNN's
    maximum passes over NaN where PyTorch's, and glassnet's, lets it win)?"""
    return (
        x.ndim == 4
        and x.dtype == np.float32
        and x.size > 0
        and onednn.available()
        and not np.isnan(np.max(x))
    )


def _onednn_forward(ctx, x, geometry):
    """MaxPool2d's forward by oneDNN (None when its output size would differ)."""
    kernel, stride, padding, dilation, ceil_mode = geometry
    hw, extra = pool_geometry(x.shape[2:], kernel, stride, padding, dilation, ceil_mode)
    pad_r = (padding[0] + extra[0], padding[1] + extra[1])
    pool = onednn.pool_kernel(x.shape, kernel, stride, dilation, padding, pad_r)
    if pool.shapes[1][2:] != hw:
        return None
    x = np.ascontiguousarray(x)
    out = alloc.empty(pool.shapes[1], np.float32)
    workspace = pool.forward(x, out)
    if ctx.needs_input_grad:
        ctx.save_for_backward(workspace, x)
        ctx.pool_kernel, ctx.pool_geometry = pool, geometry
    return out


def _to_winners(grad, winner, geometry):
    """MaxPool2d's backward: each window's gradient added at its winner."""
    x_shape, padded, kernel, stride, padding, dilation = geometry
    hw = grad.shape[2:]
    disjoint = _disjoint(kernel, stride, dilation)
    # windows that tile the plane write every element below: no need to zero it first
    tiled = dilation == (1, 1) and all(
        s == k and n * s == p for s, k, n, p in zip(stride, kernel, hw, padded[2:])
    )
    gp = (np.empty if tiled else np.zeros)(padded, dtype=grad.dtype)
    hit = alloc.empty(winner.shape, dtype=bool)
    for k, ij in enumerate(_taps(kernel)):
        np.equal(winner, k, out=hit)
        window = gp[_at(ij, stride, dilation, hw)]
        if disjoint:  # each input element is in one window at most: write, do not add
            np.multiply(grad, hit, out=window)
        else:
            window += grad * hit
    h, w = x_shape[2:]
    return gp[:, :, padding[0] : padding[0] + h, padding[1] : padding[1] + w]


def _from_winners(gx, winner, geometry):
    """The adjoint of ``_to_winners``: each window takes gx at its winner (the
    max pool's derivative with the winners held fixed)."""
    x_shape, padded, kernel, stride, padding, dilation = geometry
    h, w = x_shape[2:]
    top, left = padding
    gp = pad2d(gx, top, padded[2] - h - top, left, padded[3] - w - left)
    out = alloc.zeros(winner.shape, dtype=gx.dtype)
    for k, ij in enumerate(_taps(kernel)):
        out += np.where(winner == k, gp[_at(ij, stride, dilation, winner.shape[2:])], 0)
    return out


def _at(ij, stride, dilation, hw):
    """Index of tap (i, j)'s (N, C, OH, OW) plane in a padded (N, C, H, W) array."""
    return (slice(None), slice(None)) + tap(ij[0], ij[1], stride, dilation, hw)


def _disjoint(kernel, stride, dilation):
    """True when no two windows share an input element (stride ≥ the dilated
    kernel along both axes)."""
    return all(s >= d * (k - 1) + 1 for k, s, d in zip(kernel, stride, dilation))


def _flat_indices(winner, x_shape, kernel, stride, padding, dilation):
    """h·W + w of each window's winning tap, in the unpadded input (int64)."""
    oh, ow = winner.shape[2:]
    i, j = np.divmod(winner.astype(np.int64), kernel[1])
    rows = np.arange(oh).reshape(oh, 1) * stride[0] - padding[0] + i * dilation[0]
    cols = np.arange(ow) * stride[1] - padding[1] + j * dilation[1]
    return rows * x_shape[3] + cols


def avg_divisor(hw, out_hw, kernel, stride, padding, count_include_pad, dtype):
    """The (OH, OW) array of window sizes PyTorch divides by: the window clipped
    to the padded input (count_include_pad) or to the input itself."""
    sizes = []
    for d in range(2):
        start = np.arange(out_hw[d]) * stride[d] - padding[d]
        end = np.minimum(start + kernel[d], hw[d] + padding[d])
        if not count_include_pad:
            start, end = np.maximum(start, 0), np.minimum(end, hw[d])
        sizes.append(end - start)
    return np.multiply.outer(sizes[0], sizes[1]).astype(dtype)


class AvgPool2d(Op):
    """The divisor is the window's size (see ``avg_divisor``) or
    ``divisor_override``."""

    formula = "y[p, q] = (Σ of x_pad over window (p, q)) / divisor[p, q]"
    rule = "∂L/∂x_pad[each tap of (p, q)] += ∂L/∂y[p, q] / divisor[p, q], then cropped to x"
    grad_fn_name = "AvgPool2DBackward0"

    @staticmethod
    def forward(
        ctx,
        x,
        kernel=(2, 2),
        stride=(2, 2),
        padding=(0, 0),
        ceil_mode=False,
        count_include_pad=True,
        divisor_override=None,
    ):
        one = (1, 1)
        hw, (eh, ew) = pool_geometry(x.shape[2:], kernel, stride, padding, one, ceil_mode)
        xp = pad2d(x, padding[0], padding[0] + eh, padding[1], padding[1] + ew)
        taps = _taps(kernel)
        total = alloc.empty(x.shape[:2] + hw, dtype=x.dtype)
        np.copyto(total, xp[_at(taps[0], stride, one, hw)])
        for ij in taps[1:]:
            total += xp[_at(ij, stride, one, hw)]
        if divisor_override:
            divisor = np.asarray(divisor_override, dtype=x.dtype)
        else:
            divisor = avg_divisor(
                x.shape[2:], hw, kernel, stride, padding, count_include_pad, x.dtype
            )
        total /= divisor
        if ctx.needs_input_grad:
            ctx.save_for_backward(divisor)
            ctx.geometry = (x.shape, xp.shape, kernel, stride, padding)
        return total

    @staticmethod
    def backward(ctx, grad):
        (divisor,) = ctx.saved_tensors
        return (_spread_average(grad, divisor, ctx.geometry),)

    @staticmethod
    def backward_graph(ctx, grad):
        (divisor,) = ctx.saved_tensors
        geometry, hw = ctx.geometry, tuple(grad.shape[2:])
        return LinearMap.apply(
            grad,
            lambda g: _spread_average(g, divisor, geometry),
            lambda gx: _average(gx, divisor, geometry, hw),
        )


def _spread_average(grad, divisor, geometry):
    """AvgPool2d's backward: each window's gradient ÷ divisor added at every tap."""
    x_shape, padded, kernel, stride, padding = geometry
    share = grad / divisor
    gp = alloc.zeros(padded, dtype=grad.dtype)
    disjoint = _disjoint(kernel, stride, (1, 1))
    for ij in _taps(kernel):
        window = gp[_at(ij, stride, (1, 1), grad.shape[2:])]
        if disjoint:  # each input element is in one window at most: write, do not add
            np.copyto(window, share)
        else:
            window += share
    h, w = x_shape[2:]
    return gp[:, :, padding[0] : padding[0] + h, padding[1] : padding[1] + w]


def _average(gx, divisor, geometry, hw):
    """The adjoint of ``_spread_average``: the average pool itself, of gx."""
    x_shape, padded, kernel, stride, padding = geometry
    h, w = x_shape[2:]
    gp = pad2d(gx, padding[0], padded[2] - h - padding[0], padding[1], padded[3] - w - padding[1])
    total = alloc.zeros(gx.shape[:2] + hw, dtype=gx.dtype)
    for ij in _taps(kernel):
        total += gp[_at(ij, stride, (1, 1), hw)]
    return total / divisor


def averaging_matrix(n_in, n_out, dtype):
    """A (n_out, n_in): row o averages x[start:end], start = ⌊o·n_in/n_out⌋,
    end = ⌈(o + 1)·n_in/n_out⌉ (PyTorch's adaptive pooling windows)."""
    o = np.arange(n_out)
    start = (o * n_in) // n_out
    end = -((-(o + 1) * n_in) // n_out)
    i = np.arange(n_in)
    inside = (i >= start[:, None]) & (i < end[:, None])
    return (inside / (end - start)[:, None]).astype(dtype)


class AdaptiveAvgPool2d(Op):
    """Aₕ (OH, H) and A_w (OW, W) average each output's window (see
    ``averaging_matrix``). Small planes (global pooling above all) use the
    whole map at once, one matrix multiply for the batch:
    y = x (N·C, H·W) @ (Aₕ ⊗ A_w)ᵀ; larger ones apply Aₕ and A_w in turn, so
    the map never grows to (OH·OW) × (H·W)."""

    formula = "y = Aₕ x A_wᵀ on the last two axes"
    rule = "∂L/∂x = Aₕᵀ ∂L/∂y A_w"
    grad_fn_name = "AdaptiveAvgPool2DBackward0"

    DENSE_LIMIT = 4096  # most entries of Aₕ ⊗ A_w used in one product

    @staticmethod
    def forward(ctx, x, output_size=(1, 1)):
        n, c, h, w = x.shape
        ah = averaging_matrix(h, output_size[0], x.dtype)
        aw = averaging_matrix(w, output_size[1], x.dtype)
        if ah.size * aw.size <= AdaptiveAvgPool2d.DENSE_LIMIT:
            a = np.kron(ah, aw)
            out = np.matmul(x.reshape(n * c, h * w), a.T).reshape((n, c) + output_size)
        else:
            a = None
            out = np.matmul(np.matmul(ah, x), aw.T)
        if ctx.needs_input_grad:
            ctx.save_for_backward(ah, aw, a)
            ctx.x_shape = x.shape
        return out

    @staticmethod
    def backward_graph(ctx, grad):
        ah, aw, _ = ctx.saved_tensors
        return (constant(ah.T) @ grad @ constant(aw),)

    @staticmethod
    def backward(ctx, grad):
        ah, aw, a = ctx.saved_tensors
        if a is None:
            return (np.matmul(np.matmul(ah.T, grad), aw),)
        n, c = grad.shape[:2]
        return (np.matmul(grad.reshape(n * c, -1), a).reshape(ctx.x_shape),)
