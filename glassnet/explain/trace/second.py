"""``second_derivative``: the curvature ∂²L/∂w² of the loss in one weight,
written out term by term in the article's notation.

    ex = gn.explain.examples.square()
    print(gn.explain.second_derivative(ex.model, ex.x, ex.y, ex.loss_fn, "w11"))

For a network n → h f → 1 (one hidden layer with an elementwise activation
f, a linear output) on one sample, with L = ½(y − ŷ)² and δ_out = ŷ − y:

    ∂L/∂w   = δ_out · ∂ŷ/∂w                                  (chain rule)
    ∂²L/∂w² = ∂δ_out/∂w · ∂ŷ/∂w + δ_out · ∂²ŷ/∂w²             (product rule)
            = (∂ŷ/∂w)² + δ_out · ∂²ŷ/∂w²                      (∂δ_out/∂w = ∂ŷ/∂w)

For a hidden weight w_jk (input u = x_k; u = 1 for the bias b_j)
∂ŷ/∂w = w_out_j · f'(z_j) · u and ∂²ŷ/∂w² = w_out_j · f''(z_j) · u²; for
an output weight w_out_j, ∂ŷ/∂w = a_j (1 for b_out) and ∂²ŷ/∂w² = 0. The
first term is the loss's own curvature seen through the network, never
negative; the second is the network's curvature weighted by the error.

Every number comes from autograd (f'(z) and f''(z) by differentiating the
activation twice); the sum of the two terms is then checked against
autograd's own second derivative (``grad`` with ``create_graph=True``,
differentiated again) and a central finite difference of ∂L/∂w.
"""

import numpy as np

from ... import nn
from ...autograd import grad
from ...grad_mode import enable_grad
from ...tensor import Tensor
from ..i18n import resolve_lang, text
from ..report import render
from .names import Namer, choose_scheme
from .numtext import fmt
from .rows import Row
from .step import SYMBOLS, WHOLE_LAYER, _input, _layers

TABLE = {
    "title": {
        "en": "The curvature of L in {w}: ∂²L/∂{w}², traced",
        "zh": "L 在 {w} 方向上的曲率:∂²L/∂{w}²,逐项追踪",
    },
    "setup": {
        "en": "Network {arch}; loss L = ½(y − ŷ)²; one sample; every other weight held "
        "fixed. Forward pass: ŷ = {yhat}, y = {y}.",
        "zh": "网络 {arch};损失 L = ½(y − ŷ)²;一个样本;其余参数保持不变。前向传播:"
        "ŷ = {yhat},y = {y}。",
    },
    "first": {
        "en": "First derivative: the chain rule, as in the backward pass",
        "zh": "一阶导数:链式法则,与反向传播相同",
    },
    "second": {
        "en": "Second derivative: differentiate ∂L/∂{w} = δ_out · ∂ŷ/∂{w} once more in {w} "
        "(product rule)",
        "zh": "二阶导数:对 ∂L/∂{w} = δ_out · ∂ŷ/∂{w} 再关于 {w} 求一次导(乘积法则)",
    },
    "term1": {
        "en": "term 1, (∂ŷ/∂{w})² = {v}: the loss's own curvature (∂²L/∂ŷ² = 1) times how "
        "fast ŷ moves with {w}; it is never negative.",
        "zh": "第 1 项 (∂ŷ/∂{w})² = {v}:损失本身的曲率(∂²L/∂ŷ² = 1)乘以 ŷ 随 {w} "
        "变化的快慢的平方;它永远不为负。",
    },
    "term2": {
        "en": "term 2, δ_out · ∂²ŷ/∂{w}² = {v}: the network's own curvature in {w}, weighted "
        "by the error δ_out.",
        "zh": "第 2 项 δ_out · ∂²ŷ/∂{w}² = {v}:网络自身在 {w} 方向上的曲率,以误差 δ_out 加权。",
    },
    "term2_relu": {
        "en": "Here it is 0: relu is a straight line on each side of 0, so relu''(z) = 0 "
        "(a smooth activation such as tanh or σ gives a second term).",
        "zh": "这里它为 0:relu 在 0 的两侧都是直线,所以 relu''(z) = 0(tanh、σ 这类光滑的"
        "激活函数会带来第二项)。",
    },
    "term2_output": {
        "en": "Here it is 0: ŷ is linear in an output-layer weight.",
        "zh": "这里它为 0:ŷ 是输出层参数的线性函数。",
    },
    "rule_relu": {"en": "relu''(z) = 0 for z ≠ 0", "zh": "当 z ≠ 0 时 relu''(z) = 0"},
    "rule_σ": {
        "en": "σ''(z) = σ(z)(1 − σ(z))(1 − 2σ(z))",
        "zh": "σ''(z) = σ(z)(1 − σ(z))(1 − 2σ(z))",
    },
    "rule_tanh": {
        "en": "tanh''(z) = −2·tanh(z)·(1 − tanh²(z))",
        "zh": "tanh''(z) = −2·tanh(z)·(1 − tanh²(z))",
    },
    "rule_other": {
        "en": "{f}''(z): the activation differentiated twice by autograd",
        "zh": "{f}''(z):由 autograd 对激活函数求两次导得到",
    },
    "check": {"en": "Check", "zh": "核对"},
    "autograd": {
        "en": "autograd: grad(L, {w}, create_graph=True), differentiated again",
        "zh": "autograd:grad(L, {w}, create_graph=True) 再求一次导",
    },
    "fd": {
        "en": "finite difference: (∂L/∂{w} at {w} + h − ∂L/∂{w} at {w} − h) / 2h, h = {h}",
        "zh": "有限差分:(∂L/∂{w} 在 {w} + h 处 − 在 {w} − h 处)/ 2h,h = {h}",
    },
    "agree": {"en": "The three values agree.", "zh": "三个值一致。"},
    "differ": {
        "en": "The values differ by {d}: the formula does not describe this network.",
        "zh": "三个值相差 {d}:公式与这个网络不符。",
    },
    "newton": {
        "en": "What the curvature is for: a Newton step in {w} alone, Δ{w} = −(∂L/∂{w}) / "
        "(∂²L/∂{w}²) = {step}, jumps to the bottom of the parabola that matches L's slope "
        "and curvature at {w}; gradient descent's step is −η·∂L/∂{w}.",
        "zh": "曲率的用处:只沿 {w} 走一步牛顿法,Δ{w} = −(∂L/∂{w}) / (∂²L/∂{w}²) = {step},"
        "直接跳到与 L 在 {w} 处斜率和曲率都相同的抛物线的最低点;梯度下降的一步则是 "
        "−η·∂L/∂{w}。",
    },
    "not_convex": {
        "en": "∂²L/∂{w}² ≤ 0: L is not curved upwards in {w} here, so a Newton step would "
        "not go downhill.",
        "zh": "∂²L/∂{w}² ≤ 0:L 在这里沿 {w} 不是向上弯的,牛顿法的一步不会往下走。",
    },
    "col_name": {"en": "quantity", "zh": "量"},
    "col_formula": {"en": "formula", "zh": "公式"},
    "col_numbers": {"en": "with numbers", "zh": "代入数值"},
    "col_value": {"en": "value", "zh": "结果"},
}


