"""The rows of a summarised step trace, for networks too big to list:
per layer one row per quantity (its values summarised as min/mean/max/norm),
the ``top`` largest |∂L/∂w| of each layer written out in full with their
updates, and counts (dead ReLUs, exactly-zero gradients)."""

import numpy as np

from .full import update_row
from .numtext import fmt
from .rows import Row

TOP = 3


def _largest(g, top=TOP):
    """Indices (j, i) of the ``top`` largest |g|, largest first."""
    flat = np.argsort(-np.abs(g), axis=None, kind="stable")[:top]
    return [tuple(int(v) for v in np.unravel_index(k, g.shape)) for k in flat]


def forward_rows(s):
    nm = s.namer
    rows = [Row("x", value=s.layers[0].X, kind="input")]
    for l, L in enumerate(s.layers, 1):
        bias = f" + {nm.layer(l, 'b')}" if L.b is not None else ""
        rows.append(
            Row(
                nm.layer(l, "z"),
                f"{nm.layer(l - 1, 'a')}·{nm.layer(l, 'W')}ᵀ{bias}",
                L.Z,
                kind="z",
                layer=l,
            )
        )
        if L.act is None:
            continue
        rows.append(Row(nm.layer(l, "a"), f"{L.sym}({nm.layer(l, 'z')})", L.A, kind="a", layer=l))
        if L.sym == "relu":
            dead = int(np.all(L.A <= 0, axis=0).sum())  # a = 0 for every sample
            rows.append(
                Row(
                    kind="count",
                    key="dead" if s.N > 1 else "inactive",
                    layer=l,
                    params=dict(layer=l, dead=dead, n=L.n_out, batch=s.N),
                )
            )
    return rows


def backward_rows(s):
    nm, one = s.namer, s.N == 1
    rows = []
    for l in range(len(s.layers), 0, -1):
        L = s.layers[l - 1]
        if l == len(s.layers):
            rows.append(Row(nm.layer(l, "δa"), "∂L/∂ŷ", L.dA, kind="delta_a", layer=l))
        else:
            rows.append(
                Row(
                    nm.layer(l, "δa"),
                    f"{nm.layer(l + 1, 'δz')}·{nm.layer(l + 1, 'W')}",
                    L.dA,
                    kind="delta_a",
                    layer=l,
                )
            )
        if L.act is not None:
            rows.append(
                Row(
                    nm.layer(l, "δz"),
                    f"{nm.layer(l, 'δa')} ⊙ {L.sym}'({nm.layer(l, 'z')})",
                    L.dZ,
                    kind="delta_z",
                    layer=l,
                )
            )
        dz, prev = nm.layer(l, "δz"), nm.layer(l - 1, "a")
        rows.append(Row(f"∂L/∂{nm.layer(l, 'W')}", f"{dz}ᵀ·{prev}", L.gW, kind="grad_w", layer=l))
        for j, i in _largest(L.gW):
            rows.append(
                Row(
                    f"∂L/∂{nm.w(l, j, i)}",
                    f"{'' if one else 'Σₙ '}{nm.delta(l, j, 'z')} · {nm.prev(l, i)}",
                    L.gW[j, i],
                    (L.dZ[0, j], L.X[0, i]) if one else (),
                    "{0} × {1}" if one else "",
                    kind="grad_w",
                    layer=l,
                    index=(j, i),
                )
            )
        rows.append(
            Row(
                kind="count",
                key="zero_grads",
                layer=l,
                params=dict(layer=l, zero=int((L.gW == 0).sum()), n=L.gW.size),
            )
        )
        if L.b is not None:
            rows.append(
                Row(
                    f"∂L/∂{nm.layer(l, 'b')}",
                    f"Σₙ {dz}" if not one else dz,
                    L.gb,
                    kind="grad_b",
                    layer=l,
                )
            )
    return rows


def update_rows(s):
    nm = s.namer
    rows = []
    for l, L in enumerate(s.layers, 1):
        W = nm.layer(l, "W")
        rows.append(Row(W, f"{W} − η·∂L/∂{W}", L.newW, op="←", kind="update", layer=l, old=L.W))
        step = s.lr * L.gW
        rows.append(
            Row(
                kind="count",
                key="step_size",
                layer=l,
                params=dict(
                    layer=l,
                    norm=fmt(np.linalg.norm(step)),
                    max=fmt(np.abs(step).max() if step.size else 0.0),
                ),
            )
        )
        for j, i in _largest(L.gW):
            rows.append(
                update_row(nm.w(l, j, i), L.W[j, i], L.gW[j, i], L.newW[j, i], s.lr, l, (j, i))
            )
        if L.b is not None:
            b = nm.layer(l, "b")
            rows.append(Row(b, f"{b} − η·∂L/∂{b}", L.newb, op="←", kind="update", layer=l, old=L.b))
    return rows
