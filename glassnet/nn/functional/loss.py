"""Loss functions (exported by ``glassnet.nn.functional``).

Every loss takes ``reduction``: 'mean' (the default: average over the
elements, or the weighted average for class-weighted losses), 'sum', or
'none' (the per-element losses). Legacy ``size_average``/``reduce`` are not
supported; arguments after the documented positional ones are keyword-only.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import numpy as np

from ...errors import DTypeError, ShapeError
from ...functions import api
from ...ops.loss import BinaryCrossEntropy, BinaryCrossEntropyWithLogits, NLLLoss, SquaredError
from ...ops.softmax import CrossEntropyIndices
from ...tensor import Tensor
from .._checks import float_tensor

if TYPE_CHECKING:
    from ...hints import TensorLike

_REDUCTIONS = ("mean", "sum", "none")


def _check_reduction(reduction: str, fn: str) -> None:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{fn}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


_float_input = float_tensor


def _float_like(t: TensorLike, input: Tensor, fn: str, what: str = "target") -> Tensor:
    """``t`` as a Tensor of ``input``'s float dtype. Arrays, lists and integer
    tensors are converted; a float tensor of another dtype is an error."""
    if isinstance(t, Tensor):
        if t._data.dtype == input._data.dtype:
            return t
        if t.dtype.kind == "f":
            raise DTypeError(
                f"{fn}: input is {input.dtype} but {what} is {t.dtype}; convert "
                f"one of them (e.g. {what}.to(input.dtype))"
            )
        return Tensor._make(t._data.astype(input.dtype), False, None)
    arr = np.asarray(t)
    if arr.dtype.kind not in "biuf":
        raise DTypeError(f"{fn}: {what} must be numeric, got dtype {arr.dtype}")
    return Tensor._make(arr.astype(input.dtype), False, None)


def _const_array(t, input, fn, what):
    """A weight argument as a constant array of ``input``'s dtype (or None)."""
    if t is None:
        return None
    arr = np.asarray(t._data if isinstance(t, Tensor) else t)
    if arr.dtype.kind not in "biuf":
        raise DTypeError(f"{fn}: {what} must be numeric, got dtype {arr.dtype}")
    return arr.astype(input.dtype, copy=False)


def _pair(input: Tensor, target: TensorLike, fn: str) -> tuple[Tensor, Tensor]:
    """Regression losses: a target of another shape is broadcast, with
    PyTorch's warning (an (N, 1) output against an (N,) target is a classic bug)."""
    input = _float_input(input, fn)
    target = _float_like(target, input, fn)
    if target._data.shape != input._data.shape:
        try:
            np.broadcast_shapes(input.shape, target.shape)
        except ValueError:
            raise ShapeError(
                f"{fn}: input {input.shape} and target {target.shape} cannot be "
                "broadcast together; they should have the same shape"
            ) from None
        warnings.warn(
            f"{fn}: using a target size {target.shape} that is different to the "
            f"input size {input.shape}. This will likely lead to incorrect results "
            "due to broadcasting. Please ensure they have the same size.",
            stacklevel=3,
        )
    return input, target


def _elementwise_weight(weight: TensorLike | None, input: Tensor, fn: str) -> Tensor | None:
    if weight is None:
        return None
    weight = _float_like(weight, input, fn, "weight")
    if weight.shape != input.shape:
        raise ValueError(
            f"{fn}: weight {weight.shape} and input {input.shape} must have the same size"
        )
    return weight


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "none":
        return loss
    return loss.sum() if reduction == "sum" else loss.mean()


