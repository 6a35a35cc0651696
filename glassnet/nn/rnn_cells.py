"""One step of a recurrent network: RNNCell, LSTMCell and GRUCell, as
torch.nn's (same parameter names, shapes, initialization and formulas).

A cell maps (x, state) to the next state; a loop over the time steps (or
``nn.RNN``/``nn.LSTM``/``nn.GRU``, which do that loop for you) turns it
into a recurrent network. The formulas and their backward are in
``glassnet.ops.recurrent.layer``; a cell runs them as a one-step ``run_direction``:

    RNNCell   h' = tanh(W_ih x + b_ih + W_hh h + b_hh)      (or relu)
    LSTMCell  (h', c') from the gates i, f, g, o
    GRUCell   h' from the gates r, z, n
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import dtypes
from ..backends import fused as fused_steps
from ..devices import as_device
from ..errors import DTypeError, ShapeError
from ..functions import api
from ..ops.recurrent.layer import CELLS, run_direction
from ..tensor import Tensor
from . import init
from .module import Module
from .parameter import Parameter
from .rnn_plain import plain_direction

if TYPE_CHECKING:
    from ..hints import DTypeLike


def check_size(layer: str, name: str, value: Any, minimum: int = 1) -> int:
    """An int ≥ ``minimum`` (bools are not sizes), or a clear ValueError."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{layer}: {name} must be an int ≥ {minimum}, got {value!r}")
    return int(value)


def check_nonlinearity(layer: str, nonlinearity: str) -> str:
    if nonlinearity not in ("tanh", "relu"):
        raise ValueError(
            f"{layer}: unknown nonlinearity {nonlinearity!r}; select from 'tanh' or 'relu'"
        )
    return "RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU"


def check_tensor(layer: str, what: str, x: Any, dtype: np.dtype) -> None:
    """``x`` must be a Tensor of the layer's dtype."""
    if not isinstance(x, Tensor):
        raise TypeError(
            f"{layer}: expected {what} to be a Tensor, got {type(x).__name__}; wrap "
            "arrays with gn.tensor(...)"
        )
    if x.dtype != dtype:
        raise DTypeError(
            f"{layer}: {what} is {x.dtype} but the weights are {dtype}; convert "
            f"the {what} (x.to({dtype.name})) or the layer (layer.to("
            f"{x.dtype.name}))"
        )


def check_shape(layer: str, what: str, x: Tensor, expected: tuple[int, ...]) -> None:
    if x.shape != tuple(expected):
        raise ShapeError(f"{layer}: {what} has shape {x.shape}, expected {tuple(expected)}")


def new_weights(
    module: Module,
    suffix: str,
    gates: int,
    input_size: int,
    hidden_size: int,
    bias: bool,
    dtype: DTypeLike,
) -> list[str]:
    """Register weight_ih, weight_hh (and bias_ih, bias_hh) + suffix, as PyTorch names them:
    weight_ih (gates·H, input_size), weight_hh (gates·H, H), biases (gates·H,)."""
    g = gates * hidden_size
    names = [f"weight_ih{suffix}", f"weight_hh{suffix}"]
    setattr(module, names[0], Parameter(np.empty((g, input_size), dtype=dtype)))
    setattr(module, names[1], Parameter(np.empty((g, hidden_size), dtype=dtype)))
    if bias:
        names += [f"bias_ih{suffix}", f"bias_hh{suffix}"]
        setattr(module, names[2], Parameter(np.empty((g,), dtype=dtype)))
        setattr(module, names[3], Parameter(np.empty((g,), dtype=dtype)))
    return names


def uniform_init(module: Module, hidden_size: int) -> None:
    """PyTorch's default for recurrent layers: every weight and bias from
    U(−1/√H, 1/√H), H = hidden_size, drawn from the seeded generator."""
    bound = 1 / math.sqrt(hidden_size)
    for p in module.parameters():
        init.uniform_(p, -bound, bound)


def layer_dtype(dtype: DTypeLike | None) -> np.dtype:
    return dtypes.get_default_dtype() if dtype is None else np.dtype(dtype)


