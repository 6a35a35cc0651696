"""The loss of a step trace in formulas: L with its terms, and δ_out = ∂L/∂ŷ
for each output, written for the loss module used.

Only the *text* comes from here; every value shown as a result (L, δ_out)
is the forward value or autograd's gradient. Known losses: HalfSquaredError
(the article's ½(y − ŷ)², summed over outputs as Mazur's E_total with
reduction='sum'), MSELoss, L1Loss, HuberLoss, BCELoss, BCEWithLogitsLoss,
CrossEntropyLoss and NLLLoss (class-index targets). Class weights,
pos_weight, label smoothing, probability targets and any other loss are
shown generically: L = Name(ŷ, y), δ_out = ∂L/∂ŷ.
"""

from dataclasses import dataclass, field

import numpy as np

from ... import nn
from ...tensor import Tensor

# per-element term and its derivative, with {p} for ŷ and {y} for y
_ELEMENTWISE = {
    nn.HalfSquaredError: ("½({y} − {p})²", "{p} − {y}"),
    nn.MSELoss: ("({p} − {y})²", "2·({p} − {y})"),
    nn.L1Loss: ("|{p} − {y}|", "sign({p} − {y})"),
    nn.BCELoss: ("−[{y}·ln {p} + (1 − {y})·ln(1 − {p})]", "({p} − {y}) / ({p}·(1 − {p}))"),
    nn.BCEWithLogitsLoss: ("−[{y}·ln σ({p}) + (1 − {y})·ln(1 − σ({p}))]", "σ({p}) − {y}"),
}


@dataclass
class Part:
    """A formula, and the same formula with {0}, {1}... for ``values``."""

    formula: str
    subst: str = ""
    values: tuple = ()


@dataclass
class TargetRow:
    """A row before L: the target class y (``key``: its words) or a probability p."""

    name: str
    value: object
    key: str = ""
    params: dict = field(default_factory=dict)
    part: Part | None = None


@dataclass
class LossText:
    loss: Part
    deltas: list  # one Part per output neuron: the δ_out formula
    targets: list = field(default_factory=list)  # (name, value) rows for y
    rows: list = field(default_factory=list)  # TargetRows (class targets)


def _huber_terms(delta, P, Y):
    """Huber's term for output k: the branch each element is on (one sample),
    or the general form (a batch)."""
    d = f"{delta:g}"
    if P.shape[0] > 1:
        return lambda k: (f"huber_{d}({{p}} − {{y}})", f"clamp({{p}} − {{y}}, −{d}, {d})")
    small = ("½({p} − {y})²", "{p} − {y}")
    large = (f"{d}·(|{{p}} − {{y}}| − {delta / 2:g})", f"{d}·sign({{p}} − {{y}})")
    big = np.abs(P - Y)[0] >= delta
    return lambda k: large if big[k] else small


def _fill(template, p, y, with_numbers, values):
    """Put names (or numbered slots, collecting the numbers) into a template."""
    if not with_numbers:
        return template.replace("{p}", p).replace("{y}", y)
    out = template
    for key, v in (("{p}", p), ("{y}", y)):
        if key in out:
            out = out.replace(key, "{%d}" % len(values))
            values.append(v)
    return out


def _scaled(text, n, mean):
    return f"({text}) / {n}" if mean and n > 1 else text


def _generic(loss_fn, K, namer, T):
    name = (
        type(loss_fn).__name__
        if hasattr(loss_fn, "forward")
        else getattr(loss_fn, "__name__", "loss_fn")
    )
    return LossText(
        Part(f"{name}(ŷ, y)"),
        [Part(f"∂L/∂{namer.yhat(k)}") for k in range(K)],
        [("y", T if T.dtype.kind in "biuf" else None)],
    )


def _elementwise(loss_fn, P, Y, namer, term):
    """Losses summed or averaged over every element: Σ term(ŷ, y)."""
    N, K = P.shape
    mean = loss_fn.reduction == "mean"
    n = N * K
    targets = [(namer.y(k), Y[0, k] if N == 1 else Y[:, k]) for k in range(K)]
    terms = [term(k) for k in range(K)]
    if N == 1 and K <= 4:
        values = []
        formula = " + ".join(
            _fill(t[0], namer.yhat(k), namer.y(k), False, None) for k, t in enumerate(terms)
        )
        subst = " + ".join(_fill(t[0], P[0, k], Y[0, k], True, values) for k, t in enumerate(terms))
        loss = Part(_scaled(formula, n, mean), _scaled(subst, n, mean), tuple(values))
    else:
        one = _fill(terms[0][0], "ŷ", "y", False, None)
        loss = Part(f"(1/{n})·Σ {one}" if mean else f"Σ {one}")
    deltas = []
    for k, t in enumerate(terms):
        formula = _fill(t[1], namer.yhat(k), namer.y(k), False, None)
        if N == 1:
            values = []
            subst = _fill(t[1], P[0, k], Y[0, k], True, values)
            deltas.append(Part(_scaled(formula, n, mean), _scaled(subst, n, mean), tuple(values)))
        else:
            deltas.append(Part(_scaled(formula, n, mean)))
    return LossText(loss, deltas, targets)


