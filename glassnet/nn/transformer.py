"""The Transformer's encoder side, as ``torch.nn``: ``TransformerEncoderLayer``
(self-attention and a position-wise feed-forward network, each wrapped in a
residual connection and a LayerNorm) and ``TransformerEncoder`` (a stack of
copies of one layer, then an optional final norm); the causal mask; and the
small helpers the decoder and the whole model share."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import dtypes
from ..devices import as_device
from ..errors import ShapeError
from ..tensor import Tensor
from . import functional as F
from .activation_registry import ACTIVATIONS, get_activation
from .attention import MultiheadAttention
from .container import ModuleList
from .dropout import Dropout
from .linear import Linear
from .module import Module
from .normalization import LayerNorm

if TYPE_CHECKING:
    from collections.abc import Callable

    from ..hints import DTypeLike


def generate_square_subsequent_mask(
    sz: int, device: Any = None, dtype: DTypeLike | None = None
) -> Tensor:
    """The causal mask for a sequence of length ``sz``: a float (sz, sz) mask with
    −inf above the diagonal (position i may not look at j > i) and 0 elsewhere,
    as ``torch.nn.Transformer.generate_square_subsequent_mask``."""
    as_device(device, "generate_square_subsequent_mask")
    if isinstance(sz, bool) or not isinstance(sz, (int, np.integer)) or sz < 0:
        raise ValueError(
            f"generate_square_subsequent_mask: sz must be a non-negative int (the "
            f"sequence length), got {sz!r}"
        )
    dtype = dtypes.get_default_dtype() if dtype is None else np.dtype(dtype)
    mask = np.triu(np.full((sz, sz), -np.inf, dtype=dtype), k=1)
    return Tensor._make(mask, False, None)


# ---- helpers shared by the encoder, the decoder and the whole model --------------------------


def resolve_activation(activation: Any, who: str) -> Callable[[Tensor], Tensor]:
    """The feed-forward activation: a name ('relu', 'gelu' or any other of
    ``nn.activation_registry``; PyTorch takes only those two) or any callable."""
    if isinstance(activation, str):
        if activation not in ACTIVATIONS:
            raise ValueError(
                f"{who}: activation should be one of "
                f"{', '.join(ACTIVATIONS.accepted())} (or a callable), not "
                f"{activation!r}"
            )
        return get_activation(activation).function
    if not callable(activation):
        raise TypeError(
            f"{who}: activation should be a name such as 'relu' or 'gelu', or a "
            f"callable, got {type(activation).__name__}"
        )
    return activation


def relu_or_gelu(activation: Any) -> int:
    """PyTorch's ``activation_relu_or_gelu`` flag: 1 for ReLU, 2 for GELU, else 0."""
    from .activation import GELU, ReLU

    if activation is F.relu or isinstance(activation, ReLU):
        return 1
    return 2 if activation is F.gelu or isinstance(activation, GELU) else 0


def check_sequence(
    x: Any, name: str, d_model: int, batch_first: bool, who: str, like: Tensor | None = None
) -> None:
    """x must be (S, N, d_model) — (N, S, d_model) batch first — or (S, d_model)
    unbatched; with ``like`` (the tgt for a memory) batched alike, with its batch size."""
    layout = "(N, {0}, {1})" if batch_first else "({0}, N, {1})"
    letter = "T" if name == "tgt" else "S"
    shape: Any = getattr(x, "shape", None)
    if not isinstance(x, Tensor) or len(shape) not in (2, 3) or shape[-1] != d_model:
        got = f"shape {shape}" if isinstance(x, Tensor) else type(x).__name__
        raise ShapeError(
            f"{who}: {name} must be a Tensor shaped "
            f"{layout.format(letter, d_model)} (batched) or ({letter}, {d_model}) "
            f"(unbatched), got {got}"
        )
    if like is None:
        return
    if x.ndim != like.ndim:
        raise ShapeError(
            f"{who}: {name} {x.shape} and tgt {like.shape} must both be batched "
            "(3-D) or both unbatched (2-D)"
        )
    axis = 0 if batch_first else 1
    if x.ndim == 3 and x.shape[axis] != like.shape[axis]:
        raise ShapeError(
            f"{who}: {name} {x.shape} and tgt {like.shape} must have the same "
            f"batch size N (dim {axis}), got {x.shape[axis]} and "
            f"{like.shape[axis]}"
        )