class RNNCellBase(Module):
    """What the three cells share: the parameters, their initialization and
    the checks of the input (B, input_size) or (input_size,) (unbatched) and
    of the state (B, hidden_size) or (hidden_size,)."""

    weight_ih: Parameter
    weight_hh: Parameter
    bias_ih: Parameter | None
    bias_hh: Parameter | None

    def __init__(
        self, mode: str, input_size: int, hidden_size: int, bias: bool, dtype: DTypeLike | None
    ) -> None:
        super().__init__()
        name = type(self).__name__
        self.input_size = check_size(name, "input_size", input_size)
        self.hidden_size = check_size(name, "hidden_size", hidden_size)
        self.bias = bool(bias)
        self._mode = mode
        new_weights(
            self,
            "",
            CELLS[mode].gates,  # type: ignore[attr-defined]
            self.input_size,
            self.hidden_size,
            self.bias,
            layer_dtype(dtype),
        )
        if not self.bias:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Redraw every weight and bias from U(−1/√hidden_size, 1/√hidden_size)."""
        uniform_init(self, self.hidden_size)

    def _describe(self) -> str:
        return f"{type(self).__name__}({self.extra_repr()})"

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}"
        if not self.bias:
            text += ", bias=False"
        if self._mode == "RNN_RELU":
            text += ", nonlinearity=relu"
        return text

    def forward(self, input: Tensor, hx: Any = None) -> Any:
        """One step with a single state h (RNNCell, GRUCell): returns h'."""
        x, batched = self._input(input)
        batch = x.shape[0]
        h = self._state(hx, batch, batched, "hx")
        s = self._step(x, api.unsqueeze(h, 0))
        h_new = api.reshape(s, batch, self.hidden_size)
        return h_new if batched else api.squeeze(h_new, 0)

    def _input(self, input):
        """The input as (B, input_size), and whether it came batched."""
        layer, dtype = self._describe(), self.weight_ih.dtype
        check_tensor(layer, "the input", input, dtype)
        if input.ndim not in (1, 2) or input.shape[-1] != self.input_size:
            raise ShapeError(
                f"{layer}: input of shape {input.shape} does not fit; expected "
                f"(batch, {self.input_size}) or ({self.input_size},) (unbatched)"
            )
        batched = input.ndim == 2
        return (input if batched else api.unsqueeze(input, 0)), batched

    def _state(self, hx, batch, batched, what):
        """A state tensor (B, H): the given one (checked), or zeros."""
        if hx is None:
            return Tensor._make(
                np.zeros((batch, self.hidden_size), self.weight_ih.dtype), False, None
            )
        layer = self._describe()
        check_tensor(layer, what, hx, self.weight_ih.dtype)
        if batched:
            check_shape(layer, what, hx, (batch, self.hidden_size))
            return hx
        check_shape(layer, what + " (unbatched input)", hx, (self.hidden_size,))
        return api.unsqueeze(hx, 0)

    def _step(self, x, state):
        """Next state (k, B, H) from x (B, input_size) and the state (k, B, H)."""
        args = (api.unsqueeze(x, 0), state, self.weight_ih, self.weight_hh)
        if not fused_steps.enabled:  # recorded ops: create_graph can differentiate them
            return plain_direction(self._mode, *args, self.bias_ih, self.bias_hh)[0]
        return run_direction(self._mode, *args, self.bias_ih, self.bias_hh)[0][0]


class RNNCell(RNNCellBase):
    """h' = tanh(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh) (or relu), as torch.nn.RNNCell.

    ``cell(input, hx=None)``: input (B, input_size) or (input_size,); hx
    (B, hidden_size), zeros when not given. Returns h' (B, hidden_size).
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        nonlinearity: str = "tanh",
        device: str | None = None,
        dtype: DTypeLike | None = None,
    ) -> None:
        as_device(device, "RNNCell")
        super().__init__(
            check_nonlinearity("RNNCell", nonlinearity), input_size, hidden_size, bias, dtype
        )
        self.nonlinearity = nonlinearity

    if TYPE_CHECKING:

        def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor: ...


class GRUCell(RNNCellBase):
    """r = σ(W_ir x + b_ir + W_hr h + b_hr), z = σ(W_iz x + b_iz + W_hz h + b_hz),
    n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)), h' = (1 − z) ⊙ n + z ⊙ h,
    as torch.nn.GRUCell (the rows of weight_ih/weight_hh are r, z, n).

    ``cell(input, hx=None)`` returns h' (B, hidden_size)."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        device: str | None = None,
        dtype: DTypeLike | None = None,
    ) -> None:
        as_device(device, "GRUCell")
        super().__init__("GRU", input_size, hidden_size, bias, dtype)

    if TYPE_CHECKING:

        def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor: ...


class LSTMCell(RNNCellBase):
    """i, f, g, o = σ, σ, tanh, σ of (W_ih x + b_ih + W_hh h + b_hh) split in
    four (rows of weight_ih/weight_hh in that order), c' = f ⊙ c + i ⊙ g,
    h' = o ⊙ tanh(c'), as torch.nn.LSTMCell.

    ``cell(input, hx=None)`` with hx = (h, c), each (B, hidden_size), zeros
    when not given. Returns (h', c')."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        device: str | None = None,
        dtype: DTypeLike | None = None,
    ) -> None:
        as_device(device, "LSTMCell")
        super().__init__("LSTM", input_size, hidden_size, bias, dtype)

    def forward(
        self, input: Tensor, hx: tuple[Tensor | None, Tensor | None] | None = None
    ) -> tuple[Tensor, Tensor]:
        x, batched = self._input(input)
        batch = x.shape[0]
        if hx is None:
            hx = (None, None)
        elif not isinstance(hx, (tuple, list)) or len(hx) != 2:
            raise TypeError(
                f"{self._describe()}: hx must be a pair (h, c) of tensors, got {type(hx).__name__}"
            )
        h = self._state(hx[0], batch, batched, "h (hx[0])")
        c = self._state(hx[1], batch, batched, "c (hx[1])")
        s = self._step(x, api.stack([h, c]))
        h_new, c_new = s[0], s[1]
        if not batched:
            h_new, c_new = api.squeeze(h_new, 0), api.squeeze(c_new, 0)
        return h_new, c_new
