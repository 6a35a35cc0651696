"""Normalization layers, as ``torch.nn``: BatchNorm1d, BatchNorm2d, LayerNorm.

Both kinds standardize activations and then scale and shift them with
learned γ (``weight``) and β (``bias``):

    y = γ·(x − μ)/√(σ² + ε) + β

Batch norm takes μ, σ² per channel over the batch (so a sample's output
depends on the rest of its batch) and keeps running averages of them for
evaluation; layer norm takes them per sample over its trailing features
(so it behaves the same in training and evaluation).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .. import dtypes, versions
from ..errors import DTypeError, ShapeError
from ..grad_mode import no_grad
from ..tensor import Tensor
from . import init
from .functional import norm as F
from .module import Module
from .parameter import Parameter

if TYPE_CHECKING:
    from ..hints import DTypeLike, Size


def _check_count(value, name, layer):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"{layer}: {name} must be a positive int, got {value!r}")
    return int(value)


def _check_input(layer, input, like):
    if not isinstance(input, Tensor):
        raise TypeError(
            f"{layer}: expected a Tensor input, got {type(input).__name__}; wrap "
            "arrays with gn.tensor(...)"
        )
    if like is not None and input.dtype != like.dtype:
        raise DTypeError(
            f"{layer}: input is {input.dtype} but the layer's tensors are "
            f"{like.dtype}; convert the input (x.to({like.dtype.name})) or the "
            f"model (model.to({input.dtype.name}))"
        )


class _BatchNorm(Module):
    """Batch normalization over channel dim 1 (see BatchNorm1d / BatchNorm2d).

    Training mode: normalize with the batch's mean and biased variance per
    channel; with ``track_running_stats``, also update

        running_mean ← (1 − m)·running_mean + m·μ_batch
        running_var  ← (1 − m)·running_var  + m·σ²_batch·M/(M − 1)   (unbiased)

    where m = ``momentum``, or, with ``momentum=None``, m = 1/num_batches_tracked
    (the cumulative average of all batches so far); ``num_batches_tracked``
    counts the training batches. Evaluation mode (``model.eval()``):
    normalize with the running statistics — or with the batch's, when the
    layer does not track them. γ starts at 1, β at 0, as in PyTorch.
    """

    _dims: tuple[int, ...] = ()  # the input ranks this layer accepts
    _layout = ""  # how to write them in an error message
    weight: Parameter | None
    bias: Parameter | None
    running_mean: Tensor | None
    running_var: Tensor | None
    num_batches_tracked: Tensor | None

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        dtype: DTypeLike | None = None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__()
        name = type(self).__name__
        self.num_features = _check_count(num_features, "num_features", name)
        if momentum is not None and (
            isinstance(momentum, bool) or not isinstance(momentum, (int, float))
        ):
            raise TypeError(f"{name}: momentum must be a number or None, got {momentum!r}")
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        dtype = dtypes.get_default_dtype() if dtype is None else np.dtype(dtype)
        shape = (self.num_features,)
        if affine:
            self.weight = Parameter(np.empty(shape, dtype=dtype))
            if bias:
                self.bias = Parameter(np.empty(shape, dtype=dtype))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", Tensor(np.zeros(shape, dtype=dtype)))
            self.register_buffer("running_var", Tensor(np.ones(shape, dtype=dtype)))
            self.register_buffer("num_batches_tracked", Tensor(np.array(0, dtype=np.int64)))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        self.reset_parameters()

    def reset_running_stats(self) -> None:
        """running_mean ← 0, running_var ← 1, num_batches_tracked ← 0."""
        if self.track_running_stats:
            for buf, value in (
                (self.running_mean, 0),
                (self.running_var, 1),
                (self.num_batches_tracked, 0),
            ):
                if buf is not None:
                    buf._data[...] = value
                    versions.bump(buf)

    def reset_parameters(self) -> None:
        """Reset the running statistics, and γ ← 1, β ← 0."""
        self.reset_running_stats()
        if self.weight is not None:  # affine
            init.ones_(self.weight)
            if self.bias is not None:
                init.zeros_(self.bias)

    def _check_input_dim(self, input):
        layer = self._describe()
        _check_input(layer, input, self.weight if self.weight is not None else self.running_mean)
        if input.ndim not in self._dims or input.shape[1] != self.num_features:
            raise ShapeError(
                f"{layer}: input of shape {input.shape} does not fit; expected "
                f"{self._layout.format(C=self.num_features)}"
            )
        if self.training and input._data.size == self.num_features:
            raise ValueError(
                f"{layer}: expected more than 1 value per channel when training, "
                f"got input of shape {input.shape} (a batch of one sample has "
                "no variance; use a larger batch or model.eval())"
            )

    def forward(self, input: Tensor) -> Tensor:
        self._check_input_dim(input)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            with no_grad():
                self.num_batches_tracked._data += 1
                versions.bump(self.num_batches_tracked)
            if self.momentum is None:  # the cumulative average of every batch so far
                factor = 1.0 / float(self.num_batches_tracked._data)
        # batch statistics in training, and in evaluation when there are no running ones
        use_batch = self.training or (self.running_mean is None and self.running_var is None)
        # running statistics are passed only to be updated (tracked, training) or used (eval)
        track = not self.training or self.track_running_stats
        return F.batch_norm(
            input,
            self.running_mean if track else None,
            self.running_var if track else None,
            self.weight,
            self.bias,
            use_batch,
            factor,
            self.eps,
        )

    def _describe(self) -> str:
        return f"{type(self).__name__}({self.num_features})"

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
            f"affine={self.affine}, bias={self.bias is not None}, "
            f"track_running_stats={self.track_running_stats}"
        )


class BatchNorm1d(_BatchNorm):
    """Batch normalization of (N, C) or (N, C, L) inputs, per channel C over
    the batch (and L). See ``_BatchNorm`` for the statistics and modes."""

    _dims = (2, 3)
    _layout = "(N, {C}) or (N, {C}, L)"


class BatchNorm2d(_BatchNorm):
    """Batch normalization of (N, C, H, W) inputs, per channel C over the
    batch and the H·W positions. See ``_BatchNorm`` for the statistics and modes."""

    _dims = (4,)
    _layout = "(N, {C}, H, W)"


class LayerNorm(Module):
    """Layer normalization over the trailing ``normalized_shape`` dims of each
    sample: μ, σ² (biased) over those dims, then y = γ·x̂ + β with γ
    (``weight``, ones) and β (``bias``, zeros) of shape ``normalized_shape``
    when ``elementwise_affine`` (``bias=False`` drops β). Same in training
    and evaluation."""

    weight: Parameter | None
    bias: Parameter | None

    def __init__(
        self,
        normalized_shape: Size,
        eps: float = 1e-5,
        elementwise_affine: bool = True,
        bias: bool = True,
        dtype: DTypeLike | None = None,
    ) -> None:
        super().__init__()
        self.normalized_shape = F.normalized_shape_tuple(normalized_shape, "LayerNorm")
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        dtype = dtypes.get_default_dtype() if dtype is None else np.dtype(dtype)
        if elementwise_affine:
            self.weight = Parameter(np.empty(self.normalized_shape, dtype=dtype))
            if bias:
                self.bias = Parameter(np.empty(self.normalized_shape, dtype=dtype))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """γ ← 1, β ← 0."""
        if self.weight is not None:  # elementwise_affine
            init.ones_(self.weight)
            if self.bias is not None:
                init.zeros_(self.bias)

    def forward(self, input: Tensor) -> Tensor:
        layer = f"LayerNorm({self.normalized_shape})"
        _check_input(layer, input, self.weight)
        shape = self.normalized_shape
        if input.ndim < len(shape) or input.shape[input.ndim - len(shape) :] != shape:
            raise ShapeError(
                f"{layer}: input of shape {input.shape} does not fit; expected "
                f"(*, {', '.join(map(str, shape))}) (the last {len(shape)} "
                f"dimension{'s' if len(shape) > 1 else ''} must be "
                "normalized_shape)"
            )
        return F.layer_norm(input, shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.normalized_shape}, eps={self.eps}, "
            f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}"
        )
