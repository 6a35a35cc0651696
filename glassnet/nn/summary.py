"""``model.summary(input_size)``: a table of every layer, the shape of its
output for one forward pass and its number of parameters (as Keras'
``model.summary()`` or torchinfo)::

    >>> print(nn.Sequential(nn.Linear(2, 4), nn.Sigmoid(), nn.Linear(4, 1)).summary((8, 2)))
    Layer (type)       Output Shape    Param #
    ==========================================
    Sequential         (8, 1)               17
      0: Linear        (8, 4)               12
      1: Sigmoid       (8, 4)                0
      2: Linear        (8, 1)                5
    ==========================================
    Total params: 17
    Trainable params: 17
    Non-trainable params: 0

A layer's Param # counts its own parameters and its sub-layers' (so the
first row is the total). The forward pass runs on zeros under ``no_grad``
and leaves the random generator's state as it was.
"""

from __future__ import annotations

from collections import namedtuple
from html import escape
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import dtypes
from ..grad_mode import no_grad
from ..random import get_rng_state, set_rng_state
from ..tensor import Tensor

if TYPE_CHECKING:
    from ..hints import DTypeLike
    from .module import Module

SummaryRow = namedtuple("SummaryRow", ["name", "type", "depth", "output_shape", "num_params"])


def _shape_of(out):
    if isinstance(out, Tensor):
        return tuple(out.shape)
    if isinstance(out, (tuple, list)):
        return [_shape_of(o) for o in out]
    return None


def _fmt_shape(shape):
    if shape is None:
        return "-"
    if isinstance(shape, list):
        return ", ".join(_fmt_shape(s) for s in shape)
    return str(tuple(shape))


class ModelSummary:
    """The result of ``Module.summary``: ``rows`` (SummaryRow per layer),
    ``total_params``, ``trainable_params``, ``input_size``, ``output_shape``;
    ``str()`` (and the repr) is the table."""

    def __init__(
        self,
        rows: list[SummaryRow],
        total_params: int,
        trainable_params: int,
        input_size: Any,
        output_shape: Any,
    ) -> None:
        self.rows = rows
        self.total_params = total_params
        self.trainable_params = trainable_params
        self.input_size = input_size
        self.output_shape = output_shape

    def __str__(self) -> str:
        heads = ("Layer (type)", "Output Shape", "Param #")
        cells = []
        for r in self.rows:
            label = r.type if r.depth == 0 else f"{r.name.rsplit('.', 1)[-1]}: {r.type}"
            cells.append(("  " * r.depth + label, _fmt_shape(r.output_shape), f"{r.num_params:,}"))
        w0 = max([len(heads[0])] + [len(c[0]) for c in cells]) + 3
        w1 = max([len(heads[1])] + [len(c[1]) for c in cells]) + 3
        w2 = max([len(heads[2])] + [len(c[2]) for c in cells])
        rule = "=" * (w0 + w1 + w2)
        lines = [heads[0].ljust(w0) + heads[1].ljust(w1) + heads[2].rjust(w2), rule]
        lines += [c[0].ljust(w0) + c[1].ljust(w1) + c[2].rjust(w2) for c in cells]
        lines += [
            rule,
            f"Total params: {self.total_params:,}",
            f"Trainable params: {self.trainable_params:,}",
            f"Non-trainable params: {self.total_params - self.trainable_params:,}",
        ]
        if self.input_size is not None:
            lines.append(f"Input shape: {_fmt_shape(self.input_size)}")
            lines.append(f"Output shape: {_fmt_shape(self.output_shape)}")
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        """The table as HTML (what a notebook shows)."""
        heads = "".join(f"<th>{h}</th>" for h in ("Layer (type)", "Output Shape", "Param #"))
        body = []
        for r in self.rows:
            label = r.type if r.depth == 0 else f"{r.name.rsplit('.', 1)[-1]}: {r.type}"
            pad = f"padding-left:{0.3 + 1.2 * r.depth:.1f}em"
            body.append(
                f'<tr><td style="{pad}">{escape(label)}</td>'
                f"<td>{escape(_fmt_shape(r.output_shape))}</td>"
                f'<td style="text-align:right">{r.num_params:,}</td></tr>'
            )
        foot = (
            f"Total params: {self.total_params:,} · trainable: {self.trainable_params:,} · "
            f"non-trainable: {self.total_params - self.trainable_params:,}"
        )
        return (
            f'<table style="font-family:monospace"><tr>{heads}</tr>{"".join(body)}</table>'
            f"<small>{foot}</small>"
        )


def _example_inputs(model, input_size, dtype):
    """Zero tensors for ``input_size`` (a shape, a list of shapes, or tensors)."""
    if dtype is None:
        first = next(model.parameters(), None)
        dtype = first.dtype if first is not None else dtypes.get_default_dtype()
    if isinstance(input_size, Tensor):
        return [input_size], tuple(input_size.shape)
    if (
        isinstance(input_size, (tuple, list))
        and input_size
        and all(isinstance(s, (tuple, list, Tensor)) for s in input_size)
    ):
        inputs = [
            s if isinstance(s, Tensor) else Tensor(np.zeros(tuple(s), dtype=dtype))
            for s in input_size
        ]
        return inputs, [tuple(x.shape) for x in inputs]
    try:
        shape = tuple(int(s) for s in input_size)
    except (TypeError, ValueError):
        raise TypeError(
            f"summary: input_size must be a shape like (batch, features), a list "
            f"of shapes or a Tensor, got {input_size!r}"
        ) from None
    return [Tensor(np.zeros(shape, dtype=dtype))], shape


def summary(model: Module, input_size: Any = None, dtype: DTypeLike | None = None) -> ModelSummary:
    """Build the ModelSummary of ``model`` (see the module docstring).
    ``input_size`` includes the batch dimension; without it, output shapes
    are shown as '-'."""
    shapes: dict[int, Any] = {}
    output_shape = None
    if input_size is not None:
        inputs, input_size = _example_inputs(model, input_size, dtype)
        handles = []
        for m in model.modules():

            def hook(module, args, out):
                shapes.setdefault(id(module), _shape_of(out))

            handles.append(m.register_forward_hook(hook))
        rng = get_rng_state()
        was_training = model.training
        model.eval()  # so the pass changes nothing: no dropout, no BatchNorm statistics
        try:
            with no_grad():
                output_shape = _shape_of(model(*inputs))
        finally:
            for h in handles:
                h.remove()
            set_rng_state(rng)
            model.train(was_training)
    rows = []
    for name, m in model.named_modules():
        n = sum(p.numel() for p in m.parameters())
        depth = name.count(".") + 1 if name else 0
        rows.append(SummaryRow(name, type(m).__name__, depth, shapes.get(id(m)), n))
    params = list(model.parameters())
    total = sum(p.numel() for p in params)
    trainable = sum(p.numel() for p in params if p.requires_grad)
    return ModelSummary(rows, total, trainable, input_size, output_shape)
