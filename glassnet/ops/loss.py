"""Fused loss ops: numerically stable binary cross-entropy and NLL (forward and backward
on raw arrays, as every glassnet op). ``weight`` and ``pos_weight`` are
constants (arrays broadcastable to the input, or None)."""

import numpy as np

from .. import alloc
from ..autograd import Op
from ._graph import constant
from .activation import sigmoid_array


def _reduce(loss, reduction):
    if reduction == "none":
        return loss
    total = np.add.reduce(loss, axis=None)  # pairwise summation, as ndarray.sum/mean
    if reduction == "mean":
        total = total / loss.size
    return np.asarray(total, dtype=loss.dtype)


def _scale(grad, size, reduction):
    """The incoming gradient as the factor on each element of the unreduced
    loss: the whole array for 'none', else a 0-d array (÷ size for 'mean')
    that broadcasting spreads over the elements."""
    if reduction == "mean":
        return grad / size
    return grad


class BinaryCrossEntropy(Op):
    """For probabilities x ∈ [0, 1] and targets y, weights w (1 without); each
    log is clamped at −100, so x = 0 or 1 gives a finite loss (as PyTorch).
    L is the mean of the Lᵢ (N of them), their sum, or each Lᵢ."""

    formula = "Lᵢ = −wᵢ·[yᵢ·ln xᵢ + (1 − yᵢ)·ln(1 − xᵢ)]"
    rule = (
        "∂L/∂xᵢ = wᵢ·(xᵢ − yᵢ)/max(xᵢ(1 − xᵢ), 1e−12), ∂L/∂yᵢ = wᵢ·ln((1 − xᵢ)/xᵢ)  "
        "(÷ N for 'mean')"
    )
    grad_fn_name = "BinaryCrossEntropyBackward0"

    @staticmethod
    def forward(ctx, x, y, weight, reduction):
        with np.errstate(divide="ignore"):
            log_x = np.maximum(np.log(x), -100)
            log_1mx = np.maximum(np.log1p(-x), -100)
        loss = -(y * log_x + (1 - y) * log_1mx)
        if weight is not None:
            loss = loss * weight
        ctx.save_for_backward(x, y)
        ctx.weight, ctx.reduction = weight, reduction
        return _reduce(loss, reduction)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        g = _scale(grad, x.size, ctx.reduction)
        if ctx.weight is not None:
            g = g * ctx.weight
        gx = gy = None
        if ctx.needs_input_grad[0]:
            gx = g * (x - y) / np.maximum((1 - x) * x, 1e-12)
        if ctx.needs_input_grad[1]:
            with np.errstate(divide="ignore"):
                gy = g * (np.log1p(-x) - np.log(x))
        return gx, gy, None, None

    @staticmethod
    def composite(ctx, x, y, weight, reduction):
        loss = -(y * x.log().clamp(min=-100) + (1 - y) * (1 - x).log().clamp(min=-100))
        if weight is not None:
            loss = loss * constant(weight)
        return _reduce_graph(loss, reduction)


class BinaryCrossEntropyWithLogits(Op):
    """BCE on logits z without computing σ(z) (so no log(0) and no overflow),
    with weights w (1 without) and ``pos_weight`` p (1 without):
    lᵢ = 1 + (p − 1)·yᵢ, softplus(−z) = ln(1 + e^(−|z|)) + max(−z, 0).
    L is the mean of the Lᵢ (N of them), their sum, or each Lᵢ."""

    formula = "Lᵢ = wᵢ·[(1 − yᵢ)·zᵢ + lᵢ·softplus(−zᵢ)],  lᵢ = 1 + (p − 1)·yᵢ"
    rule = (
        "∂L/∂zᵢ = wᵢ·(lᵢ·σ(zᵢ) − p·yᵢ) (= wᵢ·(σ(zᵢ) − yᵢ) without pos_weight), "
        "∂L/∂yᵢ = wᵢ·(−zᵢ + (p − 1)·softplus(−zᵢ))  (÷ N for 'mean')"
    )
    grad_fn_name = "BinaryCrossEntropyWithLogitsBackward0"

    @staticmethod
    def forward(ctx, z, y, weight, pos_weight, reduction):
        if pos_weight is None:  # PyTorch's (1 − y)·z + softplus(−z), ±∞ included
            aux = np.logaddexp(np.negative(z), z.dtype.type(0))  # softplus(−z), no overflow
            loss = (1 - y) * z + aux
        else:
            aux = np.exp(-np.abs(z))  # e^(−|z|) ∈ (0, 1]: never overflows
            softplus_neg = np.log1p(aux) + np.maximum(-z, 0)
            loss = (1 - y) * z + (1 + (pos_weight - 1) * y) * softplus_neg
        if weight is not None:
            loss = loss * weight
        ctx.save_for_backward(z, y, aux)
        ctx.weight, ctx.pos_weight, ctx.reduction = weight, pos_weight, reduction
        return _reduce(loss, reduction)

    @staticmethod
    def backward(ctx, grad):
        z, y, aux = ctx.saved_tensors
        pw = ctx.pos_weight
        g = _scale(grad, z.size, ctx.reduction)
        if ctx.weight is not None:
            g = g * ctx.weight
        gz = gy = None
        if ctx.needs_input_grad[0]:
            if pw is None:  # σ(z) = e^(−softplus(−z)): one pass, exact at ±∞ too
                gz = np.exp(np.negative(aux))
                gz -= y  # (in place: σ's array is this op's own)
                gz *= g
            else:
                sig = sigmoid_array(z, aux)
                gz = g * ((1 + (pw - 1) * y) * sig - pw * y)
        if ctx.needs_input_grad[1]:
            if pw is None:
                gy = g * -z
            else:
                softplus_neg = np.log1p(np.exp(-np.abs(z))) + np.maximum(-z, 0)
                gy = g * (-z + (pw - 1) * softplus_neg)
        return gz, gy, None, None, None

    @staticmethod
    def composite(ctx, z, y, weight, pos_weight, reduction):
        log_term = (1 + (-z.abs()).exp()).log()  # softplus(−z) − max(−z, 0)
        if pos_weight is None:
            loss = z.clamp(min=0) - y * z + log_term
        else:
            softplus_neg = log_term + (-z).clamp(min=0)
            loss = (1 - y) * z + (1 + (constant(pos_weight) - 1) * y) * softplus_neg
        if weight is not None:
            loss = loss * constant(weight)
        return _reduce_graph(loss, reduction)


