"""The network diagram: neurons in layers, and a link for every weight,
drawn as TensorFlow Playground draws them (orange: negative, blue:
positive; line width: magnitude). ``show="gradients"`` sizes the links by
|∂L/∂w| from one backward pass instead: the backward pass made visible.

    svg = network_svg(model, x, y, nn.HalfSquaredError(), show="gradients")
    save_svg(svg, "net.svg")

Every neuron is one ``<g class="neuron" data-layer data-index>`` and every
link one ``<line class="link" data-from="layer:index" data-to=...>``, each
with a ``<title>`` tooltip and ``data-*`` attributes holding exact numbers:
links ``data-weight`` and ``data-grad`` (∂L/∂w); neurons ``data-value`` (x
on the input layer, a = f(z) elsewhere), ``data-z``, ``data-bias``,
``data-delta`` (δ = ∂L/∂z; ∂L/∂x on the input layer), ``data-delta-a``
(∂L/∂a) and ``data-bias-grad``, as far as they are known. A layer with
more than ``max_neurons`` neurons is drawn with its first and last
``max_neurons // 3`` and an ``<g class="ellipsis" data-hidden-count=...>``
marker; links are drawn between drawn neurons only.
"""

import numpy as np

from ..i18n import resolve_lang, text
from . import svg as S
from .network import ACTIVATIONS as ACTIVATIONS  # re-exported: diagram.ACTIVATIONS as before
from .network import forward_backward, linear_layers

ORANGE = "#f59322"  # negative (TensorFlow Playground)
BLUE = "#0877bd"  # positive
GREY = "#b0b0b0"  # exactly zero
MIN_WIDTH, MAX_WIDTH = 0.5, 7.0


TEXT = {
    "weights": {"en": "Network: links show the weights w", "zh": "网络结构：连线表示权重 w"},
    "gradients": {
        "en": "Backward pass: links show the gradients ∂L/∂w (loss L = {loss})",
        "zh": "反向传播：连线表示梯度 ∂L/∂w（损失 L = {loss}）",
    },
    "input": {"en": "input", "zh": "输入层"},
    "hidden": {"en": "hidden {n}", "zh": "隐藏层 {n}"},
    "output": {"en": "output", "zh": "输出层"},
    "neg": {"en": "negative ({v} < 0)", "zh": "负（{v} < 0）"},
    "pos": {"en": "positive ({v} > 0)", "zh": "正（{v} > 0）"},
    "width_w": {"en": "line width ∝ |w|", "zh": "线宽 ∝ |w|"},
    "width_g": {"en": "line width ∝ |∂L/∂w|", "zh": "线宽 ∝ |∂L/∂w|"},
    "more": {"en": "{n} more", "zh": "另有 {n} 个"},
    "more_title": {
        "en": "{n} neurons not drawn ({first}–{last})",
        "zh": "{n} 个神经元未画出（{first}–{last}）",
    },
    "neuron": {"en": "{layer}, neuron {i}", "zh": "{layer}，第 {i} 个神经元"},
    "link": {"en": "{dst} ← {src}", "zh": "{dst} ← {src}"},
    "sample": {"en": "values for the first input row", "zh": "数值对应第一行输入"},
}


