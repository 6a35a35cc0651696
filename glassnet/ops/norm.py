"""Normalization, each as one fused op whose backward is in closed form.

Both ops standardize x over a set of M elements that share a mean and a
variance, then scale and shift:

    μ = (1/M) Σ x,   σ² = (1/M) Σ (x − μ)²   (biased),   x̂ = (x − μ)/√(σ² + ε),
    y = γ·x̂ + β.

With g = ∂L/∂y the gradients are ∂L/∂β = Σ g, ∂L/∂γ = Σ g·x̂, and, because
μ and σ² depend on every x of the group,

    ∂L/∂x = (1/√(σ² + ε)) · (ĝ − (1/M) Σ ĝ − x̂ · (1/M) Σ ĝ·x̂),   ĝ = g·γ,

which is (1/M)·inv_std·(M·ĝ − Σ ĝ − x̂·Σ ĝ·x̂). Batch norm groups the
elements of one channel across the batch (and length / height, width);
layer norm groups the trailing ``normalized_shape`` elements of one sample.
Batch norm in evaluation mode uses fixed running statistics, so its μ, σ²
are constants and ∂L/∂x = g·γ/√(σ² + ε).
"""

import math

import numpy as np

from .. import alloc
from ..autograd import Op
from ..backends import onednn
from ._graph import constant


def _update_running(running, value, momentum):
    """running ← (1 − momentum)·running + momentum·value, in place (as PyTorch)."""
    running *= 1.0 - momentum
    running += momentum * value


class BatchNorm(Op):
    """Batch normalization of x (N, C, *) per channel c, over the M = N·L values
    of that channel (L = the product of the trailing dims); γ, β per channel.

    Training: normalize with the batch's mean and biased variance; when the
    running arrays are given, update them in place with the batch mean and
    the *unbiased* variance σ²·M/(M − 1), as PyTorch does. Evaluation:
    normalize with the running mean and variance, which are constants, so
    ∂L/∂x = ĝ/√(σ² + ε) there.
    """

    formula = (
        "y = γ·x̂ + β,  x̂ = (x − μ)/√(σ² + ε), μ and σ² of each channel "
        "(the batch's in training, the running ones in evaluation)"
    )
    rule = (
        "∂L/∂x = (ĝ − mean ĝ − x̂·mean(ĝ ⊙ x̂))/√(σ² + ε) with ĝ = γ·∂L/∂y "
        "(evaluation: ĝ/√(σ² + ε)), ∂L/∂γ = Σ ∂L/∂y ⊙ x̂, ∂L/∂β = Σ ∂L/∂y; "
        "means and Σ over each channel's values"
    )
    grad_fn_name = "NativeBatchNormBackward0"

    @staticmethod
    def forward(
        ctx,
        x,
        weight=None,
        bias=None,
        *,
        running_mean=None,
        running_var=None,
        training=True,
        momentum=0.1,
        eps=1e-5,
    ):
        n, c = x.shape[0], x.shape[1]
        x3 = x.reshape(n, c, math.prod(x.shape[2:]))
        count = n * x3.shape[2]
        if training:
            mean = x3.mean(axis=(0, 2)) if count else alloc.zeros(c, dtype=x.dtype)
            xhat = x3 - mean[:, None]
            var = np.einsum("ncl,ncl->c", xhat, xhat) * (1.0 / max(count, 1))
            if running_mean is not None and count:  # an empty batch updates nothing
                _update_running(running_mean, mean, momentum)
                _update_running(running_var, var * (count / (count - 1)), momentum)
        else:
            var = running_var
            xhat = x3 - running_mean[:, None]
        inv_std = 1.0 / np.sqrt(var + eps)
        xhat *= inv_std[:, None]
        out = xhat.copy() if weight is None else xhat * weight[:, None]
        if bias is not None:
            out += bias[:, None]
        ctx.save_for_backward(xhat, inv_std, weight)
        ctx.shape, ctx.training, ctx.eps = x.shape, training, eps
        if not training:
            ctx.stats_mean = running_mean.copy()
        return out.reshape(x.shape)

    @staticmethod
    def composite(ctx, x, weight=None, bias=None):
        """The normalization with recorded ops (for create_graph)."""
        n, c = x.shape[0], x.shape[1]
        x3 = x.reshape(n, c, -1)
        if ctx.training:
            centered = x3 - x3.mean(dim=(0, 2), keepdim=True)
            var = (centered * centered).mean(dim=(0, 2), keepdim=True)
            xhat = centered / (var + ctx.eps).sqrt()
        else:
            inv_std = ctx.saved_tensors[1]
            xhat = (x3 - constant(ctx.stats_mean[:, None])) * constant(inv_std[:, None])
        out = xhat if weight is None else xhat * weight.reshape(c, 1)
        out = out if bias is None else out + bias.reshape(c, 1)
        return out.reshape(x.shape)

    @staticmethod
    def backward(ctx, grad):
        xhat, inv_std, weight = ctx.saved_tensors
        need = ctx.needs_input_grad + (False, False)  # weight, bias may be left out
        g = grad.reshape(xhat.shape)
        training = ctx.training
        # ∂L/∂β = Σ g and ∂L/∂γ = Σ g·x̂ per channel; training's ∂L/∂x needs both too
        sum_g = g.sum(axis=(0, 2)) if training or need[2] else None
        sum_gx = np.einsum("ncl,ncl->c", g, xhat) if training or need[1] else None
        gx = None
        if need[0]:
            scale = (inv_std if weight is None else inv_std * weight)[:, None]
            gx = np.empty_like(grad, order="C")  # its own memory, written through a view
            gx3 = gx.reshape(xhat.shape)
            if training:
                count = max(xhat.shape[0] * xhat.shape[2], 1)
                # (ĝ − mean ĝ − x̂·mean(ĝ x̂))/σ with ĝ = γ g: γ factors out of both sums
                np.multiply(xhat, (sum_gx * (-1.0 / count))[:, None], out=gx3)
                gx3 += g
                gx3 -= (sum_g * (1.0 / count))[:, None]
                gx3 *= scale
            else:  # fixed statistics: y is affine in x
                np.multiply(g, scale, out=gx3)
        gw = sum_gx if need[1] else None
        gb = sum_g if need[2] else None
        return gx, gw, gb


