"""Softmax, log-softmax and the fused, numerically stable cross-entropy.

softmax(x)ᵢ = e^(xᵢ−m) / Σⱼ e^(xⱼ−m) with m = max x (so exp never overflows);
log_softmax(x) = x − logsumexp(x).
"""

import math

import numpy as np

from .. import alloc
from ..autograd import Op
from ..backends import onednn
from ..errors import DTypeError, ShapeError, describe
from ._graph import constant, value
from .index import Gather

# float32 arrays of at least this many values take oneDNN's softmax (one threaded
# pass; its call costs ~4 µs, NumPy's five passes 12 µs already at 640 values here)
ONEDNN_MIN = 1024


def onednn_kernel(x, dim, log=False):
    """oneDNN's (log-)softmax kernel for x over ``dim`` (x seen as (outer, size,
    inner)) when it can take x: float32, C-contiguous, at least ``ONEDNN_MIN``
    values, oneDNN available; else None (NumPy's passes)."""
    if x.dtype != np.float32 or x.size < ONEDNN_MIN or not x.flags.c_contiguous:
        return None
    if not onednn.available():
        return None
    dim %= x.ndim
    outer, inner = math.prod(x.shape[:dim]), math.prod(x.shape[dim + 1 :])
    return onednn.softmax_kernel(outer, x.shape[dim], inner, log)


def log_softmax_array(x, axis):
    m = np.max(x, axis=axis, keepdims=True)
    shifted = x - m
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def any_nan(a):
    """Is there a NaN in a? One pass: NumPy's maximum passes a NaN on (26 µs for
    the 512k values of the Transformer workload's attention weights)."""
    return bool(np.isnan(np.maximum.reduce(a, axis=None)))


def onednn_forward(kernel, x, out, dim):
    """out = the kernel's (log-)softmax of x over ``dim``, a row with a NaN all
    NaN: oneDNN's maximum skips a NaN, so a NaN or +∞ input leaves a NaN in its
    own place and 0s beside it, where NumPy's passes and PyTorch give the whole
    row NaN (``any_nan`` finds the case)."""
    kernel.forward(x, out)
    if any_nan(out):
        np.copyto(out, np.nan, where=np.isnan(out).any(axis=dim, keepdims=True))
    return out


def _forward_by(kernel, x, dim):
    return onednn_forward(kernel, x, alloc.empty(x.shape, x.dtype), dim)


def _backward_by(kernel, out, grad):
    d_x = alloc.empty(out.shape, out.dtype)
    kernel.backward(out, np.ascontiguousarray(grad, out.dtype), d_x)
    return d_x


class Softmax(Op):
    formula = "y = softmax(x) = eˣ / Σ eˣ along dim"
    rule = "∂L/∂x = y ⊙ (∂L/∂y − Σ ∂L/∂y ⊙ y), Σ along dim"
    grad_fn_name = "SoftmaxBackward0"

    @staticmethod
    def forward(ctx, x, dim):
        ctx.kernel = kernel = onednn_kernel(x, dim)
        if kernel is not None:
            out = _forward_by(kernel, x, dim)
        else:
            e = np.exp(x - np.max(x, axis=dim, keepdims=True))
            out = e / np.sum(e, axis=dim, keepdims=True)
        ctx.save_for_backward(out)
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        if ctx.kernel is not None:
            return _backward_by(ctx.kernel, out, grad), None
        gy = grad * out
        return gy - out * np.sum(gy, axis=ctx.dim, keepdims=True), None

    @staticmethod
    def backward_graph(ctx, grad):
        y = Softmax.apply(ctx.parents[0], ctx.dim)
        gy = grad * y
        return gy - y * gy.sum(dim=ctx.dim, keepdim=True), None


class LogSoftmax(Op):
    formula = "y = log_softmax(x) = x − ln Σ eˣ along dim"
    rule = "∂L/∂x = ∂L/∂y − softmax(x) ⊙ Σ ∂L/∂y, Σ along dim"
    grad_fn_name = "LogSoftmaxBackward0"

    @staticmethod
    def forward(ctx, x, dim):
        ctx.kernel = kernel = onednn_kernel(x, dim, log=True)
        out = log_softmax_array(x, dim) if kernel is None else _forward_by(kernel, x, dim)
        ctx.save_for_backward(out)
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        if ctx.kernel is not None:
            return _backward_by(ctx.kernel, out, grad), None
        return grad - np.exp(out) * np.sum(grad, axis=ctx.dim, keepdims=True), None

    @staticmethod
    def backward_graph(ctx, grad):
        p = Softmax.apply(ctx.parents[0], ctx.dim)
        return grad - p * grad.sum(dim=ctx.dim, keepdim=True), None


