"""A model card: what a saved network is and what its inputs and outputs mean.

The card travels with the weights, as JSON in the safetensors metadata under
the key ``"glassnet.model"`` (``KEY``), so that whoever loads the file can
rebuild the network and feed it data in the data's own units::

    {"version": 1,
     "task": "regression",                      # or "classification"
     "layers": [{"type": "linear", "in": 3, "out": 64},
                {"type": "activation", "name": "relu"},
                {"type": "linear", "in": 64, "out": 1}],
     "inputs": {"columns": ["size", "rooms", "age"],   # the data's columns
                "features": null,                      # or derived features
                "mean": [...], "std": [...],           # x' = (x − mean) / std
                "shape": null},                        # or [1, 8, 8] for a CNN
     "target": {"name": "price", "mean": [451.0], "std": [98.2]},
     "classes": null,                           # class names (classification)
     "loss": "mse"}                             # the loss it was trained with

A regression network predicts the standardized target: ŷ_data = ŷ·std + mean.
``features`` lists what the network's inputs are made of when they are not
the columns themselves (the playground's x₁², sin x₁...): each is
``["col", a]``, ``["mul", a, b]`` (a·b) or ``["sin", a]`` of named columns.
Layer types: linear, activation (a name of ``ACTIVATIONS``), dropout,
conv2d, maxpool2d, flatten.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np

from .. import nn
from ..io.bounded_json import loads
from ..io.safetensors import FormatError
from ..nn.activation_registry import ACTIVATIONS
from ..nn.loss_registry import LOSSES

KEY = "glassnet.model"
VERSION = 1
TASKS = ("classification", "regression")
_DEPTH = 8  # a card nests 4 deep ({"inputs": {"features": [["mul", ...]]}})
_FEATURE_ARGS = {"col": 1, "mul": 2, "sin": 1}


@dataclass
class ModelCard:
    """The card of one saved network (see the module docstring for the fields)."""

    task: str
    layers: list
    columns: list
    target_name: str = "target"
    x_mean: list | None = None
    x_std: list | None = None
    y_mean: list | None = None
    y_std: list | None = None
    classes: list | None = None
    features: list | None = None
    input_shape: list | None = None
    loss: str | None = None
    source: str = field(default="<card>", compare=False)

    # ---- to and from JSON ---------------------------------------------------
    def to_json(self):
        doc = {
            "version": VERSION,
            "task": self.task,
            "layers": self.layers,
            "inputs": {
                "columns": self.columns,
                "features": self.features,
                "mean": self.x_mean,
                "std": self.x_std,
                "shape": self.input_shape,
            },
            "target": {"name": self.target_name, "mean": self.y_mean, "std": self.y_std},
            "classes": self.classes,
            "loss": self.loss,
        }
        return json.dumps(doc, ensure_ascii=False, allow_nan=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text, source="<card>"):
        """The card in ``text``; FormatError naming ``source`` and the field if it is wrong."""
        try:
            doc = loads(text, _DEPTH)
        except ValueError as exc:
            raise FormatError(f"{source}: the {KEY!r} metadata is not valid JSON ({exc})") from None
        check = _Checker(source)
        check.kind(doc, dict, "the card")
        version = doc.get("version")
        if not isinstance(version, int) or isinstance(version, bool):
            check.fail("version", "an integer", version)
        if version > VERSION:
            raise FormatError(
                f"{source}: the model card has version {version}; this glassnet reads up to "
                f"{VERSION} (a newer glassnet wrote it)"
            )
        inputs = check.kind(doc.get("inputs"), dict, "inputs")
        target = check.kind(doc.get("target"), dict, "target")
        card = cls(
            task=doc.get("task"),
            layers=check.kind(doc.get("layers"), list, "layers"),
            columns=check.names(inputs.get("columns"), "inputs.columns"),
            target_name=target.get("name"),
            x_mean=check.numbers(inputs.get("mean"), "inputs.mean"),
            x_std=check.numbers(inputs.get("std"), "inputs.std"),
            y_mean=check.numbers(target.get("mean"), "target.mean"),
            y_std=check.numbers(target.get("std"), "target.std"),
            classes=doc.get("classes"),
            features=inputs.get("features"),
            input_shape=inputs.get("shape"),
            loss=doc.get("loss"),
            source=source,
        )
        card.validate()
        return card

    def validate(self):
        """Every field consistent with the others, or FormatError naming the first that is not."""
        check = _Checker(self.source)
        if self.task not in TASKS:
            check.fail("task", "'classification' or 'regression'", self.task)
        if not isinstance(self.target_name, str):
            check.fail("target.name", "a string", self.target_name)
        check.names(self.columns, "inputs.columns")
        if self.loss is not None and self.loss not in LOSSES:
            check.fail("loss", f"a loss name ({', '.join(LOSSES.names())})", self.loss)
        for k, spec in enumerate(self.features or []):
            ok = isinstance(spec, list) and spec and _FEATURE_ARGS.get(str(spec[0]))
            if not ok or len(spec) != 1 + _FEATURE_ARGS[spec[0]]:
                check.fail(f"inputs.features[{k}]", '["col", a], ["mul", a, b] or ["sin", a]', spec)
            for name in spec[1:]:
                if name not in self.columns:
                    check.fail(f"inputs.features[{k}]", "names of inputs.columns", spec)
        n_in = self.n_features
        for key in ("x_mean", "x_std"):
            values = getattr(self, key)
            if values is not None and len(values) != n_in:
                check.fail(f"inputs.{key[2:]}", f"{n_in} numbers (one per input)", values)
        if self.x_std is not None and min(self.x_std, default=1) <= 0:
            check.fail("inputs.std", "positive numbers", self.x_std)
        if self.input_shape is not None:
            shape = self.input_shape
            if not isinstance(shape, list) or not all(_is_count(s) for s in shape):
                check.fail("inputs.shape", "a list of positive integers", shape)
            if int(np.prod(shape)) != n_in:
                check.fail("inputs.shape", f"a shape of {n_in} values", shape)
        n_out = self.n_outputs_of_layers()
        if self.task == "classification":
            names = self.classes
            if not isinstance(names, list) or not all(isinstance(c, str) for c in names):
                check.fail("classes", "a list of class names (strings)", names)
            if len(names) != n_out:
                check.fail("classes", f"{n_out} names (the network has {n_out} outputs)", names)
        for key in ("y_mean", "y_std"):
            values = getattr(self, key)
            if values is not None and (self.task != "regression" or len(values) != n_out):
                check.fail(
                    f"target.{key[2:]}", f"{n_out} numbers for a regression's outputs", values
                )
        if self.y_std is not None and min(self.y_std, default=1) <= 0:
            check.fail("target.std", "positive numbers", self.y_std)
        if (self.y_mean is None) != (self.y_std is None):
            check.fail("target", "both mean and std, or neither", [self.y_mean, self.y_std])

    # ---- what the card says ---------------------------------------------------
    @property
    def n_features(self):
        """How many numbers the network takes per sample."""
        return len(self.features) if self.features is not None else len(self.columns)

    @property
    def activations(self):
        """The names of the activations between the layers, in order."""
        return [spec["name"] for spec in self.layers if spec.get("type") == "activation"]

    def n_outputs_of_layers(self):
        outs = [spec.get("out") for spec in self.layers if spec.get("type") == "linear"]
        if not outs or not _is_count(outs[-1]):
            _Checker(self.source).fail("layers", "a list ending in a linear layer", self.layers)
        return outs[-1]

    def build(self):
        """A new ``nn.Sequential`` of the card's layers (weights as initialized)."""
        return nn.Sequential(*[_layer(spec, k, self.source) for k, spec in enumerate(self.layers)])

    def inputs(self, x):
        """The network's input for rows ``x`` (n, len(columns)) in the data's units:
        derived features, then (x − mean) / std, then the input shape."""
        x = np.asarray(x, dtype=np.float64)
        if x.ndim != 2 or x.shape[1] != len(self.columns):
            raise ValueError(
                f"the model takes {len(self.columns)} columns per row "
                f"({', '.join(self.columns)}), got an array of shape {x.shape}"
            )
        if self.features is not None:
            col = {name: x[:, k] for k, name in enumerate(self.columns)}
            x = np.stack([_feature(spec, col) for spec in self.features], axis=1)
        if self.x_mean is not None:
            x = (x - np.asarray(self.x_mean)) / np.asarray(self.x_std)
        x = x.astype(np.float32)
        if self.input_shape is not None:
            x = x.reshape([len(x)] + list(self.input_shape))
        return x

    def outputs(self, out):
        """The network's raw outputs (n, k) in the target's units (regression)."""
        out = np.asarray(out, dtype=np.float64)
        if self.y_mean is None:
            return out
        return out * np.asarray(self.y_std) + np.asarray(self.y_mean)

    def target_to_network(self, y):
        """A regression target in the data's units as the network was trained on it."""
        y = np.asarray(y, dtype=np.float64)
        if self.y_mean is None:
            return y
        return (y - np.asarray(self.y_mean)) / np.asarray(self.y_std)