class LayerNorm(Op):
    """Layer normalization of x (..., *normalized_shape) over its last ``ndim``
    dims, one mean and variance per leading index (a row); γ and β have the
    normalized shape (an elementwise affine map).

    A non-empty float32 x (with float32 γ, β) goes to oneDNN's layer
    normalization when it is installed (``backends.onednn.layer_norm``: one
    threaded pass per row; backward from x and the rows' μ, σ²); float64 and
    ``onednn.disabled()`` run the NumPy passes below (backward from x̂).
    """

    formula = "y = γ ⊙ x̂ + β,  x̂ = (x − μ)/√(σ² + ε), μ and σ² of each row"
    rule = (
        "∂L/∂x = (ĝ − mean ĝ − x̂·mean(ĝ ⊙ x̂))/√(σ² + ε) with ĝ = γ ⊙ ∂L/∂y, "
        "means over the row, ∂L/∂γ = Σ_rows ∂L/∂y ⊙ x̂, ∂L/∂β = Σ_rows ∂L/∂y"
    )
    grad_fn_name = "NativeLayerNormBackward0"

    @staticmethod
    def forward(ctx, x, weight=None, bias=None, *, ndim, eps=1e-5):
        shape = x.shape[x.ndim - ndim :]
        size = math.prod(shape)
        ctx.shape, ctx.normalized_shape, ctx.eps = x.shape, shape, eps
        if _onednn_takes(x, weight, bias):
            return _onednn_forward(ctx, x, weight, bias)
        x2 = x.reshape(x.size // size, size)
        xhat = x2 - x2.mean(axis=1, keepdims=True)
        var = np.einsum("mk,mk->m", xhat, xhat)[:, None] * (1.0 / size)
        inv_std = 1.0 / np.sqrt(var + eps)
        xhat *= inv_std
        out = xhat.copy() if weight is None else xhat * weight.reshape(size)
        if bias is not None:
            out += bias.reshape(size)
        ctx.save_for_backward(xhat, inv_std, weight)
        return out.reshape(x.shape)

    @staticmethod
    def composite(ctx, x, weight=None, bias=None):
        """The normalization with recorded ops (for create_graph; it needs
        nothing that forward saved, so either forward's path will do)."""
        dims = tuple(range(x.ndim - len(ctx.normalized_shape), x.ndim))
        centered = x - x.mean(dim=dims, keepdim=True)
        var = (centered * centered).mean(dim=dims, keepdim=True)
        out = centered / (var + ctx.eps).sqrt()
        out = out if weight is None else out * weight
        return out if bias is None else out + bias

    @staticmethod
    def backward(ctx, grad):
        if hasattr(ctx, "ln_kernel"):
            if onednn.available():
                return _onednn_backward(ctx, grad)
            # oneDNN off since forward (a child forked after it ran, or disabled()): NumPy's
            # passes, on x̂ and 1/√(σ² + ε) from the saved x, μ and σ²
            x, mean, variance, weight, _ = ctx.saved_tensors
            inv_std = 1.0 / np.sqrt(variance[:, None] + ctx.eps)
            xhat = (x.reshape(len(mean), -1) - mean[:, None]) * inv_std
        else:
            xhat, inv_std, weight = ctx.saved_tensors
        need = ctx.needs_input_grad + (False, False)  # weight, bias may be left out
        size = xhat.shape[1]
        g = grad.reshape(xhat.shape)
        gx = gw = gb = None
        if need[1]:
            gw = np.einsum("mk,mk->k", g, xhat).reshape(ctx.normalized_shape)
        if need[2]:
            gb = g.sum(axis=0).reshape(ctx.normalized_shape)
        if need[0]:
            # the result has its own memory (not a view: a leaf would copy it), written
            # through a 2-D view; ĝ = γ g is formed in it
            gx = np.empty_like(grad, order="C")
            gx2 = gx.reshape(xhat.shape)
            gh = g if weight is None else np.multiply(g, weight.reshape(size), out=gx2)
            mean_gh = gh.mean(axis=1, keepdims=True)
            mean_ghx = np.einsum("mk,mk->m", gh, xhat)[:, None] * (1.0 / size)
            np.subtract(gh, mean_gh, out=gx2)
            gx2 -= xhat * mean_ghx
            gx2 *= inv_std
        return gx, gw, gb


def _onednn_takes(x, weight, bias):
    """Can oneDNN normalize x: non-empty float32, γ and β float32 (or None)?"""
    return (
        x.dtype == np.float32
        and x.size > 0
        and all(p is None or p.dtype == np.float32 for p in (weight, bias))
        and onednn.available()
    )


def _onednn_forward(ctx, x, weight, bias):
    """LayerNorm's forward by oneDNN; saves x, μ, σ², γ and β for backward (the
    arrays themselves, not views: an in-place change to them is detected)."""
    size = math.prod(ctx.normalized_shape)
    rows = x.size // size
    kernel = onednn.layer_norm_kernel(rows, size, ctx.eps, weight is not None, bias is not None)
    x = np.ascontiguousarray(x)  # (x itself when it is C-contiguous)
    out = alloc.empty(x.shape, np.float32)
    mean, variance = kernel.forward(
        x.reshape(rows, size), out.reshape(rows, size), *_vectors(size, weight, bias)
    )
    if ctx.needs_input_grad:
        ctx.save_for_backward(x, mean, variance, weight, bias)
        ctx.ln_kernel = kernel
    return out


def _vectors(size, *params):
    """γ and β as C-contiguous (size,) vectors (or None) for oneDNN."""
    return [None if p is None else np.ascontiguousarray(p).reshape(size) for p in params]


def _onednn_backward(ctx, grad):
    """LayerNorm's backward by oneDNN: the gradients asked for (oneDNN makes
    all three in one pass; those not asked for go to scratch arrays)."""
    x, mean, variance, weight, bias = ctx.saved_tensors
    need = ctx.needs_input_grad + (False, False)  # weight, bias may be left out
    rows, size = ctx.ln_kernel.shape
    scale, shift = _vectors(size, weight, bias)
    g = np.ascontiguousarray(grad.reshape(rows, size), np.float32)
    gx = alloc.empty(ctx.shape, np.float32)  # its own memory, written through a 2-D view
    gw = alloc.empty(ctx.normalized_shape, np.float32) if need[1] else None
    gb = alloc.empty(ctx.normalized_shape, np.float32) if need[2] else None
    ctx.ln_kernel.backward(
        x.reshape(rows, size),
        mean,
        variance,
        g,
        gx.reshape(rows, size),
        scale=scale,
        shift=shift,
        d_scale=None if gw is None else gw.reshape(size),
        d_shift=None if gb is None else gb.reshape(size),
    )
    return (gx if need[0] else None), gw, gb
