"""One document, three renders: terminal text (aligned columns), Markdown
and a self-contained, escaped HTML fragment.

A document is a list of blocks built with ``Doc``: a title, headings,
paragraphs, *equations* (rows ``name op formula = numbers = value``, the
shape of every line of a step trace) and plain tables. Explanations build a
``Doc`` in one language and hand it to ``to_text``/``to_markdown``/``to_html``.
"""

import html
import unicodedata

CSS = (
    ".glassnet-explain{font-family:system-ui,sans-serif;line-height:1.4}"
    ".glassnet-explain table{border-collapse:collapse;margin:0 0 1em 0}"
    ".glassnet-explain th,.glassnet-explain td{border:1px solid #ccc;padding:2px 8px;"
    "text-align:left;vertical-align:top}"
    ".glassnet-explain td.num{font-family:ui-monospace,monospace;text-align:right}"
    ".glassnet-explain td.eq{font-family:ui-monospace,monospace}"
    ".glassnet-explain h3,.glassnet-explain h4{margin:0.6em 0 0.3em 0}"
)


class Rendered:
    """What a trace with a ``doc(lang, digits)`` method shows: plain text,
    Markdown, HTML (also in a notebook) and ``str``. A class whose Markdown or
    HTML lays the doc out otherwise overrides ``markdown_doc``."""

    def doc(self, lang=None, digits=4):
        raise NotImplementedError

    def markdown_doc(self, lang, digits):
        return self.doc(lang, digits)

    def to_text(self, lang=None, digits=4):
        return to_text(self.doc(lang, digits))

    def to_markdown(self, lang=None, digits=4):
        return to_markdown(self.markdown_doc(lang, digits))

    def to_html(self, lang=None, digits=4):
        return to_html(self.markdown_doc(lang, digits))

    def _repr_html_(self):
        return self.to_html()

    def __str__(self):
        return self.to_text()


class Doc:
    """Blocks in order: ('title'|'heading'|'para', text), ('equations', headers,
    rows of (name, op, formula, numbers, value)), ('table', headers or None, rows)."""

    def __init__(self):
        self.blocks = []

    def title(self, s):
        self.blocks.append(("title", s))

    def heading(self, s):
        self.blocks.append(("heading", s))

    def para(self, s):
        self.blocks.append(("para", s))

    def equations(self, headers, rows):
        self.blocks.append(("equations", headers, [tuple(r) for r in rows]))

    def table(self, headers, rows):
        self.blocks.append(("table", headers, [tuple(r) for r in rows]))


def width(s):
    """Columns ``s`` takes in a terminal (CJK characters take two, accents none)."""
    return sum(
        0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
        for c in s
    )


def _pad(s, n):
    return s + " " * (n - width(s))


def _align(rows, indent="  ", gap=""):
    """Rows of cells in aligned columns (empty cells become blanks)."""
    if not rows:
        return []
    ncol = max(len(r) for r in rows)
    rows = [list(r) + [""] * (ncol - len(r)) for r in rows]
    widths = [max(width(r[i]) for r in rows) for i in range(ncol)]
    return [(indent + gap.join(_pad(c, w) for c, w in zip(r, widths))).rstrip() for r in rows]


def _equation_cells(row):
    name, op, formula, numbers, value = row
    return [
        name,
        f" {op} {formula}" if formula else "",
        " = " + numbers if numbers else "",
        f" {op if not formula else '='} {value}",
    ]


def _equation_lines(rows):
    """Rows with a formula in aligned columns; a bare value (x1 = 0.05) or a
    note without a value (a derivative rule) on a line of its own."""
    aligned = iter(_align([_equation_cells(r) for r in rows if r[2] and r[4]]))
    lines = []
    for name, op, formula, numbers, value in rows:
        if formula and value:
            lines.append(next(aligned))
        elif formula:
            lines.append(f"  {name} {op} {formula}")
        else:
            lines.append(f"  {name} {op} {value}" if value else f"  {name}")
    return lines


def to_text(doc):
    out = []
    for block in doc.blocks:
        kind = block[0]
        if kind == "title":
            out += [block[1], "=" * width(block[1])]
        elif kind == "heading":
            out += ["", block[1]]
        elif kind == "para":
            out.append("  " + block[1])
        elif kind == "equations":
            out += _equation_lines(block[2])
        else:
            head = [] if block[1] is None else [block[1]]
            out += _align(head + list(block[2]), gap="  ")
    return "\n".join(out)


def _md(s):
    return str(s).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _md_table(headers, rows):
    if headers is None:
        headers = [""] * max((len(r) for r in rows), default=1)
    lines = ["| " + " | ".join(_md(h) for h in headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(_md(c) for c in r) + " |" for r in rows]
    return lines


def _equation_row(row):
    name, op, formula, numbers, value = row
    return (name, (op + " " + formula) if formula else "", numbers, value)


def to_markdown(doc):
    out = []
    for block in doc.blocks:
        kind = block[0]
        if kind == "title":
            out += [f"### {_md(block[1])}", ""]
        elif kind == "heading":
            out += [f"**{_md(block[1])}**", ""]
        elif kind == "para":
            out += [_md(block[1]), ""]
        elif kind == "equations":
            out += _md_table(block[1], [_equation_row(r) for r in block[2]]) + [""]
        else:
            out += _md_table(block[1], block[2]) + [""]
    return "\n".join(out).rstrip() + "\n"


def _html_table(headers, rows, classes):
    e = html.escape
    head = "".join(f"<th>{e(str(h))}</th>" for h in headers or ())
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="{k}">{e(str(c))}</td>' if k else f"<td>{e(str(c))}</td>"
            for c, k in zip(r, classes)
        )
        + "</tr>"
        for r in rows
    )
    thead = f"<thead><tr>{head}</tr></thead>" if head else ""
    return f"<table>{thead}<tbody>{body}</tbody></table>"


def to_html(doc):
    """A self-contained fragment (its own <style>); every text is escaped."""
    e = html.escape
    parts = [f'<div class="glassnet-explain"><style>{CSS}</style>']
    for block in doc.blocks:
        kind = block[0]
        if kind == "title":
            parts.append(f"<h3>{e(block[1])}</h3>")
        elif kind == "heading":
            parts.append(f"<h4>{e(block[1])}</h4>")
        elif kind == "para":
            parts.append(f"<p>{e(block[1])}</p>")
        elif kind == "equations":
            rows = [_equation_row(r) for r in block[2]]
            parts.append(_html_table(block[1], rows, ("eq", "eq", "eq", "num")))
        else:
            ncol = max((len(r) for r in block[2]), default=0)
            parts.append(_html_table(block[1], block[2], ("",) * ncol))
    parts.append("</div>")
    return "".join(parts)
