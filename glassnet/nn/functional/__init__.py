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
import warnings

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


def _input(x, fn):
    if not isinstance(x, Tensor):
        raise TypeError(f"{fn}: expected a Tensor input, got {type(x).__name__}; wrap arrays "
                        "with gn.tensor(...)")
    return x


def relu(input, inplace=False):
    """max(0, z); derivative 1 for z > 0, else 0."""
    return api.relu(_input(input, "relu"))


def sigmoid(input):
    """σ(z) = 1/(1 + e^(−z)); derivative σ(z)(1 − σ(z))."""
    return api.sigmoid(_input(input, "sigmoid"))


def tanh(input):
    """tanh z; derivative 1 − tanh²z."""
    return api.tanh(_input(input, "tanh"))


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """z for z > 0, else negative_slope·z."""
    return api.leaky_relu(_input(input, "leaky_relu"), negative_slope)


def elu(input, alpha=1.0, inplace=False):
    """z for z > 0, else α(eᶻ − 1)."""
    return api.elu(_input(input, "elu"), alpha)


def gelu(input, approximate="none"):
    """z·Φ(z) (Φ the standard normal CDF), or its tanh approximation."""
    return api.gelu(_input(input, "gelu"), approximate)


def softplus(input, beta=1.0, threshold=20.0):
    """(1/β)·ln(1 + e^(βz)), linear where βz > threshold."""
    return api.softplus(_input(input, "softplus"), beta, threshold)


def _softmax_dim(ndim, fn):
    """PyTorch's legacy choice when dim is not given (with the same warning)."""
    warnings.warn(f"Implicit dimension choice for {fn} has been deprecated. Change the call "
                  "to include dim=X as an argument.", stacklevel=3)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input, dim=None, dtype=None):
    """e^(zᵢ) / Σⱼ e^(zⱼ) along ``dim`` (computed without overflow)."""
    _input(input, "softmax")
    if dtype is not None:
        input = input.to(dtype)
    return api.softmax(input, _softmax_dim(input.ndim, "softmax") if dim is None else dim)


def log_softmax(input, dim=None, dtype=None):
    """zᵢ − logsumexp(z) along ``dim``."""
    _input(input, "log_softmax")
    if dtype is not None:
        input = input.to(dtype)
    return api.log_softmax(input, _softmax_dim(input.ndim, "log_softmax") if dim is None
                           else dim)


def linear(input, weight, bias=None):
    """y = x Wᵀ + b, W shaped (out_features, in_features); one fused op."""
    return api.linear(_input(input, "linear"), weight, bias)


def dropout(input, p=0.5, training=True, inplace=False, generator=None):
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


__all__ = ["relu", "sigmoid", "tanh", "leaky_relu", "elu", "gelu", "softplus", "softmax",
           "log_softmax", "linear", "dropout", "mse_loss", "l1_loss", "huber_loss",
           "half_squared_error", "cross_entropy", "nll_loss", "binary_cross_entropy",
           "binary_cross_entropy_with_logits"]


# Functions of the convolution / normalization / recurrence / attention families live in
# their own modules of this package and are imported on first use.
_LAZY = {
    "conv1d": "conv", "conv2d": "conv",
    "conv_transpose2d": "conv", "max_pool2d": "conv",
    "avg_pool2d": "conv", "adaptive_avg_pool2d": "conv",
    "batch_norm": "norm", "layer_norm": "norm",
    "embedding": "norm",
    "scaled_dot_product_attention": "attention",
    "multi_head_attention_forward": "attention",
}


def __getattr__(name):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'glassnet.nn.functional' has no attribute {name!r}")
    import importlib
    return getattr(importlib.import_module(f".{module}", __name__), name)