class NLLLoss(Op):
    """Negative log-likelihood at class indices t (N, ...) of log-probabilities
    x (N, C, ...), class weights w (1 without; 0 where tₙ = ignore_index). The
    loss is reduced by a mean weighted by w_tₙ (÷ Σ w_tₙ), a sum, or not at all;
    when every target is ignored the gradient is all 0, as PyTorch."""

    formula = "Lₙ = −w_tₙ·x[n, tₙ]"
    rule = "∂L/∂x[n, c] = −w_tₙ where c = tₙ, else 0  (÷ Σ w_tₙ for 'mean')"
    grad_fn_name = "NllLossBackward0"

    @staticmethod
    def forward(ctx, x, target, weight, ignore_index, reduction):
        valid = target != ignore_index
        safe = np.expand_dims(np.where(valid, target, 0), 1)
        picked = np.take_along_axis(x, safe, axis=1).squeeze(1)
        w = weight[safe.squeeze(1)] if weight is not None else np.ones_like(picked)
        w = np.where(valid, w, 0).astype(x.dtype, copy=False)
        ctx.safe, ctx.w, ctx.shape, ctx.reduction = safe, w, x.shape, reduction
        loss = -picked * w
        if reduction == "none":
            return loss
        if reduction == "sum":
            return np.asarray(loss.sum(), dtype=x.dtype)
        ctx.total = w.sum()
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.asarray(loss.sum() / ctx.total, dtype=x.dtype)

    @staticmethod
    def backward(ctx, grad):
        coef = -ctx.w
        if ctx.reduction != "mean":
            coef = coef * grad
        else:
            coef = coef * (grad / ctx.total) if ctx.total else np.zeros_like(coef)
        g = alloc.zeros(ctx.shape, dtype=ctx.w.dtype)
        np.put_along_axis(g, ctx.safe, np.expand_dims(coef, 1), axis=1)
        return g, None, None, None, None

    @staticmethod
    def composite(ctx, x, target, weight, ignore_index, reduction):
        loss = x.gather(1, constant(ctx.safe)).squeeze(1) * constant(-ctx.w)
        if reduction == "none":
            return loss
        return loss.sum() if reduction == "sum" else loss.sum() / float(ctx.total)


class SquaredError(Op):
    """The article's loss and MSE in one op: c = ½ gives L = (y − ŷ)²/2, whose
    δ_out = ŷ − y; c = 1 is MSE. L is the mean of the Lᵢ (N of them), their
    sum, or each Lᵢ. Shapes must match (the callers check); this is the
    training hot path."""

    formula = "Lᵢ = c·(xᵢ − yᵢ)²"
    rule = "∂L/∂x = 2c·(x − y) (÷ N for 'mean'), ∂L/∂y = −∂L/∂x"
    grad_fn_name = "MseLossBackward0"

    @staticmethod
    def forward(ctx, x, y, scale, reduction):
        diff = x - y
        ctx.save_for_backward(diff)
        ctx.scale, ctx.reduction = scale, reduction
        sq = diff * diff
        if scale != 1:
            sq *= scale
        if reduction == "none":
            return sq
        total = np.add.reduce(sq, axis=None)
        if reduction == "mean":
            total = total / sq.size
        return np.asarray(total, dtype=x.dtype)

    @staticmethod
    def backward(ctx, grad):
        (diff,) = ctx.saved_tensors
        factor = 2 * ctx.scale
        if ctx.reduction == "mean":
            factor = factor / diff.size
        if ctx.reduction == "none":
            g = diff * (grad * factor)
        else:
            g = diff * (float(grad) * factor)  # a Python float keeps diff's dtype
        need = ctx.needs_input_grad
        return (g if need[0] else None), (-g if need[1] else None), None, None

    @staticmethod
    def composite(ctx, x, y, scale, reduction):
        diff = x - y
        return _reduce_graph(diff * diff * scale if scale != 1 else diff * diff, reduction)


def _reduce_graph(loss, reduction):
    """``_reduce`` on Tensors (the composites' last step)."""
    if reduction == "none":
        return loss
    return loss.mean() if reduction == "mean" else loss.sum()
