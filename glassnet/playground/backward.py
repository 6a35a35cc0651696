"""The backward view: one training step on one training point, traced by
``gn.explain.trace_step`` — the very numbers and notation ``glassnet
explain`` prints for the same weights and point.

The trace runs on the network without its Dropout layers (dropout is off
when one point is explained, as in evaluation) and on the data loss alone;
its update is the article's plain gradient-descent step w ← w − η·∂L/∂w,
which ``apply`` writes into the network when the page reaches it.

After a blow-up the numbers may be huge or no longer finite: such a row
has ``blown`` set (``divergence.blown``) and, when it is NaN or ±∞, the
value ``None`` (JSON has no NaN) with its text ("inf", "nan") kept.
"""

import numpy as np

from ..explain.i18n import LANGS, text
from ..explain.trace import step as explain_trace
from ..tensor import Tensor
from .divergence import blown
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
    value = d.get("value")
    if isinstance(value, float):
        d["blown"] = bool(blown(value))
        if not np.isfinite(value):
            d["value"] = None
    return d


def _finite(v):
    return float(v) if v is not None and np.isfinite(v) else None


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
    with np.errstate(all="ignore"):  # a blown-up step may overflow: updateFinite says so
        pending = PendingStep(network, config.learningRate, version)
    rows = [_row(r, sec) for sec, rs in t.sections.items() for r in rs]
    target = data.train_y[index]
    payload = {
        "index": index,
        "point": [float(v) for v in data.train_x[index]],
        "target": int(target) if data.task == "classification" else float(target[0]),
        # the class by its name (as the legend) and the output neuron it picks, numbered
        # from 1 as the trace numbers neurons: ŷ[k]
        "targetClass": data.classes[int(target)] if data.task == "classification" else None,
        "targetOutput": int(target) + 1 if data.task == "classification" else 1,
        "lr": config.learningRate,
        "loss": _finite(t.loss_value),
        "updateFinite": pending.finite(),
        "architecture": t.architecture,
        "lossName": t.loss_name,
        "rows": rows,
        "headings": {
            lang: {k: text(explain_trace.TABLE, k, lang, lr=f"{t.lr:g}") for k in HEADINGS}
            for lang in LANGS
        },
    }
    return payload, pending
