"""Functional normalization and embedding, as ``torch.nn.functional``:
``batch_norm``, ``layer_norm`` and ``embedding`` (reached as
``glassnet.nn.functional.batch_norm`` and so on).

Each checks its arguments (names, shapes, dtypes, what was expected) and
runs one fused op from ``glassnet.ops.norm`` / ``glassnet.ops.embedding``.
"""

from __future__ import annotations

import math
import numbers
from typing import TYPE_CHECKING, Any

from ... import versions
from ...errors import DTypeError, ShapeError
from ...ops import embedding as embedding_ops
from ...ops import norm as norm_ops
from ...tensor import Tensor
from .._checks import float_tensor

if TYPE_CHECKING:
    from ...hints import Size

_float_input = float_tensor


def _vector_args(fn, input, shape, **tensors):
    """Each of ``tensors`` must be None or a Tensor of ``shape`` and input's dtype."""
    for name, t in tensors.items():
        if t is None:
            continue
        if not isinstance(t, Tensor):
            raise TypeError(f"{fn}: {name} must be a Tensor or None, got {type(t).__name__}")
        if t.shape != shape:
            raise ShapeError(
                f"{fn}: {name} has shape {t.shape}, expected {shape} for an "
                f"input of shape {input.shape}"
            )
        if t.dtype != input.dtype:
            raise DTypeError(
                f"{fn}: {name} is {t.dtype} but the input is {input.dtype}; "
                "they must have the same dtype"
            )