def _class_loss(loss_fn, P, T, namer, softmax, classes=None):
    """CrossEntropyLoss (softmax=True) or NLLLoss at class indices T (from 0).

    The target is shown as the number of its output (y = c + 1 for class
    index c, as the outputs ŷ1, ŷ2... are numbered), with the index and, when
    ``classes`` names them, the class's name; softmax's probabilities are
    p1, p2... and one sample's loss is L = −ln p_y."""
    N, K = P.shape
    mean = loss_fn.reduction == "mean" and N > 1
    names = [namer.yhat(k) for k in range(K)]
    probs = [namer.p(k) for k in range(K)]
    e = np.exp(P - P.max(axis=1, keepdims=True))
    prob = e / e.sum(axis=1, keepdims=True)
    rows = []
    if N == 1:
        c = int(T[0])
        params, key = dict(index=c, out=names[c]), "target_class"
        if classes is not None and 0 <= c < len(classes):
            params["name"], key = classes[c], "target_class_named"
        rows.append(TargetRow("y", c + 1, key, params))
        if softmax:
            if K <= 4:
                formula = f"exp({names[c]}) / ({' + '.join(f'exp({m})' for m in names)})"
                subst = "exp({%d}) / (" % c + " + ".join("exp({%d})" % k for k in range(K)) + ")"
                rows.append(
                    TargetRow(probs[c], prob[0, c], "", {}, Part(formula, subst, tuple(P[0])))
                )
            else:
                formula = f"exp({names[c]}) / Σₖ exp(ŷₖ)"
                rows.append(TargetRow(probs[c], prob[0, c], "", {}, Part(formula)))
            loss = Part(f"−ln {probs[c]}", "−ln {0}", (prob[0, c],))
        else:
            loss = Part(f"−{names[c]}", "−{0}", (P[0, c],))
    else:
        rows.append(TargetRow("y", T + 1, "target_classes", {}))
        one = "−ln pₙ,yₙ" if softmax else "−ŷₙ,yₙ"
        loss = Part(f"(1/{N})·Σₙ {one}" if mean else f"Σₙ {one}")
    deltas = []
    for k in range(K):
        if softmax:
            hit = " − 1" if N == 1 and k == int(T[0]) else (f" − [yₙ = {k + 1}]" if N > 1 else "")
            formula = f"{probs[k]}{hit}" if N == 1 else f"{probs[k]}ₙ{hit}"
            part = Part(formula, "{0}" + hit, (prob[0, k],)) if N == 1 else Part(formula)
        else:
            formula = ("−1" if k == int(T[0]) else "0") if N == 1 else f"−[yₙ = {k + 1}]"
            part = Part(formula)
        if mean:
            part = Part(f"({part.formula}) / {N}")
        deltas.append(part)
    return LossText(loss, deltas, [], rows)


def explain_loss(loss_fn, yhat, target, namer, classes=None):
    """LossText for ``loss_fn(yhat, target)``; ``yhat`` is the model output (ndarray);
    ``classes`` names the classes of a class-index target, if known."""
    K = yhat.shape[-1] if yhat.ndim else 1
    P = yhat.reshape(-1, K)
    T = np.asarray(target._data if isinstance(target, Tensor) else target)
    kind = type(loss_fn)
    if kind in _ELEMENTWISE or kind is nn.HuberLoss:
        if (
            getattr(loss_fn, "weight", None) is not None
            or getattr(loss_fn, "pos_weight", None) is not None
        ):
            return _generic(loss_fn, K, namer, T)
        try:
            Y = np.broadcast_to(T, yhat.shape).reshape(-1, K)
        except ValueError:
            return _generic(loss_fn, K, namer, T)
        if kind is nn.HuberLoss:
            return _elementwise(loss_fn, P, Y, namer, _huber_terms(loss_fn.delta, P, Y))
        pair = _ELEMENTWISE[kind]
        return _elementwise(loss_fn, P, Y, namer, lambda k: pair)
    if kind in (nn.CrossEntropyLoss, nn.NLLLoss):
        plain = loss_fn.weight is None and getattr(loss_fn, "label_smoothing", 0.0) == 0.0
        if (
            plain
            and T.dtype.kind in "iu"
            and T.size == P.shape[0]
            and not np.any(T == loss_fn.ignore_index)
        ):
            softmax = kind is nn.CrossEntropyLoss
            return _class_loss(loss_fn, P, T.reshape(-1), namer, softmax, classes)
    return _generic(loss_fn, K, namer, T)
