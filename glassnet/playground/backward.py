"""The backward view: one training step on one training point, traced by
``gn.explain.trace_step`` — the very numbers and notation ``glassnet
explain`` prints for the same weights and point.

The trace runs on the network without its Dropout layers (dropout is off
when one point is explained, as in evaluation) and on the data loss alone;
its update is the article's plain gradient-descent step w ← w − η·∂L/∂w,
which ``apply`` writes into the network when the page reaches it.
"""

import numpy as np

from ..explain.i18n import LANGS, text
from ..explain.trace import step as explain_trace
from ..tensor import Tensor
from .errors import ProtocolError
from .features import transform
from .trainer import loss_function

HEADINGS = ("forward", "loss", "backward", "update")


def _point(data, features, index):
    n = len(data.train_x)
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < n:
        raise ProtocolError(
            f"index must be the number of a training point, from 0 to {n - 1}; got {index!r}",
            field="index",
        )
    x = transform(data.train_x[index : index + 1], features)
    y = data.train_y[index : index + 1]
    return Tensor(x), Tensor(y)


def _row(r, section):
    d = r.to_dict(4)
    d["section"] = section
    d["valueText"] = r.value_text(4, "en")
    return d


class PendingStep:
    """The new weights of a traced step, and the version they belong to."""

    def __init__(self, network, lr, version):
        self.version = version
        self.new = [
            (
                lin,
                lin.weight._data - lr * lin.weight.grad._data,
                lin.bias._data - lr * lin.bias.grad._data,
            )
            for lin in network.linears
        ]

    def finite(self):
        """True when every new weight and bias is a finite number."""
        return all(np.isfinite(w).all() and np.isfinite(b).all() for _, w, b in self.new)

    def apply(self):
        for lin, w, b in self.new:
            lin.weight._data[...] = w
            lin.bias._data[...] = b


def trace_point(network, data, config, index, version):
    """(payload for the page, PendingStep) for training point ``index``."""
    x, y = _point(data, config.features, index)
    model = network.sequential(dropout=False)
    with np.errstate(all="ignore"):
        t = explain_trace.trace_step(
            model,
            x,
            y,
            loss_function(data.task),
            lr=config.learningRate,
            lang="en",
            apply=False,
            detail="full",
        )
    pending = PendingStep(network, config.learningRate, version)
    rows = [_row(r, sec) for sec, rs in t.sections.items() for r in rs]
    target = data.train_y[index]
    payload = {
        "index": index,
        "point": [float(v) for v in data.train_x[index]],
        "target": int(target) if data.task == "classification" else float(target[0]),
        "lr": config.learningRate,
        "loss": t.loss_value,
        "architecture": t.architecture,
        "lossName": t.loss_name,
        "rows": rows,
        "headings": {
            lang: {k: text(explain_trace.TABLE, k, lang, lr=f"{t.lr:g}") for k in HEADINGS}
            for lang in LANGS
        },
    }
    return payload, pending
