"""The computation graph of a tensor (micrograd's ``draw_dot``, at tensor
level): value nodes (shape, dtype, name, data and grad) and op nodes (the
op's class in snake case: Mul → "mul"; its tooltip adds PyTorch's name of
the node, MulBackward0, the op's formula and local derivative rule), with edges from each input to
its op and from the op to its output.

    loss = loss_fn(model(x), y)
    svg = graph_svg(loss, names=model)   # names the parameters
    dot = graph_dot(loss)                # Graphviz text, if you have Graphviz

The walk is iterative (a 10,000-op chain is fine). A graph with more than
``max_nodes`` nodes is cut to the ``max_nodes`` nearest the output (breadth
first), with a note saying so. The SVG is laid out here, with no Graphviz
(``layout``: longest-path layers, leaves next to their first use, order by
barycentre sweeps).
"""

import re
import weakref
from collections import deque

import numpy as np

from ...nn.parameter import Parameter
from ...tensor import Tensor
from ..i18n import resolve_lang, text
from ..trace.rules import op_rule
from . import svg as S
from .layout import layout

MAX_NODES = 400

TEXT = {
    "title": {"en": "Computation graph", "zh": "计算图"},
    "output": {"en": "output", "zh": "输出"},
    "parameter": {"en": "parameter", "zh": "参数"},
    "leaf": {"en": "leaf, requires grad", "zh": "叶子节点，需要梯度"},
    "constant": {"en": "input (no grad)", "zh": "输入（无需梯度）"},
    "result": {"en": "intermediate", "zh": "中间结果"},
    "data": {"en": "data", "zh": "值"},
    "released": {"en": "freed after backward", "zh": "反向传播后已释放"},
    "scalar": {"en": "scalar", "zh": "标量"},
    "grad": {"en": "grad", "zh": "梯度"},
    "summary": {"en": "min {lo} mean {mean} max {hi}", "zh": "最小 {lo} 平均 {mean} 最大 {hi}"},
    "cut": {
        "en": "showing the {shown} nodes nearest the output, of {total}",
        "zh": "只画出离输出最近的 {shown} 个节点（共 {total} 个）",
    },
}

FILL = {
    "output": "#fde9c9",
    "parameter": "#d6eaf8",
    "leaf": "#e3f1dc",
    "constant": "#eeeeee",
    "result": "#ffffff",
}


# ---- the walk ---------------------------------------------------------------


class _Graph:
    """Nodes (key → ("value", tensor) or ("op", node)) in breadth-first order
    from the output, and edges (from, to, argument position or None)."""

    def __init__(self, root, max_nodes):
        self.nodes, self.edges, self.producer = {}, [], {}
        order = []
        queue = deque([_value_key(root)])
        self.nodes[queue[0]] = ("value", root)
        self.producer[queue[0]] = root.grad_fn
        while queue:
            key = queue.popleft()
            order.append(key)
            kind, obj = self.nodes[key]
            if kind == "value":
                fn = self.producer[key]
                if fn is not None:
                    okey = ("o", id(fn))
                    self.edges.append((okey, key, None))
                    if okey not in self.nodes:
                        self.nodes[okey] = ("op", fn)
                        queue.append(okey)
                continue
            inputs = [_input(p) for p in obj.parents]
            tensor_args = [p for p in inputs if p is not _NOT_TENSOR]
            for pos, (p, fn) in enumerate(zip(inputs, obj.edges)):
                if p is _NOT_TENSOR:
                    continue
                # None: a large intermediate that backward let go (autograd.RELEASE_BYTES)
                vkey = _value_key(p) if p is not None else ("r", id(obj), pos)
                self.edges.append((vkey, key, pos if len(tensor_args) > 1 else None))
                if vkey not in self.nodes:
                    self.nodes[vkey] = ("value", p)
                    self.producer[vkey] = fn
                    queue.append(vkey)
        self.total = len(order)
        if max_nodes is not None and self.total > max_nodes:
            keep = set(order[:max_nodes])
            self.nodes = {k: self.nodes[k] for k in order[:max_nodes]}
            self.edges = [e for e in self.edges if e[0] in keep and e[1] in keep]
        self.root = order[0]