def mse_loss(
    input: Tensor, target: TensorLike, *, reduction: str = "mean", weight: TensorLike | None = None
) -> Tensor:
    """Mean squared error: Lᵢ = wᵢ·(xᵢ − yᵢ)². With a weight, 'mean' is
    Σ wᵢ(xᵢ − yᵢ)² / Σ wᵢ (as PyTorch)."""
    if (
        weight is None
        and isinstance(input, Tensor)
        and isinstance(target, Tensor)
        and reduction in _REDUCTIONS
        and input._data.dtype.kind == "f"
        and target._data.dtype == input._data.dtype
        and target._data.shape == input._data.shape
    ):
        return SquaredError.apply(input, target, 1, reduction)  # the training hot path
    _check_reduction(reduction, "mse_loss")
    input, target = _pair(input, target, "mse_loss")
    if weight is None and target._data.shape == input._data.shape:
        return SquaredError.apply(input, target, 1, reduction)
    sq = api.square(input - target)
    weight = _elementwise_weight(weight, input, "mse_loss")
    if weight is None:
        return _reduce(sq, reduction)
    loss = sq * weight
    return loss.sum() / weight.sum() if reduction == "mean" else _reduce(loss, reduction)


def half_squared_error(input: Tensor, target: TensorLike, reduction: str = "mean") -> Tensor:
    """The article's loss L = (y − ŷ)²/2, whose derivative is ∂L/∂ŷ = ŷ − y
    (the ½ cancels the 2): the δ_out that starts backpropagation.

    Relation to MSELoss: with 'mean' this is mse_loss(input, target)/2 (the
    mean of the halved squared errors); with 'sum' it is ½·Σ(y − ŷ)², whose
    gradient for each prediction is exactly ŷ − y; with 'none' the
    per-element (y − ŷ)²/2. Minimizing it is minimizing MSE: the same
    minimum, gradients half as large (so the same steps need twice the lr)."""
    _check_reduction(reduction, "half_squared_error")
    input, target = _pair(input, target, "half_squared_error")
    if target.shape == input.shape:
        return SquaredError.apply(input, target, 0.5, reduction)
    return _reduce(api.square(input - target) * 0.5, reduction)


def l1_loss(
    input: Tensor, target: TensorLike, *, reduction: str = "mean", weight: TensorLike | None = None
) -> Tensor:
    """Mean absolute error: Lᵢ = wᵢ·|xᵢ − yᵢ| (gradient sign(x − y), 0 at 0).
    With a weight, 'mean' is Σ wᵢ|xᵢ − yᵢ| / Σ wᵢ."""
    _check_reduction(reduction, "l1_loss")
    input, target = _pair(input, target, "l1_loss")
    err = api.abs(input - target)
    weight = _elementwise_weight(weight, input, "l1_loss")
    if weight is None:
        return _reduce(err, reduction)
    loss = err * weight
    return loss.sum() / weight.sum() if reduction == "mean" else _reduce(loss, reduction)


def huber_loss(
    input: Tensor,
    target: TensorLike,
    reduction: str = "mean",
    delta: float = 1.0,
    weight: TensorLike | None = None,
) -> Tensor:
    """Huber: with d = x − y, Lᵢ = d²/2 where |d| < δ, else δ·(|d| − δ/2):
    quadratic near 0, linear (gradient ±δ) for outliers. With a weight,
    'mean' is the plain mean of wᵢ·Lᵢ (as PyTorch)."""
    _check_reduction(reduction, "huber_loss")
    if not delta > 0:
        raise ValueError(f"huber_loss: delta must be positive, got {delta!r}")
    input, target = _pair(input, target, "huber_loss")
    d = input - target
    a = api.abs(d)
    loss = api.where(a._data < delta, api.square(d) * 0.5, (a - 0.5 * delta) * delta)
    weight = _elementwise_weight(weight, input, "huber_loss")
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


# ---- classification ------------------------------------------------------------
def _class_weight(weight, input, n_classes, fn):
    if weight is None:
        return None
    w = _const_array(weight, input, fn, "weight")
    if w.shape != (n_classes,):
        raise ShapeError(
            f"{fn}: weight should have one value per class, shape ({n_classes},), got {w.shape}"
        )
    return w


