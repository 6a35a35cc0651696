"""What every neuron computes over the whole view: the small heatmap
inside each neuron and the output's decision boundary.

Values are sent as bytes (base64): v in [-1, 1] becomes round((v + 1)·127.5)
(values beyond ±1 are clipped, as TensorFlow Playground's colour scale
does); row 0 is the top of the view (largest x2), column 0 its left edge.
"""

import base64

import numpy as np

from ..grad_mode import no_grad
from ..tensor import Tensor
from . import limits
from .features import transform


def grid(view, n):
    """The centres of an n×n grid over view = (x1 min, x1 max, x2 min, x2 max),
    as (n², 2) points, row by row from the top."""
    x0, x1, y0, y1 = view
    xs = x0 + (np.arange(n) + 0.5) / n * (x1 - x0)
    ys = y1 - (np.arange(n) + 0.5) / n * (y1 - y0)
    gx, gy = np.meshgrid(xs, ys)
    return np.stack([gx.ravel(), gy.ravel()], axis=1)


def encode(values):
    """Floats (any shape) as base64 bytes of round((clip(v, -1, 1) + 1)·127.5);
    NaN (a diverged network) becomes the middle, 0."""
    v = np.nan_to_num(np.asarray(values, dtype=np.float64), nan=0.0)
    q = np.rint((np.clip(v, -1, 1) + 1) * 127.5).astype(np.uint8)
    return base64.b64encode(q.tobytes()).decode("ascii")


def _layer_outputs(network, x):
    """Each layer's output a (after its activation; the last layer's ŷ)."""
    outs, h = [], Tensor(x)
    with no_grad(), np.errstate(all="ignore"):
        for l, lin in enumerate(network.linears):
            h = lin(h)
            if l < len(network.activations):
                h = network.activations[l](h)
            outs.append(h._data.astype(np.float64))
    return outs


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def neuron_maps(network, data, features):
    """[[base64 per neuron] per layer], the input features first."""
    pts = grid(data.view, limits.NEURON_GRID)
    inputs = transform(pts, features).astype(np.float64)
    peak = np.abs(inputs).max(axis=0)
    inputs = inputs / np.where(peak > 0, peak, 1)  # each feature spans its own colour range
    layers = [inputs] + _layer_outputs(network, transform(pts, features))
    if data.task == "regression":
        layers[-1] = layers[-1] / data.target_scale
    return [[encode(a[:, j]) for j in range(a.shape[1])] for a in layers]


def output_map(network, data, features):
    """The output over the view. Two classes: P(class 1) − P(class 0) on the
    orange–blue scale; more: the likeliest class and its probability;
    regression: ŷ divided by the targets' scale."""
    pts = grid(data.view, limits.OUTPUT_GRID)
    out = _layer_outputs(network, transform(pts, features))[-1]
    if data.task == "regression":
        return {"mode": "diverging", "values": encode(out[:, 0] / data.target_scale)}
    p = np.nan_to_num(_softmax(out), nan=1.0 / out.shape[1])
    if out.shape[1] == 2:
        return {"mode": "diverging", "values": encode(p[:, 1] - p[:, 0])}
    cls = p.argmax(axis=1).astype(np.uint8)
    conf = p.max(axis=1) * 2 - 1
    return {
        "mode": "classes",
        "classes": base64.b64encode(cls.tobytes()).decode("ascii"),
        "values": encode(conf),
    }
