"""nn.RNN, nn.LSTM and nn.GRU as ONNX's RNN, LSTM and GRU nodes, one per layer
(and the cells, nn.RNNCell, LSTMCell, GRUCell, as one step of such a node).

ONNX packs a layer's weights per direction: W (D, G·H, I), R (D, G·H, H),
B (D, 2·G·H) = [W_b, R_b], with its own gate order. glassnet (as PyTorch)
orders the LSTM's rows i, f, g, o and the GRU's r, z, n; ONNX wants i, o, f, c
and z, r, h. The GRU's candidate applies r after the recurrent product,
r ⊙ (W_hn h + b_hn): ONNX's ``linear_before_reset=1``.

A node's output Y is (T, D, B, H); the next layer reads (T, B, D·H). The
module's h_n stacks every layer's Y_h: (layers·D, B, H).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .graph import NO_TWIN
from .step import Step

# ONNX row block k is glassnet's row block ORDER[mode][k]
ORDER = {"LSTM": [0, 3, 1, 2], "GRU": [1, 0, 2], "RNN_TANH": [0], "RNN_RELU": [0]}
NODE = {"LSTM": "LSTM", "GRU": "GRU", "RNN_TANH": "RNN", "RNN_RELU": "RNN"}


def _rows(weight: Any, mode: str) -> np.ndarray:
    """A weight or bias with its gate blocks in ONNX's order."""
    blocks = np.split(np.asarray(weight._data), len(ORDER[mode]), axis=0)
    return np.concatenate([blocks[k] for k in ORDER[mode]], axis=0)


def _pack(step: Step, mode: str, directions: list[list[Any]], prefix: str) -> list[str]:
    """W, R, B initializers from each direction's (w_ih, w_hh, b_ih, b_hh) (biases None
    when the module has none)."""
    w, r, b = [], [], []
    for w_ih, w_hh, b_ih, b_hh in directions:
        w.append(_rows(w_ih, mode))
        r.append(_rows(w_hh, mode))
        if b_ih is not None:
            b.append(np.concatenate([_rows(b_ih, mode), _rows(b_hh, mode)]))
        else:
            b.append(np.zeros(2 * w[-1].shape[0], dtype=w[-1].dtype))
    g = step.g
    return [
        g.const(np.stack(arrays), f"{prefix}.{k}") for arrays, k in ((w, "W"), (r, "R"), (b, "B"))
    ]


def _packed(step: Step, layer: int) -> list[str]:
    """W, R, B of one layer of nn.RNN / LSTM / GRU (all its directions)."""
    module = step.call.op
    per, count = (4 if module.bias else 2), (2 if module.bidirectional else 1)
    names = module._flat_weights_names
    directions = []
    for d in range(count):
        j = layer * count + d
        params = [getattr(module, n) for n in names[j * per : (j + 1) * per]]
        directions.append(params if module.bias else params + [None, None])
    return _pack(step, module.mode, directions, f"{step.call.where or 'rnn'}.l{layer}")


def _state(step: Step, hx: Any, index: int, batched: bool, axis: int = 1) -> str | None:
    """The initial h (index 0) or c (index 1) given to the module, its batch axis
    (``axis``) added when the input was unbatched."""
    if hx is None:
        return None
    h = hx[index] if isinstance(hx, (tuple, list)) else hx
    if h is None:
        return None
    twin = NO_TWIN
    if step.twin is not None:
        twin_hx = _hx(step.twin)
        twin = twin_hx[index] if isinstance(twin_hx, (tuple, list)) else twin_hx
    name = step.constant(h, twin)
    if not batched:
        name = step.g.node("Unsqueeze", [name, step.g.int64s([axis], "axes")])
    return name


def _attributes(mode: str, hidden: int, directions: int) -> dict[str, Any]:
    attrs: dict[str, Any] = {
        "hidden_size": hidden,
        "direction": "bidirectional" if directions == 2 else "forward",
    }
    if mode == "GRU":
        attrs["linear_before_reset"] = 1
    if mode.startswith("RNN"):
        attrs["activations"] = ["Tanh" if mode == "RNN_TANH" else "Relu"] * directions
    return attrs


