"""Seeing a convolution: the kernel, one output position's dot product with
its numbers, and the kernel's gradient.

A 2-D convolution slides the kernel over the input; one output value is

    out[n, o, i, j] = b[o] + Σ_c Σ_p Σ_q W[o, c, p, q] · x[n, c, i·s + p·d − pad, j·s + q·d − pad]

(s stride, d dilation, pad padding): a dot product of the kernel with the
patch under it. Backward is the same sum read the other way: each kernel
weight met every patch, so ∂L/∂W[o, c, p, q] = Σ_{n,i,j} δ[n, o, i, j] · patch_{n,i,j}[c, p, q]
with δ = ∂L/∂out, and ∂L/∂b[o] = Σ_{n,i,j} δ[n, o, i, j].
"""

import numpy as np

from ...grad_mode import no_grad
from ...tensor import Tensor
from ..i18n import resolve_lang, text

TABLE = {
    "title": {
        "en": "Convolution {layer}, output position (n={n}, o={o}, i={i}, j={j})",
        "zh": "卷积层 {layer},输出位置 (n={n}, o={o}, i={i}, j={j})",
    },
    "kernel": {
        "en": "Kernel W[{o}] (in_channels × kH × kW):",
        "zh": "卷积核 W[{o}](输入通道 × kH × kW):",
    },
    "patch": {
        "en": "The input patch under it (zeros where it hangs over the padding):",
        "zh": "它覆盖的输入块(落在填充区的部分为 0):",
    },
    "dot": {
        "en": "out = b + Σ W · patch = {b} + {sum} = {out}   (the layer's own output: {layer_out})",
        "zh": "out = b + Σ W · patch = {b} + {sum} = {out}   (该层自己的输出:{layer_out})",
    },
    "terms": {"en": "the largest terms W·x: {terms}", "zh": "最大的几项 W·x:{terms}"},
    "delta": {
        "en": "δ = ∂L/∂out at this position = {delta}",
        "zh": "该位置的 δ = ∂L/∂out = {delta}",
    },
    "grad": {
        "en": "∂L/∂W[{o}] = Σ over every position of δ · patch (autograd's .grad):",
        "zh": "∂L/∂W[{o}] = 对所有位置求和 δ · patch(取自 autograd 的 .grad):",
    },
    "grad_b": {
        "en": "∂L/∂b[{o}] = Σ δ over every position = {gb}",
        "zh": "∂L/∂b[{o}] = 对所有位置求和 δ = {gb}",
    },
    "check": {
        "en": "this position's share of it, δ · patch:",
        "zh": "其中这一位置贡献的 δ · patch:",
    },
}


class ConvTrace:
    """What ``trace_conv`` found; ``to_text()`` renders it."""

    def __init__(self, **fields):
        self.__dict__.update(fields)

    def to_text(self, digits=4):
        lang = self.lang
        f = lambda v: f"{float(v):.{digits}f}"  # noqa: E731
        lines = [
            text(
                TABLE,
                "title",
                lang,
                layer=self.layer_repr,
                n=self.position[0],
                o=self.position[1],
                i=self.position[2],
                j=self.position[3],
            ),
            text(TABLE, "kernel", lang, o=self.position[1]),
            _grid(self.kernel, f),
            text(TABLE, "patch", lang),
            _grid(self.patch, f),
            text(
                TABLE,
                "dot",
                lang,
                b=f(self.bias),
                sum=f(self.dot),
                out=f(self.value),
                layer_out=f(self.layer_value),
            ),
            text(
                TABLE, "terms", lang, terms=", ".join(f"{f(w)}×{f(x)}" for w, x in self.top_terms)
            ),
        ]
        if self.delta is not None:
            lines += [
                text(TABLE, "delta", lang, delta=f(self.delta)),
                text(TABLE, "check", lang),
                _grid(self.delta * self.patch, f),
                text(TABLE, "grad", lang, o=self.position[1]),
                _grid(self.kernel_grad, f),
                text(TABLE, "grad_b", lang, o=self.position[1], gb=f(self.bias_grad)),
            ]
        return "\n".join(lines)

    __str__ = to_text


def _grid(arr, f):
    return "\n".join(
        "  [" + "\n   ".join(" ".join(f"{f(v):>8}" for v in row) for row in ch) + "]" for ch in arr
    )


def _pair(v):
    return tuple(v) if isinstance(v, (tuple, list)) else (v, v)


def trace_conv(conv, x, position=(0, 0, 0, 0), loss_fn=None, target=None, lang=None):
    """Trace one output value of a ``nn.Conv2d`` (groups=1) on input ``x`` (N, C, H, W).

    With ``loss_fn`` and ``target`` (applied to the layer's output), also runs
    backward and reports δ at the position and the kernel's gradient (read
    from ``.grad``); the layer's existing ``.grad`` is restored afterwards."""
    if getattr(conv, "groups", 1) != 1 or conv.weight.ndim != 4:
        raise TypeError(
            f"trace_conv: expects an nn.Conv2d with groups=1, got {type(conv).__name__}"
        )
    if isinstance(conv.padding, str):
        raise ValueError("trace_conv: give the layer numeric padding (not 'same'/'valid')")
    x = x if isinstance(x, Tensor) else Tensor(np.asarray(x, dtype=conv.weight.dtype))
    n, o, i, j = position
    sh, sw = _pair(conv.stride)
    ph, pw = _pair(conv.padding)
    dh, dw = _pair(conv.dilation)
    w = conv.weight._data[o]
    kh, kw = w.shape[1:]
    padded = np.pad(x._data[n], ((0, 0), (ph, ph), (pw, pw)))
    rows = i * sh + dh * np.arange(kh)
    cols = j * sw + dw * np.arange(kw)
    patch = padded[:, rows[:, None], cols[None, :]]
    bias = float(conv.bias._data[o]) if conv.bias is not None else 0.0
    terms = (w * patch).ravel()
    order = np.argsort(-np.abs(terms))[:3]
    saved = [(p, p.grad) for p in conv.parameters()]
    delta = kernel_grad = bias_grad = None
    try:
        for p, _ in saved:
            p.grad = None
        if loss_fn is not None:
            out = conv(x)
            out.retain_grad()
            loss_fn(out, target).backward()
            delta = float(out.grad._data[n, o, i, j])
            kernel_grad = conv.weight.grad._data[o].copy()
            bias_grad = float(conv.bias.grad._data[o]) if conv.bias is not None else 0.0
        else:
            with no_grad():
                out = conv(x)
    finally:
        for p, g in saved:
            p.grad = g
    dot = float(terms.sum())
    return ConvTrace(
        lang=resolve_lang(lang),
        layer_repr=repr(conv),
        position=(n, o, i, j),
        kernel=w.copy(),
        patch=patch,
        bias=bias,
        dot=dot,
        value=bias + dot,
        layer_value=float(out._data[n, o, i, j]),
        top_terms=[(w.ravel()[k], patch.ravel()[k]) for k in order],
        delta=delta,
        kernel_grad=kernel_grad,
        bias_grad=bias_grad,
    )
