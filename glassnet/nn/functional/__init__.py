"""The functional interface, as ``torch.nn.functional`` (``import
glassnet.nn.functional as F``): the layers and losses of ``glassnet.nn`` as
plain functions of tensors, with the weights passed in.

Activations (a = f(z), with the derivative the backward pass uses):
relu, sigmoid, tanh, leaky_relu, elu, gelu, softplus, softmax, log_softmax;
layers: linear, dropout; losses: mse_loss, l1_loss, huber_loss,
half_squared_error, cross_entropy, nll_loss, binary_cross_entropy,
binary_cross_entropy_with_logits.

Difference from PyTorch: ``inplace=True`` is accepted and ignored (the
result is always a new tensor; the values are the same).
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import numpy as np

from ...errors import DTypeError
from ...functions import api
from ...random import get_generator
from ...tensor import Tensor
from .loss import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    half_squared_error,
    huber_loss,
    l1_loss,
    mse_loss,
    nll_loss,
)

if TYPE_CHECKING:  # the lazily imported families below, as mypy should see them
    from ...hints import DTypeLike
    from .attention import multi_head_attention_forward as multi_head_attention_forward
    from .attention import scaled_dot_product_attention as scaled_dot_product_attention
    from .conv import adaptive_avg_pool2d as adaptive_avg_pool2d
    from .conv import avg_pool2d as avg_pool2d
    from .conv import conv1d as conv1d
    from .conv import conv2d as conv2d
    from .conv import conv_transpose2d as conv_transpose2d
    from .conv import max_pool2d as max_pool2d
    from .norm import batch_norm as batch_norm
    from .norm import embedding as embedding
    from .norm import layer_norm as layer_norm


def _input(x: object, fn: str) -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(
            f"{fn}: expected a Tensor input, got {type(x).__name__}; wrap arrays "
            "with gn.tensor(...)"
        )
    return x


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(0, z); derivative 1 for z > 0, else 0."""
    return api.relu(_input(input, "relu"))


def sigmoid(input: Tensor) -> Tensor:
    """σ(z) = 1/(1 + e^(−z)); derivative σ(z)(1 − σ(z))."""
    return api.sigmoid(_input(input, "sigmoid"))


def tanh(input: Tensor) -> Tensor:
    """tanh z; derivative 1 − tanh²z."""
    return api.tanh(_input(input, "tanh"))


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """z for z > 0, else negative_slope·z."""
    return api.leaky_relu(_input(input, "leaky_relu"), negative_slope)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """z for z > 0, else α(eᶻ − 1)."""
    return api.elu(_input(input, "elu"), alpha)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """z·Φ(z) (Φ the standard normal CDF), or its tanh approximation."""
    return api.gelu(_input(input, "gelu"), approximate)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """(1/β)·ln(1 + e^(βz)), linear where βz > threshold."""
    return api.softplus(_input(input, "softplus"), beta, threshold)


def _softmax_dim(ndim: int, fn: str) -> int:
    """PyTorch's legacy choice when dim is not given (with the same warning)."""
    warnings.warn(
        f"Implicit dimension choice for {fn} has been deprecated. Change the call "
        "to include dim=X as an argument.",
        stacklevel=3,
    )
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input: Tensor, dim: int | None = None, dtype: DTypeLike | None = None) -> Tensor:
    """e^(zᵢ) / Σⱼ e^(zⱼ) along ``dim`` (computed without overflow)."""
    _input(input, "softmax")
    if dtype is not None:
        input = input.to(dtype)
    return api.softmax(input, _softmax_dim(input.ndim, "softmax") if dim is None else dim)


def log_softmax(input: Tensor, dim: int | None = None, dtype: DTypeLike | None = None) -> Tensor:
    """zᵢ − logsumexp(z) along ``dim``."""
    _input(input, "log_softmax")
    if dtype is not None:
        input = input.to(dtype)
    return api.log_softmax(input, _softmax_dim(input.ndim, "log_softmax") if dim is None else dim)


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = x Wᵀ + b, W shaped (out_features, in_features); one fused op."""
    return api.linear(_input(input, "linear"), weight, bias)


def dropout(
    input: Tensor,
    p: float = 0.5,
    training: bool = True,
    inplace: bool = False,
    generator: np.random.Generator | None = None,
) -> Tensor:
    """Inverted dropout: in training, each element is zeroed with probability
    p and the survivors are scaled by 1/(1 − p), so the expected value is
    unchanged and evaluation needs no rescaling. With ``training=False`` the
    input is returned as it is. The mask is drawn from the seeded generator
    (``generator`` or the default one); its gradient is the same mask."""
    _input(input, "dropout")
    if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 <= p <= 1:
        raise ValueError(f"dropout: probability has to be between 0 and 1, but got {p!r}")
    if input.dtype.kind != "f":
        raise DTypeError(f"dropout: expected a floating-point input, got {input.dtype}")
    if not training or p == 0:
        return input
    if p == 1:
        return api.mul(input, np.zeros(input.shape, dtype=input.dtype))
    keep = get_generator(generator).random(input.shape) >= p
    mask = keep.astype(input.dtype) * input.dtype.type(1 / (1 - p))
    return api.mul(input, mask)


pad = api.pad  # torch.nn.functional.pad (constant padding: glassnet.pad)

__all__ = [
    "pad",
    "relu",
    "sigmoid",
    "tanh",
    "leaky_relu",
    "elu",
    "gelu",
    "softplus",
    "softmax",
    "log_softmax",
    "linear",
    "dropout",
    "mse_loss",
    "l1_loss",
    "huber_loss",
    "half_squared_error",
    "cross_entropy",
    "nll_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
]


# Functions of the convolution / normalization / recurrence / attention families live in
# their own modules of this package and are imported on first use.
_LAZY = {
    "conv1d": "conv",
    "conv2d": "conv",
    "conv_transpose2d": "conv",
    "max_pool2d": "conv",
    "avg_pool2d": "conv",
    "adaptive_avg_pool2d": "conv",
    "batch_norm": "norm",
    "layer_norm": "norm",
    "embedding": "norm",
    "scaled_dot_product_attention": "attention",
    "multi_head_attention_forward": "attention",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'glassnet.nn.functional' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f".{module}", __name__), name)
