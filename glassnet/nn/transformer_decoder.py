"""The Transformer's decoder side, as ``torch.nn``: ``TransformerDecoderLayer``
(masked self-attention over the target, cross-attention from the target to
the encoder's output, a position-wise feed-forward network, each wrapped in a
residual connection and a LayerNorm) and ``TransformerDecoder`` (a stack of
copies of one layer, then an optional final norm)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..devices import as_device
from . import functional as F
from .attention import MultiheadAttention
from .dropout import Dropout
from .linear import Linear
from .module import Module
from .normalization import LayerNorm
from .transformer import (
    check_heads,
    check_masks,
    check_sequence,
    clones,
    detect_is_causal,
    layers_batch_first,
    relu_or_gelu,
    resolve_activation,
    sequence_length,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from ..hints import DTypeLike
    from ..tensor import Tensor


class TransformerDecoderLayer(Module):
    """One decoder block of "Attention Is All You Need"; x starts as tgt, m is
    the memory (the encoder's output)::

        post-norm (norm_first=False, the default):
            x = norm1(x + dropout1(self_attn(x, x, x)))           masked self-attention
            x = norm2(x + dropout2(multihead_attn(x, m, m)))      cross-attention
            x = norm3(x + dropout3(linear2(dropout(activation(linear1(x))))))
        pre-norm (norm_first=True):
            x = x + dropout1(self_attn(norm1(x)))
            x = x + dropout2(multihead_attn(norm2(x), m, m))
            x = x + dropout3(linear2(dropout(activation(linear1(norm3(x))))))

    Sub-modules and so state_dict keys as PyTorch: ``self_attn.*``,
    ``multihead_attn.*`` (MultiheadAttentions), ``linear1.*``, ``linear2.*``,
    ``norm1.*``, ``norm2.*``, ``norm3.*``. ``activation`` as
    ``TransformerEncoderLayer``'s.

    ``forward(tgt, memory, tgt_mask=None, memory_mask=None,
    tgt_key_padding_mask=None, memory_key_padding_mask=None,
    tgt_is_causal=False, memory_is_causal=False)``: tgt (T, N, d_model),
    memory (S, N, d_model) — (N, T, d_model), (N, S, d_model) with
    ``batch_first=True``; (T, d_model), (S, d_model) unbatched — gives a
    tensor shaped as tgt. tgt_mask (T, T) and memory_mask (T, S) (or with
    N·nhead in front) are the attention masks of the two attentions,
    tgt_key_padding_mask (N, T) and memory_key_padding_mask (N, S) mark
    padding keys; True (bool) blocks, a float mask is added to the scores.
    The ``*_is_causal`` flags are hints that the matching mask is causal.

    Differences from PyTorch: ``device`` can only be the CPU.
    """

    activation: Callable[[Tensor], Tensor]

    def __init__(
        self,
        d_model: int,
        nhead: int,
        dim_feedforward: int = 2048,
        dropout: float = 0.1,
        activation: str | Callable[[Tensor], Tensor] = F.relu,
        layer_norm_eps: float = 1e-5,
        batch_first: bool = False,
        norm_first: bool = False,
        bias: bool = True,
        device: Any = None,
        dtype: DTypeLike | None = None,
    ) -> None:
        super().__init__()
        as_device(device, "TransformerDecoderLayer")
        check_heads(d_model, nhead, "TransformerDecoderLayer")
        self.self_attn = MultiheadAttention(
            d_model, nhead, dropout=dropout, batch_first=batch_first, bias=bias, dtype=dtype
        )
        self.multihead_attn = MultiheadAttention(
            d_model, nhead, dropout=dropout, batch_first=batch_first, bias=bias, dtype=dtype
        )
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, dtype=dtype)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, dtype=dtype)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.norm3 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        self.dropout3 = Dropout(dropout)
        self.activation = resolve_activation(activation, "TransformerDecoderLayer")
        self.activation_relu_or_gelu = relu_or_gelu(self.activation)

    def forward(
        self,
        tgt: Tensor,
        memory: Tensor,
        tgt_mask: Tensor | None = None,
        memory_mask: Tensor | None = None,
        tgt_key_padding_mask: Tensor | None = None,
        memory_key_padding_mask: Tensor | None = None,
        tgt_is_causal: bool = False,
        memory_is_causal: bool = False,
    ) -> Tensor:
        d_model, batch_first = self.self_attn.embed_dim, self.self_attn.batch_first
        who, nhead = self._describe(), self.self_attn.num_heads
        check_sequence(tgt, "tgt", d_model, batch_first, who)
        check_sequence(memory, "memory", d_model, batch_first, who, like=tgt)
        check_masks(
            who,
            tgt,
            tgt,
            nhead,
            batch_first,
            tgt_mask,
            tgt_key_padding_mask,
            ("tgt_mask", "tgt_key_padding_mask"),
            "TT",
        )
        check_masks(
            who,
            tgt,
            memory,
            nhead,
            batch_first,
            memory_mask,
            memory_key_padding_mask,
            ("memory_mask", "memory_key_padding_mask"),
            "TS",
        )
        x = tgt
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), tgt_mask, tgt_key_padding_mask, tgt_is_causal)
            x = x + self._mha_block(
                self.norm2(x), memory, memory_mask, memory_key_padding_mask, memory_is_causal
            )
            x = x + self._ff_block(self.norm3(x))
        else:
            x = self.norm1(x + self._sa_block(x, tgt_mask, tgt_key_padding_mask, tgt_is_causal))
            x = self.norm2(
                x
                + self._mha_block(x, memory, memory_mask, memory_key_padding_mask, memory_is_causal)
            )
            x = self.norm3(x + self._ff_block(x))
        return x

    def _sa_block(
        self, x: Tensor, attn_mask: Tensor | None, key_padding_mask: Tensor | None, is_causal: bool
    ) -> Tensor:
        x = self.self_attn(
            x,
            x,
            x,
            attn_mask=attn_mask,
            key_padding_mask=key_padding_mask,
            need_weights=False,
            is_causal=is_causal,
        )[0]
        return self.dropout1(x)

    def _mha_block(
        self,
        x: Tensor,
        memory: Tensor,
        attn_mask: Tensor | None,
        key_padding_mask: Tensor | None,
        is_causal: bool,
    ) -> Tensor:
        x = self.multihead_attn(
            x,
            memory,
            memory,
            attn_mask=attn_mask,
            key_padding_mask=key_padding_mask,
            need_weights=False,
            is_causal=is_causal,
        )[0]
        return self.dropout2(x)

    def _ff_block(self, x: Tensor) -> Tensor:
        x = self.linear2(self.dropout(self.activation(self.linear1(x))))
        return self.dropout3(x)

    def _describe(self) -> str:
        return (
            f"TransformerDecoderLayer(d_model={self.self_attn.embed_dim}, "
            f"nhead={self.self_attn.num_heads})"
        )


class TransformerDecoder(Module):
    """``num_layers`` copies of ``decoder_layer`` applied in turn to the target,
    each attending to the same ``memory``, then ``norm`` (if given), as
    ``torch.nn.TransformerDecoder``::

        x = tgt;  x = layers[i](x, memory, tgt_mask, memory_mask, …)  for each i
        output = norm(x)

    The copies are deep copies (all start with the same weights, as PyTorch).
    state_dict keys: ``layers.0.self_attn.in_proj_weight`` … and ``norm.*``.
    ``forward`` takes ``TransformerDecoderLayer``'s arguments; ``tgt_is_causal
    =None`` (the default) looks whether ``tgt_mask`` is the causal mask.
    """

    def __init__(self, decoder_layer: Module, num_layers: int, norm: Module | None = None) -> None:
        super().__init__()
        self.layers = clones(decoder_layer, num_layers, "TransformerDecoder")
        self.num_layers = int(num_layers)
        self.norm = norm

    def forward(
        self,
        tgt: Tensor,
        memory: Tensor,
        tgt_mask: Tensor | None = None,
        memory_mask: Tensor | None = None,
        tgt_key_padding_mask: Tensor | None = None,
        memory_key_padding_mask: Tensor | None = None,
        tgt_is_causal: bool | None = None,
        memory_is_causal: bool = False,
    ) -> Tensor:
        if getattr(tgt, "ndim", None) in (2, 3):
            size = sequence_length(tgt, layers_batch_first(self.layers))
            tgt_is_causal = detect_is_causal(tgt_mask, tgt_is_causal, size)
        output = tgt
        for layer in self.layers:
            output = layer(
                output,
                memory,
                tgt_mask=tgt_mask,
                memory_mask=memory_mask,
                tgt_key_padding_mask=tgt_key_padding_mask,
                memory_key_padding_mask=memory_key_padding_mask,
                tgt_is_causal=tgt_is_causal,
                memory_is_causal=memory_is_causal,
            )
        if self.norm is not None:
            output = self.norm(output)
        return output