def _drawn(n, max_neurons):
    """The neuron indices to draw, with None where the ellipsis goes."""
    if n <= max_neurons:
        return list(range(n))
    k = max(1, max_neurons // 3)
    return list(range(k)) + [None] + list(range(n - k, n))


def _layer_names(layers, lang):
    names = [text(TEXT, "input", lang)]
    for i in range(len(layers)):
        last = i == len(layers) - 1
        names.append(text(TEXT, "output", lang) if last else text(TEXT, "hidden", lang, n=i + 1))
    return names


def _color(v):
    return ORANGE if v < 0 else BLUE if v > 0 else GREY


def _width(v, top, widest):
    return MIN_WIDTH + (widest - MIN_WIDTH) * (abs(v) / top if top > 0 else 0.0)


def network_svg(
    model,
    x=None,
    y=None,
    loss_fn=None,
    show="weights",
    values="auto",
    lang=None,
    width=None,
    height=None,
    max_neurons=24,
):
    """An SVG (str) of ``model`` (a Linear, or a Sequential of Linear and
    activation modules): neurons in layers and one link per weight.

    ``show="weights"`` colours links by the sign of w and sizes them by |w|
    (relative to the largest |w| in the model); ``show="gradients"`` runs one
    forward and backward pass of ``loss_fn(model(x), y)`` and uses ∂L/∂w
    (the model's weights and ``.grad`` are left as they were). ``values``
    writes z, a (and δ = ∂L/∂z when a loss is given) on each neuron for the
    first row of ``x``; "auto" does so when x is given and no layer has more
    than 10 neurons. ``width``/``height`` scale the drawing (pixels); layers
    with more than ``max_neurons`` neurons are drawn elided (see the module).
    """
    fn = "network_svg"
    layers = linear_layers(model)
    lang = resolve_lang(lang)
    if show not in ("weights", "gradients"):
        raise ValueError(f"{fn}: show must be 'weights' or 'gradients', got {show!r}")
    if values not in (True, False, "auto"):
        raise ValueError(f"{fn}: values must be True, False or 'auto', got {values!r}")
    if isinstance(max_neurons, bool) or not isinstance(max_neurons, int) or max_neurons < 3:
        raise ValueError(f"{fn}: max_neurons must be an int >= 3, got {max_neurons!r}")
    width, height = S.check_size(width, "width", fn), S.check_size(height, "height", fn)
    if (y is None) != (loss_fn is None):
        raise ValueError(f"{fn}: y and loss_fn go together (the loss is loss_fn(model(x), y))")
    if show == "gradients" and (x is None or loss_fn is None):
        raise ValueError(
            f"{fn}: show='gradients' needs x, y and loss_fn, to run one forward and backward pass"
        )
    if loss_fn is not None and x is None:
        raise ValueError(f"{fn}: a loss needs an input x")
    if loss_fn is not None and not callable(loss_fn):
        raise TypeError(f"{fn}: loss_fn must be callable, got {type(loss_fn).__name__}")
    sizes = [layers[0][0].in_features] + [lin.out_features for lin, _ in layers]
    if values is True and x is None:
        raise ValueError(f"{fn}: values=True needs an input x to compute the values")
    show_values = x is not None and (values is True or (values == "auto" and max(sizes) <= 10))
    run = None if x is None else forward_backward(layers, x, y, loss_fn)
    return _draw(layers, sizes, run, show, show_values, lang, width, height, max_neurons)


def _draw(layers, sizes, run, show, show_values, lang, width, height, max_neurons):
    names = _layer_names(layers, lang)
    grads = show == "gradients"
    loss = "" if run is None or run["loss"] is None else S.short(run["loss"])
    heading = text(TEXT, "gradients", lang, loss=loss) if grads else text(TEXT, "weights", lang)
    r = 27 if show_values else 13
    pitch = 2 * r + (16 if show_values else 12)
    col = 190 if show_values else 150
    top, margin, bottom = 70, 60, 60
    drawn = [_drawn(n, max_neurons) for n in sizes]
    inner = max(len(d) for d in drawn) * pitch
    net_w = col * (len(sizes) - 1) + 2 * r
    vw = 2 * margin + max(net_w, S.text_width(heading, 15), 430)
    vh = top + inner + bottom
    left = (vw - net_w) / 2 + r
    pos = []
    for li, d in enumerate(drawn):
        y0 = top + (inner - len(d) * pitch) / 2 + pitch / 2
        pos.append({i: (left + li * col, y0 + k * pitch) for k, i in enumerate(d)})
    mats = [L["gw"] for L in run["layers"]] if grads else [lin.weight._data for lin, _ in layers]
    top_mag = max(float(np.abs(m).max()) if m.size else 0.0 for m in mats)
    n_links = sum(
        sum(i is not None for i in a) * sum(j is not None for j in b)
        for a, b in zip(drawn, drawn[1:])
    )
    widest = max(1.5, MAX_WIDTH * min(1.0, (40 / max(n_links, 1)) ** 0.5))

    out = []
    for li, (lin, _) in enumerate(layers):
        w, gw = lin.weight._data, None if run is None else run["layers"][li]["gw"]
        for i, (x1, y1) in pos[li].items():
            if i is None:
                continue
            for j, (x2, y2) in pos[li + 1].items():
                if j is None:
                    continue
                out.append(
                    _link(
                        li,
                        i,
                        j,
                        w[j, i],
                        None if gw is None else gw[j, i],
                        grads,
                        (top_mag, widest),
                        (x1 + r, y1, x2 - r, y2),
                        names,
                        lang,
                    )
                )
    for li, d in enumerate(drawn):
        out.append(
            _layer(li, d, sizes[li], pos[li], layers, run, names, lang, r, show_values, grads)
        )
    out.append(S.text_el(margin, 28, heading, font_size=15, font_weight="bold", class_="heading"))
    out.append(_legend(lang, grads, margin, vh - 24, run is not None and run["rows"] > 1))
    return S.document(
        "\n".join(out),
        width or (vw * height / vh if height else vw),
        height or (vh * width / vw if width else vh),
        vw,
        vh,
        title_text=heading,
        class_="glassnet-network",
        data_show=show,
        data_lang=lang,
    )


def _link(li, i, j, w, g, grads, scale, xy, names, lang):
    v = g if grads else w
    x1, y1, x2, y2 = xy
    tip = [
        text(
            TEXT,
            "link",
            lang,
            dst=text(TEXT, "neuron", lang, layer=names[li + 1], i=j + 1),
            src=text(TEXT, "neuron", lang, layer=names[li], i=i + 1),
        ),
        f"w = {S.exact(w)}",
    ]
    if g is not None:
        tip.append(f"∂L/∂w = {S.exact(g)}")
    return S.element(
        "line",
        S.title("\n".join(tip)),
        class_="link",
        data_layer=li + 1,
        data_from=f"{li}:{i}",
        data_to=f"{li + 1}:{j}",
        data_weight=S.exact(w),
        data_grad=None if g is None else S.exact(g),
        x1=S.num(x1),
        y1=S.num(y1),
        x2=S.num(x2),
        y2=S.num(y2),
        stroke=_color(v),
        stroke_width=S.num(_width(v, *scale), 3),
        stroke_opacity="0.75",
        stroke_linecap="round",
    )


def _neuron_numbers(li, i, layers, run):
    """({name: number} for the data attributes and tooltip, label lines) for
    neuron i of layer li (0 is the input layer)."""
    data, label = {}, []
    if li == 0:
        if run is not None:
            data["value"] = run["x"][i]
            label.append(f"x={S.short(run['x'][i], 3)}")
            if run["dx"] is not None:
                data["delta"] = run["dx"][i]
        return data, label
    lin, acts = layers[li - 1]
    if lin.bias is not None:
        data["bias"] = lin.bias._data[i]
    if run is not None:
        L = run["layers"][li - 1]
        data["z"], data["value"] = L["z"][i], L["a"][i]
        label.append(f"z={S.short(L['z'][i], 3)}")
        if acts:
            label.append(f"a={S.short(L['a'][i], 3)}")
        if L["dz"] is not None:
            data["delta"] = L["dz"][i]
            label.append(f"δ={S.short(L['dz'][i], 3)}")
            if acts and L["da"] is not None:
                data["delta-a"] = L["da"][i]
        if L["gb"] is not None:
            data["bias-grad"] = L["gb"][i]
    return data, label


INPUT_TIP_NAMES = {"value": "x", "delta": "∂L/∂x"}
TIP_NAMES = {
    "value": "a",
    "z": "z",
    "bias": "b",
    "delta": "δ = ∂L/∂z",
    "delta-a": "∂L/∂a",
    "bias-grad": "∂L/∂b",
}


def _layer(li, drawn, size, pos, layers, run, names, lang, r, show_values, grads):
    acts = "+".join(type(a).__name__ for a in layers[li - 1][1]) if li else ""
    hidden = size - sum(i is not None for i in drawn)
    x0 = next(iter(pos.values()))[0]
    parts = [
        S.text_el(
            x0,
            54,
            names[li],
            text_anchor="middle",
            font_size=13,
            font_weight="bold",
            class_="layer-label",
        )
    ]
    if acts:
        parts.append(
            S.text_el(
                x0, 67, acts, text_anchor="middle", font_size=10, fill="#555", class_="activation"
            )
        )
    for i, (x, y) in pos.items():
        if i is None:
            parts.append(_ellipsis(li, x, y, hidden, drawn, lang))
            continue
        data, label = _neuron_numbers(li, i, layers, run)
        tip_names = INPUT_TIP_NAMES if li == 0 else TIP_NAMES
        tip = [text(TEXT, "neuron", lang, layer=names[li], i=i + 1)]
        tip += [f"{tip_names[k]} = {S.exact(v)}" for k, v in data.items()]
        inner = [
            S.element(
                "circle",
                cx=S.num(x),
                cy=S.num(y),
                r=r,
                fill="#ffffff",
                stroke="#333333",
                stroke_width=1.5,
            )
        ]
        if show_values:
            lines = label if (grads or li == 0) else [s for s in label if not s.startswith("δ")]
            y0 = y - (len(lines) - 1) * 5.5 + 3
            for k, s in enumerate(lines):
                inner.append(S.text_el(x, y0 + k * 11, s, text_anchor="middle", font_size=9))
        inner.append(S.title("\n".join(tip)))
        attrs = {f"data_{k.replace('-', '_')}": S.exact(v) for k, v in data.items()}
        parts.append(
            S.element("g", "".join(inner), class_="neuron", data_layer=li, data_index=i, **attrs)
        )
    return S.element(
        "g",
        "\n".join(parts),
        class_="layer",
        data_layer=li,
        data_size=size,
        data_drawn=size - hidden,
        data_hidden_count=hidden,
        data_activation=acts or None,
    )


def _ellipsis(li, x, y, hidden, drawn, lang):
    k = drawn.index(None)
    first, last = drawn[k - 1] + 2, drawn[k + 1]
    tip = text(TEXT, "more_title", lang, n=hidden, first=first, last=last)
    return S.element(
        "g",
        S.text_el(x, y - 2, "⋮", text_anchor="middle", font_size=18)
        + S.text_el(
            x,
            y + 14,
            text(TEXT, "more", lang, n=hidden),
            text_anchor="middle",
            font_size=9,
            fill="#555",
        )
        + S.title(tip),
        class_="ellipsis",
        data_layer=li,
        data_hidden_count=hidden,
    )


def _legend(lang, grads, x, y, batch):
    parts = []
    v = "∂L/∂w" if grads else "w"
    for k, (color, key) in enumerate(((ORANGE, "neg"), (BLUE, "pos"))):
        x0 = x + k * 150
        parts.append(
            S.element(
                "line",
                x1=x0,
                y1=y,
                x2=x0 + 26,
                y2=y,
                stroke=color,
                stroke_width=4,
                stroke_linecap="round",
            )
        )
        parts.append(S.text_el(x0 + 32, y + 4, text(TEXT, key, lang, v=v), font_size=11))
    parts.append(
        S.text_el(x + 300, y + 4, text(TEXT, "width_g" if grads else "width_w", lang), font_size=11)
    )
    if batch:
        parts.append(S.text_el(x, y + 18, text(TEXT, "sample", lang), font_size=10, fill="#555"))
    return S.element("g", "".join(parts), class_="legend")
