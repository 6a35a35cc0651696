"""The one change made to a script before it runs under glassnet: its imports.

Only import statements that name ``torch`` change, and only their module
path; every other line of the script is left as it is, and the number of
lines stays the same (so an error's line number is the original's):

    import torch                         ->  import glassnet as torch
    import torch.nn as nn                ->  import glassnet.nn as nn
    import torch.nn.functional as F      ->  import glassnet.nn.functional as F
    import torch.optim                   ->  import glassnet.optim, glassnet as torch
    from torch import nn, optim          ->  from glassnet import nn, optim
    from torch.utils.data import X       ->  from glassnet.utils.data import X
"""

from __future__ import annotations

import ast
import re

TORCH = "torch"
GLASSNET = "glassnet"

_FROM = re.compile(r"^(\s*from\s+)torch\b")


def _is_torch(module: str | None) -> bool:
    return module is not None and module.split(".")[0] == TORCH


def _import_line(node: ast.Import) -> str:
    """``import a, torch.nn as nn, torch`` with every torch path rewritten."""
    names = []
    for alias in node.names:
        if not _is_torch(alias.name):
            names.append(alias.name + (f" as {alias.asname}" if alias.asname else ""))
            continue
        path = GLASSNET + alias.name[len(TORCH) :]
        if alias.asname:
            names.append(f"{path} as {alias.asname}")
        elif path == GLASSNET:
            names.append(f"{GLASSNET} as {TORCH}")
        else:  # `import torch.optim` binds `torch` and loads the submodule
            names.extend([path, f"{GLASSNET} as {TORCH}"])
    return "import " + ", ".join(names)


def to_glassnet(source: str) -> str:
    """``source`` with its torch imports pointing at glassnet, nothing else changed."""
    lines = source.splitlines(keepends=True)
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and not node.level and _is_torch(node.module):
            i = node.lineno - 1
            lines[i] = _FROM.sub(r"\1" + GLASSNET, lines[i], count=1)
        elif isinstance(node, ast.Import) and any(_is_torch(a.name) for a in node.names):
            first, last = node.lineno - 1, (node.end_lineno or node.lineno) - 1
            indent = lines[first][: node.col_offset]
            end = lines[last][node.end_col_offset or 0 :]  # a trailing comment, `; x = 1`, "\n"
            lines[first] = indent + _import_line(node) + end
            for i in range(first + 1, last + 1):  # a backslash-continued import: keep the count
                lines[i] = "\n"
    return "".join(lines)
