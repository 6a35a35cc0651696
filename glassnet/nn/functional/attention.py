"""Attention as functions (``F.scaled_dot_product_attention``,
``F.multi_head_attention_forward``), as in ``torch.nn.functional``. This
module holds multi-head attention; scaled dot-product attention (and the input
checks the two share) is in ``scaled_dot_product``, re-exported here.

Scaled dot-product attention: each query asks every key how well it
matches (a dot product, scaled by 1/√E so that the softmax does not
saturate as E grows), turns the scores into weights that sum to 1, and
returns the weighted sum of the values::

    Attention(Q, K, V) = softmax(Q Kᵀ / √E + mask) V

Multi-head attention runs ``num_heads`` of these side by side on learned
projections of the inputs, each head on E/num_heads features, and mixes
the heads' outputs with one more linear layer::

    headᵢ = Attention(Q W_qᵢᵀ + b_qᵢ, K W_kᵢᵀ + b_kᵢ, V W_vᵢᵀ + b_vᵢ)
    MultiHead(Q, K, V) = concat(head₁, …, head_h) W_oᵀ + b_o

Masks follow PyTorch, whose two functions use opposite conventions for a
boolean mask: in ``scaled_dot_product_attention`` True means "takes part";
in ``multi_head_attention_forward`` (and ``nn.MultiheadAttention``) True
means "blocked" (for attn_mask and key_padding_mask alike). A float mask
is added to the scores in both (−inf blocks).
"""

from __future__ import annotations

import math

import numpy as np

from ...errors import DTypeError, ShapeError, describe
from ...functions import api
from ...tensor import Tensor
from . import dropout
from .scaled_dot_product import _mask, _tensor, scaled_dot_product_attention

__all__ = ["scaled_dot_product_attention", "multi_head_attention_forward"]


def _float_mask(mask, dtype, name, who):
    """PyTorch's canonical form: a bool mask (True = blocked) becomes 0 / −inf, added to
    the scores; a float mask must already have the inputs' dtype."""
    if mask is None:
        return None
    if mask.dtype == np.bool_:  # an op (not np.where): glassnet.onnx sees the mask's use
        blocked = Tensor._make(np.asarray(-np.inf, dtype), False, None)
        return api.where(mask, blocked, Tensor._make(np.zeros((), dtype), False, None))
    if mask.dtype != dtype:
        raise DTypeError(
            f"{who}: a float {name} must have the inputs' dtype {dtype}, got {describe(mask)}"
        )
    return mask


def _check_mha_inputs(
    who, query, key, value, key_padding_mask, attn_mask, dims, num_heads, batch_first
):
    """Shape checks of multi-head attention, stated in the caller's layout."""
    embed_dim, kdim, vdim = dims
    seq = "(N, {0}, {1})" if batch_first else "({0}, N, {1})"
    if query.ndim not in (2, 3):
        raise ShapeError(
            f"{who}: query must be 3-D {seq.format('L', embed_dim)} (batched) or "
            f"2-D (L, {embed_dim}) (unbatched), got shape {query.shape}"
        )
    batched = query.ndim == 3
    for name, x, size in (("key", key, kdim), ("value", value, vdim)):
        if x.ndim != query.ndim:
            raise ShapeError(
                f"{who}: for a {query.ndim}-D query, {name} must be "
                f"{query.ndim}-D too, got shape {x.shape}"
            )
        if x.shape[-1] != size:
            want = seq.format("S", size) if batched else f"(S, {size})"
            raise ShapeError(
                f"{who}: {name} of shape {x.shape} does not fit; expected {want} "
                f"(its last dimension must be {'kdim' if name == 'key' else 'vdim'}"
                f" = {size})"
            )
    if query.shape[-1] != embed_dim:
        want = seq.format("L", embed_dim) if batched else f"(L, {embed_dim})"
        raise ShapeError(
            f"{who}: query of shape {query.shape} does not fit; expected {want} "
            f"(its last dimension must be embed_dim = {embed_dim})"
        )
    b_axis, s_axis = (0, 1) if batch_first else (1, 0)
    if batched and not query.shape[b_axis] == key.shape[b_axis] == value.shape[b_axis]:
        raise ShapeError(
            f"{who}: query {query.shape}, key {key.shape} and value {value.shape} "
            f"must have the same batch size N (dim {b_axis})"
        )
    s_axis = s_axis if batched else 0
    if key.shape[s_axis] != value.shape[s_axis]:
        raise ShapeError(
            f"{who}: key {key.shape} and value {value.shape} must have the same "
            f"sequence length S (dim {s_axis})"
        )
    n = query.shape[b_axis] if batched else None
    L, S = query.shape[s_axis], key.shape[s_axis]
    if key_padding_mask is not None:
        mask_shape = (n, S) if batched else (S,)
        if key_padding_mask.shape != mask_shape:
            raise ShapeError(
                f"{who}: key_padding_mask must have shape {mask_shape} "
                f"({'(N, S)' if batched else '(S,)'}: one flag per key), got "
                f"{key_padding_mask.shape}"
            )
    if attn_mask is not None:
        wants = [(L, S), ((n if batched else 1) * num_heads, L, S)]
        if attn_mask.shape not in wants:
            raise ShapeError(
                f"{who}: attn_mask must have shape {wants[0]} (L, S) or "
                f"{wants[1]} (N·num_heads, L, S), got {attn_mask.shape}"
            )
    return batched


