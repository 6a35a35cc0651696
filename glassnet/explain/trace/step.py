"""``trace_step``: one training step of a network, every number shown in
the article's notation.

    ex = gn.explain.examples.mazur()
    t = gn.explain.trace_step(*ex)        # model, x, y, loss_fn, lr
    print(t)                              # forward, loss, backward, update
    t.row("∂L/∂w_out11").value            # 0.082167041...: autograd's .grad

The step runs the model layer by layer through autograd, keeping the
gradient of every z and a (``retain_grad``); after ``loss.backward()``
each δ shown is such a retained gradient, each ∂L/∂w a parameter's
``.grad`` and each f'(z) autograd's derivative of the activation at z. The
formulas beside them say why each has that value; they never supply it.
"""

import math
import numbers

import numpy as np

from ... import nn
from ...grad_mode import enable_grad, no_grad
from ...nn.activation_registry import ACTIVATIONS
from ...tensor import Tensor, to_array
from ..i18n import resolve_lang, text
from ..report import render
from . import full as trace_full
from . import summary as trace_summary
from .losses import explain_loss
from .names import Namer, choose_scheme
from .rules import op_rule, rule_text

SYMBOLS = {
    **{a.module: a.symbol for a in ACTIVATIONS.values() if a.symbol},
    nn.Softmax: "softmax",
    nn.LogSoftmax: "log_softmax",
}
WHOLE_LAYER = (nn.Softmax, nn.LogSoftmax)  # not elementwise: f'(z) is a Jacobian
FULL_LIMIT = 100  # detail="auto" lists every weight up to this many parameters

TABLE = {
    "title": {"en": "One training step, traced", "zh": "一步训练,逐项追踪"},
    "network": {
        "en": "Network {arch}; loss {loss}; learning rate η = {lr}; {batch}.",
        "zh": "网络 {arch};损失函数 {loss};学习率 η = {lr};{batch}。",
    },
    "batch1": {"en": "one sample", "zh": "一个样本"},
    "batchN": {
        "en": "a batch of {n} samples (each value is one number per sample; gradients "
        "are sums over the batch, Σₙ)",
        "zh": "一批 {n} 个样本(每个量对每个样本各有一个值;梯度是对整批求和,Σₙ)",
    },
    "summary": {
        "en": "{n} parameters: each layer is summarised (min, mean, max, norm) and its "
        "{top} largest |∂L/∂w| are written out.",
        "zh": "共 {n} 个参数:每层只给出汇总(最小、平均、最大、范数),并写出 |∂L/∂w| "
        "最大的 {top} 个。",
    },
    "forward": {
        "en": "Forward pass: each neuron computes z = w·x + b, then a = f(z)",
        "zh": "前向传播:每个神经元先算 z = w·x + b,再算 a = f(z)",
    },
    "loss": {
        "en": "Loss: how far the prediction ŷ is from the target y",
        "zh": "损失:预测值 ŷ 与真实值 y 相差多少",
    },
    "backward": {
        "en": "Backward pass: the chain rule from the output back "
        "(every value is autograd's gradient)",
        "zh": "反向传播:从输出往回应用链式法则(每个数值都取自 autograd 的梯度)",
    },
    "update": {
        "en": "Gradient descent: w ← w − η·∂L/∂w (η = {lr})",
        "zh": "梯度下降:w ← w − η·∂L/∂w(η = {lr})",
    },
    "applied": {
        "en": "The new values have been written into the model.",
        "zh": "新的参数值已写回模型。",
    },
    "not_applied": {
        "en": "The model was left unchanged (apply=False).",
        "zh": "模型参数保持不变(apply=False)。",
    },
    "col_name": {"en": "quantity", "zh": "量"},
    "col_formula": {"en": "formula", "zh": "公式"},
    "col_numbers": {"en": "with numbers", "zh": "代入数值"},
    "col_value": {"en": "value", "zh": "结果"},
    "dead": {
        "en": "dead ReLUs in layer {layer}: {dead} of {n} (a = 0 for all {batch} samples of "
        "this batch, so no gradient passes through them)",
        "zh": "第 {layer} 层的“死”ReLU:{n} 个中有 {dead} 个(这一批全部 {batch} 个样本都 "
        "a = 0,梯度传不过去)",
    },
    "inactive": {
        "en": "ReLUs of layer {layer} inactive for this sample: {dead} of {n} (a = 0, so no "
        "gradient passes through them in this step; a ReLU is dead only if a = 0 for all "
        "the data)",
        "zh": "第 {layer} 层对这个样本不激活的 ReLU:{n} 个中有 {dead} 个(a = 0,这一步梯度"
        "传不过去;只有对全部数据都 a = 0 才算“死”ReLU)",
    },
    "target_class": {
        "en": "y, the number of the target's output {out} (class index {index}, counting from 0)",
        "zh": "y,目标类别对应的输出 {out} 的编号(类别索引 {index},从 0 数起)",
    },
    "target_class_named": {
        "en": "y, the number of the target's output {out} (class “{name}”, index {index} "
        "counting from 0)",
        "zh": "y,目标类别“{name}”对应的输出 {out} 的编号(类别索引 {index},从 0 数起)",
    },
    "target_classes": {
        "en": "y, the numbers of the targets' outputs (class index + 1)",
        "zh": "y,各样本目标类别对应的输出编号(类别索引 + 1)",
    },
    "zero_grads": {
        "en": "entries of ∂L/∂W[{layer}] that are exactly 0: {zero} of {n}",
        "zh": "∂L/∂W[{layer}] 中恰好为 0 的元素:{n} 个中有 {zero} 个",
    },
    "step_size": {
        "en": "size of the step in layer {layer}: ‖η·∂L/∂W‖ = {norm}, largest |η·∂L/∂w| = {max}",
        "zh": "第 {layer} 层的步长:‖η·∂L/∂W‖ = {norm},最大的 |η·∂L/∂w| = {max}",
    },
}


