"""Loss layers: ``loss_fn = nn.MSELoss(); loss = loss_fn(prediction, target)``.

Each is a Module over the function of the same name in ``nn.functional``
(see there for the formulas). ``reduction`` is 'mean' (default), 'sum' or
'none'. Class weights and pos_weight are buffers (in ``state_dict`` under
"weight" / "pos_weight", as PyTorch)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..tensor import Tensor
from . import functional as F
from .functional.loss import _check_reduction
from .module import Module

if TYPE_CHECKING:
    from ..hints import TensorLike


class _Loss(Module):
    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        _check_reduction(reduction, type(self).__name__)
        self.reduction = reduction


def _buffer(value: TensorLike | None) -> Tensor | None:
    return value if value is None or isinstance(value, Tensor) else Tensor(value)


class _WeightedLoss(_Loss):
    weight: Tensor | None

    def __init__(self, weight: TensorLike | None = None, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.register_buffer("weight", _buffer(weight))


class MSELoss(_Loss):
    """Mean squared error, mean((x − y)²) with reduction='mean'."""

    def forward(self, input: Tensor, target: TensorLike) -> Tensor:
        return F.mse_loss(input, target, reduction=self.reduction)


class HalfSquaredError(_Loss):
    """The article's L = (y − ŷ)²/2, so that ∂L/∂ŷ = ŷ − y.

    With reduction='mean' it equals MSELoss()(ŷ, y)/2; with 'sum' it is
    ½·Σ(y − ŷ)² and each prediction's gradient is exactly ŷ − y. (Not in
    PyTorch, where one writes 0.5 * F.mse_loss(...).)"""

    def forward(self, input: Tensor, target: TensorLike) -> Tensor:
        return F.half_squared_error(input, target, reduction=self.reduction)


class L1Loss(_Loss):
    """Mean absolute error, mean(|x − y|)."""

    def forward(self, input: Tensor, target: TensorLike) -> Tensor:
        return F.l1_loss(input, target, reduction=self.reduction)


class HuberLoss(_Loss):
    """Quadratic for |x − y| < delta, linear beyond (robust to outliers)."""

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction)
        if not delta > 0:
            raise ValueError(f"HuberLoss: delta must be positive, got {delta!r}")
        self.delta = delta

    def forward(self, input: Tensor, target: TensorLike) -> Tensor:
        return F.huber_loss(input, target, self.reduction, self.delta)


class CrossEntropyLoss(_WeightedLoss):
    """Softmax + negative log-likelihood of logits (N, C, ...) against class
    indices (N, ...) or class probabilities (N, C, ...), with class
    ``weight``, ``ignore_index`` and ``label_smoothing``."""

    def __init__(
        self,
        weight: TensorLike | None = None,
        ignore_index: int = -100,
        reduction: str = "mean",
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__(weight, reduction)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input: Tensor, target: TensorLike) -> Tensor:
        return F.cross_entropy(
            input,
            target,
            self._buffers["weight"],  # (not self.weight: Module.__getattr__ is slow)
            ignore_index=self.ignore_index,
            reduction=self.reduction,
            label_smoothing=self.label_smoothing,
        )


class NLLLoss(_WeightedLoss):
    """Negative log-likelihood of log-probabilities (after LogSoftmax)."""

    def __init__(
        self, weight: TensorLike | None = None, ignore_index: int = -100, reduction: str = "mean"
    ) -> None:
        super().__init__(weight, reduction)
        self.ignore_index = ignore_index

    def forward(self, input: Tensor, target: TensorLike) -> Tensor:
        return F.nll_loss(
            input,
            target,
            self._buffers["weight"],
            ignore_index=self.ignore_index,
            reduction=self.reduction,
        )


class BCELoss(_WeightedLoss):
    """Binary cross-entropy of probabilities in [0, 1] (after a Sigmoid)."""

    def forward(self, input: Tensor, target: TensorLike) -> Tensor:
        return F.binary_cross_entropy(
            input, target, self._buffers["weight"], reduction=self.reduction
        )


class BCEWithLogitsLoss(_Loss):
    """Sigmoid + binary cross-entropy on logits, computed stably; ``pos_weight``
    (one value per class, last dim) weighs the positive examples."""

    weight: Tensor | None
    pos_weight: Tensor | None

    def __init__(
        self,
        weight: TensorLike | None = None,
        reduction: str = "mean",
        pos_weight: TensorLike | None = None,
    ) -> None:
        super().__init__(reduction)
        self.register_buffer("weight", _buffer(weight))
        self.register_buffer("pos_weight", _buffer(pos_weight))

    def forward(self, input: Tensor, target: TensorLike) -> Tensor:
        buffers = self._buffers  # (not self.weight: Module.__getattr__ is slow on the hot path)
        return F.binary_cross_entropy_with_logits(
            input,
            target,
            buffers["weight"],
            reduction=self.reduction,
            pos_weight=buffers["pos_weight"],
        )