def _heads(x, num_heads):
    """(N, T, E) → (N, num_heads, T, E / num_heads)."""
    n, t, e = x.shape
    return api.transpose(api.reshape(x, n, t, num_heads, e // num_heads), 1, 2)


def _in_projection(query, key, value, in_proj_weight, in_proj_bias, separate, qkv_weights):
    """q, k, v = the three input projections. Packed weights (3E, E) are used as one
    matmul when the inputs are one tensor (self-attention), else split in row blocks."""
    if not separate and query is key and key is value:
        return api.chunk(api.linear(query, in_proj_weight, in_proj_bias), 3, dim=-1)
    bq = bk = bv = None
    if in_proj_bias is not None:
        bq, bk, bv = api.chunk(in_proj_bias, 3)
    wq, wk, wv = qkv_weights if separate else api.chunk(in_proj_weight, 3)
    return api.linear(query, wq, bq), api.linear(key, wk, bk), api.linear(value, wv, bv)


def _forward(
    query,
    key,
    value,
    num_heads,
    in_proj_weight,
    in_proj_bias,
    bias_k,
    bias_v,
    add_zero_attn,
    dropout_p,
    out_proj_weight,
    out_proj_bias,
    training=True,
    key_padding_mask=None,
    need_weights=True,
    attn_mask=None,
    q_proj_weight=None,
    k_proj_weight=None,
    v_proj_weight=None,
    static_k=None,
    static_v=None,
    average_attn_weights=True,
    is_causal=False,
    *,
    dims,
    batch_first,
    who,
):
    """Multi-head attention on inputs in the caller's layout (batch_first or not)."""
    for name, x in (("query", query), ("key", key), ("value", value)):
        _tensor(x, name, who)
    kpm = _mask(key_padding_mask, "key_padding_mask", who)
    mask = _mask(attn_mask, "attn_mask", who)
    batched = _check_mha_inputs(who, query, key, value, kpm, mask, dims, num_heads, batch_first)
    dtype = out_proj_weight.dtype
    for name, x in (("query", query), ("key", key), ("value", value)):
        if x.dtype != dtype:
            raise DTypeError(
                f"{who}: {name} is {x.dtype} but the weights are {dtype}; convert "
                f"the input (x.to({dtype.name})) or the layer "
                f"(layer.to({x.dtype.name}))"
            )
    embed_dim = dims[0]
    head_dim = embed_dim // num_heads
    separate = in_proj_weight is None
    q, k, v = _in_projection(
        query,
        key,
        value,
        in_proj_weight,
        in_proj_bias,
        separate,
        (q_proj_weight, k_proj_weight, v_proj_weight),
    )
    # batch first from here on: (N, L, E), (N, S, E)
    if not batched:
        q, k, v = (api.unsqueeze(x, 0) for x in (q, k, v))
        if kpm is not None:
            kpm = api.unsqueeze(kpm, 0)
    elif not batch_first:
        q, k, v = (api.transpose(x, 0, 1) for x in (q, k, v))
    n, L, _ = q.shape
    if is_causal and mask is None:
        raise ValueError(
            f"{who}: is_causal=True is a hint that attn_mask is the causal mask, "
            "so it needs attn_mask too (as in PyTorch); pass attn_mask="
            "glassnet.nn.transformer.generate_square_subsequent_mask(L)"
        )
    use_causal = is_causal and kpm is None and not need_weights
    kpm = _float_mask(kpm, dtype, "key_padding_mask", who)
    mask = None if use_causal else _float_mask(mask, dtype, "attn_mask", who)
    if mask is not None and mask.ndim == 3:
        mask = api.reshape(mask, n, num_heads, L, mask.shape[-1])
    if bias_k is not None or bias_v is not None:  # one learned key/value added to each sequence
        if bias_k is None or bias_v is None:
            raise ValueError(f"{who}: bias_k and bias_v must be given together")
        k = api.cat([k, api.expand(api.reshape(bias_k, 1, 1, embed_dim), n, 1, embed_dim)], 1)
        v = api.cat([v, api.expand(api.reshape(bias_v, 1, 1, embed_dim), n, 1, embed_dim)], 1)
        mask = None if mask is None else api.pad(mask, (0, 1))
        kpm = None if kpm is None else api.pad(kpm, (0, 1))
    q, k, v = _heads(q, num_heads), _heads(k, num_heads), _heads(v, num_heads)
    for name, static in (("static_k", static_k), ("static_v", static_v)):
        if static is not None:
            if static.ndim != 3 or static.shape[0] != n * num_heads or static.shape[2] != head_dim:
                raise ShapeError(
                    f"{who}: {name} must have shape (N·num_heads, S, head_dim) = "
                    f"({n * num_heads}, S, {head_dim}), got {static.shape}"
                )
            static = api.reshape(static, n, num_heads, static.shape[1], head_dim)
            k, v = (static, v) if name == "static_k" else (k, static)
    if add_zero_attn:  # one all-zero key/value added to each sequence
        zeros = Tensor._make(np.zeros((n, num_heads, 1, head_dim), dtype=dtype), False, None)
        k, v = api.cat([k, zeros], dim=2), api.cat([v, zeros], dim=2)
        mask = None if mask is None else api.pad(mask, (0, 1))
        kpm = None if kpm is None else api.pad(kpm, (0, 1))
    S = k.shape[2]
    if kpm is not None:
        if kpm.shape[-1] != S:
            raise ShapeError(
                f"{who}: key_padding_mask covers {kpm.shape[-1]} keys, but there are {S}"
            )
        kpm = api.reshape(kpm, n, 1, 1, S)
        mask = kpm if mask is None else api.add(mask, kpm)
    if not training:
        dropout_p = 0.0
    if need_weights:  # PyTorch's path when the weights are wanted: plain softmax
        scores = api.matmul(api.mul(q, math.sqrt(1.0 / head_dim)), api.transpose(k, -1, -2))
        if mask is not None:
            scores = api.add(scores, mask)
        weights = api.softmax(scores, -1)
        if dropout_p > 0:
            weights = dropout(weights, dropout_p)
        out = api.matmul(weights, v)
    else:
        out = scaled_dot_product_attention(q, k, v, mask, dropout_p, use_causal)
        weights = None
    out = api.reshape(api.transpose(out, 1, 2), n, L, embed_dim)  # heads side by side
    out = api.linear(out, out_proj_weight, out_proj_bias)
    if weights is not None and average_attn_weights:
        weights = api.mean(weights, dim=1)
    if not batched:
        out = api.squeeze(out, 0)
        weights = None if weights is None else api.squeeze(weights, 0)
    elif not batch_first:
        out = api.transpose(out, 0, 1)
    return out, weights


def multi_head_attention_forward(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    embed_dim_to_check: int,
    num_heads: int,
    in_proj_weight: Tensor | None,
    in_proj_bias: Tensor | None,
    bias_k: Tensor | None,
    bias_v: Tensor | None,
    add_zero_attn: bool,
    dropout_p: float,
    out_proj_weight: Tensor,
    out_proj_bias: Tensor | None,
    training: bool = True,
    key_padding_mask: Tensor | None = None,
    need_weights: bool = True,
    attn_mask: Tensor | None = None,
    use_separate_proj_weight: bool = False,
    q_proj_weight: Tensor | None = None,
    k_proj_weight: Tensor | None = None,
    v_proj_weight: Tensor | None = None,
    static_k: Tensor | None = None,
    static_v: Tensor | None = None,
    average_attn_weights: bool = True,
    is_causal: bool = False,
) -> tuple[Tensor, Tensor | None]:
    """Multi-head attention with the weights passed in, as
    ``torch.nn.functional.multi_head_attention_forward`` (sequence first:
    query (L, N, E) or unbatched (L, E); key (S, N, kdim), value (S, N, vdim)).

    Returns (attn_output (L, N, E), attn_weights (N, L, S) — or
    (N, num_heads, L, S) with ``average_attn_weights=False`` — or None when
    ``need_weights=False``).

    Boolean masks block where True; float masks are added to the scores.
    attn_mask: (L, S) or (N·num_heads, L, S); key_padding_mask: (N, S).
    With need_weights=True the softmax is the plain one (a row with every key
    blocked gives NaN, as PyTorch); with need_weights=False the computation
    is ``scaled_dot_product_attention`` (such a row gives 0).
    """
    who = "multi_head_attention_forward"
    if num_heads <= 0 or embed_dim_to_check % num_heads:
        raise ValueError(
            f"{who}: embed_dim {embed_dim_to_check} is not divisible by num_heads {num_heads}"
        )
    if use_separate_proj_weight:
        if q_proj_weight is None or k_proj_weight is None or v_proj_weight is None:
            raise ValueError(
                f"{who}: use_separate_proj_weight=True needs q_proj_weight, "
                "k_proj_weight and v_proj_weight"
            )
        expected = {
            "q_proj_weight": (embed_dim_to_check, embed_dim_to_check),
            "k_proj_weight": (embed_dim_to_check, key.shape[-1]),
            "v_proj_weight": (embed_dim_to_check, value.shape[-1]),
        }
        for name, w in zip(expected, (q_proj_weight, k_proj_weight, v_proj_weight)):
            if w.shape != expected[name]:
                raise ShapeError(f"{who}: {name} must have shape {expected[name]}, got {w.shape}")
        dims = (embed_dim_to_check, k_proj_weight.shape[1], v_proj_weight.shape[1])
        in_proj_weight = None
    else:
        if in_proj_weight is None:
            raise ValueError(f"{who}: use_separate_proj_weight is False but in_proj_weight is None")
        if in_proj_weight.shape != (3 * embed_dim_to_check, embed_dim_to_check):
            raise ShapeError(
                f"{who}: in_proj_weight must have shape (3·embed_dim, embed_dim) "
                f"= {(3 * embed_dim_to_check, embed_dim_to_check)}, got "
                f"{in_proj_weight.shape}"
            )
        dims = (embed_dim_to_check,) * 3
    if in_proj_bias is not None and in_proj_bias.shape != (3 * embed_dim_to_check,):
        raise ShapeError(
            f"{who}: in_proj_bias must have shape ({3 * embed_dim_to_check},), "
            f"got {in_proj_bias.shape}"
        )
    return _forward(
        query,
        key,
        value,
        num_heads,
        in_proj_weight,
        in_proj_bias,
        bias_k,
        bias_v,
        add_zero_attn,
        dropout_p,
        out_proj_weight,
        out_proj_bias,
        training,
        key_padding_mask,
        need_weights,
        attn_mask,
        q_proj_weight,
        k_proj_weight,
        v_proj_weight,
        static_k,
        static_v,
        average_attn_weights,
        is_causal,
        dims=dims,
        batch_first=False,
        who=who,
    )
