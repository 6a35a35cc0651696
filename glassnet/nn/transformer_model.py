"""``Transformer``: the encoder–decoder model of "Attention Is All You Need",
as ``torch.nn.Transformer``: a TransformerEncoder reads the source, a
TransformerDecoder reads the target while attending to the encoder's output."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..devices import as_device
from ..errors import ShapeError
from ..tensor import Tensor
from . import functional as F
from . import init
from .module import Module
from .normalization import LayerNorm
from .transformer import (
    TransformerEncoder,
    TransformerEncoderLayer,
    generate_square_subsequent_mask,
)
from .transformer_decoder import TransformerDecoder, TransformerDecoderLayer

if TYPE_CHECKING:
    from collections.abc import Callable

    from ..hints import DTypeLike


class Transformer(Module):
    """memory = encoder(src);  output = decoder(tgt, memory).

    ``encoder`` is a TransformerEncoder of ``num_encoder_layers``
    TransformerEncoderLayers and a final LayerNorm, ``decoder`` a
    TransformerDecoder of ``num_decoder_layers`` TransformerDecoderLayers and a
    final LayerNorm (or ``custom_encoder`` / ``custom_decoder``), so the
    state_dict keys are PyTorch's: ``encoder.layers.0.self_attn.in_proj_weight``
    … ``encoder.norm.weight``, ``decoder.layers.0.multihead_attn.*`` …
    Every parameter with more than one dimension is initialized Xavier-uniform
    (the copies of a layer then differ), as PyTorch.

    ``forward(src, tgt, src_mask=None, tgt_mask=None, memory_mask=None,
    src_key_padding_mask=None, tgt_key_padding_mask=None,
    memory_key_padding_mask=None, src_is_causal=None, tgt_is_causal=None,
    memory_is_causal=False)``: src (S, N, d_model), tgt (T, N, d_model) —
    batch first (N, S, d_model), (N, T, d_model), or unbatched (S, d_model),
    (T, d_model) — gives (T, N, d_model) (tgt's shape). Masks: src_mask (S, S),
    tgt_mask (T, T), memory_mask (T, S), or with N·nhead in front;
    src_key_padding_mask (N, S), tgt_key_padding_mask (N, T),
    memory_key_padding_mask (N, S). A bool mask blocks where True, a float mask
    is added to the attention scores. For a decoder that may not look ahead,
    pass ``tgt_mask=Transformer.generate_square_subsequent_mask(T)``.

    Differences from PyTorch: ``device`` can only be the CPU; wrong shapes
    raise glassnet's ShapeError (a ValueError) rather than a RuntimeError.
    """

    def __init__(
        self,
        d_model: int = 512,
        nhead: int = 8,
        num_encoder_layers: int = 6,
        num_decoder_layers: int = 6,
        dim_feedforward: int = 2048,
        dropout: float = 0.1,
        activation: str | Callable[[Tensor], Tensor] = F.relu,
        custom_encoder: Any | None = None,
        custom_decoder: Any | None = None,
        layer_norm_eps: float = 1e-5,
        batch_first: bool = False,
        norm_first: bool = False,
        bias: bool = True,
        device: Any = None,
        dtype: DTypeLike | None = None,
    ) -> None:
        super().__init__()
        as_device(device, "Transformer")
        args = (
            d_model,
            nhead,
            dim_feedforward,
            dropout,
            activation,
            layer_norm_eps,
            batch_first,
            norm_first,
            bias,
        )
        if custom_encoder is not None:
            self.encoder = custom_encoder
        else:
            self.encoder = TransformerEncoder(
                TransformerEncoderLayer(*args, dtype=dtype),
                num_encoder_layers,
                LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype),
            )
        if custom_decoder is not None:
            self.decoder = custom_decoder
        else:
            self.decoder = TransformerDecoder(
                TransformerDecoderLayer(*args, dtype=dtype),
                num_decoder_layers,
                LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype),
            )
        self._reset_parameters()
        self.d_model = d_model
        self.nhead = nhead
        self.batch_first = batch_first

    def _reset_parameters(self) -> None:
        """Xavier-uniform for every matrix (and higher), as PyTorch."""
        for p in self.parameters():
            if p.ndim > 1:
                init.xavier_uniform_(p)

    def forward(
        self,
        src: Tensor,
        tgt: Tensor,
        src_mask: Tensor | None = None,
        tgt_mask: Tensor | None = None,
        memory_mask: Tensor | None = None,
        src_key_padding_mask: Tensor | None = None,
        tgt_key_padding_mask: Tensor | None = None,
        memory_key_padding_mask: Tensor | None = None,
        src_is_causal: bool | None = None,
        tgt_is_causal: bool | None = None,
        memory_is_causal: bool = False,
    ) -> Tensor:
        self._check_inputs(src, tgt)
        memory = self.encoder(
            src, mask=src_mask, src_key_padding_mask=src_key_padding_mask, is_causal=src_is_causal
        )
        return self.decoder(
            tgt,
            memory,
            tgt_mask=tgt_mask,
            memory_mask=memory_mask,
            tgt_key_padding_mask=tgt_key_padding_mask,
            memory_key_padding_mask=memory_key_padding_mask,
            tgt_is_causal=tgt_is_causal,
            memory_is_causal=memory_is_causal,
        )

    def _check_inputs(self, src: Any, tgt: Any) -> None:
        who = f"Transformer(d_model={self.d_model}, nhead={self.nhead})"
        layout = "(N, {0}, {1})" if self.batch_first else "({0}, N, {1})"
        for name, x in (("src", src), ("tgt", tgt)):
            if not isinstance(x, Tensor) or x.ndim not in (2, 3):
                got = f"shape {x.shape}" if isinstance(x, Tensor) else type(x).__name__
                raise ShapeError(
                    f"{who}: {name} must be a 3-D Tensor "
                    f"{layout.format(name[0].upper(), self.d_model)} or a 2-D "
                    f"one ({name[0].upper()}, {self.d_model}), got {got}"
                )
        if src.ndim != tgt.ndim:
            raise ShapeError(
                f"{who}: src {src.shape} and tgt {tgt.shape} must both be batched "
                "(3-D) or both unbatched (2-D)"
            )
        axis = 0 if self.batch_first else 1
        if src.ndim == 3 and src.shape[axis] != tgt.shape[axis]:
            raise ShapeError(
                f"{who}: the batch number of src and tgt must be equal (dim "
                f"{axis}), got src {src.shape} and tgt {tgt.shape}"
            )
        if src.shape[-1] != self.d_model or tgt.shape[-1] != self.d_model:
            raise ShapeError(
                f"{who}: the feature number of src and tgt must be equal to "
                f"d_model = {self.d_model} (their last dimension), got src "
                f"{src.shape} and tgt {tgt.shape}"
            )

    generate_square_subsequent_mask = staticmethod(generate_square_subsequent_mask)
