"""One line of a step trace: ``name = formula = numbers = value``.

A ``Row`` keeps the numbers themselves (``values``: the operands, in the
order they appear in the formula; ``value``: the result, a float or one
value per sample), so renders can choose their precision and the
playground or report can reuse them. Rows in words (counts) carry an i18n
``key`` and ``params`` instead of a name.
"""

import re
from dataclasses import dataclass, field

import numpy as np

from ..i18n import text
from .numtext import fmt, fmt_arg, summary

_SLOT = re.compile(r"\{(\d+)\}")


@dataclass
class Row:
    name: str = ""
    formula: str = ""
    value: object = None
    values: tuple = ()
    subst: str = ""  # the formula with {0}, {1}... where the values go
    op: str = "="  # "←" for updates
    kind: str = ""  # input z a target loss delta_a delta_z rule grad_w grad_b update count
    layer: int | None = None
    index: tuple | None = None
    old: object = None  # updates: the value before the step
    key: str = ""
    params: dict = field(default_factory=dict)  # the key's values; "formula_zh": a rule in zh

    @property
    def new(self):
        return self.value if self.kind == "update" else None

    def label(self, table, lang):
        return text(table, self.key, lang, **self.params) if self.key else self.name

    def numbers(self, digits=4):
        """The formula with the numbers put in (negative operands in parentheses)."""
        if not self.subst:
            return ""

        def put(m):
            v = self.values[int(m.group(1))]
            bare = m.start() == 0 or self.subst[m.start() - 1] == "("
            return fmt(v, digits) if bare else fmt_arg(v, digits)

        return _SLOT.sub(put, self.subst)

    def value_text(self, digits=4, lang=None):
        return "" if self.value is None else summary(self.value, digits, lang)

    def cells(self, table, lang, digits=4):
        """(name, op, formula, numbers, value) strings for ``render.Doc.equations``."""
        return (
            self.label(table, lang),
            self.op,
            self.params.get(f"formula_{lang}", self.formula),
            self.numbers(digits),
            self.value_text(digits, lang),
        )

    def to_dict(self, digits=4):
        def plain(v):
            if v is None:
                return None
            a = np.asarray(v)
            return a.item() if a.ndim == 0 else a.tolist()

        return {
            "name": self.name,
            "formula": self.formula,
            "numbers": self.numbers(digits),
            "values": [plain(v) for v in self.values],
            "value": plain(self.value),
            "op": self.op,
            "kind": self.kind,
            "layer": self.layer,
            "index": None if self.index is None else list(self.index),
            "old": plain(self.old),
            "key": self.key,
            "params": dict(self.params),
        }