class _Layer:
    """One Linear layer and the activation after it, with the step's arrays."""

    def __init__(self, linear, act):
        self.linear, self.act = linear, act
        self.sym = SYMBOLS[type(act)] if act is not None else None
        self.n_in, self.n_out = linear.in_features, linear.out_features


class _Step:
    """Everything the row builders read (see trace_full)."""


def _unsupported(what):
    kinds = ", ".join(c.__name__ for c in SYMBOLS)
    return TypeError(
        f"trace_step: {what}. trace_step explains nn.Sequential networks of nn.Linear layers, "
        f"each optionally followed by one activation ({kinds}). For any other model, record "
        "the tensor-level trace instead:\n    with gn.explain.record() as tape:\n"
        "        loss = loss_fn(model(x), y)\n        loss.backward()\n    print(tape)"
    )


def _layers(model):
    if not isinstance(model, nn.Sequential):
        raise _unsupported(f"the model is a {type(model).__name__}, not an nn.Sequential")
    layers = []
    for i, m in enumerate(model):
        if isinstance(m, nn.Identity):
            continue
        if type(m) is nn.Linear:
            layers.append(_Layer(m, None))
        elif type(m) in SYMBOLS:
            if not layers:
                raise _unsupported(f"layer {i} ({type(m).__name__}) comes before any Linear layer")
            if layers[-1].act is not None:
                raise _unsupported(
                    f"layer {i} ({type(m).__name__}) follows another activation "
                    f"({type(layers[-1].act).__name__})"
                )
            layers[-1] = _Layer(layers[-1].linear, m)
        else:
            raise _unsupported(f"layer {i} is a {type(m).__name__}")
    if not layers:
        raise _unsupported("the Sequential has no Linear layer")
    for l, L in enumerate(layers, 1):
        for pname, p in L.linear.named_parameters():
            if not p.requires_grad:
                raise ValueError(
                    f"trace_step: the {pname} of Linear layer {l} does not require "
                    "grad, so it has no gradient to show; call "
                    "model.requires_grad_(True)"
                )
    return layers


def _check_lr(lr):
    if isinstance(lr, bool) or not isinstance(lr, numbers.Real) or not math.isfinite(lr) or lr <= 0:
        raise ValueError(
            f"trace_step: lr (the learning rate η) must be a positive number, got {lr!r}"
        )
    return float(lr)


def _input(x, dtype, n_in):
    if not isinstance(x, Tensor):
        arr = to_array(x)
        if arr.dtype.kind not in "biuf":
            raise TypeError(f"trace_step: x must hold numbers, got dtype {arr.dtype}")
        x = Tensor(arr.astype(dtype))
    if x.ndim == 0 or x.shape[-1] != n_in:
        raise ValueError(
            f"trace_step: x has shape {x.shape}, expected (N, {n_in}) or "
            f"({n_in},): the first Linear layer takes {n_in} input(s)"
        )
    return x


