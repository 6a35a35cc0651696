"""Recurrent layers over whole sequences: RNN, LSTM and GRU, as torch.nn's
(same arguments, parameter names and shapes, initialization, inputs and
outputs), and their one-step cells (re-exported from ``rnn_cells``).

A recurrent layer reads a sequence x₁ … x_T and carries a state from step to
step, sₜ = cell(xₜ, sₜ₋₁); its output is the hidden state hₜ of every step.
With ``num_layers`` > 1 the outputs of one layer are the input sequence of
the next (with dropout between them while training); with
``bidirectional=True`` each layer also runs from x_T back to x₁, and the
two directions' hₜ are concatenated.

Backpropagation through time is the engine's ordinary backward walk over
the graph the forward pass recorded: one node per step
(``glassnet.ops.recurrent.layer``), each passing ∂L/∂sₜ back to ∂L/∂sₜ₋₁. The
input projections x·W_ihᵀ + b_ih of all steps are one matrix multiply per
layer and direction; each step adds one W_hh·h (all gates of the step at
once: the LSTM's four gates are one batched product, computed feature-major,
(4, H, B), which BLAS does faster than (B, 4H) for small batches).

A float32 LSTM runs each layer and direction as one oneDNN call instead
when ``glassnet[onednn]`` is installed (``glassnet.ops.recurrent.fused_lstm``, what
PyTorch's nn.LSTM does on CPU): the same numbers, one graph node per layer
and direction, about 1.6× faster. A float32 GRU likewise
(``glassnet.ops.recurrent.fused_gru``: oneDNN's linear-before-reset GRU).
``with glassnet.backends.onednn.disabled():`` (or ``GLASSNET_ONEDNN=0``)
runs the steps above, whose every gate you can see.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

from .. import alloc
from ..backends import fused as fused_steps
from ..devices import as_device
from ..errors import ShapeError
from ..functions import api
from ..ops.recurrent import fused_gru, fused_lstm
from ..ops.recurrent.layer import CELLS, LayerOutput, run_direction
from ..tensor import Tensor
from . import functional as F
from .module import Module
from .rnn_cells import (
    GRUCell,
    LSTMCell,
    RNNCell,
    RNNCellBase,
    check_nonlinearity,
    check_shape,
    check_size,
    check_tensor,
    layer_dtype,
    new_weights,
    uniform_init,
)
from .rnn_plain import plain_direction

if TYPE_CHECKING:
    from ..hints import DTypeLike
    from .parameter import Parameter

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]


class RNNBase(Module):
    """What RNN, LSTM and GRU share. Parameters per layer l and direction
    (suffix "" forwards, "_reverse" backwards), in PyTorch's order:
    weight_ih_l{l} (G·H, input of layer l), weight_hh_l{l} (G·H, H),
    bias_ih_l{l}, bias_hh_l{l} (G·H,), where G is the number of gates (1 for
    RNN, 4 for LSTM, 3 for GRU) and the input of layer l is input_size for
    l = 0, else H·directions. All start as U(−1/√H, 1/√H).

    Differences from PyTorch: no PackedSequence and no ``proj_size``.
    """

    weight_ih_l0: Parameter  # (and the rest, by name: see _flat_weights_names)

    def __init__(
        self,
        mode: str,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        proj_size: int = 0,
        device: str | None = None,
        dtype: DTypeLike | None = None,
    ) -> None:
        super().__init__()
        name = type(self).__name__
        self.mode = mode
        self.input_size = check_size(name, "input_size", input_size)
        self.hidden_size = check_size(name, "hidden_size", hidden_size)
        self.num_layers = check_size(name, "num_layers", num_layers)
        if (
            isinstance(dropout, bool)
            or not isinstance(dropout, (int, float))
            or not 0 <= dropout <= 1
        ):
            raise ValueError(
                f"{name}: dropout should be a number in range [0, 1] representing "
                f"the probability of an element being zeroed, got {dropout!r}"
            )
        if dropout > 0 and self.num_layers == 1:
            warnings.warn(
                f"{name}: dropout option adds dropout after all but last recurrent "
                f"layer, so non-zero dropout expects num_layers greater than 1, but "
                f"got dropout={dropout} and num_layers=1",
                stacklevel=3,
            )
        if proj_size:
            raise NotImplementedError(
                f"{name}: proj_size is not supported by glassnet "
                f"(got proj_size={proj_size!r}); use proj_size=0"
            )
        as_device(device, name)
        self.bias = bool(bias)
        self.batch_first = bool(batch_first)
        self.dropout = float(dropout)
        self.bidirectional = bool(bidirectional)
        self.proj_size = 0
        dtype = layer_dtype(dtype)
        directions = 2 if self.bidirectional else 1
        self._flat_weights_names: list[str] = []
        for layer in range(self.num_layers):
            n_in = self.input_size if layer == 0 else self.hidden_size * directions
            for d in range(directions):
                suffix = f"_l{layer}" + ("_reverse" if d else "")
                gates = CELLS[mode].gates  # type: ignore[attr-defined]
                self._flat_weights_names += new_weights(
                    self, suffix, gates, n_in, self.hidden_size, self.bias, dtype
                )
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Redraw every weight and bias from U(−1/√hidden_size, 1/√hidden_size)."""
        uniform_init(self, self.hidden_size)

    def flatten_parameters(self) -> None:
        """Does nothing (PyTorch compacts weights for cuDNN here)."""

    @property
    def all_weights(self) -> list[list[Parameter]]:
        """The parameters of each layer and direction, as lists of tensors."""
        per = 4 if self.bias else 2
        names = self._flat_weights_names
        return [[getattr(self, n) for n in names[i : i + per]] for i in range(0, len(names), per)]

    def _describe(self) -> str:
        return f"{type(self).__name__}({self.extra_repr()})"

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            text += f", num_layers={self.num_layers}"
        if not self.bias:
            text += ", bias=False"
        if self.batch_first:
            text += ", batch_first=True"
        if self.dropout:
            text += f", dropout={self.dropout}"
        if self.bidirectional:
            text += ", bidirectional=True"
        return text

    # ---- forward ---------------------------------------------------------------
    def forward(self, input: Tensor, hx: Any = None) -> tuple[Tensor, Any]:
        """input (T, B, input_size), or (B, T, input_size) with batch_first, or
        (T, input_size) unbatched; hx the initial state, zeros when not given
        (see the subclass). Returns (output, final state): output
        (T, B, directions·H) (batch first when batch_first) with the last
        layer's hₜ at every step."""
        layer = self._describe()
        dtype = self.weight_ih_l0.dtype
        check_tensor(layer, "the input", input, dtype)
        if input.ndim not in (2, 3) or input.shape[-1] != self.input_size:
            order = "batch, seq" if self.batch_first else "seq, batch"
            raise ShapeError(
                f"{layer}: input of shape {input.shape} does not fit; expected "
                f"({order}, {self.input_size}) or (seq, {self.input_size}) "
                "(unbatched)"
            )
        batched = input.ndim == 3
        if not batched:
            x = api.unsqueeze(input, 1)
        elif self.batch_first:
            x = api.transpose(input, 0, 1)
        else:
            x = input
        steps, batch = x.shape[0], x.shape[1]
        if steps == 0:
            raise ShapeError(
                f"{layer}: input of shape {input.shape} has no time steps; expected "
                "a sequence of at least one step"
            )
        initial = self._initial_states(hx, batch, batched)
        output, finals = self._layers(x, initial)
        if not batched:
            output = api.squeeze(output, 1)
        elif self.batch_first:
            output = api.transpose(output, 0, 1)
        return output, self._final(api.stack(finals), batched)

    def _layers(self, x, initial):
        """Run every layer and direction; the last layer's output (T, B, D·H)
        and the final state of each layer and direction."""
        directions = 2 if self.bidirectional else 1
        per = 4 if self.bias else 2
        names = self._flat_weights_names
        finals = []
        plain = not fused_steps.enabled  # recorded ops: create_graph can differentiate them
        # oneDNN: a direction in one call (LSTM, or GRU as linear-before-reset GRU)
        fused_layer = fused_gru if self.mode == "GRU" else fused_lstm
        fused = not plain and fused_layer.usable(self.mode, x)
        for layer in range(self.num_layers):
            states, runs = [], []
            for d in range(directions):
                j = layer * directions + d
                w_ih, w_hh, *b = (getattr(self, n) for n in names[j * per : (j + 1) * per])
                b_ih, b_hh = b if b else (None, None)
                if fused:
                    out, final = fused_layer.run_layer(
                        x, initial[j], w_ih, w_hh, b_ih, b_hh, reverse=d == 1
                    )
                    finals.append(final)
                    states.append(out)
                    continue
                if plain:
                    steps = plain_direction(
                        self.mode, x, initial[j], w_ih, w_hh, b_ih, b_hh, reverse=d == 1
                    )
                    finals.append(steps[0] if d else steps[-1])
                    states.append(api.stack([s[0] for s in steps]))
                    continue
                steps, run = run_direction(
                    self.mode, x, initial[j], w_ih, w_hh, b_ih, b_hh, reverse=d == 1
                )
                finals.append(steps[0] if d else steps[-1])
                states += steps
                runs.append(run)
            if fused or plain:
                x = states[0] if directions == 1 else api.cat(states, dim=2)
            else:
                x = LayerOutput.apply(*states, runs=runs)
            if self.dropout and self.training and layer < self.num_layers - 1:
                x = F.dropout(x, self.dropout, True)
        return x, finals

    def _state_shape(self, batch, batched):
        n = self.num_layers * (2 if self.bidirectional else 1)
        return (n, batch, self.hidden_size) if batched else (n, self.hidden_size)

    def _initial_states(self, hx, batch, batched):
        """The initial state (1, B, H) of each layer and direction (RNN, GRU;
        the LSTM has its own)."""
        if hx is None:
            return [_zeros(self, 1, batch)] * self._state_shape(batch, True)[0]
        if isinstance(hx, (tuple, list)):
            raise TypeError(
                f"{self._describe()}: hx must be one tensor h_0, got a {type(hx).__name__}"
            )
        h0 = self._check_state("h_0 (hx)", hx, batch, batched)
        return [h0[j : j + 1] for j in range(h0.shape[0])]

    def _final(self, finals, batched):
        """h_n (layers·directions, B, H) from the final states (…, 1, B, H)."""
        h_n = api.reshape(finals, finals.shape[0], *finals.shape[2:])
        return h_n if batched else api.squeeze(h_n, 1)

    def _check_state(self, what, h, batch, batched):
        """A given initial state as (layers·directions, B, H)."""
        layer = self._describe()
        check_tensor(layer, what, h, self.weight_ih_l0.dtype)
        expected = self._state_shape(batch, batched)
        check_shape(layer, what + ("" if batched else " (unbatched input)"), h, expected)
        return h if batched else api.unsqueeze(h, 1)