def _check_cross_entropy(logits, target, weight, ignore_index, reduction):
    op = "cross_entropy"
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{op}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
    if logits.ndim < 2:
        raise ShapeError(f"{op}: logits {describe(logits)} must be shaped (N, C, d1, ...)")
    expected = logits.shape[:1] + logits.shape[2:]
    if target.shape != expected:
        raise ShapeError(
            f"{op}: logits {describe(logits)} need class-index targets of shape "
            f"{expected}, got {describe(target)}"
        )
    if target.dtype.kind not in "iu":
        raise DTypeError(f"{op}: targets must be integer class indices, got {describe(target)}")
    n_classes = logits.shape[1]
    bad = (target != ignore_index) & ((target < 0) | (target >= n_classes))
    if bad.any():
        raise IndexError(
            f"{op}: target {int(target[bad].flat[0])} is out of range: expected "
            f"class indices 0 to {n_classes - 1} (or ignore_index={ignore_index})"
        )
    if weight is not None and np.shape(weight) != (n_classes,):
        raise ShapeError(
            f"{op}: weight {describe(weight)} must hold one value per class, shape ({n_classes},)"
        )


class CrossEntropyIndices(Op):
    """Fused, numerically stable cross-entropy from logits x (N, C, ...) and class
    indices y (N, ...), with class weights w (1 without), label smoothing ε and
    ``ignore_index`` (such a target contributes nothing); p = softmax(x) over the
    classes. The loss is reduced by a mean weighted by w_yₙ (÷ Σ w_yₙ), a sum, or
    not at all."""

    formula = "Lₙ = −(1−ε)·w_yₙ·ln pₙ,yₙ − (ε/C)·Σ_c w_c·ln pₙ,c,  p = softmax(x)"
    rule = (
        "∂Lₙ/∂xₙ = (1−ε)·w_yₙ·(pₙ − onehot(yₙ)) + (ε/C)·(pₙ·Σ_c w_c − w)  "
        "(= pₙ − onehot(yₙ) without weights or smoothing; ÷ Σ w_yₙ for 'mean')"
    )
    grad_fn_name = "NllLossBackward0"

    @staticmethod
    def forward(ctx, logits, target, weight, ignore_index, reduction, label_smoothing):
        _check_cross_entropy(logits, target, weight, ignore_index, reduction)
        ctx.plain = weight is None and not label_smoothing and logits.ndim == 2
        if ctx.plain:
            return _plain_forward(ctx, logits, target, ignore_index, reduction)
        n_classes = logits.shape[1]
        logp = log_softmax_array(logits, 1)
        valid = target != ignore_index
        safe = np.where(valid, target, 0)
        picked = np.take_along_axis(logp, np.expand_dims(safe, 1), axis=1).squeeze(1)
        w = weight[safe] if weight is not None else np.ones_like(picked)
        w = np.where(valid, w, 0).astype(logp.dtype)
        eps = label_smoothing
        loss = -(1 - eps) * picked * w
        if eps:
            smooth = logp.sum(axis=1) / n_classes
            if weight is not None:
                wb = weight.reshape((1, n_classes) + (1,) * (logp.ndim - 2))
                smooth = (logp * wb).sum(axis=1) / n_classes
                loss = loss - eps * np.where(valid, smooth, 0)
            else:
                loss = loss - eps * smooth * valid
        ctx.save_for_backward(logp, safe, w, valid)
        ctx.reduction, ctx.eps, ctx.weight, ctx.total = reduction, eps, weight, None
        if reduction == "none":
            return loss.astype(logits.dtype, copy=False)
        if reduction == "sum":
            return np.asarray(loss.sum(), dtype=logits.dtype)
        total = w.sum()
        ctx.total = total
        return np.asarray(loss.sum() / total, dtype=logits.dtype)

    @staticmethod
    def backward(ctx, grad):
        if ctx.plain:
            return _plain_backward(ctx, grad), None, None, None, None, None
        logp, safe, w, valid = ctx.saved_tensors
        n_classes = logp.shape[1]
        eps = ctx.eps
        p = np.exp(logp)
        onehot = np.zeros_like(p)
        np.put_along_axis(onehot, np.expand_dims(safe, 1), 1, axis=1)
        g = (p - onehot) * np.expand_dims(w * (1 - eps), 1)
        if eps:
            # d/dlogits of −(ε/C)·Σ_c w_c log p_c = (ε/C)·(p·Σ_c w_c − w_c)
            if ctx.weight is not None:
                wc = ctx.weight.reshape((1, n_classes) + (1,) * (logp.ndim - 2)).astype(p.dtype)
                total_w = wc.sum()
            else:
                wc, total_w = 1, n_classes
            g += (eps / n_classes) * (p * total_w - wc) * np.expand_dims(valid, 1)
        _scale_by_reduction(g, grad, ctx.reduction, ctx.total)
        return g.astype(logp.dtype, copy=False), None, None, None, None, None

    @staticmethod
    def composite(ctx, logits, target, weight, ignore_index, reduction, label_smoothing):
        """The loss written with log_softmax and gather (for create_graph)."""
        target, weight, eps = value(target), value(weight), label_smoothing
        n_classes = logits.shape[1]
        logp = LogSoftmax.apply(logits, 1)
        valid = target != ignore_index
        safe = np.where(valid, target, 0)
        picked = Gather.apply(logp, 1, np.expand_dims(safe, 1)).squeeze(1)
        w = weight[safe] if weight is not None else alloc.ones(safe.shape)
        w = np.where(valid, w, 0).astype(logp._data.dtype)
        loss = picked * constant(-(1 - eps) * w)
        if eps:
            if weight is not None:
                wb = weight.reshape((1, n_classes) + (1,) * (logp.ndim - 2))
                smooth = (logp * constant(wb.astype(w.dtype))).sum(dim=1) / n_classes
            else:
                smooth = logp.sum(dim=1) / n_classes
            loss = loss - smooth * constant(eps * valid.astype(w.dtype))
        if reduction == "none":
            return loss
        return loss.sum() if reduction == "sum" else loss.sum() / float(w.sum())