def check_heads(d_model: Any, nhead: Any, who: str) -> None:
    """nhead must divide d_model: each head attends over d_model / nhead features."""
    if isinstance(d_model, int) and isinstance(nhead, int) and nhead > 0 and d_model % nhead:
        raise ValueError(
            f"{who}: d_model {d_model} must be divisible by nhead {nhead} (the "
            f"attention's embed_dim {d_model} must be divisible by num_heads "
            f"{nhead}: each head gets d_model // nhead features)"
        )


def check_masks(
    who: str,
    x: Tensor,
    keys: Tensor,
    nhead: int,
    batch_first: bool,
    attn_mask: Any,
    padding_mask: Any,
    names: tuple[str, str],
    letters: str = "SS",
) -> None:
    """The shapes of one attention's masks, named as the caller's arguments:
    attn_mask (L, S) or (N·nhead, L, S), key padding mask (N, S) or (S,) unbatched,
    for queries ``x`` (length L) and ``keys`` (length S)."""
    L, S = sequence_length(x, batch_first), sequence_length(keys, batch_first)
    n = x.shape[0 if batch_first else 1] if x.ndim == 3 else 1
    ql, kl = letters[0], letters[1]
    if attn_mask is not None:
        shape = tuple(np.shape(attn_mask))
        if shape not in ((L, S), (n * nhead, L, S)):
            raise ShapeError(
                f"{who}: {names[0]} must have shape ({ql}, {kl}) = {(L, S)} or "
                f"(N·nhead, {ql}, {kl}) = {(n * nhead, L, S)}, got {shape}"
            )
    if padding_mask is not None:
        want = (n, S) if x.ndim == 3 else (S,)
        shape = tuple(np.shape(padding_mask))
        if shape != want:
            form = f"(N, {kl})" if x.ndim == 3 else f"({kl},)"
            raise ShapeError(
                f"{who}: {names[1]} must have shape {form} = {want} (True marks a "
                f"padding position of the keys), got {shape}"
            )


def sequence_length(x: Tensor, batch_first: bool) -> int:
    """S of a (S, N, E), (N, S, E) or (S, E) input."""
    return x.shape[1 if batch_first and x.ndim == 3 else 0]


def detect_is_causal(mask: Any, is_causal: bool | None, size: int) -> bool:
    """PyTorch's reading of the ``is_causal`` hint of a stack: given, it is taken as
    is; None means "look": True when ``mask`` is exactly the (size, size) causal mask
    (bool True above the diagonal, or float −inf above and 0 elsewhere)."""
    if is_causal is not None:
        return is_causal is True
    if mask is None:
        return False
    m = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
    if m.shape != (size, size):
        return False
    above = np.triu(np.ones((size, size), dtype=bool), k=1)
    if m.dtype == np.bool_:
        return bool(np.array_equal(m, above))
    return bool(np.array_equal(m, np.where(above, -np.inf, 0.0)))


def clones(layer: Any, num_layers: Any, who: str) -> ModuleList:
    """``num_layers`` deep copies of ``layer`` (same initial weights, as PyTorch)."""
    if not isinstance(layer, Module):
        raise TypeError(f"{who}: the layer to repeat must be a Module, got {type(layer).__name__}")
    if (
        isinstance(num_layers, bool)
        or not isinstance(num_layers, (int, np.integer))
        or num_layers < 1
    ):
        raise ValueError(f"{who}: num_layers must be a positive int, got {num_layers!r}")
    return ModuleList([copy.deepcopy(layer) for _ in range(int(num_layers))])


def layers_batch_first(layers: ModuleList) -> bool:
    """batch_first of a stack, read from its first layer's self-attention as PyTorch."""
    return bool(getattr(getattr(layers[0], "self_attn", None), "batch_first", False))