def _rows2d(t):
    return t._data.reshape(-1, t.shape[-1] if t.ndim else 1).astype(np.float64)


def _fprime(act, z):
    """f'(z) for an elementwise activation, by autograd: ∂Σf(z)/∂z."""
    zz = Tensor(z._data.copy(), requires_grad=True)
    with enable_grad():
        act(zz).sum().backward()
    return _rows2d(zz.grad)


def _run(layers, x, y, loss_fn):
    """Forward layer by layer keeping every z and a, then backward."""
    with enable_grad():
        h = x
        for L in layers:
            L.inp = h
            L.z = L.linear(h)
            L.z.retain_grad()
            L.a = L.z
            if L.act is not None:
                L.a = L.act(L.z)
                L.a.retain_grad()
            h = L.a
        loss = loss_fn(h, y)
    if (
        not isinstance(loss, Tensor)
        or loss.numel() != 1
        or getattr(loss_fn, "reduction", None) == "none"
    ):
        shape = loss.shape if isinstance(loss, Tensor) else type(loss).__name__
        raise ValueError(
            f"trace_step: loss_fn must return a single number (a tensor with one "
            f"element), got {shape}; use reduction='mean' or 'sum'"
        )
    for L in layers:
        for p in L.linear.parameters():
            p.grad = None
    loss.backward()
    return h, loss


def _collect(layers, lr):
    """The numbers of each layer as float64 arrays (N, features)."""
    for L in layers:
        w, b = L.linear.weight, L.linear.bias
        L.X, L.Z, L.A = _rows2d(L.inp), _rows2d(L.z), _rows2d(L.a)
        L.dZ, L.dA = _rows2d(L.z.grad), _rows2d(L.a.grad)
        L.W, L.gW = w._data.astype(np.float64), w.grad._data.astype(np.float64)
        L.newW = (w._data - lr * w.grad._data).astype(np.float64)
        L.b = L.gb = L.newb = None
        if b is not None:
            L.b, L.gb = b._data.astype(np.float64), b.grad._data.astype(np.float64)
            L.newb = (b._data - lr * b.grad._data).astype(np.float64)
        L.fprime = None
        L.rule = L.rule_zh = ""
        if L.act is not None:
            if L.a.grad_fn is not None:
                L.rule = op_rule(L.a.grad_fn)[1]
                L.rule_zh = rule_text(L.a.grad_fn, "zh")
            if not isinstance(L.act, WHOLE_LAYER):
                L.fprime = _fprime(L.act, L.z)


def _apply(layers, lr):
    """w ← w − η·∂L/∂w on the model (what optim.SGD(lr) does, exactly)."""
    with no_grad():
        for L in layers:
            for p in L.linear.parameters():
                p.copy_(p._data - lr * p.grad._data)


def trace_step(
    model, x, y, loss_fn, lr=0.1, names="auto", lang=None, apply=True, detail="auto", classes=None
):
    """Run one training step of ``model`` on (x, y) and explain every number.

    ``model`` is an nn.Sequential of Linear layers, each optionally followed
    by one activation; ``loss_fn`` any loss (formulas are written out for
    glassnet's losses). ``names``: "auto", "article" (x, z1, a1, w11, w_out1,
    δ_out), "index" (W[2][3,1]) or a dict renaming any of them.
    ``detail``: "auto" (every weight up to 100 parameters, else per-layer
    summaries), "full" or "summary". ``apply=True`` (the default, like an
    optimizer step) writes w − η·∂L/∂w into the model; with False the
    weights are left as they were. Either way each parameter's ``.grad`` is
    this step's gradient afterwards (earlier gradients are discarded first,
    as zero_grad() would). ``classes``: the names of the classes of a
    class-index target (cross-entropy), shown with the target. Returns a
    ``StepTrace``.
    """
    if detail not in ("auto", "full", "summary"):
        raise ValueError(f"trace_step: detail must be 'auto', 'full' or 'summary', got {detail!r}")
    overlay = names if isinstance(names, dict) else None
    if overlay is None and names not in ("auto", "article", "index"):
        raise ValueError(
            f"trace_step: names must be 'auto', 'article', 'index' or a dict of "
            f"renames, got {names!r}"
        )
    layers = _layers(model)
    lr = _check_lr(lr)
    lang = resolve_lang(lang)
    x = _input(x, layers[0].linear.weight.dtype, layers[0].n_in)
    yhat, loss = _run(layers, x, y, loss_fn)
    _collect(layers, lr)
    sizes = [layers[0].n_in] + [L.n_out for L in layers]
    scheme = choose_scheme(sizes, "auto" if overlay is not None else names)
    s = _Step()
    s.layers, s.lr, s.N = layers, lr, layers[0].X.shape[0]
    s.namer = Namer(sizes, [L.act is not None for L in layers], scheme, overlay)
    s.loss_value = float(loss.item())
    s.loss_text = explain_loss(loss_fn, yhat._data.astype(np.float64), y, s.namer, classes)
    n_params = sum(L.W.size + (0 if L.b is None else L.b.size) for L in layers)
    if detail == "auto":
        detail = "full" if n_params <= FULL_LIMIT else "summary"
    rows = trace_full if detail == "full" else trace_summary
    if apply:
        _apply(layers, lr)
    info = dict(
        lr=lr,
        applied=bool(apply),
        detail=detail,
        names=scheme,
        batch=s.N,
        loss_value=s.loss_value,
        n_params=n_params,
        lang=lang,
        architecture=" → ".join(
            [str(sizes[0])] + [f"{L.n_out}" + (f" {L.sym}" if L.sym else "") for L in layers]
        ),
        loss_name=type(loss_fn).__name__
        if isinstance(loss_fn, nn.Module)
        else getattr(loss_fn, "__name__", "loss_fn"),
    )
    for L in layers:  # drop the graph: the trace keeps numbers, not tensors
        del L.inp, L.z, L.a
    return StepTrace(
        rows.forward_rows(s),
        trace_full.loss_rows(s),
        rows.backward_rows(s),
        rows.update_rows(s),
        info,
    )


