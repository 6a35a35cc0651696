r"""L1 and L2 penalties: the article's regularization against overfitting.

Add a penalty on the size of the weights to the loss, so that gradient
descent trades fitting the data against keeping the weights small::

    loss = mse(model(x), y) + l2_penalty(weights, lam=1e-4)

Both are built from glassnet ops, so ``loss.backward()`` adds their
gradients (λ·sign(w) for L1, λ·w for L2) to every weight's ``.grad``.
Pass only the tensors to regularize; biases are usually left out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import dtypes
from ..errors import DTypeError
from ..tensor import Tensor

if TYPE_CHECKING:
    from collections.abc import Iterable


def _tensors(params, name):
    if isinstance(params, Tensor):
        params = [params]
    try:
        params = list(params)
    except TypeError:
        raise TypeError(
            f"{name}: params must be a Tensor or an iterable of Tensors, got "
            f"{type(params).__name__}"
        ) from None
    if not params:
        raise ValueError(f"{name}: got no tensors to penalize")
    for i, p in enumerate(params):
        if not isinstance(p, Tensor):
            raise TypeError(f"{name}: params[{i}] is a {type(p).__name__}, expected a Tensor")
        if not dtypes.is_float(p.dtype):
            raise DTypeError(
                f"{name}: params[{i}] is a {p.dtype} tensor of shape {p.shape}, "
                "expected a floating-point tensor"
            )
    return params


def _strength(lam, name):
    if isinstance(lam, bool) or not isinstance(lam, (int, float)) or not lam >= 0:
        raise ValueError(f"{name}: lam (the penalty strength λ) must be a number >= 0, got {lam!r}")
    return float(lam)


def l1_penalty(params: Tensor | Iterable[Tensor], lam: float = 1.0) -> Tensor:
    r"""λ·Σ|w| over every element of every tensor in ``params`` (a 0-d tensor).

    Its gradient λ·sign(w) pulls each weight toward 0 by the same amount
    whatever its size, so small weights reach exactly 0 (sparse weights,
    "lasso"). sign(0) is taken as 0.
    """
    lam = _strength(lam, "l1_penalty")
    total: Any = None  # a Tensor after the loop (_tensors is never empty)
    for p in _tensors(params, "l1_penalty"):
        s = p.abs().sum()
        total = s if total is None else total + s
    return total * lam


def l2_penalty(params: Tensor | Iterable[Tensor], lam: float = 1.0) -> Tensor:
    r"""λ/2·Σw² over every element of every tensor in ``params`` (a 0-d tensor).

    Its gradient is λ·w, so one step of plain gradient descent on
    loss + l2_penalty is w ← w − η(∂loss/∂w + λw) = (1 − ηλ)·w − η·∂loss/∂w:
    the weights shrink by a factor each step ("weight decay", "ridge").
    That is exactly what ``SGD(params, lr=η, weight_decay=λ)`` does (with or
    without momentum), and also ``Adam(weight_decay=λ)``; it is *not* AdamW,
    whose decoupled decay skips Adam's per-weight scaling.
    """
    lam = _strength(lam, "l2_penalty")
    total: Any = None  # a Tensor after the loop (_tensors is never empty)
    for p in _tensors(params, "l2_penalty"):
        s = (p * p).sum()
        total = s if total is None else total + s
    return total * (lam / 2)