# ---- the encoder ---------------------------------------------------------------------------


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

    Differences from PyTorch: ``device`` can only be the CPU; there is no
    fused inference "fast path" (eval mode runs the same code).
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
        as_device(device, "TransformerEncoderLayer")
        check_heads(d_model, nhead, "TransformerEncoderLayer")
        self.self_attn = MultiheadAttention(
            d_model, nhead, dropout=dropout, bias=bias, batch_first=batch_first, dtype=dtype
        )
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, dtype=dtype)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, dtype=dtype)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        self.activation = resolve_activation(activation, "TransformerEncoderLayer")
        self.activation_relu_or_gelu = relu_or_gelu(self.activation)

    def forward(
        self,
        src: Tensor,
        src_mask: Tensor | None = None,
        src_key_padding_mask: Tensor | None = None,
        is_causal: bool = False,
    ) -> Tensor:
        attn = self.self_attn
        check_sequence(src, "src", attn.embed_dim, attn.batch_first, self._describe())
        check_masks(
            self._describe(),
            src,
            src,
            attn.num_heads,
            attn.batch_first,
            src_mask,
            src_key_padding_mask,
            ("src_mask", "src_key_padding_mask"),
        )
        x = src
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), src_mask, src_key_padding_mask, is_causal)
            x = x + self._ff_block(self.norm2(x))
        else:
            x = self.norm1(x + self._sa_block(x, src_mask, src_key_padding_mask, is_causal))
            x = self.norm2(x + self._ff_block(x))
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

    def _ff_block(self, x: Tensor) -> Tensor:
        x = self.linear2(self.dropout(self.activation(self.linear1(x))))
        return self.dropout2(x)

    def _describe(self) -> str:
        return (
            f"TransformerEncoderLayer(d_model={self.self_attn.embed_dim}, "
            f"nhead={self.self_attn.num_heads})"
        )


class TransformerEncoder(Module):
    """``num_layers`` copies of ``encoder_layer`` applied in turn, then ``norm``
    (if given), as ``torch.nn.TransformerEncoder``::

        x = src;  x = layers[i](x, mask, src_key_padding_mask)  for i = 0 … num_layers − 1
        output = norm(x)

    The copies are deep copies, so every layer starts with the same weights
    (as PyTorch; re-initialize them if that matters). state_dict keys:
    ``layers.0.self_attn.in_proj_weight`` … and ``norm.*``.

    ``forward(src, mask=None, src_key_padding_mask=None, is_causal=None)``:
    shapes and masks as ``TransformerEncoderLayer``; ``is_causal=None`` looks
    whether ``mask`` is the causal mask (as PyTorch), and passes that hint on.

    Differences from PyTorch: there are no nested tensors, so
    ``enable_nested_tensor`` and ``mask_check`` are kept but change nothing
    (``use_nested_tensor`` is always False). PyTorch's inference fast path
    (eval mode, no gradients, batch_first, with a src_key_padding_mask)
    returns 0 before ``norm`` at the padded positions; glassnet returns what
    the layers compute there. Values at the positions that are not padding
    agree.
    """

    def __init__(
        self,
        encoder_layer: Module,
        num_layers: int,
        norm: Module | None = None,
        enable_nested_tensor: bool = True,
        mask_check: bool = True,
    ) -> None:
        super().__init__()
        self.layers = clones(encoder_layer, num_layers, "TransformerEncoder")
        self.num_layers = int(num_layers)
        self.norm = norm
        self.enable_nested_tensor = enable_nested_tensor
        self.use_nested_tensor = False
        self.mask_check = mask_check

    def forward(
        self,
        src: Tensor,
        mask: Tensor | None = None,
        src_key_padding_mask: Tensor | None = None,
        is_causal: bool | None = None,
    ) -> Tensor:
        batch_first = layers_batch_first(self.layers)
        if isinstance(src, Tensor) and src.ndim in (2, 3):
            is_causal = detect_is_causal(mask, is_causal, sequence_length(src, batch_first))
        output = src
        for layer in self.layers:
            output = layer(
                output,
                src_mask=mask,
                src_key_padding_mask=src_key_padding_mask,
                is_causal=is_causal,
            )
        if self.norm is not None:
            output = self.norm(output)
        return output
