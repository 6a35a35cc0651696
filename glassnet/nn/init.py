"""Weight initialization, as ``torch.nn.init``.

Every function fills its tensor in place (under ``no_grad``, so it works on
Parameters), draws from ``glassnet.random.get_generator(generator)`` (the
seeded default unless a generator is given) and returns the tensor.

Why the scale matters (the article's "Xavier initialization"): a layer with
fan_in inputs of variance 1 and weights of variance σ² gives outputs of
variance fan_in·σ². Xavier/Glorot picks σ² = 2/(fan_in + fan_out) so the
signal keeps its size forwards and backwards through sigmoid/tanh layers;
Kaiming/He picks σ² = gain²/fan with gain² = 2 for ReLU, which zeroes half
of its inputs.

``INITIALIZERS`` (``get_initializer(name)``) names them for ``fit``'s
neighbours: "xavier_uniform", "xavier" (normal), "he" (Kaiming normal), ...
"""

from __future__ import annotations

import math
import warnings
from typing import TYPE_CHECKING

from ..grad_mode import no_grad
from ..tensor import Tensor
from .registry import Registry

if TYPE_CHECKING:
    from collections.abc import Callable

    import numpy as np

_LINEAR = (
    "linear",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
)


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended scale for weights followed by ``nonlinearity``:
    1 for linear/conv/sigmoid, 5/3 for tanh, √2 for relu,
    √(2/(1 + slope²)) for leaky_relu (slope = param, default 0.01), 3/4 for selu."""
    if nonlinearity in _LINEAR or nonlinearity == "sigmoid":
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, (int, float)) and not isinstance(param, bool):
            slope = param
        else:
            raise ValueError(f"calculate_gain: negative_slope {param!r} is not a valid number")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(
        f"calculate_gain: unsupported nonlinearity {nonlinearity!r}; expected "
        f"one of {', '.join(_LINEAR)}, sigmoid, tanh, relu, leaky_relu, selu"
    )


def _check(tensor: object, fn: str) -> None:
    if not isinstance(tensor, Tensor):
        raise TypeError(f"{fn}: expected a Tensor (or Parameter), got {type(tensor).__name__}")
    if tensor.dtype.kind != "f":
        raise TypeError(f"{fn}: expected a floating-point tensor, got {tensor.dtype}")


def _calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    """fan_in = size(1)·receptive field, fan_out = size(0)·receptive field,
    where the receptive field is the product of the dims after the first two
    (1 for a Linear weight (out, in))."""
    if tensor.ndim < 2:
        raise ValueError(
            f"init: fan in and fan out can not be computed for a tensor with "
            f"fewer than 2 dimensions (got shape {tensor.shape})"
        )
    receptive = math.prod(tensor.shape[2:])
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def _fan(tensor: Tensor, mode: str) -> int:
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"init: mode {mode!r} not supported, please use one of fan_in, fan_out")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def uniform_(
    tensor: Tensor, a: float = 0.0, b: float = 1.0, generator: np.random.Generator | None = None
) -> Tensor:
    """Fill with draws from U(a, b)."""
    _check(tensor, "uniform_")
    with no_grad():
        return tensor.uniform_(float(a), float(b), generator=generator)


def normal_(
    tensor: Tensor,
    mean: float = 0.0,
    std: float = 1.0,
    generator: np.random.Generator | None = None,
) -> Tensor:
    """Fill with draws from N(mean, std²)."""
    _check(tensor, "normal_")
    with no_grad():
        return tensor.normal_(float(mean), float(std), generator=generator)


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill with the value ``val``."""
    _check(tensor, "constant_")
    with no_grad():
        return tensor.fill_(val)


def zeros_(tensor: Tensor) -> Tensor:
    return constant_(tensor, 0.0)


def ones_(tensor: Tensor) -> Tensor:
    return constant_(tensor, 1.0)