_NOT_TENSOR = object()


def _input(p):
    """An op's input as the graph shows it: the tensor, None for a released
    one that has died, or _NOT_TENSOR for a constant argument."""
    if isinstance(p, weakref.ref):
        return p()
    return p if isinstance(p, Tensor) else _NOT_TENSOR


def _value_key(t):
    return ("v", id(t))


def _check(tensor, fn, max_nodes):
    if not isinstance(tensor, Tensor):
        raise TypeError(f"{fn}: expected a Tensor (e.g. the loss), got {type(tensor).__name__}")
    if max_nodes is not None and (
        isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1
    ):
        raise ValueError(f"{fn}: max_nodes must be a positive int or None, got {max_nodes!r}")


def _name_map(names, fn):
    """{id(tensor): name} from a Module (its named parameters) or a dict."""
    if names is None:
        return {}
    if hasattr(names, "named_parameters"):
        names = dict(names.named_parameters())
    if not isinstance(names, dict):
        raise TypeError(
            f"{fn}: names must be a Module or a dict {{name: tensor}}, got {type(names).__name__}"
        )
    return {id(t): str(k) for k, t in names.items() if isinstance(t, Tensor)}


# ---- labels -------------------------------------------------------------------


def op_label(node):
    """The op's class (or a node of it) in snake case: Mul → 'mul', PowScalar →
    'pow_scalar' (glassnet's op, not PyTorch's node name: that is MulBackward0)."""
    name = (node if isinstance(node, type) else type(node)).__name__
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def _const(c):
    if isinstance(c, np.ndarray):
        return f"array{c.shape}"
    if isinstance(c, float):
        return S.short(c)
    s = repr(c)
    return s if len(s) <= 24 else s[:21] + "..."


def _numbers(arr, lang):
    """Full values for ≤ 4 elements, else min/mean/max."""
    if arr.size <= 4:
        vals = [_fmt(v) for v in arr.reshape(-1)]
        return vals[0] if arr.ndim == 0 else "[" + ", ".join(vals) + "]"
    a = arr.astype(np.float64) if arr.dtype.kind in "biu" else arr
    return text(TEXT, "summary", lang, lo=_fmt(a.min()), mean=_fmt(a.mean()), hi=_fmt(a.max()))


def _fmt(v):
    return str(v) if isinstance(v, (bool, np.bool_)) else S.short(v)


def _exact(arr):
    if arr.size <= 4:
        return repr([v if isinstance(v, bool) else float(v) for v in arr.reshape(-1).tolist()])
    a = arr.astype(np.float64)
    return (
        f"min {S.exact(a.min())}, mean {S.exact(a.mean())}, max {S.exact(a.max())}, "
        f"L2 norm {S.exact(np.sqrt((a * a).sum()))}"
    )


def _kind(t, is_root):
    if is_root:
        return "output"
    if isinstance(t, Parameter):
        return "parameter"
    if t.grad_fn is None:
        return "leaf" if t.requires_grad else "constant"
    return "result"


def _value_info(t, is_root, names, lang):
    """(kind, name, label lines, tooltip lines) for a value node."""
    if t is None:
        lines = [f"{text(TEXT, 'result', lang)}: {text(TEXT, 'released', lang)}"]
        return "result", None, lines, lines
    kind = _kind(t, is_root)
    name = names.get(id(t)) or t.name
    shape = text(TEXT, "scalar", lang) if t._data.ndim == 0 else "×".join(map(str, t._data.shape))
    lines = [name] if name else []
    lines += [
        f"{text(TEXT, kind, lang)}: {shape} {t._data.dtype}",
        f"{text(TEXT, 'data', lang)} {_numbers(t._data, lang)}",
    ]
    tip = lines[:-1] + [f"{text(TEXT, 'data', lang)} {_exact(t._data)}"]
    if t.grad is not None:
        lines.append(f"{text(TEXT, 'grad', lang)} {_numbers(t.grad._data, lang)}")
        tip.append(f"{text(TEXT, 'grad', lang)} {_exact(t.grad._data)}")
    return kind, name, lines, tip


