"""Parameter names on each side, and whether glassnet accepts PyTorch's.

PyTorch's names come from ``inspect.signature`` where it works (Python
functions and classes) and otherwise from the signature line its docstring
starts with (``add(input, other, *, alpha=1, out=None) -> Tensor``). Three
of its parameters are left out of the check, being outside glassnet's
design: ``out`` (no output buffers), ``layout`` and ``memory_format`` (one
dense layout).
"""

from __future__ import annotations

import inspect
import re
from typing import Any

IGNORED = {"out", "layout", "memory_format"}
_KINDS = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)


def _split(params: str) -> list[str]:
    """The top-level comma-separated parts of a docstring's parameter list."""
    parts, depth, current = [], 0, ""
    for ch in params:
        depth += ch in "([{"
        depth -= ch in ")]}"
        if ch == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    return [*parts, current]


def torch_names(obj: Any, name: str) -> list[str] | None:
    """The parameter names PyTorch documents for ``obj``, or None when it states none."""
    try:
        sig = inspect.signature(obj)
        return [p.name for p in sig.parameters.values() if p.kind in _KINDS and p.name != "self"]
    except (TypeError, ValueError):
        pass
    doc = obj.__doc__ if isinstance(getattr(obj, "__doc__", None), str) else ""
    short = name.rsplit(".", 1)[-1]
    line = re.search(
        rf"^\s*(?:[\w.]*\.)?{re.escape(short)}\((.*)\)\s*(?:->.*)?$", doc, re.MULTILINE
    )
    if line is None:
        return None
    names = []
    for part in _split(line.group(1)):
        word = re.match(r"\s*\*{0,2}\s*([A-Za-z_]\w*)", part)
        if word and word.group(1) != "self" and not part.strip().startswith("*"):
            names.append(word.group(1))
    return names


def glassnet_accepts(obj: Any) -> tuple[set[str], bool] | None:
    """glassnet's keyword names for ``obj`` and whether it takes **kwargs; None if unknown.
    NumPy's own objects (``gn.dtype`` is ``numpy.dtype``) count as unknown: whether
    ``inspect.signature`` reads them depends on the NumPy version, and the table must
    be the same under every NumPy that glassnet supports."""
    if (getattr(obj, "__module__", None) or "").split(".")[0] == "numpy":
        return None
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return None
    params = sig.parameters.values()
    return (
        {p.name for p in params if p.kind in _KINDS},
        any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params),
    )


def verdict(torch_obj: Any, glassnet_obj: Any, name: str) -> str:
    """``same names``, ``missing: a, b``, or ``-`` (one side states no signature)."""
    wanted = torch_names(torch_obj, name)
    accepted = glassnet_accepts(glassnet_obj)
    if wanted is None or accepted is None:
        return "-"
    names, var_keyword = accepted
    missing = [n for n in wanted if n not in names and n not in IGNORED]
    if not missing or var_keyword:
        return "same names"
    return "missing: " + ", ".join(missing)
