"""``glassnet explain --model PATH``: the traced step of a saved network.

A file with a model card (``glassnet train --save``, the playground's
export) is read with it: ``--input`` is a row in the data's units,
standardized as in training, ``--target`` the target in its units (or a
class name or index), and the lines around the trace say how each number
got into the network and what its prediction means in the data's units. A
file of weights alone (``gn.save(model.state_dict())`` of a Sequential of
Linear layers) is fed ``--input`` as it is, and the trace says so.
"""

import re

import numpy as np

from ..explain.i18n import text
from ..explain.trace.numtext import fmt
from ..nn.activation_registry import ACTIVATIONS
from ..nn.loss_registry import LOSSES

TABLE = {
    "card": {
        "en": "{path}: a {task} model ({arch}) of the columns {columns}.",
        "zh": "{path}:{task}模型({arch}),输入列为 {columns}。",
    },
    "regression": {"en": "regression", "zh": "回归"},
    "classification": {"en": "classification", "zh": "分类"},
    "scaled_x": {
        "en": "{x} = ({raw} − {mean}) / {std} = {value}: "
        "{name} = {raw} standardized as in training",
        "zh": "{x} = ({raw} − {mean}) / {std} = {value}:{name} = {raw},与训练时一样标准化",
    },
    "raw_x": {
        "en": "{x} = {name} = {raw} (the model was trained on unstandardized inputs)",
        "zh": "{x} = {name} = {raw}(模型训练时输入未经标准化)",
    },
    "feature": {
        "en": "{x} = {formula} = {value}: made from the row's {columns} as in training",
        "zh": "{x} = {formula} = {value}:与训练时一样由这一行的 {columns} 算出",
    },
    "scaled_y": {
        "en": "y = ({raw} − {mean}) / {std} = {value}: {name} = {raw} standardized as in training",
        "zh": "y = ({raw} − {mean}) / {std} = {value}:{name} = {raw},与训练时一样标准化",
    },
    "back": {
        "en": "before this step the network predicts ŷ = {yhat}, that is "
        "{name} = ŷ·{std} + {mean} = {value} in the data's units",
        "zh": "这一步之前网络的预测 ŷ = {yhat},换回数据原单位:{name} = ŷ·{std} + {mean} = {value}",
    },
    "back_raw": {
        "en": "before this step the network predicts {name} = {value}",
        "zh": "这一步之前网络的预测:{name} = {value}",
    },
    "back_class": {
        "en": "before this step the network predicts {label} (p = {p})",
        "zh": "这一步之前网络预测为 {label}(p = {p})",
    },
    "no_card": {
        "en": "note: {path} holds weights only (no model card): --input goes into the "
        "network as it is, in the units the network was trained on",
        "zh": "注意:{path} 只有权重,没有模型说明:--input 原样送入网络,须使用网络训练时的单位",
    },
}


def model_from_state_dict(state, activation):
    """A Sequential of Linear layers (with ``activation`` between them) holding the
    weights of a state_dict whose keys are '<index>.weight' / '<index>.bias'."""
    from .. import nn

    indices = sorted(
        {int(m.group(1)) for k in state for m in [re.match(r"(\d+)\.weight$", k)] if m}
    )
    if not indices:
        raise SystemExit(
            "glassnet explain: the file holds no '<n>.weight' entries; expected "
            "the state_dict of a Sequential of Linear layers"
        )
    layers = []
    for i, idx in enumerate(indices):
        w = state[f"{idx}.weight"]
        if w.ndim != 2:
            raise SystemExit(
                f"glassnet explain: '{idx}.weight' has shape {tuple(w.shape)}; "
                "expected a Linear layer's (out_features, in_features)"
            )
        lin = nn.Linear(w.shape[1], w.shape[0], bias=f"{idx}.bias" in state)
        lin.weight._data[...] = np.asarray(w)
        if lin.bias is not None:
            lin.bias._data[...] = np.asarray(state[f"{idx}.bias"])
        layers.append(lin)
        if i < len(indices) - 1:
            layers.append(ACTIVATIONS[activation].layer())
    return nn.Sequential(*layers)


