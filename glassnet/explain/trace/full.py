"""The rows of a detailed step trace: one per neuron, per weight, per delta,
in the article's order (forward layer by layer; backward from the output,
neuron by neuron: δ_a, δ_z, ∂L/∂w, ∂L/∂b; then every update).

``s`` is the recorded step (see ``trace._Step``): per layer the input X,
z, a, their gradients dZ and dA from autograd, f'(z), the weights before
the step and their gradients. Numbers are substituted into a formula only
for a single sample; for a batch each value is one number per sample and
the gradients are sums over the batch (Σₙ).
"""

from .rows import Row


def _v(arr, j, n):
    """Neuron j's value: a number for one sample, one per sample for a batch."""
    return arr[0, j] if n == 1 else arr[:, j].copy()


def _products(pairs, single):
    """'a·b + c·d' terms as slots '{0} × {1} + {2} × {3}' and their values."""
    slots, values = [], []
    for u, v in pairs:
        slots.append("{%d} × {%d}" % (len(values), len(values) + 1))
        values += [u, v]
    return (" + ".join(slots), tuple(values)) if single else ("", ())


def forward_rows(s):
    nm, n, one = s.namer, s.N, s.N == 1
    X = s.layers[0].X
    rows = [Row(nm.x(i), value=_v(X, i, n), kind="input", index=(i,)) for i in range(X.shape[1])]
    for l, L in enumerate(s.layers, 1):
        for j in range(L.n_out):
            terms = [f"{nm.w(l, j, i)}·{nm.prev(l, i)}" for i in range(L.n_in)]
            subst, values = _products([(L.W[j, i], L.X[0, i]) for i in range(L.n_in)], one)
            if L.b is not None:
                terms.append(nm.b(l, j))
                if one:
                    subst += " + {%d}" % len(values)
                    values += (L.b[j],)
            rows.append(
                Row(
                    nm.z(l, j),
                    " + ".join(terms),
                    _v(L.Z, j, n),
                    values,
                    subst,
                    kind="z",
                    layer=l,
                    index=(j,),
                )
            )
            if L.act is None:
                continue
            z = nm.z(l, j)
            if L.fprime is None:  # softmax / log_softmax: a function of the whole layer
                formula = f"exp({z}) / Σₖ exp(zₖ)" if L.sym == "softmax" else f"{z} − ln Σₖ exp(zₖ)"
                rows.append(Row(nm.a(l, j), formula, _v(L.A, j, n), kind="a", layer=l, index=(j,)))
            else:
                rows.append(
                    Row(
                        nm.a(l, j),
                        f"{L.sym}({z})",
                        _v(L.A, j, n),
                        (L.Z[0, j],) if one else (),
                        f"{L.sym}({{0}})" if one else "",
                        kind="a",
                        layer=l,
                        index=(j,),
                    )
                )
    return rows


def loss_rows(s):
    lt = s.loss_text
    rows = [Row(name, value=v, kind="target") for name, v in lt.targets if v is not None]
    for t in lt.rows:  # a class target (y and its words), softmax's probability p_y
        if t.part is None:
            rows.append(Row(t.name, value=t.value, kind="target", key=t.key, params=t.params))
        else:
            part = t.part
            rows.append(Row(t.name, part.formula, t.value, part.values, part.subst, kind="prob"))
    rows.append(Row("L", lt.loss.formula, s.loss_value, lt.loss.values, lt.loss.subst, kind="loss"))
    return rows


