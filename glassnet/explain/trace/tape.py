"""The tensor-level trace of any computation::

    with gn.explain.record(model) as tape:
        loss = loss_fn(model(x), y)
        loss.backward()          # inside or after the block
    print(tape)                  # every op in order, forward and backward

Each op run inside the block becomes a ``TapeNode``: the op, its inputs
and output (shape, dtype, values: all of them up to 8 elements, else
min/mean/max/norm), and what the op computes and its local derivative rule,
as the op class states them (``formula`` and ``rule``, read by ``op_rule``).
When backward later passes through the op, the node also gets the
gradient arriving from above and the gradients the op sends to each input,
exactly the arrays autograd uses.

How: while recording, ``Op.apply`` and ``Function.apply`` (the two doors
every op goes through) are replaced by a wrapper that notes each call of
this thread and, for ops that joined the graph, sets an instance
``_run_backward`` on the graph node that notes the gradients and calls the
original. The class attributes are restored on exit, so normal operation
pays nothing; nodes recorded keep reporting their backward after the block.
Ops called from inside another op (a Function's forward) are not listed.
"""

import threading
import weakref
from dataclasses import dataclass, field

import numpy as np

from ...autograd import Function, Op
from ...tensor import Tensor
from ..i18n import resolve_lang, text
from ..report import render
from .numtext import snapshot, summary
from .rules import op_rule

TABLE = {
    "title": {
        "en": "Tensor-level trace: {n} ops, in the order they ran",
        "zh": "张量级追踪:共 {n} 个运算,按执行顺序排列",
    },
    "empty": {
        "en": "No ops were recorded. Ops run inside `with gn.explain.record():` are "
        "recorded; to see gradients, make the inputs require grad.",
        "zh": "没有记录到任何运算。只有在 `with gn.explain.record():` 里执行的运算才会被记录;"
        "要看到梯度,请让输入张量 requires_grad。",
    },
    "rule": {"en": "local rule", "zh": "局部导数"},
    "inputs": {"en": "inputs", "zh": "输入"},
    "params": {"en": "arguments", "zh": "参数"},
    "output": {"en": "output", "zh": "输出"},
    "grad_out": {"en": "gradient from above", "zh": "上游梯度"},
    "grads_in": {"en": "gradients sent back", "zh": "传回的梯度"},
    "col_index": {"en": "#", "zh": "#"},
    "col_op": {"en": "op", "zh": "运算"},
    "no_graph": {
        "en": "not in the graph (no input requires grad)",
        "zh": "不在计算图中(没有输入需要梯度)",
    },
    "not_yet": {
        "en": "backward has not reached this op (call .backward())",
        "zh": "反向传播尚未经过此运算(请调用 .backward())",
    },
    "none": {"en": "none", "zh": "无"},
    "leaf": {"en": "leaf", "zh": "叶子张量"},
    "const": {"en": "constant", "zh": "常量"},
    "earlier": {"en": "made before recording", "zh": "记录前生成"},
    "array": {"en": "array", "zh": "数组"},
}


@dataclass
class Slot:
    """An input or output of a recorded op: who it is and what it held."""

    label: str  # "#3" (the output of op 3), a parameter or tensor name, or ""
    kind: str  # op, name, leaf, const, earlier, array
    shape: tuple
    dtype: str
    value: object  # snapshot: the array (small) or its Stats

    def describe(self, lang, digits):
        who = self.label or text(TABLE, self.kind, lang)
        return f"{who} {self.shape} = {summary(self.value, digits, lang)}"


@dataclass
class TapeNode:
    index: int
    op: str
    forward: str
    rule: str
    inputs: list
    params: list
    output: Slot
    in_graph: bool
    grad_out: object = None  # set by backward
    grads_in: list = field(default_factory=list)  # one per input (None: no gradient)
    backward_calls: int = 0

    def to_dict(self):
        def plain(v):
            return v.tolist() if isinstance(v, np.ndarray) else (None if v is None else repr(v))

        def slot(s):
            return {
                "label": s.label,
                "kind": s.kind,
                "shape": list(s.shape),
                "dtype": s.dtype,
                "value": plain(s.value),
            }

        return {
            "index": self.index,
            "op": self.op,
            "forward": self.forward,
            "rule": self.rule,
            "inputs": [slot(s) for s in self.inputs],
            "params": list(self.params),
            "output": slot(self.output),
            "in_graph": self.in_graph,
            "grad_out": plain(self.grad_out),
            "grads_in": [plain(g) for g in self.grads_in],
            "backward_calls": self.backward_calls,
        }


