"""TransformerEncoderLayer: self-attention and a position-wise feed-forward
network, each wrapped in a residual connection and a LayerNorm, built from
the library's own layers, as ``torch.nn.TransformerEncoderLayer``."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .. import dtypes as backend
from ..errors import ShapeError
from ..tensor import Tensor
from .activation_registry import ACTIVATIONS, get_activation
from .attention import MultiheadAttention
from .dropout import Dropout
from .linear import Linear
from .module import Module

if TYPE_CHECKING:
    from collections.abc import Callable

    from ..hints import DTypeLike


def generate_square_subsequent_mask(sz: int, dtype: DTypeLike | None = None) -> Tensor:
    """The causal mask for a sequence of length ``sz``: a float (sz, sz) mask with
    −inf above the diagonal (position i may not look at j > i) and 0 elsewhere,
    as ``torch.nn.Transformer.generate_square_subsequent_mask``."""
    dtype = backend.get_default_dtype() if dtype is None else np.dtype(dtype)
    mask = np.triu(np.full((sz, sz), -np.inf, dtype=dtype), k=1)
    return Tensor._make(mask, False, None)


class TransformerEncoderLayer(Module):
    """One encoder block of "Attention Is All You Need"::

        post-norm (norm_first=False, the default):
            x = norm1(x + dropout1(self_attn(x, x, x)))
            x = norm2(x + dropout2(linear2(dropout(activation(linear1(x))))))
        pre-norm (norm_first=True):
            x = x + dropout1(self_attn(norm1(x)))
            x = x + dropout2(linear2(dropout(activation(linear1(norm2(x))))))

    Sub-modules and so state_dict keys as PyTorch: ``self_attn.*`` (a
    MultiheadAttention), ``linear1.*`` (d_model → dim_feedforward),
    ``linear2.*``, ``norm1.*``, ``norm2.*`` (LayerNorms over d_model).
    ``activation`` is 'relu', 'gelu' (any name of ``nn.activation_registry``;
    PyTorch takes only these two) or any callable (a function or a Module).

    ``forward(src, src_mask=None, src_key_padding_mask=None, is_causal=False)``:
    src (S, N, d_model) — (N, S, d_model) with ``batch_first=True``, (S, d_model)
    unbatched; the masks as MultiheadAttention's attn_mask / key_padding_mask
    (True = blocked); ``is_causal=True`` is a hint that src_mask is the causal
    mask (see ``generate_square_subsequent_mask``), as in PyTorch.

    Differences from PyTorch: ``device`` is not accepted; there is no fused
    inference "fast path" (eval mode runs the same code).
    """

    activation: Callable[[Tensor], Tensor]

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int = 2048,
                 dropout: float = 0.1, activation: str | Callable[[Tensor], Tensor] = "relu",
                 layer_norm_eps: float = 1e-5, batch_first: bool = False,
                 norm_first: bool = False, bias: bool = True,
                 dtype: DTypeLike | None = None) -> None:
        super().__init__()
        from . import LayerNorm  # the normalization family, loaded on first use
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias,
                                            batch_first=batch_first, dtype=dtype)
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, dtype=dtype)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, dtype=dtype)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        if isinstance(activation, str):
            if activation not in ACTIVATIONS:
                raise ValueError(f"TransformerEncoderLayer: activation should be one of "
                                 f"{', '.join(ACTIVATIONS.accepted())} (or a callable), not "
                                 f"{activation!r}")
            activation = get_activation(activation).function
        elif not callable(activation):
            raise TypeError(f"TransformerEncoderLayer: activation should be a name such as "
                            f"'relu' or 'gelu', or a callable, got {type(activation).__name__}")
        self.activation = activation

    def forward(self, src: Tensor, src_mask: Tensor | None = None,
                src_key_padding_mask: Tensor | None = None, is_causal: bool = False) -> Tensor:
        d_model = self.self_attn.embed_dim
        shape: Any = getattr(src, "shape", None)
        if not isinstance(src, Tensor) or len(shape) not in (2, 3) or shape[-1] != d_model:
            layout = "(N, S, {0})" if self.self_attn.batch_first else "(S, N, {0})"
            got = f"shape {shape}" if isinstance(src, Tensor) else type(src).__name__
            raise ShapeError(f"{self._describe()}: src must be a Tensor shaped "
                             f"{layout.format(d_model)} (batched) or (S, {d_model}) "
                             f"(unbatched), got {got}")
        x = src
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), src_mask, src_key_padding_mask, is_causal)
            x = x + self._ff_block(self.norm2(x))
        else:
            x = self.norm1(x + self._sa_block(x, src_mask, src_key_padding_mask, is_causal))
            x = self.norm2(x + self._ff_block(x))
        return x

    def _sa_block(self, x: Tensor, attn_mask: Tensor | None, key_padding_mask: Tensor | None,
                  is_causal: bool) -> Tensor:
        x = self.self_attn(x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask,
                           need_weights=False, is_causal=is_causal)[0]
        return self.dropout1(x)

    def _ff_block(self, x: Tensor) -> Tensor:
        x = self.linear2(self.dropout(self.activation(self.linear1(x))))
        return self.dropout2(x)

    def _describe(self) -> str:
        return (f"TransformerEncoderLayer(d_model={self.self_attn.embed_dim}, "
                f"nhead={self.self_attn.num_heads})")