class RNN(RNNBase):
    """Elman RNN: hₜ = tanh(xₜ W_ihᵀ + b_ih + hₜ₋₁ W_hhᵀ + b_hh) (or relu), as
    torch.nn.RNN(input_size, hidden_size, num_layers=1, nonlinearity='tanh',
    bias=True, batch_first=False, dropout=0.0, bidirectional=False).

    ``rnn(input, h0=None)`` → (output, h_n); h0 and h_n are
    (num_layers·directions, B, H) ((num_layers·directions, H) unbatched)."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        nonlinearity: str = "tanh",
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        device: str | None = None,
        dtype: DTypeLike | None = None,
    ) -> None:
        super().__init__(
            check_nonlinearity("RNN", nonlinearity),
            input_size,
            hidden_size,
            num_layers,
            bias,
            batch_first,
            dropout,
            bidirectional,
            0,
            device,
            dtype,
        )
        self.nonlinearity = nonlinearity

    if TYPE_CHECKING:

        def forward(self, input: Tensor, hx: Tensor | None = None) -> tuple[Tensor, Tensor]: ...


class GRU(RNNBase):
    """Gated recurrent unit, as torch.nn.GRU (same arguments as LSTM, no
    proj_size): per step rₜ, zₜ = σ(…), nₜ = tanh(W_in xₜ + b_in +
    rₜ ⊙ (W_hn hₜ₋₁ + b_hn)), hₜ = (1 − zₜ) ⊙ nₜ + zₜ ⊙ hₜ₋₁ (gate rows r, z, n).

    ``gru(input, h0=None)`` → (output, h_n)."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        device: str | None = None,
        dtype: DTypeLike | None = None,
    ) -> None:
        super().__init__(
            "GRU",
            input_size,
            hidden_size,
            num_layers,
            bias,
            batch_first,
            dropout,
            bidirectional,
            0,
            device,
            dtype,
        )

    if TYPE_CHECKING:

        def forward(self, input: Tensor, hx: Tensor | None = None) -> tuple[Tensor, Tensor]: ...