def _op_info(node):
    """(label, lines, tooltip) for an op node; the tooltip adds what the op
    computes and its local derivative rule (``op_rule``)."""
    consts = [
        _const(p)
        for p in node.parents
        if not isinstance(p, (Tensor, weakref.ref, bool, type(None)))
    ]
    label = op_label(node)
    lines = [label] + ([", ".join(consts)] if consts else [])
    return label, lines, [node.name()] + lines[1:] + [s for s in op_rule(node) if s]


def _labelled(graph, names, lang):
    """Ids ('v0', 'o3', ...) and drawing info for each kept node, in order."""
    out, vi, oi = {}, 0, 0
    for key, (kind, obj) in graph.nodes.items():
        if kind == "value":
            vkind, name, lines, tip = _value_info(obj, key == graph.root, names, lang)
            out[key] = {
                "id": f"v{vi}",
                "kind": vkind,
                "name": name,
                "lines": lines,
                "tip": tip,
                "obj": obj,
            }
            vi += 1
        else:
            label, lines, tip = _op_info(obj)
            out[key] = {"id": f"o{oi}", "kind": "op", "op": label, "lines": lines, "tip": tip}
            oi += 1
    return out


# ---- DOT ------------------------------------------------------------------------


def _dot_str(s):
    return '"' + str(s).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def graph_dot(tensor, lang=None, names=None, max_nodes=MAX_NODES):
    """Graphviz DOT text of ``tensor``'s computation graph (render it with
    ``dot -Tsvg``). Value nodes are boxes, op nodes ellipses; an edge into an
    op with several tensor inputs is labelled with the argument position."""
    _check(tensor, "graph_dot", max_nodes)
    lang = resolve_lang(lang)
    graph = _Graph(tensor, max_nodes)
    info = _labelled(graph, _name_map(names, "graph_dot"), lang)
    out = ["digraph G {", "  rankdir=LR;", '  node [fontname="Helvetica", fontsize=10];']
    for key, n in info.items():
        label = _dot_str("\n".join(n["lines"]))
        if n["kind"] == "op":
            tip = _dot_str("\n".join(n["tip"]))
            out.append(f"  {n['id']} [shape=ellipse, label={label}, tooltip={tip}];")
        else:
            out.append(
                f'  {n["id"]} [shape=box, style="rounded,filled", '
                f'fillcolor="{FILL[n["kind"]]}", label={label}];'
            )
    for a, b, pos in graph.edges:
        extra = "" if pos is None else f' [label="{pos}"]'
        out.append(f"  {info[a]['id']} -> {info[b]['id']}{extra};")
    if len(graph.nodes) < graph.total:
        note = text(TEXT, "cut", lang, shown=len(graph.nodes), total=graph.total)
        out.append(f"  labelloc=t; label={_dot_str(note)};")
    out.append("}")
    return "\n".join(out) + "\n"


# ---- SVG -------------------------------------------------------------------------


CHAR_W, LINE_H, PAD = 6.6, 14, 8


def _box(n):
    w = max(S.text_width(s, 11) * CHAR_W / 6.6 for s in n["lines"]) + 2 * PAD
    h = len(n["lines"]) * LINE_H + PAD
    return (max(w, 44), max(h, 26)) if n["kind"] == "op" else (w, h)


def graph_svg(tensor, lang=None, names=None, max_nodes=MAX_NODES):
    """An SVG (str) of ``tensor``'s computation graph, laid out here (no
    Graphviz needed). ``names`` (a Module or {name: tensor}) labels the
    parameters; each node is a ``<g class="value">`` or ``<g class="op">``
    and each edge a ``<g class="edge">``, with a tooltip of exact values."""
    _check(tensor, "graph_svg", max_nodes)
    lang = resolve_lang(lang)
    graph = _Graph(tensor, max_nodes)
    info = _labelled(graph, _name_map(names, "graph_svg"), lang)
    keys = list(graph.nodes)
    margin, top = 20, 56
    xy, ways, right, bottom = layout(
        keys, graph.edges, {k: _box(info[k]) for k in keys}, top, margin
    )
    heading = text(TEXT, "title", lang)
    note = None
    if len(graph.nodes) < graph.total:
        note = text(TEXT, "cut", lang, shown=len(graph.nodes), total=graph.total)
    vw = max(right + margin, S.text_width(note or heading, 15) + 2 * margin)
    vh = bottom + margin
    body = [_edge(info, xy, e, w) for e, w in zip(graph.edges, ways)]
    body += [_node(info[k], xy[k]) for k in keys]
    body.append(S.text_el(margin, 24, heading, font_size=15, font_weight="bold", class_="heading"))
    if note:
        body.append(S.text_el(margin, 42, note, font_size=12, fill="#b03a2e", class_="note"))
    defs = (
        '<marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'fill="#555"/></marker>'
    )
    return S.document(
        "\n".join(body),
        vw,
        vh,
        title_text=heading,
        defs=defs,
        class_="glassnet-graph",
        data_total_nodes=graph.total,
        data_drawn_nodes=len(graph.nodes),
        data_truncated="true" if note else "false",
    )