def _number(value, fn, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{fn}: {name} must be a number, got {value!r}")
    return float(value)  # a NumPy float64 scalar would upcast float32 arrays


def batch_norm(
    input: Tensor,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Batch normalization of ``input`` (N, C, *) per channel:

        y = γ·(x − μ)/√(σ² + ε) + β

    With ``training=True``, μ and σ² are the batch's mean and biased variance
    over N and the trailing dims, and ``running_mean``/``running_var`` (when
    given) are updated in place: r ← (1 − momentum)·r + momentum·s, with the
    unbiased variance σ²·M/(M − 1) for ``running_var`` (M values per channel).
    With ``training=False``, μ and σ² are ``running_mean``/``running_var``.
    ``weight`` γ and ``bias`` β are (C,) or None. One fused op; see
    ``glassnet.ops.norm`` for the backward pass.
    """
    fn = "batch_norm"
    _float_input(input, fn)
    if input.ndim < 2:
        raise ShapeError(
            f"{fn}: expected an input of shape (N, C, *) with at least 2 "
            f"dimensions, got shape {input.shape}"
        )
    channels = (input.shape[1],)
    _vector_args(
        fn,
        input,
        channels,
        running_mean=running_mean,
        running_var=running_var,
        weight=weight,
        bias=bias,
    )
    if (running_mean is None) != (running_var is None):
        raise ValueError(f"{fn}: pass both running_mean and running_var, or neither")
    momentum = _number(momentum, fn, "momentum")
    eps = _number(eps, fn, "eps")
    if eps < 0 or (training and eps == 0):
        raise ValueError(
            f"{fn}: eps must be {'positive' if training else 'non-negative'}"
            f"{' during training' if training else ''}, got {eps}"
        )
    if training:
        if input.shape[0] * math.prod(input.shape[2:]) == 1:
            raise ValueError(
                f"{fn}: expected more than 1 value per channel when training, "
                f"got input of shape {input.shape}"
            )
    elif running_mean is None:
        raise ValueError(
            f"{fn}: training=False normalizes with running_mean and running_var, "
            "but they are None; pass them, or use training=True (batch "
            "statistics)"
        )
    out = norm_ops.BatchNorm.apply(
        input,
        weight,
        bias,
        running_mean=None if running_mean is None else running_mean._data,
        running_var=None if running_var is None else running_var._data,
        training=bool(training),
        momentum=momentum,
        eps=eps,
    )
    if training and running_mean is not None:
        versions.bump(running_mean, running_var)
    return out


def normalized_shape_tuple(normalized_shape: Any, fn: str) -> tuple[int, ...]:
    """``normalized_shape`` (an int or a sequence of ints) as a tuple of positive ints."""
    if isinstance(normalized_shape, numbers.Integral):
        normalized_shape = (normalized_shape,)
    try:
        shape = tuple(normalized_shape)
    except TypeError:
        raise TypeError(
            f"{fn}: normalized_shape must be an int or a sequence of ints, got {normalized_shape!r}"
        ) from None
    for n in shape:
        if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n <= 0:
            raise ValueError(f"{fn}: normalized_shape must hold positive ints, got {shape}")
    return tuple(int(n) for n in shape)


def layer_norm(
    input: Tensor,
    normalized_shape: Size,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Layer normalization over the last ``len(normalized_shape)`` dims:

        y = γ·(x − μ)/√(σ² + ε) + β

    where μ and σ² (biased) are taken over those trailing dims, separately
    for every leading index (every sample, every position), and ``weight`` γ
    and ``bias`` β have shape ``normalized_shape`` (or are None). One fused op.
    """
    fn = "layer_norm"
    _float_input(input, fn)
    shape = normalized_shape_tuple(normalized_shape, fn)
    if input.shape[input.ndim - len(shape) :] != shape or input.ndim < len(shape):
        raise ShapeError(
            f"{fn}: input of shape {input.shape} does not end in the normalized "
            f"shape {shape}; expected (*, {', '.join(map(str, shape))})"
        )
    _vector_args(fn, input, shape, weight=weight, bias=bias)
    return norm_ops.LayerNorm.apply(
        input, weight, bias, ndim=len(shape), eps=_number(eps, fn, "eps")
    )


def padding_index(padding_idx: int | None, num_embeddings: int, fn: str) -> int | None:
    """``padding_idx`` in [−num_embeddings, num_embeddings) as a row number, or None."""
    if padding_idx is None:
        return None
    if isinstance(padding_idx, bool) or not isinstance(padding_idx, numbers.Integral):
        raise TypeError(f"{fn}: padding_idx must be an int or None, got {padding_idx!r}")
    if not -num_embeddings <= padding_idx < num_embeddings:
        raise ValueError(
            f"{fn}: padding_idx {padding_idx} must be within num_embeddings "
            f"(expected {-num_embeddings} to {num_embeddings - 1})"
        )
    return int(padding_idx) % num_embeddings


def embedding(
    input: Tensor,
    weight: Tensor,
    padding_idx: int | None = None,
    max_norm: float | None = None,
    norm_type: float = 2.0,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Tensor:
    """Look up rows of ``weight`` (num_embeddings, embedding_dim) by the
    integer tensor ``input`` (any shape): out[..., :] = weight[input[...], :],
    of shape input.shape + (embedding_dim,).

    ``padding_idx``: that row gets no gradient. ``max_norm``: before the
    lookup, every row that ``input`` uses whose ``norm_type``-norm exceeds
    max_norm is rescaled *in place* to norm max_norm (as PyTorch).
    ``scale_grad_by_freq``: each gradient is divided by how often its index
    occurs in ``input``. ``sparse=True`` is not supported (glassnet
    gradients are dense arrays).
    """
    return lookup(
        input, weight, padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse, "embedding"
    )


def lookup(
    input: Tensor,
    weight: Tensor,
    padding_idx: int | None,
    max_norm: float | None,
    norm_type: float,
    scale_grad_by_freq: bool,
    sparse: bool,
    who: str,
) -> Tensor:
    """``embedding`` with ``who`` (the function or layer) named in its errors."""
    if not isinstance(input, Tensor):
        raise TypeError(
            f"{who}: expected an integer Tensor of indices, got "
            f"{type(input).__name__}; wrap them with gn.tensor(...)"
        )
    if input.dtype.kind not in "iu":
        raise DTypeError(
            f"{who}: indices must be an integer tensor (int64 or int32), got "
            f"{input.dtype} with shape {input.shape}"
        )
    if not isinstance(weight, Tensor) or weight.ndim != 2:
        raise ShapeError(
            f"{who}: weight must be a 2-D Tensor (num_embeddings, embedding_dim), "
            f"got {getattr(weight, 'shape', type(weight).__name__)}"
        )
    if weight.dtype.kind != "f":
        raise DTypeError(f"{who}: weight must be floating-point, got {weight.dtype}")
    if sparse:
        raise NotImplementedError(
            f"{who}: sparse=True is not supported; glassnet's gradients "
            "are dense arrays (use sparse=False)"
        )
    rows = weight.shape[0]
    index = input._data
    if index.size and (index.min() < 0 or index.max() >= rows):
        bad = index[(index < 0) | (index >= rows)].flat[0]
        raise IndexError(
            f"{who}: index {int(bad)} is out of range for a table of {rows} "
            f"rows (expected 0 to {rows - 1}); indices of shape {input.shape}"
        )
    padding_idx = padding_index(padding_idx, rows, who)
    if max_norm is not None:
        max_norm = _number(max_norm, who, "max_norm")
        embedding_ops.renorm_rows_(
            weight._data, index.reshape(-1), max_norm, _number(norm_type, who, "norm_type")
        )
        versions.bump(weight)
    return embedding_ops.Embedding.apply(
        weight, input, padding_idx=padding_idx, scale_grad_by_freq=bool(scale_grad_by_freq)
    )


__all__ = ["batch_norm", "layer_norm", "embedding"]
