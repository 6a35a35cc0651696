"""Linear (a fully connected layer: every neuron computes z = w·x + b) and
Identity."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from .. import dtypes
from ..errors import DTypeError, ShapeError
from ..functions import api
from ..tensor import Tensor
from . import init
from .module import Module
from .parameter import Parameter

if TYPE_CHECKING:
    from ..hints import DTypeLike

_T = TypeVar("_T")


class Identity(Module):
    """Returns its input unchanged (any constructor arguments are ignored)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, input: _T) -> _T:
        return input


class Linear(Module):
    """y = x Wᵀ + b: input (..., in_features) → output (..., out_features).

    Row j of ``weight`` (shape (out_features, in_features)) holds neuron j's
    weights, ``bias`` (out_features,) its biases, as torch.nn.Linear. Both
    start as U(−1/√in_features, 1/√in_features) — PyTorch's default,
    kaiming_uniform_(a=√5) — drawn from the seeded generator.
    """

    weight: Parameter
    bias: Parameter | None

    def __init__(
        self, in_features: int, out_features: int, bias: bool = True, dtype: DTypeLike | None = None
    ) -> None:
        super().__init__()
        for name, n in (("in_features", in_features), ("out_features", out_features)):
            if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
                raise ValueError(f"Linear: {name} must be a non-negative int, got {n!r}")
        self.in_features = int(in_features)
        self.out_features = int(out_features)
        dtype = dtypes.get_default_dtype() if dtype is None else np.dtype(dtype)
        self.weight = Parameter(np.empty((self.out_features, self.in_features), dtype=dtype))
        if bias:
            self.bias = Parameter(np.empty((self.out_features,), dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Redraw weight and bias with PyTorch's default initialization."""
        init.default_layer_init_(self.weight, self.bias)

    def forward(self, input: Tensor) -> Tensor:
        params: dict[str, Any] = (
            self._parameters
        )  # (not self.weight: Module.__getattr__ is slow on the hot path)
        weight = params["weight"]
        if type(input) is not Tensor and not isinstance(input, Tensor):
            raise TypeError(
                f"{self._describe()}: expected a Tensor input, got "
                f"{type(input).__name__}; wrap arrays with gn.tensor(...)"
            )
        shape = input._data.shape
        if not shape or shape[-1] != self.in_features:
            raise ShapeError(
                f"{self._describe()}: input of shape {shape} does not fit; "
                f"expected (..., {self.in_features}) (the last dimension must be "
                "in_features)"
            )
        if input._data.dtype != weight._data.dtype:
            raise DTypeError(
                f"{self._describe()}: input is {input.dtype} but the weight is "
                f"{weight.dtype}; convert the input (x.to({weight.dtype.name})) "
                f"or the model (model.to({input.dtype.name}))"
            )
        return api.linear(input, weight, params["bias"])

    def _describe(self) -> str:
        return f"Linear({self.extra_repr()})"

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )
