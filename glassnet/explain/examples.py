"""Worked examples with fixed weights, ready to trace::

    t = gn.explain.trace_step(*gn.explain.examples.mazur())

Each function returns an ``Example`` (model, x, y, loss_fn, lr) in float64:

- ``square()``: the article's 1-2-1 ReLU network learning y = x² (the
  weights of ``glassnet demo``); at x = 1.5 hidden neuron 2 is off
  (z2 < 0), so relu'(z2) = 0 and its weights get no gradient.
- ``house()``: the article's house price network: area and rooms → 2
  sigmoid neurons → price.
- ``xor()``: 2-2-1 sigmoid network on all four XOR points (one batch),
  with binary cross-entropy.
- ``mazur()``: the 2-2-2 sigmoid network worked by hand in Matt Mazur's
  "A Step by Step Backpropagation Example" (inputs 0.05, 0.10; targets
  0.01, 0.99; η = 0.5; E_total = Σ ½(target − out)²). Its weights w1…w8
  are our w11, w12, w21, w22, w_out11, w_out12, w_out21, w_out22;
  ``trace_step(*mazur(), names=MAZUR_NAMES)`` uses Mazur's own names.

Building an example does not change the global random state.
"""

from collections import namedtuple

import numpy as np

from .. import nn
from ..random import get_rng_state, set_rng_state
from ..tensor import Tensor

Example = namedtuple("Example", "model x y loss_fn lr")

MAZUR_NAMES = {
    "x1": "i1",
    "x2": "i2",
    "y1": "target_o1",
    "y2": "target_o2",
    "z1": "net_h1",
    "z2": "net_h2",
    "a1": "out_h1",
    "a2": "out_h2",
    "z_out1": "net_o1",
    "z_out2": "net_o2",
    "ŷ1": "out_o1",
    "ŷ2": "out_o2",
    "w11": "w1",
    "w12": "w2",
    "w21": "w3",
    "w22": "w4",
    "w_out11": "w5",
    "w_out12": "w6",
    "w_out21": "w7",
    "w_out22": "w8",
    "δ_out1": "∂E/∂out_o1",
    "δ_out2": "∂E/∂out_o2",
    "δ_z_out1": "δ_o1",
    "δ_z_out2": "δ_o2",
    "δ_a1": "∂E/∂out_h1",
    "δ_a2": "∂E/∂out_h2",
    "δ_z1": "δ_h1",
    "δ_z2": "δ_h2",
}


def _linear(weight, bias):
    """A float64 Linear layer holding the given weights."""
    weight = np.asarray(weight, dtype=np.float64)
    state = get_rng_state()
    try:
        layer = nn.Linear(weight.shape[1], weight.shape[0], dtype=np.float64)
    finally:
        set_rng_state(state)
    layer.weight._data[...] = weight
    layer.bias._data[...] = np.asarray(bias, dtype=np.float64)
    return layer


def _x(rows):
    return Tensor(np.asarray(rows, dtype=np.float64))


def square(x=1.5):
    """1 input → 2 ReLU → 1 output learning y = x² (the article's example)."""
    model = nn.Sequential(
        _linear([[0.6], [-0.4]], [0.1, 0.5]), nn.ReLU(), _linear([[0.7, -0.3]], [0.2])
    )
    return Example(model, _x([[x]]), _x([[x * x]]), nn.HalfSquaredError(reduction="sum"), 0.1)


def house():
    """Area (in 100 m²) and rooms → 2 sigmoid neurons → price (in millions):
    one house of 120 m² with 3 rooms that sold for 3.2 million."""
    model = nn.Sequential(
        _linear([[0.8, 0.2], [-0.5, 0.6]], [0.1, -0.3]), nn.Sigmoid(), _linear([[1.5, 1.0]], [0.5])
    )
    return Example(model, _x([[1.2, 3.0]]), _x([[3.2]]), nn.HalfSquaredError(reduction="sum"), 0.1)


def xor():
    """XOR, which no linear model can learn: 2 → 2 sigmoid → 1 sigmoid on
    the four points at once, binary cross-entropy."""
    model = nn.Sequential(
        _linear([[0.5, -0.4], [0.3, 0.8]], [0.1, -0.2]),
        nn.Sigmoid(),
        _linear([[0.7, -0.6]], [0.05]),
        nn.Sigmoid(),
    )
    x = _x([[0, 0], [0, 1], [1, 0], [1, 1]])
    return Example(model, x, _x([[0], [1], [1], [0]]), nn.BCELoss(), 0.5)


def mazur():
    """Mazur's 2-2-2 sigmoid network (see the module docstring)."""
    model = nn.Sequential(
        _linear([[0.15, 0.20], [0.25, 0.30]], [0.35, 0.35]),
        nn.Sigmoid(),
        _linear([[0.40, 0.45], [0.50, 0.55]], [0.60, 0.60]),
        nn.Sigmoid(),
    )
    return Example(
        model, _x([[0.05, 0.10]]), _x([[0.01, 0.99]]), nn.HalfSquaredError(reduction="sum"), 0.5
    )


EXAMPLES = {"square": square, "house": house, "xor": xor, "mazur": mazur}
