"""A trained network saved with its model card, and loaded ready to predict.

    gn.train.save_model(model, "houses.safetensors", card)
    m = gn.load_model("houses.safetensors")
    m.predict({"size": [120], "rooms": [3], "age": [20]})   # → [[452.1]] (the price)

The file is an ordinary safetensors file of ``model.state_dict()``: ``gn.load``
returns that state dict (PyTorch's semantics) and PyTorch's ``load_file``
reads it; the card (``card.ModelCard``) rides in its metadata, so the
network's layers and the data's preprocessing are never separated from the
weights.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import numpy as np

from ..grad_mode import no_grad
from ..io.safetensors import FormatError, read_file, save_file
from ..tensor import Tensor
from .card import KEY, ModelCard


def save_model(model, path, card):
    """Write ``model``'s weights with ``card`` in the metadata, atomically."""
    card.validate()
    tensors = {name: t._data for name, t in model.state_dict().items()}
    expected = {name: tuple(t.shape) for name, t in card.build().state_dict().items()}
    got = {name: tuple(a.shape) for name, a in tensors.items()}
    if got != expected:
        wrong = sorted(set(got.items()) ^ set(expected.items()))[:4]
        raise ValueError(
            f"save_model: the model's weights do not match the layers its card describes "
            f"(first differences: {wrong}); build the card with describe_layers(model)"
        )
    save_file(tensors, path, metadata={"format": "pt", KEY: card.to_json()})


def load_model(path):
    """The ``TrainedModel`` saved in ``path`` by ``save_model`` (``glassnet train
    --save``, the playground's export). A file of weights alone (``gn.save``)
    is refused, saying how to load it."""
    source = os.fspath(path)
    if not os.path.exists(source):
        raise FileNotFoundError(f"{source}: no such file")
    tensors, metadata = read_file(source)
    if KEY not in metadata:
        raise FormatError(
            f"{source}: the file holds weights but no model card (the {KEY!r} metadata "
            "that `glassnet train --save` writes); build the network yourself and call "
            "model.load_state_dict(gn.load(path))"
        )
    card = ModelCard.from_json(metadata[KEY], source)
    module = card.build()
    try:
        module.load_state_dict({name: Tensor(a) for name, a in tensors.items()})
    except (KeyError, ValueError, RuntimeError) as exc:
        raise FormatError(
            f"{source}: the weights do not fit the layers its model card describes ({exc})"
        ) from None
    module.eval()
    return TrainedModel(module, card, source)


class TrainedModel:
    """A network and its card: ``predict`` takes rows in the data's units and
    answers in the target's units (regression) or class names (classification).

    ``module`` is the ``nn.Sequential`` (eval mode), ``card`` its ``ModelCard``."""

    def __init__(self, module, card, path=None):
        self.module, self.card, self.path = module, card, path

    @property
    def columns(self):
        return list(self.card.columns)

    @property
    def task(self):
        return self.card.task

    def rows(self, data):
        """``data`` as an (n, columns) float array: an array or nested list with the
        columns in the card's order, or a mapping {column name: values}."""
        if isinstance(data, Mapping):
            missing = [c for c in self.card.columns if c not in data]
            if missing:
                raise ValueError(
                    f"predict: no values for column(s) {', '.join(map(repr, missing))}; the "
                    f"model takes {', '.join(self.card.columns)}"
                )
            cols = [np.asarray(data[c], dtype=np.float64).reshape(-1) for c in self.card.columns]
            if len({len(c) for c in cols}) != 1:
                raise ValueError(
                    "predict: the columns hold different numbers of values: "
                    + ", ".join(f"{n} {len(c)}" for n, c in zip(self.card.columns, cols))
                )
            return np.stack(cols, axis=1)
        x = np.asarray(data._data if isinstance(data, Tensor) else data, dtype=np.float64)
        if x.ndim == 1:
            x = x.reshape(1, -1)
        if x.ndim != 2 or x.shape[1] != len(self.card.columns):
            raise ValueError(
                f"predict: the model takes rows of {len(self.card.columns)} values "
                f"({', '.join(self.card.columns)}), got shape {x.shape}"
            )
        return x

    def outputs(self, data):
        """The network's raw outputs (n, k) for ``data`` (standardized units)."""
        x = self.card.inputs(self.rows(data))
        with no_grad():
            return self.module(Tensor(x))._data.astype(np.float64)

    def predict_proba(self, data):
        """Class probabilities (n, classes): the softmax of the outputs."""
        if self.card.task != "classification":
            raise ValueError("predict_proba: the model is a regression; use predict")
        out = self.outputs(data)
        e = np.exp(out - out.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    def predict(self, data):
        """Regression: (n, outputs) floats in the target's units. Classification:
        (n,) class names (the most probable class of each row)."""
        if self.card.task == "classification":
            best = self.outputs(data).argmax(axis=1)
            return np.asarray(self.card.classes, dtype=object)[best]
        return self.card.outputs(self.outputs(data))

    def __call__(self, x):
        """The network itself on prepared inputs (a Tensor): ``module(x)``."""
        return self.module(x)

    def __repr__(self):
        what = (
            f"{len(self.card.classes)} classes"
            if self.card.task == "classification"
            else repr(self.card.target_name)
        )
        return (
            f"<TrainedModel {self.card.task}: {', '.join(self.card.columns)} → {what}, "
            f"{len(self.module)} layers>"
        )