def describe_layers(model):
    """The card's ``layers`` for an ``nn.Sequential`` (refusing a layer it cannot name)."""
    kinds = {a.module: a.name for a in ACTIVATIONS.values()}
    out = []
    for k, m in enumerate(model):
        if type(m) is nn.Linear:
            out.append({"type": "linear", "in": m.in_features, "out": m.out_features})
            if m.bias is None:
                out[-1]["bias"] = False
        elif type(m) in kinds:
            out.append({"type": "activation", "name": kinds[type(m)]})
        elif type(m) is nn.Dropout:
            out.append({"type": "dropout", "p": float(m.p)})
        elif type(m) is nn.Flatten:
            out.append({"type": "flatten"})
        elif type(m).__name__ == "Conv2d":
            out.append(
                {
                    "type": "conv2d",
                    "in": m.in_channels,
                    "out": m.out_channels,
                    "kernel": _pair(m.kernel_size),
                    "stride": _pair(m.stride),
                    "padding": _pair(m.padding),
                }
            )
        elif type(m).__name__ == "MaxPool2d":
            out.append(
                {
                    "type": "maxpool2d",
                    "kernel": _pair(m.kernel_size),
                    "stride": _pair(m.stride),
                    "padding": _pair(m.padding),
                }
            )
        else:
            raise TypeError(
                f"model card: layer {k} is a {type(m).__name__}; a card describes "
                "Sequentials of Linear, Conv2d, MaxPool2d, Flatten, Dropout and the "
                f"activations ({', '.join(ACTIVATIONS.names())})"
            )
    return out


