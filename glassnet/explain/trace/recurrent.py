"""Seeing backpropagation through time: how big ∂L/∂hₜ is at each step.

The loss is computed from the last step; its gradient reaches step t only
by passing back through every later step. In a tanh RNN each step
multiplies it by Wₕₕᵀ·diag(1 − hₜ²), which usually shrinks it (vanishing
gradients); in an LSTM the cell state carries it through cₜ = fₜ ⊙ cₜ₋₁ + …,
multiplied only by the forget gate, so it survives many steps when the
gate is open (fₜ near 1: what training on long dependencies learns, and
what the usual forget-gate bias initialization of about 1–3 starts from;
with fₜ ≈ 0.5 it halves at every step).

``gradient_flow(model, x, y, loss_fn)`` unrolls layer 0 of an ``nn.RNN``,
``nn.LSTM`` or ``nn.GRU`` step by step with the module's own weights (the
result is checked against the module's output), keeps every hₜ's gradient
(``retain_grad``) and reports ‖∂L/∂hₜ‖ for each step, as a table and a plot.
"""

import numpy as np

from ...functions import api
from ...tensor import Tensor
from ..i18n import resolve_lang, text

TABLE = {
    "title": {
        "en": "Gradient flowing back through time ({kind}, {steps} steps)",
        "zh": "梯度沿时间反向流动({kind},{steps} 步)",
    },
    "head": {
        "en": "  step t   ‖∂L/∂hₜ‖      relative to the last step",
        "zh": "  步 t     ‖∂L/∂hₜ‖      相对最后一步",
    },
    "xlabel": {"en": "time step t", "zh": "时间步 t"},
    "ylabel": {"en": "‖∂L/∂hₜ‖ (log scale)", "zh": "‖∂L/∂hₜ‖(对数坐标)"},
}


def _unroll(module, x):
    """Layer 0, forward direction, with autograd: the list of hₜ (batch_first input)."""
    kind = type(module).__name__
    w_ih, w_hh = module.weight_ih_l0, module.weight_hh_l0
    b_ih = getattr(module, "bias_ih_l0", None)
    b_hh = getattr(module, "bias_hh_l0", None)
    hidden = module.hidden_size
    batch, steps = x.shape[0], x.shape[1]
    h = Tensor(np.zeros((batch, hidden), dtype=x.dtype))
    c = Tensor(np.zeros((batch, hidden), dtype=x.dtype)) if kind == "LSTM" else None
    hs = []
    for t in range(steps):
        xt = x[:, t]
        gi = api.linear(xt, w_ih, b_ih)
        gh = api.linear(h, w_hh, b_hh)
        if kind == "LSTM":
            i, f, g, o = api.chunk(gi + gh, 4, dim=1)
            c = f.sigmoid() * c + i.sigmoid() * g.tanh()
            h = o.sigmoid() * c.tanh()
        elif kind == "GRU":
            ir, iz, in_ = api.chunk(gi, 3, dim=1)
            hr, hz, hn = api.chunk(gh, 3, dim=1)
            r = (ir + hr).sigmoid()
            z = (iz + hz).sigmoid()
            n = (in_ + r * hn).tanh()
            h = (1 - z) * n + z * h
        else:
            pre = gi + gh
            h = pre.relu() if getattr(module, "nonlinearity", "tanh") == "relu" else pre.tanh()
        h.retain_grad()
        hs.append(h)
    return hs


class GradientFlow:
    """‖∂L/∂hₜ‖ per step (``.norms``), with ``to_text()`` and ``plot()``."""

    def __init__(self, kind, norms, lang):
        self.kind, self.norms, self.lang = kind, np.asarray(norms), lang

    def to_text(self):
        last = self.norms[-1] if self.norms[-1] else 1.0
        lines = [
            text(TABLE, "title", self.lang, kind=self.kind, steps=len(self.norms)),
            text(TABLE, "head", self.lang),
        ]
        for t, v in enumerate(self.norms):
            lines.append(f"  {t + 1:>6}   {v:11.4e}   {v / last:11.4e}")
        return "\n".join(lines)

    __str__ = to_text

    def plot(self, path=None, others=()):
        """A log-scale plot of ‖∂L/∂hₜ‖ against t (with other flows to compare)."""
        from ..plots.common import finish, new_figure, use_fonts

        fig = new_figure(path, figsize=(6, 3.6))
        ax = fig.add_subplot(1, 1, 1)
        for flow in (self, *others):
            ax.semilogy(
                np.arange(1, len(flow.norms) + 1),
                np.maximum(flow.norms, 1e-30),
                marker="o",
                ms=3,
                label=flow.kind,
            )
        ax.set_xlabel(text(TABLE, "xlabel", self.lang))
        ax.set_ylabel(text(TABLE, "ylabel", self.lang))
        ax.set_title(
            text(
                TABLE,
                "title",
                self.lang,
                kind=" / ".join(f.kind for f in (self, *others)),
                steps=len(self.norms),
            )
        )
        ax.grid(alpha=0.3)
        ax.legend()
        use_fonts(fig, self.lang)  # before the layout measures the (Chinese) text
        fig.tight_layout()
        return finish(fig, path, self.lang)


def gradient_flow(module, x, y, loss_fn, lang=None):
    """Unroll ``module`` (nn.RNN/LSTM/GRU, batch_first input (N, T, F)) on ``x``,
    apply ``loss_fn`` to the last hidden state against ``y`` and return the
    GradientFlow of ‖∂L/∂hₜ‖ for t = 1…T. The module's ``.grad`` are left as
    they were."""
    kind = type(module).__name__
    if kind not in ("RNN", "LSTM", "GRU"):
        raise TypeError(f"gradient_flow: expects an nn.RNN, nn.LSTM or nn.GRU, got {kind}")
    if not getattr(module, "batch_first", False):
        raise ValueError("gradient_flow: build the module with batch_first=True")
    x = x if isinstance(x, Tensor) else Tensor(x)
    saved = [(p, p.grad) for p in module.parameters()]
    try:
        hs = _unroll(module, x)
        out, _ = module(x)
        if not np.allclose(out._data[:, -1], hs[-1]._data, rtol=1e-4, atol=1e-5):
            raise AssertionError(
                "gradient_flow: the unrolled steps do not reproduce the module's output"
            )
        loss_fn(hs[-1], y).backward()
        norms = [float(np.linalg.norm(h.grad._data)) for h in hs]
    finally:
        for p, g in saved:
            p.grad = g
    return GradientFlow(kind, norms, resolve_lang(lang))