def _delta_a(s, l, j):
    """δ of neuron j's output a: from the loss (last layer) or passed back
    through the next layer's weights, δ_a = Σₖ δ_zₖ·wₖⱼ."""
    nm, n, one = s.namer, s.N, s.N == 1
    L = s.layers[l - 1]
    if l == len(s.layers):
        d = s.loss_text.deltas[j]
        head = f"∂L/∂{nm.yhat(j)}"
        formula = head if d.formula == head else f"{head} = {d.formula}"
        return Row(
            nm.delta(l, j, "a"),
            formula,
            _v(L.dA, j, n),
            d.values,
            d.subst,
            kind="delta_a",
            layer=l,
            index=(j,),
        )
    nxt = s.layers[l]
    dot = "·" if nxt.n_out > 1 else " · "  # compact inside a sum
    terms = [f"{nm.delta(l + 1, k, 'z')}{dot}{nm.w(l + 1, k, j)}" for k in range(nxt.n_out)]
    subst, values = _products([(nxt.dZ[0, k], nxt.W[k, j]) for k in range(nxt.n_out)], one)
    return Row(
        nm.delta(l, j, "a"),
        " + ".join(terms),
        _v(L.dA, j, n),
        values,
        subst,
        kind="delta_a",
        layer=l,
        index=(j,),
    )


def _delta_z(s, l, j):
    """δ_z = δ_a · f'(z) (elementwise activations), or the softmax Jacobian."""
    nm, n, one = s.namer, s.N, s.N == 1
    L = s.layers[l - 1]
    name, da, z = nm.delta(l, j, "z"), nm.delta(l, j, "a"), nm.z(l, j)
    if L.fprime is None:
        return Row(name, f"Σₖ δaₖ · ∂aₖ/∂{z}", _v(L.dZ, j, n), kind="delta_z", layer=l, index=(j,))
    return Row(
        name,
        f"{da} · {L.sym}'({z})",
        _v(L.dZ, j, n),
        (L.dA[0, j], L.fprime[0, j]) if one else (),
        "{0} × {1}" if one else "",
        kind="delta_z",
        layer=l,
        index=(j,),
    )


def backward_rows(s):
    nm, one = s.namer, s.N == 1
    total = "" if one else "Σₙ "
    rows = []
    for l in range(len(s.layers), 0, -1):
        L = s.layers[l - 1]
        if L.act is not None and L.rule:
            zh = {"formula_zh": L.rule_zh} if L.rule_zh != L.rule else {}
            rows.append(Row(f"{L.sym}'(z)", L.rule, kind="rule", layer=l, params=zh))
        for j in range(L.n_out):
            rows.append(_delta_a(s, l, j))
            if L.act is not None:
                rows.append(_delta_z(s, l, j))
            dz = nm.delta(l, j, "z")
            for i in range(L.n_in):
                rows.append(
                    Row(
                        f"∂L/∂{nm.w(l, j, i)}",
                        f"{total}{dz} · {nm.prev(l, i)}",
                        L.gW[j, i],
                        (L.dZ[0, j], L.X[0, i]) if one else (),
                        "{0} × {1}" if one else "",
                        kind="grad_w",
                        layer=l,
                        index=(j, i),
                    )
                )
            if L.b is not None:
                rows.append(
                    Row(
                        f"∂L/∂{nm.b(l, j)}",
                        f"{total}{dz}",
                        L.gb[j],
                        kind="grad_b",
                        layer=l,
                        index=(j,),
                    )
                )
    return rows


def update_row(name, old, grad, new, lr, layer, index):
    """w ← w − η·∂L/∂w with the old value, η, the gradient and the new value."""
    return Row(
        name,
        f"{name} − η·∂L/∂{name}",
        new,
        (old, grad),
        "{0} − %s × {1}" % f"{lr:g}",
        op="←",
        kind="update",
        layer=layer,
        index=index,
        old=old,
    )


def update_rows(s):
    nm = s.namer
    rows = []
    for l, L in enumerate(s.layers, 1):
        for j in range(L.n_out):
            for i in range(L.n_in):
                rows.append(
                    update_row(nm.w(l, j, i), L.W[j, i], L.gW[j, i], L.newW[j, i], s.lr, l, (j, i))
                )
        if L.b is not None:
            for j in range(L.n_out):
                rows.append(update_row(nm.b(l, j), L.b[j], L.gb[j], L.newb[j], s.lr, l, (j,)))
    return rows