def _empty(tensor: Tensor, fn: str) -> bool:
    _check(tensor, fn)
    if 0 in tensor.shape:
        warnings.warn(f"{fn}: initializing a zero-element tensor is a no-op", stacklevel=3)
        return True
    return False


def xavier_uniform_(
    tensor: Tensor, gain: float = 1.0, generator: np.random.Generator | None = None
) -> Tensor:
    """Glorot uniform: U(−a, a), a = gain·√(6/(fan_in + fan_out))
    (variance gain²·2/(fan_in + fan_out))."""
    _check(tensor, "xavier_uniform_")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    a = math.sqrt(3.0) * std
    return uniform_(tensor, -a, a, generator)


def xavier_normal_(
    tensor: Tensor, gain: float = 1.0, generator: np.random.Generator | None = None
) -> Tensor:
    """Glorot normal: N(0, σ²), σ = gain·√(2/(fan_in + fan_out))."""
    _check(tensor, "xavier_normal_")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return normal_(tensor, 0.0, std, generator)


def kaiming_uniform_(
    tensor: Tensor,
    a: float = 0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: np.random.Generator | None = None,
) -> Tensor:
    """He uniform: U(−bound, bound), bound = gain·√(3/fan), gain =
    calculate_gain(nonlinearity, a), fan = fan_in or fan_out (``mode``).
    ``a`` is the negative slope of the leaky_relu that follows.

    nn.Linear's default is kaiming_uniform_(w, a=√5): gain² = 2/(1+5) = 1/3,
    so bound = 1/√fan_in."""
    if _empty(tensor, "kaiming_uniform_"):
        return tensor
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode))
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(
    tensor: Tensor,
    a: float = 0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: np.random.Generator | None = None,
) -> Tensor:
    """He normal: N(0, σ²), σ = gain/√fan (gain = calculate_gain(nonlinearity, a))."""
    if _empty(tensor, "kaiming_normal_"):
        return tensor
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode))
    return normal_(tensor, 0.0, std, generator)


def default_layer_init_(weight: Tensor, bias: Tensor | None = None) -> None:
    """PyTorch's default initialization of Linear and Conv layers: weight from
    kaiming_uniform_ with a = √5 (that is U(−1/√fan_in, 1/√fan_in)), bias from
    U(−1/√fan_in, 1/√fan_in) (zeros when fan_in is 0)."""
    kaiming_uniform_(weight, a=math.sqrt(5))
    if bias is not None:
        fan_in, _ = _calculate_fan_in_and_fan_out(weight)
        bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0.0
        uniform_(bias, -bound, bound)


def _no_draws(fill: Callable[[Tensor], Tensor]) -> Callable[..., Tensor]:
    def init(tensor: Tensor, generator: np.random.Generator | None = None) -> Tensor:
        return fill(tensor)

    init.__name__, init.__doc__ = fill.__name__, fill.__doc__
    return init


# The initializer names every part of glassnet accepts; each entry is called
# as fn(tensor, generator=None). "xavier" is Glorot normal, "he" Kaiming normal
# (gain √2, for ReLU), as in the vanishing-gradient figure.
INITIALIZERS = Registry("initializer")
for _name, _fn, _aliases in (
    ("xavier_uniform", xavier_uniform_, ("glorot_uniform",)),
    ("xavier_normal", xavier_normal_, ("xavier", "glorot_normal", "glorot")),
    ("kaiming_uniform", kaiming_uniform_, ("he_uniform",)),
    ("kaiming_normal", kaiming_normal_, ("he", "he_normal")),
    ("uniform", uniform_, ()),
    ("normal", normal_, ()),
    ("zeros", _no_draws(zeros_), ()),
    ("ones", _no_draws(ones_), ()),
):
    INITIALIZERS.add(_name, _fn, _aliases)


def get_initializer(name: str) -> Callable[..., Tensor]:
    """The function registered as ``name`` (or an alias), called as
    ``fn(tensor, generator=None)``; ValueError listing the known names for any other."""
    return INITIALIZERS[name]