class LSTM(RNNBase):
    """Long short-term memory, as torch.nn.LSTM(input_size, hidden_size,
    num_layers=1, bias=True, batch_first=False, dropout=0.0,
    bidirectional=False). Per step, with the gate rows i, f, g, o:
    iₜ, fₜ, oₜ = σ(…), gₜ = tanh(…), cₜ = fₜ ⊙ cₜ₋₁ + iₜ ⊙ gₜ, hₜ = oₜ ⊙ tanh(cₜ).
    The cell state c is the LSTM's long memory: its gradient flows back
    through ⊙ fₜ only, not through a squashing nonlinearity.

    ``lstm(input, (h0, c0)=None)`` → (output, (h_n, c_n))."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        proj_size: int = 0,
        device: str | None = None,
        dtype: DTypeLike | None = None,
    ) -> None:
        super().__init__(
            "LSTM",
            input_size,
            hidden_size,
            num_layers,
            bias,
            batch_first,
            dropout,
            bidirectional,
            proj_size,
            device,
            dtype,
        )

    if TYPE_CHECKING:

        def forward(
            self, input: Tensor, hx: tuple[Tensor, Tensor] | None = None
        ) -> tuple[Tensor, tuple[Tensor, Tensor]]: ...

    def _initial_states(self, hx, batch, batched):
        if hx is None:
            return [_zeros(self, 2, batch)] * self._state_shape(batch, True)[0]
        if not isinstance(hx, (tuple, list)) or len(hx) != 2:
            raise TypeError(
                f"{self._describe()}: hx must be a pair (h_0, c_0) of tensors, got "
                f"{type(hx).__name__}"
            )
        h0 = self._check_state("h_0 (hx[0])", hx[0], batch, batched)
        c0 = self._check_state("c_0 (hx[1])", hx[1], batch, batched)
        both = api.stack([h0, c0], dim=1)  # (layers·directions, 2, B, H)
        return [both[j] for j in range(both.shape[0])]

    def _final(self, finals, batched):
        h_n, c_n = finals[:, 0], finals[:, 1]
        if not batched:
            h_n, c_n = api.squeeze(h_n, 1), api.squeeze(c_n, 1)
        return h_n, c_n


def _zeros(module, k, batch):
    """A zero initial state (k, B, H) outside the graph."""
    dtype = module.weight_ih_l0.dtype
    return Tensor._make(alloc.zeros((k, batch, module.hidden_size), dtype), False, None)