def _network(model, loss_fn):
    """(hidden Linear, activation, output Linear) of an n → h f → 1 network."""
    layers = _layers(model)  # its errors name what is not a Sequential of Linear layers
    shape = " → ".join([str(layers[0].n_in)] + [str(L.n_out) for L in layers])
    if len(layers) != 2 or layers[0].act is None or layers[1].act is not None:
        raise TypeError(
            f"second_derivative: the network is {shape} with activations "
            f"{[type(L.act).__name__ if L.act else None for L in layers]}; expected one hidden "
            "layer with an activation and a linear output layer (Linear, activation, Linear)"
        )
    if isinstance(layers[0].act, WHOLE_LAYER) or layers[1].n_out != 1:
        raise TypeError(
            f"second_derivative: the network is {shape}; expected one output and an "
            "elementwise activation (not softmax)"
        )
    if not isinstance(loss_fn, nn.HalfSquaredError):
        raise TypeError(
            f"second_derivative: loss_fn is {type(loss_fn).__name__}; the formulas are written "
            "for nn.HalfSquaredError, L = ½(y − ŷ)²"
        )
    return layers[0].linear, layers[0].act, layers[1].linear


def _weights(namer, hidden, output):
    """{name: (Linear, index into its weight or bias, layer, j, k)}; k None for a bias."""
    out = {}
    for l, lin in ((1, hidden), (2, output)):
        for j in range(lin.out_features):
            for k in range(lin.in_features):
                out[namer.w(l, j, k)] = (lin.weight, (j, k), l, j, k)
            if lin.bias is not None:
                out[namer.b(l, j)] = (lin.bias, (j,), l, j, None)
    return out


def _derivatives(act, z):
    """f'(z) and f''(z) elementwise, by autograd (the first with create_graph=True,
    then differentiated again). A first derivative that autograd returns as a
    constant (relu's 0/1 mask: no graph) has f''(z) = 0."""
    zz = Tensor(z.copy(), requires_grad=True)
    with enable_grad():
        (d1,) = grad(act(zz).sum(), zz, create_graph=True)
        if not d1.requires_grad:
            return d1._data.copy(), np.zeros_like(z)
        (d2,) = grad(d1.sum(), zz, allow_unused=True)
    return d1._data.copy(), (np.zeros_like(z) if d2 is None else d2._data.copy())


