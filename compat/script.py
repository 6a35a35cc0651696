"""A corpus script: where it is, what it promises in its header, what it printed.

Each script states in its header how its two results are compared, with the
reason, in one of three forms:

    # compare: rtol 1e-4 - the weights come from NumPy, so both runs start alike
    # compare: at-least 0.9 - accuracy; the data loader's shuffle differs
    # compare: at-most 0.05 - a loss threshold; dropout's masks differ

``rtol``: the two values agree to that relative tolerance (for a script whose
numbers do not depend on the library's random stream). ``at-least`` /
``at-most``: each value passes that bound on its own (for a quantity that
does, so only the threshold reached can be compared).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

SCRIPTS = Path(__file__).with_name("scripts")

_COMPARE = re.compile(
    r"^#\s*compare:\s*(rtol|at-least|at-most)\s+(\S+)\s*(?:-+|—)?\s*(.*)$", re.MULTILINE
)
_RESULT = re.compile(r"^RESULT (\S+) (\S+)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Rule:
    """How two results are compared: ``kind`` rtol / at-least / at-most, its number."""

    kind: str
    value: float
    why: str

    def passes(self, torch_value: float, glassnet_value: float) -> bool:
        a, b = torch_value, glassnet_value
        if not (math.isfinite(a) and math.isfinite(b)):
            return False
        if self.kind == "rtol":
            return abs(a - b) <= self.value * max(abs(a), abs(b), 1e-12)
        if self.kind == "at-least":
            return a >= self.value and b >= self.value
        return a <= self.value and b <= self.value

    def __str__(self) -> str:
        return f"{self.kind} {self.value:g}"


@dataclass(frozen=True)
class Script:
    name: str
    path: Path
    rule: Rule

    def source(self) -> str:
        return self.path.read_text(encoding="utf-8")


def read_rule(source: str, name: str) -> Rule:
    """The ``# compare:`` line of a script's header (the first 15 lines)."""
    head = "\n".join(source.splitlines()[:15])
    match = _COMPARE.search(head)
    if match is None:
        raise ValueError(
            f"compat/scripts/{name}.py: its header (first 15 lines) needs a line "
            "'# compare: rtol|at-least|at-most <number> - <why>'"
        )
    kind, number, why = match.groups()
    return Rule(kind, float(number), why.strip())


def scripts(only: list[str] | None = None) -> list[Script]:
    """The corpus, sorted by name (``only``: these names, in that order)."""
    found = {p.stem: p for p in SCRIPTS.glob("*.py") if not p.name.startswith("_")}
    names = sorted(found) if not only else only
    unknown = [n for n in names if n not in found]
    if unknown:
        raise ValueError(
            f"no script named {', '.join(unknown)} in compat/scripts/ "
            f"(there are: {', '.join(sorted(found))})"
        )
    return [Script(n, found[n], read_rule(found[n].read_text(encoding="utf-8"), n)) for n in names]


def read_result(stdout: str, name: str) -> float | None:
    """The value of the last ``RESULT <name> <value>`` line, or None."""
    values = [float(v) for n, v in _RESULT.findall(stdout) if n == name]
    return values[-1] if values else None