def _pair(v):
    """A size as JSON: [h, w] (or a padding's name, "same"/"valid")."""
    if isinstance(v, str):
        return v
    return [int(k) for k in v] if isinstance(v, (tuple, list)) else [int(v), int(v)]


def _size(v):
    return v if isinstance(v, str) else tuple(v)


def _layer(spec, k, source):
    check = _Checker(source)
    where = f"layers[{k}]"
    check.kind(spec, dict, where)
    kind = spec.get("type")
    try:
        if kind == "linear":
            if not (_is_count(spec["in"]) and _is_count(spec["out"])):
                raise ValueError("'in' and 'out' must be positive integers")
            return nn.Linear(spec["in"], spec["out"], bias=spec.get("bias", True) is not False)
        if kind == "activation":
            return ACTIVATIONS[spec["name"]].layer()
        if kind == "dropout":
            return nn.Dropout(float(spec["p"]))
        if kind == "flatten":
            return nn.Flatten()
        if kind == "conv2d":
            return nn.Conv2d(
                int(spec["in"]),
                int(spec["out"]),
                _size(spec["kernel"]),
                stride=_size(spec["stride"]),
                padding=_size(spec["padding"]),
            )
        if kind == "maxpool2d":
            return nn.MaxPool2d(
                _size(spec["kernel"]), stride=_size(spec["stride"]), padding=_size(spec["padding"])
            )
    except (KeyError, TypeError, ValueError) as exc:
        check.fail(where, f"a valid {kind} layer ({exc})", spec)
    check.fail(f"{where}.type", "linear, activation, dropout, flatten, conv2d or maxpool2d", kind)


def _feature(spec, col):
    op, args = spec[0], [col[a] for a in spec[1:]]
    if op == "mul":
        return args[0] * args[1]
    if op == "sin":
        return np.sin(args[0])
    return args[0]


def _is_count(v):
    return isinstance(v, int) and not isinstance(v, bool) and v > 0


class _Checker:
    """FormatErrors that name the file, the card's field, what it should be and what it is."""

    def __init__(self, source):
        self.source = source

    def fail(self, where, expected, got):
        shown = json.dumps(got, ensure_ascii=False, default=str)
        if len(shown) > 80:
            shown = shown[:77] + "..."
        raise FormatError(
            f"{self.source}: model card field {where!r} must be {expected}, got {shown}"
        )

    def kind(self, value, kind, where):
        if not isinstance(value, kind):
            self.fail(where, "an object" if kind is dict else "a list", value)
        return value

    def names(self, value, where):
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            self.fail(where, "a non-empty list of column names", value)
        return value

    def numbers(self, value, where):
        if value is None:
            return None
        ok = isinstance(value, list) and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and np.isfinite(v)
            for v in value
        )
        if not ok:
            self.fail(where, "a list of finite numbers", value)
        return [float(v) for v in value]