class StepTrace(render.Rendered):
    """The record of one training step: ``forward``, ``loss``, ``backward``
    and ``updates`` are lists of ``Row`` (name, formula, values, value);
    ``to_text()``, ``to_markdown()`` and ``to_html()`` render them (``str()``
    is the text; Jupyter shows the HTML)."""

    def __init__(self, forward, loss, backward, updates, info):
        self.forward, self.loss, self.backward, self.updates = forward, loss, backward, updates
        self.info = info
        for k, v in info.items():
            setattr(self, k, v)

    @property
    def sections(self):
        return {
            "forward": self.forward,
            "loss": self.loss,
            "backward": self.backward,
            "updates": self.updates,
        }

    def row(self, name, section=None):
        """The row called ``name`` (in ``section`` if given), e.g. row("δ_out")."""
        secs = [section] if section else list(self.sections)
        for sec in secs:
            for r in self.sections[sec]:
                if r.name == name:
                    return r
        known = [r.name for sec in secs for r in self.sections[sec] if r.name]
        raise KeyError(
            f"StepTrace.row: no row named {name!r}"
            f"{' in ' + section if section else ''}; names: {', '.join(known)}"
        )

    def doc(self, lang=None, digits=4):
        """The trace as a ``render.Doc`` in ``lang`` (default: the trace's)."""
        lang = resolve_lang(lang or self.lang)
        t = lambda key, **kw: text(TABLE, key, lang, **kw)  # noqa: E731
        lr = f"{self.lr:g}"
        batch = t("batch1") if self.batch == 1 else t("batchN", n=self.batch)
        d = render.Doc()
        d.title(t("title"))
        d.para(t("network", arch=self.architecture, loss=self.loss_name, lr=lr, batch=batch))
        if self.detail == "summary":
            d.para(t("summary", n=self.n_params, top=trace_summary.TOP))
        headers = [t("col_name"), t("col_formula"), t("col_numbers"), t("col_value")]
        for key, rows in (
            ("forward", self.forward),
            ("loss", self.loss),
            ("backward", self.backward),
            ("update", self.updates),
        ):
            d.heading(t(key, lr=lr))
            d.equations(headers, [r.cells(TABLE, lang, digits) for r in rows])
        d.para(t("applied" if self.applied else "not_applied"))
        return d

    def __repr__(self):
        return (
            f"<StepTrace {self.architecture}, {self.loss_name}, L = {self.loss_value:.6g}, "
            f"{len(self.forward) + len(self.loss) + len(self.backward) + len(self.updates)}"
            " rows>"
        )

    def to_dict(self, digits=4):
        """Plain data (lists, floats, strings) for JSON: the playground and report."""
        out = {k: v for k, v in self.info.items()}
        for key, rows in self.sections.items():
            out[key] = [r.to_dict(digits) for r in rows]
        return out