def _curve(x1, y1, x2, y2):
    dx = max((x2 - x1) / 2, 12)
    return f" C{S.num(x1 + dx)},{S.num(y1)} {S.num(x2 - dx)},{S.num(y2)} {S.num(x2)},{S.num(y2)}"


def _edge(info, xy, e, ways):
    a, b, pos = e
    xa, ya, wa, ha = xy[a]
    xb, yb, wb, hb = xy[b]
    x, y = xa + wa, ya + ha / 2
    d = f"M{S.num(x)},{S.num(y)}"
    for left, wy, right in ways or ():
        d += _curve(x, y, left, wy) + f" L{S.num(right)},{S.num(wy)}"
        x, y = right, wy
    x2, y2 = xb, yb + hb / 2
    d += _curve(x, y, x2, y2)
    label = (
        ""
        if pos is None
        else S.text_el(x2 - 12, y2 - 5, pos, font_size=9, fill="#777", text_anchor="end")
    )
    path = S.element(
        "path",
        d=d,
        fill="none",
        stroke="#555",
        stroke_width=1.2,
        stroke_dasharray="4 3" if ways is None else None,
        marker_end="url(#arrow)",
    )
    return S.element(
        "g",
        path + label,
        class_="edge",
        data_from=info[a]["id"],
        data_to=info[b]["id"],
        data_arg=pos,
    )


def _node(n, box):
    x, y, w, h = box
    parts = []
    if n["kind"] == "op":
        parts.append(
            S.element(
                "ellipse",
                cx=S.num(x + w / 2),
                cy=S.num(y + h / 2),
                rx=S.num(w / 2),
                ry=S.num(h / 2),
                fill="#fff7e0",
                stroke="#a0701c",
                stroke_width=1.2,
            )
        )
    else:
        parts.append(
            S.element(
                "rect",
                x=S.num(x),
                y=S.num(y),
                width=S.num(w),
                height=S.num(h),
                rx=5,
                fill=FILL[n["kind"]],
                stroke="#4a4a4a",
                stroke_width=1.5 if n["kind"] != "result" else 1,
            )
        )
    y0 = y + h / 2 - (len(n["lines"]) - 1) * LINE_H / 2 + 4
    for i, s in enumerate(n["lines"]):
        bold = "bold" if i == 0 and (n["kind"] == "op" or n.get("name")) else None
        parts.append(
            S.text_el(
                x + w / 2,
                y0 + i * LINE_H,
                s,
                font_size=11,
                font_family=S.MONO,
                text_anchor="middle",
                font_weight=bold,
            )
        )
    parts.append(S.title("\n".join(n["tip"])))
    if n["kind"] == "op":
        return S.element("g", "".join(parts), class_="op", data_id=n["id"], data_op=n["op"])
    t = n["obj"]
    if t is None:  # released after backward: nothing left to describe
        return S.element(
            "g",
            "".join(parts),
            class_="value",
            data_id=n["id"],
            data_kind=n["kind"],
            data_released="true",
        )
    return S.element(
        "g",
        "".join(parts),
        class_="value",
        data_id=n["id"],
        data_kind=n["kind"],
        data_shape="×".join(map(str, t._data.shape)),
        data_dtype=str(t._data.dtype),
        data_name=n["name"],
    )