class ModelStep:
    """What ``run_explain`` traces for a saved model: model, x, y, loss_fn, lr,
    and the lines to print before and after the trace (``before(lang)``,
    ``after(lang, input_names)``)."""

    def __init__(self, model, x, y, loss_fn, lr, classes=None):
        self.model, self.x, self.y, self.loss_fn, self.lr = model, x, y, loss_fn, lr
        self.classes = classes
        self._before, self._after = [], []

    def before(self, lang, input_names=None):
        """The lines before the trace; ``input_names``: the trace's names of the
        inputs (x1, x2; a summarised trace has one row "x" and they are x[1]...)."""
        if input_names and len(input_names) != self.x.shape[-1]:
            input_names = None
        return [_line(key, lang, input_names, **kw) for key, kw in self._before]

    def after(self, lang):
        return [_line(key, lang, None, **kw) for key, kw in self._after]


def _line(key, lang, input_names, **kw):
    if "i" in kw:  # an input's name as the trace writes it (x1, x[1])
        i = kw.pop("i")
        kw["x"] = input_names[i] if input_names and i < len(input_names) else f"x[{i + 1}]"
    if key == "card":
        kw["task"] = text(TABLE, kw["task"], lang)
        kw["columns"] = ("、" if lang == "zh" else ", ").join(kw["columns"])
    return text(TABLE, key, lang, **kw)


def load(args):
    """The ModelStep for ``--model``, ``--input``, ``--target`` (and --loss,
    --activation, --lr)."""
    from ..io.safetensors import read_file
    from ..train.card import KEY

    if not args.input or not args.target:
        raise SystemExit("glassnet explain: --model needs --input X... and --target Y...")
    lr = args.lr if args.lr is not None else 0.1
    tensors, metadata = read_file(args.model)
    if KEY in metadata:
        return _with_card(args, lr)
    from ..tensor import Tensor

    model = model_from_state_dict(
        {k: Tensor(a) for k, a in tensors.items()}, args.activation or "relu"
    )
    n_in = model[0].in_features
    if len(args.input) != n_in:
        raise SystemExit(
            f"glassnet explain: the model takes {n_in} input features, "
            f"--input gave {len(args.input)}"
        )
    loss = LOSSES[args.loss or "half_squared_error"]
    x = np.asarray([args.input], dtype=np.float32)
    if loss.name in ("cross_entropy", "nll"):
        y = np.asarray([int(_number(args.target[0], "--target"))], dtype=np.int64)
    else:
        y = np.asarray([[_number(t, "--target") for t in args.target]], dtype=np.float32)
    step = ModelStep(model, Tensor(x), Tensor(y), loss.layer(), lr)
    step._before.append(("no_card", dict(path=args.model)))
    return step


def _number(text_value, flag):
    try:
        value = float(text_value)
    except ValueError:
        raise SystemExit(f"glassnet explain: {flag} expects numbers, got {text_value!r}") from None
    if not np.isfinite(value):
        raise SystemExit(f"glassnet explain: {flag} expects finite numbers, got {text_value!r}")
    return value


