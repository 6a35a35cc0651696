"""Embedding: a learned lookup table from integer ids (words, tokens,
categories) to vectors, as ``torch.nn.Embedding``.

Looking up row i is the same as multiplying the one-hot vector of i by the
table, so the table learns like a Linear layer's weight — but only the
rows that were looked up receive a gradient.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .. import dtypes
from ..errors import ShapeError
from ..tensor import Tensor
from . import init
from .functional import norm as F
from .module import Module
from .parameter import Parameter

if TYPE_CHECKING:
    from typing_extensions import Self

    from ..hints import DTypeLike, TensorLike


class Embedding(Module):
    """out = weight[input]: an integer tensor of any shape → input.shape +
    (embedding_dim,), with ``weight`` (num_embeddings, embedding_dim) drawn
    from N(0, 1), as PyTorch.

    ``padding_idx``: that row starts as zeros and never gets a gradient (a
    fixed "pad" vector). ``max_norm``: rows looked up whose ``norm_type``-norm
    exceeds it are rescaled in place to norm max_norm before the lookup.
    ``scale_grad_by_freq``: gradients divided by each index's count in the
    batch. ``_weight``: use this (num_embeddings, embedding_dim) tensor as the
    table; ``_freeze``: do not learn it (see ``from_pretrained``).
    ``sparse=True`` is not supported.
    """

    weight: Parameter

    def __init__(
        self,
        num_embeddings: int,
        embedding_dim: int,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        sparse: bool = False,
        _weight: TensorLike | None = None,
        _freeze: bool = False,
        dtype: DTypeLike | None = None,
    ) -> None:
        super().__init__()
        for name, n in (("num_embeddings", num_embeddings), ("embedding_dim", embedding_dim)):
            if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
                raise ValueError(f"Embedding: {name} must be a non-negative int, got {n!r}")
        self.num_embeddings = int(num_embeddings)
        self.embedding_dim = int(embedding_dim)
        self.padding_idx = F.padding_index(padding_idx, self.num_embeddings, "Embedding")
        if sparse:
            raise NotImplementedError(
                "Embedding: sparse=True is not supported; glassnet's "
                "gradients are dense arrays (use sparse=False)"
            )
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        self.sparse = False
        shape = (self.num_embeddings, self.embedding_dim)
        if _weight is None:
            dtype = dtypes.get_default_dtype() if dtype is None else np.dtype(dtype)
            self.weight = Parameter(np.empty(shape, dtype=dtype), requires_grad=not _freeze)
            self.reset_parameters()
        else:
            data = _weight._data if isinstance(_weight, Tensor) else np.asarray(_weight)
            if data.shape != shape:
                raise ShapeError(
                    f"Embedding: _weight has shape {data.shape}, expected "
                    f"{shape} (num_embeddings, embedding_dim)"
                )
            if data.dtype.kind != "f":
                raise TypeError(f"Embedding: _weight must be floating-point, got {data.dtype}")
            self.weight = Parameter(data, requires_grad=not _freeze)

    @classmethod
    def from_pretrained(
        cls,
        embeddings: Tensor,
        freeze: bool = True,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        sparse: bool = False,
    ) -> Self:
        """An Embedding whose table is ``embeddings`` (2-D, shared, not copied);
        ``freeze=True`` keeps it fixed (weight.requires_grad False). The
        ``padding_idx`` row is used as given (not zeroed)."""
        shape = getattr(embeddings, "shape", None)
        if shape is None or len(shape) != 2:
            raise ShapeError(
                f"Embedding.from_pretrained: embeddings must be 2-D "
                f"(num_embeddings, embedding_dim), got shape {shape}"
            )
        return cls(
            shape[0],
            shape[1],
            padding_idx=padding_idx,
            max_norm=max_norm,
            norm_type=norm_type,
            scale_grad_by_freq=scale_grad_by_freq,
            sparse=sparse,
            _weight=embeddings,
            _freeze=freeze,
        )

    def reset_parameters(self) -> None:
        """weight ~ N(0, 1), then the padding row ← 0."""
        init.normal_(self.weight)
        if self.padding_idx is not None:
            self.weight._data[self.padding_idx] = 0

    def forward(self, input: Tensor) -> Tensor:
        return F.lookup(
            input,
            self.weight,
            self.padding_idx,
            self.max_norm,
            self.norm_type,
            self.scale_grad_by_freq,
            self.sparse,
            self._describe(),
        )

    def _describe(self) -> str:
        return f"Embedding({self.num_embeddings}, {self.embedding_dim})"

    def extra_repr(self) -> str:
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            s += f", max_norm={self.max_norm}"
        if self.norm_type != 2:
            s += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq is not False:
            s += f", scale_grad_by_freq={self.scale_grad_by_freq}"
        return s