def _plain_forward(ctx, logits, target, ignore_index, reduction):
    """The common case, (N, C) logits without class weights or label smoothing,
    in fewer passes: p = softmax(x) is kept for backward (∂L/∂x = p − onehot),
    and Lₙ = −log pₙ,yₙ = log Σ_c e^(xₙ,c − m) − (xₙ,yₙ − m)."""
    n = logits.shape[0]
    valid = target != ignore_index
    count = int(np.count_nonzero(valid))
    safe = target if count == n else np.where(valid, target, 0)
    shifted = logits - np.maximum.reduce(logits, axis=1, keepdims=True)
    e = np.exp(shifted)
    total = np.add.reduce(e, axis=1, keepdims=True)
    rows = np.arange(n)
    loss = np.log(total[:, 0]) - shifted[rows, safe]
    if count < n:
        loss = np.where(valid, loss, 0).astype(logits.dtype, copy=False)
    ctx.save_for_backward(e / total, safe, None if count == n else valid)
    ctx.reduction, ctx.count = reduction, count
    if reduction == "none":
        return loss
    loss_sum = np.add.reduce(loss, axis=None)
    if reduction == "sum":
        return np.asarray(loss_sum, dtype=logits.dtype)
    # every target ignored: 0/0, NaN (as PyTorch), without NumPy's warning
    return np.asarray(loss_sum / count if count else np.nan, dtype=logits.dtype)


def _plain_backward(ctx, grad):
    p, safe, valid = ctx.saved_tensors
    g = p.copy()
    g[np.arange(len(g)), safe] -= 1
    if valid is not None:
        g *= valid[:, None]
    _scale_by_reduction(g, grad, ctx.reduction, ctx.count)
    return g


def _scale_by_reduction(g, grad, reduction, total):
    """Scale the per-sample gradient ``g`` (N, C, ...) in place by the incoming
    ``grad``: per sample ('none'), as is ('sum'), or over ``total`` ('mean')."""
    if reduction == "none":
        g *= np.expand_dims(grad, 1)
    elif reduction == "sum":
        g *= grad
    elif total:
        g *= grad / total
    else:  # every target ignored: the loss is 0/0 = NaN, its gradient 0 (as PyTorch)
        g *= 0