class Tape(render.Rendered):
    """What ``record()`` returns: the recorded ``nodes`` (a list of TapeNode)."""

    def __init__(self, model=None, lang=None):
        self.nodes = []
        self.lang = lang
        self._names = {}
        if model is not None:
            self._names = {id(p): (p, n) for n, p in model.named_parameters()}
        self._made = {}  # id(output tensor) -> (weakref, node index)
        self._saved = None
        self._depth = 0
        self._thread = None

    # ---- recording -------------------------------------------------------------
    def __enter__(self):
        if self._saved is not None:
            raise RuntimeError("record: this tape is already recording")
        self._thread = threading.get_ident()
        self._saved = [(cls, cls.__dict__["apply"]) for cls in (Op, Function)]
        for cls, orig in self._saved:
            cls.apply = classmethod(self._wrap(orig.__func__))
        return self

    def __exit__(self, *exc):
        for cls, orig in reversed(self._saved):
            cls.apply = orig
        self._saved = None
        return False

    def _wrap(self, apply):
        tape = self

        def recording_apply(cls, *args, **kwargs):
            if tape._depth or threading.get_ident() != tape._thread:
                return apply(cls, *args, **kwargs)
            tape._depth += 1
            try:
                out = apply(cls, *args, **kwargs)
            finally:
                tape._depth -= 1
            tape._add(cls, args, out)
            return out

        return recording_apply

    def _slot(self, t):
        if isinstance(t, np.ndarray):
            return Slot("", "array", t.shape, str(t.dtype), snapshot(t))
        hit = self._made.get(id(t))
        if hit is not None and hit[0]() is t:
            label, kind = f"#{hit[1]}", "op"
        elif id(t) in self._names and self._names[id(t)][0] is t:
            label, kind = self._names[id(t)][1], "name"
        elif t.name:
            label, kind = t.name, "name"
        else:
            label = ""
            kind = "earlier" if t.grad_fn is not None else "leaf" if t.requires_grad else "const"
        return Slot(label, kind, t.shape, str(t.dtype), snapshot(t._data))

    def _add(self, cls, args, out):
        index = len(self.nodes)
        inputs, positions, params = [], [], []
        for pos, a in enumerate(args):
            if isinstance(a, (Tensor, np.ndarray)):
                inputs.append(self._slot(a))
                positions.append(pos)
            else:
                r = repr(a)
                params.append(r if len(r) <= 40 else r[:37] + "...")
        if not isinstance(out, Tensor):
            return
        forward, rule = op_rule(cls)
        node = out.grad_fn
        in_graph = node is not None
        entry = TapeNode(
            index,
            cls.__name__,
            forward,
            rule,
            inputs,
            params,
            Slot(f"#{index}", "op", out.shape, str(out.dtype), snapshot(out._data)),
            in_graph,
            grads_in=[None] * len(inputs),
        )
        self.nodes.append(entry)
        self._made[id(out)] = (weakref.ref(out), index)
        if in_graph:
            self._watch(node, entry, positions)

    @staticmethod
    def _watch(node, entry, positions):
        """Note the gradients each time backward passes through ``node``."""
        original = node._run_backward
        needs = node.needs_input_grad

        def run_backward(grad):
            grads = original(grad)
            got = grads if type(grads) is tuple else (grads,)
            entry.grad_out = snapshot(grad)
            entry.grads_in = [
                snapshot(got[p]) if p < len(got) and got[p] is not None and needs[p] else None
                for p in positions
            ]
            entry.backward_calls += 1
            return grads

        node._run_backward = run_backward
        node._user = True  # so the graph walk calls the wrapper, not the op's backward

    # ---- reading ------------------------------------------------------------------
    def __len__(self):
        return len(self.nodes)

    def __iter__(self):
        return iter(self.nodes)

    def __getitem__(self, i):
        return self.nodes[i]

    @property
    def ops(self):
        """The op names in the order they ran."""
        return [n.op for n in self.nodes]

    def to_dict(self):
        return {"nodes": [n.to_dict() for n in self.nodes]}

    # ---- rendering ------------------------------------------------------------------
    def _cells(self, n, lang, digits):
        t = lambda key, **kw: text(TABLE, key, lang, **kw)  # noqa: E731
        inputs = "; ".join(s.describe(lang, digits) for s in n.inputs) or t("none")
        if not n.in_graph:
            grad_out, grads_in = t("no_graph"), ""
        elif not n.backward_calls:
            grad_out, grads_in = t("not_yet"), ""
        else:
            grad_out = summary(n.grad_out, digits, lang)
            grads_in = "; ".join(
                f"→ {s.label or text(TABLE, s.kind, lang)}: "
                f"{'—' if g is None else summary(g, digits, lang)}"
                for s, g in zip(n.inputs, n.grads_in)
            )
        return inputs, n.output.describe(lang, digits), grad_out, grads_in

    def doc(self, lang=None, digits=4, layout="blocks"):
        """A ``render.Doc``: one block per op (text) or one wide table."""
        lang = resolve_lang(lang or self.lang)
        t = lambda key, **kw: text(TABLE, key, lang, **kw)  # noqa: E731
        d = render.Doc()
        d.title(t("title", n=len(self.nodes)))
        if not self.nodes:
            d.para(t("empty"))
            return d
        if layout == "table":
            headers = [
                t("col_index"),
                t("col_op"),
                t("inputs"),
                t("output"),
                t("rule"),
                t("grad_out"),
                t("grads_in"),
            ]
            rows = []
            for n in self.nodes:
                inputs, output, grad_out, grads_in = self._cells(n, lang, digits)
                op = n.op + (f" ({', '.join(n.params)})" if n.params else "")
                rows.append(
                    (str(n.index), op, inputs, output, n.rule or n.forward, grad_out, grads_in)
                )
            d.table(headers, rows)
            return d
        for n in self.nodes:
            inputs, output, grad_out, grads_in = self._cells(n, lang, digits)
            d.heading(f"#{n.index} {n.op}" + (f" — {n.forward}" if n.forward else ""))
            rows = [(t("rule"), n.rule)] if n.rule else []
            rows += [(t("inputs"), inputs)]
            if n.params:
                rows.append((t("params"), ", ".join(n.params)))
            rows += [(t("output"), output), (t("grad_out"), grad_out)]
            if grads_in:
                rows.append((t("grads_in"), grads_in))
            d.table(None, rows)
        return d

    def markdown_doc(self, lang, digits):
        return self.doc(lang, digits, layout="table")

    def __repr__(self):
        return f"<Tape: {len(self.nodes)} ops {self.ops[:6]}{'...' if len(self) > 6 else ''}>"


def record(model=None, lang=None):
    """``with record() as tape:`` records every op run in the block (see module
    docstring). ``model``: label its parameters by name ("0.weight")."""
    return Tape(model, lang)