def _loss(model, x, y, loss_fn):
    with enable_grad():
        yhat = model(x)
        return yhat, loss_fn(yhat, y)


def _autograd_second(model, x, y, loss_fn, p, idx):
    """(∂L/∂w, ∂²L/∂w²) by autograd: grad with create_graph=True, then grad again."""
    _, loss = _loss(model, x, y, loss_fn)
    with enable_grad():
        (g,) = grad(loss, p, create_graph=True)
        (hrow,) = grad(g[idx], p)
    return float(g._data[idx]), float(hrow._data[idx])


def _finite_difference(model, x, y, loss_fn, p, idx, h):
    """(∂L/∂w(w + h) − ∂L/∂w(w − h)) / 2h, each ∂L/∂w by a first-order backward."""
    old = float(p._data[idx])
    slopes = []
    try:
        for w in (old + h, old - h):
            p._data[idx] = w
            _, loss = _loss(model, x, y, loss_fn)
            slopes.append(float(grad(loss, p)[0]._data[idx]))
    finally:
        p._data[idx] = old
    return (slopes[0] - slopes[1]) / (2 * h)


def second_derivative(model, x, y, loss_fn, weight="w11", lang=None, h=1e-4):
    """∂²L/∂``weight``² for one sample (x, y), term by term; returns a
    ``SecondDerivative``. ``weight`` is a name of the article's notation
    (w11, b1, w_out1, b_out; ``trace_step`` shows them)."""
    hidden, act, output = _network(model, loss_fn)
    x = _input(x, hidden.weight.dtype, hidden.in_features)
    if x.numel() != hidden.in_features:
        raise ValueError(
            f"second_derivative: x has shape {x.shape}, expected one sample "
            f"({hidden.in_features} features)"
        )
    x = x.reshape(1, hidden.in_features)
    y = Tensor(np.asarray(y._data if isinstance(y, Tensor) else y, dtype=x.dtype).reshape(1, 1))
    sizes = [hidden.in_features, hidden.out_features, 1]
    nm = Namer(sizes, [True, False], choose_scheme(sizes, "auto"))
    table = _weights(nm, hidden, output)
    if weight not in table:
        raise ValueError(
            f"second_derivative: no weight named {weight!r} in this network; names: "
            f"{', '.join(table)}"
        )
    p, idx, layer, j, k = table[weight]
    with enable_grad():
        z = hidden(x)
        a = act(z)
        yhat = output(a)
        loss = loss_fn(yhat, y)
        (d_out,) = grad(loss, yhat)
    Z, A = z._data[0].astype(np.float64), a._data[0].astype(np.float64)
    X, W_out = x._data[0].astype(np.float64), output.weight._data[0].astype(np.float64)
    fp, fpp = _derivatives(act, Z)
    s = _Sums(weight, nm, SYMBOLS[type(act)], float(yhat.item()), float(y.item()))
    s.d_out = float(d_out.item())
    if layer == 1:
        u = 1.0 if k is None else X[k]
        s.hidden_rows(j, k, W_out[j], Z[j], fp[j], fpp[j], u)
    else:
        s.output_rows(j, A[j] if k is None else A[k], k)
    first, auto = _autograd_second(model, x, y, loss_fn, p, idx)
    fd = _finite_difference(model, x, y, loss_fn, p, idx, h)
    arch = f"{sizes[0]} → {sizes[1]} {s.sym} → 1"
    return SecondDerivative(s, first, auto, fd, h, arch, resolve_lang(lang))


