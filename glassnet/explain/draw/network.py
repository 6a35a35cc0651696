"""The numbers behind a network diagram: the model read as Linear layers
with the activations after each (``linear_layers``), and one forward pass
(and backward, given a loss) on leaf views of the weights, so the model's
parameters and their ``.grad`` stay as they were (``forward_backward``).
"""

import numpy as np

from ...autograd import grad as _autograd_grad
from ...functions.api import linear
from ...grad_mode import enable_grad
from ...nn import activation as _act
from ...nn.activation_registry import ACTIVATIONS as _REGISTRY
from ...nn.container import Sequential
from ...nn.linear import Linear
from ...nn.module import Module
from ...tensor import Tensor, to_array

# the layers a diagram draws after a Linear: every registered activation, and the
# output's softmax forms
ACTIVATIONS = tuple(a.module for a in _REGISTRY.values()) + (_act.Softmax, _act.LogSoftmax)


def linear_layers(model):
    """[(Linear, [activation modules after it]), ...] for a Linear or a
    (possibly nested) Sequential of Linear and activation modules."""
    if not isinstance(model, Module):
        raise TypeError(
            f"network_svg: expected a Linear or a Sequential model, got {type(model).__name__}"
        )
    layers, stack = [], [model]
    while stack:
        m = stack.pop()
        if isinstance(m, Sequential):
            stack.extend(reversed(list(m)))
        elif isinstance(m, Linear):
            if layers and layers[-1][0].out_features != m.in_features:
                raise ValueError(
                    f"network_svg: a Linear with in_features={m.in_features} "
                    f"follows one with out_features={layers[-1][0].out_features}"
                )
            layers.append((m, []))
        elif isinstance(m, ACTIVATIONS):
            if not layers:
                raise ValueError(
                    f"network_svg: the model starts with {type(m).__name__}; "
                    "it must start with a Linear layer"
                )
            layers[-1][1].append(m)
        else:
            names = ", ".join(a.__name__ for a in ACTIVATIONS)
            raise TypeError(
                f"network_svg: cannot draw a {type(m).__name__}; a network "
                f"diagram takes Linear layers and activations ({names}) in a "
                "Sequential. For any other model use graph_svg(model(x))."
            )
    if not layers:
        raise ValueError("network_svg: the model has no Linear layer to draw")
    return layers


def _as_array(v, dtype, what):
    if isinstance(v, Tensor):
        v = v._data
    arr = to_array(v)
    if arr.dtype.kind == "f" or what == "x":
        arr = arr.astype(dtype, copy=False)
    return arr


def forward_backward(layers, x, y, loss_fn):
    """One forward pass (and backward when ``loss_fn`` is given) on leaf views
    of the weights, so the model's parameters and their .grad are untouched.
    Returns per-layer dicts of first-row values and full weight gradients."""
    dtype = layers[0][0].weight._data.dtype
    xa = _as_array(x, dtype, "x")
    n_in = layers[0][0].in_features
    one = xa.ndim == 1
    if one:
        xa = xa.reshape(1, -1)
    if xa.ndim != 2 or xa.shape[1] != n_in or xa.shape[0] == 0:
        raise ValueError(
            f"network_svg: x has shape {np.shape(xa)}; expected ({n_in},) "
            f"(one sample) or (batch, {n_in})"
        )
    backward = loss_fn is not None
    with enable_grad():
        xt = Tensor(xa, requires_grad=backward)
        a, track, params = xt, [], []
        for lin, acts in layers:
            w = Tensor(lin.weight._data, requires_grad=backward)
            b = None if lin.bias is None else Tensor(lin.bias._data, requires_grad=backward)
            z = a = linear(a, w, b)
            for act in acts:
                a = act(a)
            track.append((z, a))
            params.append((w, b))
        if not backward:
            return _values(xt, track, None, None, None)
        yt = y if isinstance(y, Tensor) else Tensor(_as_array(y, dtype, "y"))
        if one and yt._data.ndim <= 1 and (yt._data.dtype.kind == "f" or yt._data.ndim == 0):
            yt = Tensor(
                yt._data.reshape(1, -1) if yt._data.dtype.kind == "f" else yt._data.reshape(1)
            )  # one sample: a batch of one, as x
        loss = loss_fn(a, yt)
        if not isinstance(loss, Tensor) or loss._data.size != 1:
            raise ValueError(
                "network_svg: loss_fn(prediction, y) must return a scalar tensor, "
                f"got {type(loss).__name__} {getattr(loss, 'shape', '')}"
            )
        wanted = (
            [xt]
            + [t for pair in track for t in pair]
            + [t for pair in params for t in pair if t is not None]
        )
        got = dict(zip(map(id, wanted), _autograd_grad(loss, wanted, allow_unused=True)))
    return _values(xt, track, params, got, loss)


def _values(xt, track, params, got, loss):
    """First-row values (x, z, a, δ) and whole weight/bias gradients, as arrays."""

    def g(t):
        if got is None or t is None or got.get(id(t)) is None:
            return None
        return got[id(t)]._data

    out = {
        "x": xt._data[0],
        "dx": None if g(xt) is None else g(xt)[0],
        "layers": [],
        "rows": xt._data.shape[0],
        "loss": None if loss is None else float(loss._data.reshape(())),
    }
    for k, (z, a) in enumerate(track):
        gz, ga = g(z), g(a)
        w, b = params[k] if params else (None, None)
        out["layers"].append(
            {
                "z": z._data[0],
                "a": a._data[0],
                "dz": None if gz is None else gz[0],
                "da": None if ga is None else ga[0],
                "gw": g(w),
                "gb": g(b),
            }
        )
    return out