def _with_card(args, lr):
    from ..tensor import Tensor
    from ..train.saved import load_model

    saved = load_model(args.model)
    card, model = saved.card, saved.module
    if args.activation and set(card.activations) - {ACTIVATIONS.canonical(args.activation)}:
        raise SystemExit(
            f"glassnet explain: --activation {args.activation}, but {args.model} says its "
            f"network uses {', '.join(card.activations)}; leave --activation out"
        )
    if len(args.input) != len(card.columns):
        raise SystemExit(
            f"glassnet explain: the model takes {len(card.columns)} values "
            f"({', '.join(card.columns)}), --input gave {len(args.input)}"
        )
    raw = np.asarray([args.input], dtype=np.float64)
    x = card.inputs(raw)
    loss = LOSSES[args.loss or card.loss or _default_loss(card)]
    from .. import nn

    traced = nn.Sequential(*[m for m in model if not isinstance(m, nn.Dropout)])  # eval's network
    step = ModelStep(traced, Tensor(x), None, loss.layer(), lr, card.classes)
    arch = str(card.n_features)
    for spec in card.layers:
        if spec["type"] == "linear":
            arch += f" → {spec['out']}"
        elif spec["type"] == "activation" and spec["name"] != "linear":
            arch += f" {spec['name']}"
    step._before.append(
        ("card", dict(path=args.model, task=card.task, arch=arch, columns=card.columns))
    )
    _describe_inputs(step, card, raw, x)
    out = saved.outputs(raw)[0]
    if card.task == "classification":
        step.y = Tensor(np.asarray([_class_index(args.target, card)], dtype=np.int64))
        p = np.exp(out - out.max())
        p /= p.sum()
        best = int(p.argmax())
        step._after.append(("back_class", dict(label=card.classes[best], p=fmt(p[best]))))
        return step
    target = np.asarray([[_number(t, "--target") for t in args.target]], dtype=np.float64)
    if target.shape[1] != out.shape[0]:
        raise SystemExit(
            f"glassnet explain: the model predicts {out.shape[0]} value(s) of "
            f"{card.target_name!r}, --target gave {target.shape[1]}"
        )
    y = card.target_to_network(target)
    step.y = Tensor(y.astype(np.float32))
    if card.y_mean is None:
        step._after.append(("back_raw", dict(name=card.target_name, value=_plain(out[0]))))
        return step
    m, s = card.y_mean[0], card.y_std[0]
    scaled = dict(name=card.target_name, raw=_plain(target[0, 0]), mean=fmt(m), std=fmt(s))
    step._before.append(("scaled_y", dict(scaled, value=fmt(y[0, 0]))))
    back = dict(name=card.target_name, std=fmt(s), mean=fmt(m), value=_plain(out[0] * s + m))
    step._after.append(("back", dict(back, yhat=fmt(out[0]))))
    return step


def _plain(v):
    """A value in the data's units, as a person would write it: 177, 478.7."""
    return f"{float(v):.6g}"


def _default_loss(card):
    return "cross_entropy" if card.task == "classification" else "mse"


def _feature_formula(spec, raw, columns):
    """A derived feature as a formula of the row's columns and its value:
    ("x1·x2 = 1.5 × 2", 3.0), ("sin x1 = sin(1.5)", 0.997), ("x1", 1.5)."""
    names = spec[1:]
    values = [float(raw[0, columns.index(c)]) for c in names]
    shown = [_plain(v) for v in values]
    if spec[0] == "mul":
        return f"{names[0]}·{names[1]} = {shown[0]} × {shown[1]}", values[0] * values[1]
    if spec[0] == "sin":
        return f"sin {names[0]} = sin({shown[0]})", float(np.sin(values[0]))
    return names[0], values[0]


def _describe_inputs(step, card, raw, x):
    if card.input_shape is not None:
        return  # an image: the trace's x are its pixels
    if card.features is not None:  # the playground's x1, x1², sin x1... of the columns
        columns = ", ".join(card.columns)
        for i, spec in enumerate(card.features):
            formula, value = _feature_formula(spec, raw, card.columns)
            step._before.append(
                ("feature", dict(i=i, formula=formula, value=fmt(value), columns=columns))
            )
        return
    flat = x.reshape(len(x), -1)
    for i, name in enumerate(card.columns):
        if card.x_mean is None:
            step._before.append(("raw_x", dict(i=i, name=name, raw=_plain(raw[0, i]))))
            continue
        step._before.append(
            (
                "scaled_x",
                dict(
                    i=i,
                    name=name,
                    raw=_plain(raw[0, i]),
                    mean=fmt(card.x_mean[i]),
                    std=fmt(card.x_std[i]),
                    value=fmt(flat[0, i]),
                ),
            )
        )


def _class_index(target, card):
    """--target as a class: one of the card's class names, else an index from 0."""
    if len(target) != 1:
        raise SystemExit(
            f"glassnet explain: --target takes one class for a classification model, "
            f"got {len(target)} values"
        )
    value = target[0]
    if value in card.classes:
        return card.classes.index(value)
    try:
        index = int(value)
    except ValueError:
        index = -1
    if 0 <= index < len(card.classes):
        return index
    raise SystemExit(
        f"glassnet explain: --target {value!r} is neither a class of the model "
        f"({', '.join(card.classes)}) nor a class index 0 to {len(card.classes) - 1}"
    )
