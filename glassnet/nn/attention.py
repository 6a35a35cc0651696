"""MultiheadAttention: ``num_heads`` scaled dot-product attentions side by side
on learned projections of query, key and value, as ``torch.nn.MultiheadAttention``
(the math is in ``nn.functional.attention``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .. import dtypes
from . import init
from .functional.attention import _forward
from .linear import Linear
from .module import Module
from .parameter import Parameter

if TYPE_CHECKING:
    from ..hints import DTypeLike
    from ..tensor import Tensor


def _positive_int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"MultiheadAttention: {name} must be a positive int, got {value!r}")
    return int(value)


class MultiheadAttention(Module):
    """MultiHead(Q, K, V) = concat(head₁, …, head_h) W_oᵀ + b_o,
    headᵢ = softmax((Q W_qᵢᵀ + b_qᵢ)(K W_kᵢᵀ + b_kᵢ)ᵀ / √d + mask) (V W_vᵢᵀ + b_vᵢ),
    d = embed_dim / num_heads.

    Parameters, with PyTorch's names and shapes (so state_dicts move across):
    ``in_proj_weight`` (3·embed_dim, embed_dim) holds W_q, W_k, W_v stacked
    when kdim == vdim == embed_dim; otherwise ``q_proj_weight`` (E, E),
    ``k_proj_weight`` (E, kdim), ``v_proj_weight`` (E, vdim).
    ``in_proj_bias`` (3·E,) and ``out_proj`` (a Linear E → E) as PyTorch;
    ``bias_k``, ``bias_v`` (1, 1, E) with ``add_bias_kv``. Initialization as
    PyTorch: Xavier-uniform projections, zero biases, Xavier-normal bias_k/v.

    ``forward(query, key, value, key_padding_mask=None, need_weights=True,
    attn_mask=None, average_attn_weights=True, is_causal=False)`` returns
    (attn_output, attn_weights): query (L, N, E) — (N, L, E) with
    ``batch_first=True``, (L, E) unbatched — gives an output of that shape;
    the weights are (N, L, S) averaged over heads, (N, num_heads, L, S)
    with ``average_attn_weights=False``, or None with ``need_weights=False``.
    Boolean masks block where True (attn_mask (L, S) or (N·num_heads, L, S),
    key_padding_mask (N, S)); float masks are added to the scores.
    ``dropout`` applies to the attention weights in training mode.

    Differences from PyTorch: ``device`` is not accepted; there is no
    separate fused "fast path" (eval mode runs the same code).
    """

    def __init__(
        self,
        embed_dim: int,
        num_heads: int,
        dropout: float = 0.0,
        bias: bool = True,
        add_bias_kv: bool = False,
        add_zero_attn: bool = False,
        kdim: int | None = None,
        vdim: int | None = None,
        batch_first: bool = False,
        dtype: DTypeLike | None = None,
    ) -> None:
        super().__init__()
        embed_dim = _positive_int(embed_dim, "embed_dim")
        num_heads = _positive_int(num_heads, "num_heads")
        if embed_dim % num_heads:
            raise ValueError(
                f"MultiheadAttention: embed_dim {embed_dim} must be divisible by "
                f"num_heads {num_heads} (each head gets embed_dim // num_heads "
                "features)"
            )
        if (
            isinstance(dropout, bool)
            or not isinstance(dropout, (int, float))
            or not 0 <= dropout <= 1
        ):
            raise ValueError(
                f"MultiheadAttention: dropout probability has to be between 0 and "
                f"1, but got {dropout!r}"
            )
        self.embed_dim = embed_dim
        self.kdim = embed_dim if kdim is None else _positive_int(kdim, "kdim")
        self.vdim = embed_dim if vdim is None else _positive_int(vdim, "vdim")
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.num_heads = num_heads
        self.dropout = dropout
        self.batch_first = batch_first
        self.head_dim = embed_dim // num_heads
        dtype = dtypes.get_default_dtype() if dtype is None else np.dtype(dtype)

        def param(*shape):
            return Parameter(np.empty(shape, dtype=dtype))

        if self._qkv_same_embed_dim:
            self.in_proj_weight = param(3 * embed_dim, embed_dim)
            for name in ("q_proj_weight", "k_proj_weight", "v_proj_weight"):
                self.register_parameter(name, None)
        else:
            self.register_parameter("in_proj_weight", None)
            self.q_proj_weight = param(embed_dim, embed_dim)
            self.k_proj_weight = param(embed_dim, self.kdim)
            self.v_proj_weight = param(embed_dim, self.vdim)
        if bias:
            self.in_proj_bias = param(3 * embed_dim)
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = Linear(embed_dim, embed_dim, bias=bias, dtype=dtype)
        if add_bias_kv:
            self.bias_k = param(1, 1, embed_dim)
            self.bias_v = param(1, 1, embed_dim)
        else:
            self.register_parameter("bias_k", None)
            self.register_parameter("bias_v", None)
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()

    def _reset_parameters(self) -> None:
        """PyTorch's initialization: Xavier-uniform projections, zero biases."""
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            init.xavier_uniform_(self.q_proj_weight)
            init.xavier_uniform_(self.k_proj_weight)
            init.xavier_uniform_(self.v_proj_weight)
        if self.in_proj_bias is not None:
            init.zeros_(self.in_proj_bias)
        if self.out_proj.bias is not None:  # (both are there when bias=True)
            init.zeros_(self.out_proj.bias)
        if self.bias_k is not None:
            init.xavier_normal_(self.bias_k)
            init.xavier_normal_(self.bias_v)

    def forward(
        self,
        query: Tensor,
        key: Tensor,
        value: Tensor,
        key_padding_mask: Tensor | None = None,
        need_weights: bool = True,
        attn_mask: Tensor | None = None,
        average_attn_weights: bool = True,
        is_causal: bool = False,
    ) -> tuple[Tensor, Tensor | None]:
        return _forward(
            query,
            key,
            value,
            self.num_heads,
            self.in_proj_weight,
            self.in_proj_bias,
            self.bias_k,
            self.bias_v,
            self.add_zero_attn,
            self.dropout,
            self.out_proj.weight,
            self.out_proj.bias,
            training=self.training,
            key_padding_mask=key_padding_mask,
            need_weights=need_weights,
            attn_mask=attn_mask,
            q_proj_weight=self.q_proj_weight,
            k_proj_weight=self.k_proj_weight,
            v_proj_weight=self.v_proj_weight,
            average_attn_weights=average_attn_weights,
            is_causal=is_causal,
            dims=(self.embed_dim, self.kdim, self.vdim),
            batch_first=self.batch_first,
            who=self._describe(),
        )

    def _describe(self) -> str:
        return f"MultiheadAttention(embed_dim={self.embed_dim}, num_heads={self.num_heads})"

    def extra_repr(self) -> str:
        text = f"embed_dim={self.embed_dim}, num_heads={self.num_heads}"
        if not self._qkv_same_embed_dim:
            text += f", kdim={self.kdim}, vdim={self.vdim}"
        if self.dropout:
            text += f", dropout={self.dropout}"
        if self.batch_first:
            text += ", batch_first=True"
        return text