def _hx(call: Any) -> Any:
    return call.args[1] if len(call.args) > 1 else call.kwargs.get("hx")


def _layer_slice(step: Step, state: str | None, layer: int, directions: int) -> str:
    if state is None:
        return ""
    g = step.g
    lo, hi = layer * directions, (layer + 1) * directions
    return g.node("Slice", [state, g.int64s([lo], "starts"), g.int64s([hi], "ends")])


def recurrent(step: Step) -> list[str]:
    """(output, h_n) or (output, h_n, c_n), as the module returns them."""
    module, g = step.call.op, step.g
    mode, hidden = module.mode, module.hidden_size
    directions = 2 if module.bidirectional else 1
    if module.training and module.dropout:
        raise step.fail("dropout between layers runs only in training mode; export in eval mode")
    batched = len(step.shape(0)) == 3
    x = step.x(0)
    if not batched:
        x = g.node("Unsqueeze", [x, g.int64s([1], "axes")])
    elif module.batch_first:
        x = g.node("Transpose", [x], perm=[1, 0, 2])
    hx = _hx(step.call)
    h0 = _state(step, hx, 0, batched)
    c0 = _state(step, hx, 1, batched) if mode == "LSTM" else None
    finals_h, finals_c = [], []
    attrs = _attributes(mode, hidden, directions)
    for layer in range(module.num_layers):
        inputs = [x, *_packed(step, layer), "", _layer_slice(step, h0, layer, directions)]
        if mode == "LSTM":
            inputs.append(_layer_slice(step, c0, layer, directions))
        outs = g.node(NODE[mode], inputs, outputs=3 if mode == "LSTM" else 2, **attrs)
        finals_h.append(outs[1])
        if mode == "LSTM":
            finals_c.append(outs[2])
        x = g.node("Transpose", [outs[0]], perm=[0, 2, 1, 3])  # (T, B, D, H)
        x = g.node("Reshape", [x, g.int64s([0, 0, -1])])
    results = [x] + [_join(step, finals, batched) for finals in (finals_h, finals_c) if finals]
    if not batched:
        results[0] = g.node("Squeeze", [x, g.int64s([1], "axes")])
    elif module.batch_first:
        results[0] = g.node("Transpose", [x], perm=[1, 0, 2])
    return results


def _join(step: Step, finals: list[str], batched: bool) -> str:
    g = step.g
    out = finals[0] if len(finals) == 1 else g.node("Concat", finals, axis=0)
    if not batched:
        out = g.node("Squeeze", [out, g.int64s([1], "axes")])
    return g.node("Identity", [out]) if out == finals[0] and len(finals) == 1 else out


def cell(step: Step) -> list[str]:
    """nn.RNNCell / LSTMCell / GRUCell: one step of the layer's node (T = 1)."""
    module, g = step.call.op, step.g
    mode, batched = module._mode, len(step.shape(0)) == 2
    first = g.int64s([0], "axes")
    x = step.x(0) if batched else g.node("Unsqueeze", [step.x(0), first])
    params = [module.weight_ih, module.weight_hh, module.bias_ih, module.bias_hh]
    hx = _hx(step.call)
    states = []
    for index in (0, 1) if mode == "LSTM" else (0,):
        state = _state(step, hx, index, batched, axis=0)
        states.append("" if state is None else g.node("Unsqueeze", [state, first]))
    attrs = _attributes(mode, module.hidden_size, 1)
    inputs = [
        g.node("Unsqueeze", [x, first]),
        *_pack(step, mode, [params], step.call.where or "cell"),
    ]
    outs = g.node(NODE[mode], [*inputs, "", *states], outputs=3 if mode == "LSTM" else 2, **attrs)
    results = []
    for out in outs[1:]:
        squeezed = g.node("Squeeze", [out, first])
        results.append(squeezed if batched else g.node("Squeeze", [squeezed, first]))
    return results