def _class_targets(input, target, ignore_index, fn):
    """Check integer class indices: shape (N, d1, ...) for input (N, C, d1, ...),
    each in [0, C) or equal to ignore_index."""
    n_classes = input.shape[1]
    expected = (input.shape[0],) + input.shape[2:]
    if target.shape != expected:
        raise ShapeError(
            f"{fn}: input {input.shape} (N, C, ...) needs class-index targets "
            f"of shape {expected}, got {target.shape}"
        )
    bad = (target != ignore_index) & ((target < 0) | (target >= n_classes))
    if bad.any():
        raise IndexError(
            f"{fn}: target {int(target[bad].flat[0])} is out of bounds: "
            f"expected class indices 0 to {n_classes - 1} (or ignore_index="
            f"{ignore_index})"
        )
    return target.astype(np.int64, copy=False)


def _target_array(target):
    return np.asarray(target._data if isinstance(target, Tensor) else target)


def cross_entropy(
    input: Tensor,
    target: TensorLike,
    weight: TensorLike | None = None,
    *,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Cross-entropy of logits ``input`` (N, C, d1, ...) or (C,) against
    class indices (N, d1, ...) or class probabilities (same shape as input):

        Lₙ = −Σ_c w_c·qₙ,c·log softmax(xₙ)_c,  q = (1 − ε)·target + ε/C

    (for indices, target is one-hot and classes equal to ``ignore_index`` are
    skipped). 'mean' over indices divides by Σ w_yₙ (PyTorch's weighted mean);
    over probabilities by N·d1·... . Index targets use one fused, stable op.
    """
    fn = "cross_entropy"
    _check_reduction(reduction, fn)
    input = _float_input(input, fn)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(
            f"{fn}: label_smoothing must be between 0.0 and 1.0, got {label_smoothing!r}"
        )
    if input.ndim == 0:
        raise ShapeError(f"{fn}: input must have a class dimension, got a 0-d tensor")
    tgt = _target_array(target)
    class_dim = 0 if input.ndim == 1 else 1
    n_classes = input.shape[class_dim]
    w = _class_weight(weight, input, n_classes, fn)
    if tgt.dtype.kind in "iu":
        unbatched = input.ndim == 1
        if unbatched:
            input, tgt = api.unsqueeze(input, 0), tgt.reshape((1,) + tgt.shape)
        tgt = _class_targets(input, tgt, ignore_index, fn)
        out = CrossEntropyIndices.apply(
            input, tgt, w, ignore_index, reduction, float(label_smoothing)
        )
        return api.squeeze(out, 0) if unbatched and reduction == "none" else out
    if tgt.dtype.kind != "f":
        raise DTypeError(
            f"{fn}: target must hold class indices (integers) or class "
            f"probabilities (floats), got dtype {tgt.dtype}"
        )
    q = _float_like(target, input, fn)
    if q.shape != input.shape:
        raise ShapeError(
            f"{fn}: class-probability targets must have the input's shape "
            f"{input.shape}, got {q.shape} (for class indices pass integers)"
        )
    if label_smoothing:
        q = q * (1.0 - label_smoothing) + label_smoothing / n_classes
    prod = api.log_softmax(input, class_dim) * q
    if w is not None:
        prod = prod * w.reshape((n_classes,) + (1,) * (input.ndim - class_dim - 1))
    return _reduce(-api.sum(prod, class_dim), reduction)


def nll_loss(
    input: Tensor,
    target: TensorLike,
    weight: TensorLike | None = None,
    *,
    ignore_index: int = -100,
    reduction: str = "mean",
) -> Tensor:
    """Negative log-likelihood of log-probabilities ``input`` (N, C, d1, ...)
    or (C,) at class indices ``target``: Lₙ = −w_yₙ·input[n, yₙ]; 'mean'
    divides by Σ w_yₙ over the targets that are not ``ignore_index``.
    nll_loss(log_softmax(x, 1), y) equals cross_entropy(x, y)."""
    fn = "nll_loss"
    _check_reduction(reduction, fn)
    input = _float_input(input, fn)
    if input.ndim == 0:
        raise ShapeError(f"{fn}: input must have a class dimension, got a 0-d tensor")
    tgt = _target_array(target)
    if tgt.dtype.kind not in "iu":
        raise DTypeError(f"{fn}: target must hold class indices (integers), got dtype {tgt.dtype}")
    unbatched = input.ndim == 1
    if unbatched:
        input, tgt = api.unsqueeze(input, 0), tgt.reshape((1,) + tgt.shape)
    w = _class_weight(weight, input, input.shape[1], fn)
    tgt = _class_targets(input, tgt, ignore_index, fn)
    out = NLLLoss.apply(input, tgt, w, ignore_index, reduction)
    return api.squeeze(out, 0) if unbatched and reduction == "none" else out


def _same_shape(input, target, fn):
    if target.shape != input.shape:
        raise ShapeError(
            f"{fn}: target size {target.shape} must be the same as input size {input.shape}"
        )


def _broadcast_weight(w, input, fn, what):
    if w is None:
        return None
    try:
        shape = np.broadcast_shapes(w.shape, input.shape)
    except ValueError:
        shape = None
    if shape != input.shape:
        raise ShapeError(
            f"{fn}: {what} of shape {w.shape} cannot be broadcast to the input's "
            f"shape {input.shape}"
        )
    return w


def binary_cross_entropy(
    input: Tensor, target: TensorLike, weight: TensorLike | None = None, *, reduction: str = "mean"
) -> Tensor:
    """Binary cross-entropy of probabilities x ∈ [0, 1] (after a sigmoid):
    Lᵢ = −wᵢ·[yᵢ·ln xᵢ + (1 − yᵢ)·ln(1 − xᵢ)], logs clamped at −100.
    Prefer binary_cross_entropy_with_logits on the raw scores: it is stable."""
    fn = "binary_cross_entropy"
    _check_reduction(reduction, fn)
    input = _float_input(input, fn)
    target = _float_like(target, input, fn)
    _same_shape(input, target, fn)
    if input._data.size and not (np.all(input._data >= 0) and np.all(input._data <= 1)):
        raise ValueError(
            f"{fn}: all elements of input should be between 0 and 1 (got values "
            f"from {np.nanmin(input._data)} to {np.nanmax(input._data)}); for raw "
            "scores use binary_cross_entropy_with_logits"
        )
    w = _broadcast_weight(_const_array(weight, input, fn, "weight"), input, fn, "weight")
    return BinaryCrossEntropy.apply(input, target, w, reduction)


def binary_cross_entropy_with_logits(
    input: Tensor,
    target: TensorLike,
    weight: TensorLike | None = None,
    *,
    reduction: str = "mean",
    pos_weight: TensorLike | None = None,
) -> Tensor:
    """Sigmoid + binary cross-entropy in one stable step, on logits z:
    Lᵢ = wᵢ·[(1 − yᵢ)·zᵢ + (1 + (p − 1)·yᵢ)·ln(1 + e^(−zᵢ))], with ln(1 + e^(−z))
    computed as ln(1 + e^(−|z|)) + max(−z, 0) so no value overflows.
    ``pos_weight`` p (broadcast along the last, class, dim) weighs positives."""
    fn = "binary_cross_entropy_with_logits"
    _check_reduction(reduction, fn)
    input = _float_input(input, fn)
    target = _float_like(target, input, fn)
    _same_shape(input, target, fn)
    w = _broadcast_weight(_const_array(weight, input, fn, "weight"), input, fn, "weight")
    pw = _broadcast_weight(
        _const_array(pos_weight, input, fn, "pos_weight"), input, fn, "pos_weight"
    )
    return BinaryCrossEntropyWithLogits.apply(input, target, w, pw, reduction)