class _Sums:
    """The rows of the two derivatives, built from the numbers autograd gave."""

    def __init__(self, weight, namer, sym, yhat, y):
        self.w, self.nm, self.sym, self.yhat, self.y = weight, namer, sym, yhat, y
        self.first, self.second, self.rule_key, self.zero_key = [], [], None, None

    def _common(self, g, g2):
        w, d = self.w, self.d_out
        self.dy, self.d2y = g, g2
        self.value = g * g + d * g2
        self.first.insert(0, Row("δ_out", "∂L/∂ŷ = ŷ − y", d, (self.yhat, self.y), "{0} − {1}"))
        self.first.append(Row(f"∂L/∂{w}", f"δ_out · ∂ŷ/∂{w}", d * g, (d, g), "{0} × {1}"))
        self.second.insert(
            0, Row(f"∂²L/∂{w}²", f"∂δ_out/∂{w} · ∂ŷ/∂{w} + δ_out · ∂²ŷ/∂{w}²", kind="rule")
        )
        self.second.insert(1, Row(f"∂δ_out/∂{w}", f"∂(ŷ − y)/∂{w} = ∂ŷ/∂{w}", g))
        self.second.append(
            Row(
                f"∂²L/∂{w}²",
                f"∂ŷ/∂{w} · ∂ŷ/∂{w} + δ_out · ∂²ŷ/∂{w}²",
                self.value,
                (g, g, d, g2),
                "{0} × {1} + {2} × {3}",
            )
        )

    def hidden_rows(self, j, k, w_out, z, fp, fpp, u):
        nm, w, f = self.nm, self.w, self.sym
        wo, zn = nm.w(2, 0, j), nm.z(1, j)
        un = "" if k is None else nm.x(k)
        times_u = "" if k is None else f" · {un}"
        slots_u = "" if k is None else " × {2}"
        self.first += [
            Row(f"{f}'({zn})", value=fp),
            Row(
                f"∂ŷ/∂{w}",
                f"{wo} · {f}'({zn}){times_u}",
                w_out * fp * u,
                (w_out, fp, u),
                "{0} × {1}" + slots_u,
            ),
        ]
        self.rule_key = f"rule_{f}" if f"rule_{f}" in TABLE else "rule_other"
        g2 = w_out * fpp * u * u
        self.second += [
            Row(key=self.rule_key, params={"f": f}, kind="rule"),
            Row(f"{f}''({zn})", value=fpp),
            Row(
                f"∂²ŷ/∂{w}²",
                f"{wo} · {f}''({zn})" + ("" if k is None else f" · {un}²"),
                g2,
                (w_out, fpp, u),
                "{0} × {1}" + ("" if k is None else " × {2}²"),
            ),
        ]
        if f == "relu":
            self.zero_key = "term2_relu"
        self._common(w_out * fp * u, g2)

    def output_rows(self, j, a, k):
        w = self.w
        an = self.nm.a(1, k) if k is not None else None
        if an is None:
            self.first.append(Row(f"∂ŷ/∂{w}", "", 1.0))
            self.second.append(Row(f"∂²ŷ/∂{w}²", f"∂(1)/∂{w}", 0.0))
        else:
            self.first.append(Row(f"∂ŷ/∂{w}", an, a, (a,), "{0}"))
            self.second.append(Row(f"∂²ŷ/∂{w}²", f"∂{an}/∂{w}", 0.0))
        self.zero_key = "term2_output"
        self._common(1.0 if an is None else a, 0.0)


class SecondDerivative(render.Rendered):
    """∂²L/∂w² of one weight: ``value`` (the two terms summed), ``autograd``
    (grad of grad), ``finite_difference``, ``first`` (∂L/∂w), the rows, and
    ``to_text()``, ``to_markdown()``, ``to_html()`` in English or Chinese."""

    def __init__(self, sums, first, auto, fd, h, arch, lang):
        self.weight, self.value, self.gradient = sums.w, sums.value, first
        self.autograd, self.finite_difference, self.h = auto, fd, h
        self.term1, self.term2 = sums.dy * sums.dy, sums.d_out * sums.d2y
        self.first_rows, self.second_rows = sums.first, sums.second
        self.zero_key, self.architecture, self.lang = sums.zero_key, arch, lang
        self.yhat, self.y = sums.yhat, sums.y

    def doc(self, lang=None, digits=4):
        lang = resolve_lang(lang or self.lang)
        t = lambda key, **kw: text(TABLE, key, lang, w=self.weight, **kw)  # noqa: E731
        f = lambda v: fmt(v, digits)  # noqa: E731
        d = render.Doc()
        d.title(t("title"))
        d.para(t("setup", arch=self.architecture, yhat=f(self.yhat), y=f(self.y)))
        headers = [t("col_name"), t("col_formula"), t("col_numbers"), t("col_value")]
        d.heading(t("first"))
        d.equations(headers, [r.cells(TABLE, lang, digits) for r in self.first_rows])
        d.heading(t("second"))
        d.equations(headers, [r.cells(TABLE, lang, digits) for r in self.second_rows])
        d.para(t("term1", v=f(self.term1)))
        d.para(t("term2", v=f(self.term2)))
        if self.zero_key:
            d.para(t(self.zero_key))
        d.heading(t("check"))
        checks = [
            Row(f"∂²L/∂{self.weight}²", value=self.value),
            Row(t("autograd"), value=self.autograd),
            Row(t("fd", h=f"{self.h:g}"), value=self.finite_difference),
        ]
        d.equations(headers, [r.cells(TABLE, lang, digits) for r in checks])
        spread = max(self.value, self.autograd, self.finite_difference) - min(
            self.value, self.autograd, self.finite_difference
        )
        tol = 1e-5 * max(1.0, abs(self.autograd))
        d.para(t("agree") if spread <= tol else t("differ", d=f"{spread:.2e}"))
        if self.value > 0:
            d.para(t("newton", step=f(-self.gradient / self.value)))
        else:
            d.para(t("not_convex"))
        return d

    def __repr__(self):
        return (
            f"<SecondDerivative ∂²L/∂{self.weight}² = {self.value:.6g} "
            f"(autograd {self.autograd:.6g})>"
        )
