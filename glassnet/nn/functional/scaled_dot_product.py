"""Scaled dot-product attention as a function (``F.scaled_dot_product_attention``,
as in ``torch.nn.functional``), with the input checks that multi-head attention
(``nn.functional.attention``) shares.

Each query asks every key how well it matches (a dot product, scaled by 1/√E
so that the softmax does not saturate as E grows), turns the scores into
weights that sum to 1, and returns the weighted sum of the values::

    Attention(Q, K, V) = softmax(Q Kᵀ / √E + mask) V

A boolean attn_mask keeps the positions where it is True (False blocks), as
PyTorch's function; a float mask is added to the scores (−inf blocks).
"""

from __future__ import annotations

import math

import numpy as np

from ...errors import DTypeError, ShapeError, describe
from ...functions import api
from ...ops.attention import ScaledDotProductAttention
from ...random import get_generator
from ...tensor import Tensor

__all__ = ["scaled_dot_product_attention"]


def _tensor(x, name, who):
    if not isinstance(x, Tensor):
        raise TypeError(
            f"{who}: expected {name} to be a Tensor, got {type(x).__name__}; wrap "
            "arrays with gn.tensor(...)"
        )
    return x


def _mask(mask, name, who):
    """A mask as a Tensor (arrays are accepted), checked to be bool or float."""
    if mask is None:
        return None
    if not isinstance(mask, Tensor):
        mask = Tensor._make(np.asarray(mask), False, None)
    if mask.dtype != np.bool_ and mask.dtype.kind != "f":
        raise DTypeError(
            f"{who}: {name} must be a bool or floating-point mask, got {describe(mask)}"
        )
    return mask


def _dropout_multiplier(shape, p, dtype, who):
    """D for dropout on an array of ``shape``: 0 with probability p, else 1/(1 − p)
    (drawn from the seeded default generator, as F.dropout)."""
    if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 <= p <= 1:
        raise ValueError(f"{who}: dropout_p has to be between 0 and 1, but got {p!r}")
    if p == 1:
        return np.zeros(shape, dtype=dtype)
    keep = get_generator().random(shape) >= p
    return keep.astype(dtype) * dtype.type(1 / (1 - p))


def _repeat_heads(x, heads, name, who):
    """Grouped-query attention: key/value head j serves query heads j·g … j·g + g − 1
    (``repeat_interleave`` along dim −3)."""
    if x.ndim < 3 or heads % x.shape[-3]:
        raise ShapeError(
            f"{who}: enable_gqa needs the number of query heads ({heads}) to be a "
            f"multiple of the {name} heads (dim -3 of {describe(x)})"
        )
    group = heads // x.shape[-3]
    if group == 1:
        return x
    return api.index_select(x, x.ndim - 3, np.repeat(np.arange(x.shape[-3]), group))


def scaled_dot_product_attention(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    attn_mask: Tensor | None = None,
    dropout_p: float = 0.0,
    is_causal: bool = False,
    scale: float | None = None,
    enable_gqa: bool = False,
) -> Tensor:
    """softmax(Q Kᵀ · scale + mask) V, as ``torch.nn.functional.scaled_dot_product_attention``.

    Shapes: query (..., L, E), key (..., S, E), value (..., S, Ev) → (..., L, Ev);
    the batch dims ``...`` broadcast. ``scale`` defaults to 1/√E.

    attn_mask: broadcastable to (..., L, S); a bool mask keeps the positions
    where it is True (False blocks), a float mask is added to the scores.
    is_causal: query i sees keys 0…i only (the lower triangle, aligned at the
    top left, as PyTorch); cannot be combined with attn_mask.
    dropout_p: dropout on the attention weights, always applied when > 0
    (this function has no training flag; pass 0.0 in evaluation).
    enable_gqa: key/value may have fewer heads (dim −3) than query, each
    shared by a group of query heads.

    A query row whose every key is blocked gets zero weights (and so a zero
    output), as PyTorch's CPU kernels do.
    """
    who = "scaled_dot_product_attention"
    for name, x in (("query", query), ("key", key), ("value", value)):
        _tensor(x, name, who)
    if query.ndim < 2 or key.ndim < 2 or value.ndim < 2:
        raise ShapeError(
            f"{who}: query, key and value must have at least 2 dimensions "
            f"(..., L, E), (..., S, E), (..., S, Ev); got {query.shape}, "
            f"{key.shape}, {value.shape}"
        )
    if not (query.dtype == key.dtype == value.dtype) or query.dtype.kind != "f":
        raise DTypeError(
            f"{who}: query, key and value must have the same floating-point "
            f"dtype, got {query.dtype}, {key.dtype} and {value.dtype}"
        )
    if enable_gqa:
        if query.ndim < 3:
            raise ShapeError(
                f"{who}: enable_gqa needs inputs with a heads dimension "
                f"(..., heads, L, E), got query {query.shape}"
            )
        key = _repeat_heads(key, query.shape[-3], "key", who)
        value = _repeat_heads(value, query.shape[-3], "value", who)
    L, E = query.shape[-2:]
    S = key.shape[-2]
    if key.shape[-1] != E:
        raise ShapeError(
            f"{who}: query {query.shape} and key {key.shape} must have the same "
            f"last dimension E (the query/key feature size), got {E} and "
            f"{key.shape[-1]}"
        )
    if value.shape[-2] != S:
        raise ShapeError(
            f"{who}: key {key.shape} and value {value.shape} must have the same "
            f"sequence length S (dim -2), got {S} and {value.shape[-2]}"
        )
    try:
        batch = np.broadcast_shapes(query.shape[:-2], key.shape[:-2])  # of the scores Q Kᵀ
        np.broadcast_shapes(batch, value.shape[:-2])
    except ValueError:
        raise ShapeError(
            f"{who}: the batch dimensions of query {query.shape}, key {key.shape} "
            f"and value {value.shape} cannot be broadcast together"
        ) from None
    scores_shape = batch + (L, S)
    mask = _mask(attn_mask, "attn_mask", who)
    bias = keep = None
    if mask is not None:
        if is_causal:
            raise ValueError(
                f"{who}: pass either attn_mask or is_causal=True, not both "
                "(is_causal builds its own lower-triangular mask)"
            )
        try:
            fits = np.broadcast_shapes(mask.shape, scores_shape) == scores_shape
        except ValueError:
            fits = False
        if not fits:
            raise ShapeError(
                f"{who}: attn_mask of shape {mask.shape} does not broadcast to the "
                f"attention scores' shape {scores_shape} (batch..., L, S)"
            )
        if mask.dtype == np.bool_:
            keep = mask._data
        elif mask.dtype != query.dtype:
            raise DTypeError(
                f"{who}: a float attn_mask must have the query's dtype "
                f"{query.dtype}, got {mask.dtype}"
            )
        else:
            bias = mask
    elif is_causal:
        keep = np.tril(np.ones((L, S), dtype=bool))
    scale = 1.0 / math.sqrt(E) if scale is None else float(scale)
    drop = None
    if dropout_p:
        drop = _dropout_multiplier(scores_shape, dropout_p, query.dtype, who)
    return ScaledDotProductAttention.apply(
        query, key, value, bias, scale=scale, keep=keep, drop=drop
    )
