"""How a Tensor shows itself in a notebook (``_repr_html_``): a header with
its shape, dtype and place in the graph, then its values as a table (a
scalar, a vector as one row, a matrix as rows and columns; larger or
higher-dimensional tensors as NumPy prints them, elided)."""

from html import escape

import numpy as np

MAX_CELLS = 12  # rows or columns shown before the middle is elided


def _header(t):
    parts = [f"tensor {tuple(t.shape)}", str(t._data.dtype)]
    if t.grad_fn is not None:
        parts.append(f"grad_fn=&lt;{escape(t.grad_fn.name())}&gt;")
    elif t.requires_grad:
        parts.append("requires_grad=True")
    if t.name:
        parts.append(f"name={escape(repr(t.name))}")
    return " · ".join(parts)


def _kept(n):
    """Indices shown of n (the first and last MAX_CELLS // 2 when elided; -1 marks ⋯)."""
    if n <= MAX_CELLS:
        return list(range(n))
    h = MAX_CELLS // 2
    return list(range(h)) + [-1] + list(range(n - h, n))


def _cell(v):
    if isinstance(v, (np.floating, float)):
        return f"{v:.4g}"
    return escape(str(v))


def _table(a):
    rows = a.reshape(1, -1) if a.ndim == 1 else a
    out = ['<table style="border-collapse:collapse;font-family:monospace">']
    for i in _kept(rows.shape[0]):
        cells = []
        for j in _kept(rows.shape[1]):
            v = "⋯" if i < 0 or j < 0 else _cell(rows[i, j])
            cells.append(f'<td style="padding:1px 6px;text-align:right">{v}</td>')
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</table>")
    return "".join(out)


def tensor_html(t):
    """The HTML a notebook shows for the Tensor ``t``."""
    a = t._data
    if a.ndim == 0:
        body = f"<code>{_cell(a[()])}</code>"
    elif a.ndim <= 2 and a.size:
        body = _table(a)
    else:
        text = np.array2string(a, precision=4, threshold=200, edgeitems=3)
        body = f"<pre>{escape(text)}</pre>"
    grad = ""
    if t.grad is not None:
        grad = f"<div><small>.grad</small> {tensor_html(t.grad)}</div>"
    return f"<div><small>{_header(t)}</small>{body}{grad}</div>"
