"""Small helpers for writing SVG by hand, as text: escaping, elements,
the document wrapper, number formatting, and ``save_svg``.

No drawing library is needed: an SVG is a string of XML. Everything a
figure uses (fonts are generic families, arrow markers live in <defs>) is
inside the string, so it can be inlined in an HTML page or opened offline.
"""

import math
import re
from numbers import Real

FONT = "DejaVu Sans, Helvetica, Arial, 'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif"
MONO = "DejaVu Sans Mono, Menlo, Consolas, 'Noto Sans Mono CJK SC', monospace"


_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ENTITIES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})


def esc(value):
    """``value`` as text safe inside an XML element or a double-quoted attribute.
    Characters XML 1.0 forbids (control characters) are dropped."""
    return _FORBIDDEN.sub("", str(value)).translate(_ENTITIES)


_KEYS: dict[str, str] = {}


def attrs(pairs):
    """' k="v" ...' for the (key, value) pairs whose value is not None;
    keys written with a trailing underscore or with underscores become
    hyphenated (``stroke_width`` → ``stroke-width``, ``class_`` → ``class``)."""
    out = []
    for key, value in pairs.items() if isinstance(pairs, dict) else pairs:
        if value is None:
            continue
        name = _KEYS.get(key)
        if name is None:
            name = _KEYS[key] = key.rstrip("_").replace("_", "-")
        out.append(f' {name}="{value if type(value) is int else esc(value)}"')
    return "".join(out)


def element(tag, children="", **attributes):
    """``<tag a="..">children</tag>`` (self-closing when ``children`` is empty).
    ``children`` is markup (already escaped), e.g. from other ``element`` calls."""
    a = attrs(attributes)
    if not children:
        return f"<{tag}{a}/>"
    return f"<{tag}{a}>{children}</{tag}>"


def text_el(x, y, content, **attributes):
    """A <text> element with escaped ``content``."""
    return element("text", esc(content), x=num(x), y=num(y), **attributes)


def title(content):
    """A <title> child: the tooltip a browser shows on hover."""
    return f"<title>{esc(content)}</title>"


def num(x, digits=2):
    """A coordinate: rounded, without a trailing '.0'."""
    r = round(float(x), digits)
    return str(int(r)) if r == int(r) else repr(r)


def short(v, sig=4):
    """A number for a label: ``sig`` significant digits ('0.1385', '-2.5e-05')."""
    v = float(v)
    if math.isnan(v) or math.isinf(v):
        return str(v)
    return format(v, f".{sig}g")


def exact(v):
    """A number for a data attribute or tooltip: the shortest repr that reads
    back to the same float (float32 values are widened exactly)."""
    return repr(float(v))


def text_width(s, size):
    """A rough width in pixels of ``s`` at font ``size`` (wide CJK characters
    count as one em, others as 0.6 em), to make room for labels."""
    import unicodedata

    return sum(size if unicodedata.east_asian_width(ch) in "WF" else 0.6 * size for ch in str(s))


def check_size(value, what, fn):
    """A positive finite number, or None; otherwise a ValueError from ``fn``."""
    if value is None:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, Real)
        or not (math.isfinite(value) and value > 0)
    ):
        raise ValueError(f"{fn}: {what} must be a positive number of pixels, got {value!r}")
    return float(value)


def document(
    body, width, height, view_width=None, view_height=None, title_text=None, defs="", **attributes
):
    """The whole SVG: the root <svg> (with width, height and a viewBox of the
    natural size ``view_width`` × ``view_height``, so a requested size scales
    the drawing), an optional <title>, <defs> and the body markup."""
    vw = width if view_width is None else view_width
    vh = height if view_height is None else view_height
    head = (
        element(
            "svg",
            "",
            xmlns="http://www.w3.org/2000/svg",
            width=num(width),
            height=num(height),
            viewBox=f"0 0 {num(vw)} {num(vh)}",
            font_family=FONT,
            **attributes,
        )[:-2]
        + ">"
    )
    parts = [head]
    if title_text:
        parts.append(title(title_text))
    if defs:
        parts.append(f"<defs>{defs}</defs>")
    parts.append(body)
    parts.append("</svg>\n")
    return SVG("\n".join(parts))


class SVG(str):
    """An SVG document: a ``str`` (save it, embed it in HTML, search it) that
    a notebook draws as the picture (``_repr_svg_``) instead of its text."""

    __slots__ = ()

    def _repr_svg_(self):
        return str(self)

    def __repr__(self):
        return f"<SVG, {len(self)} characters: draw it in a notebook, or save_svg(svg, path)>"


def save_svg(svg, path):
    """Write the SVG text ``svg`` to ``path`` (UTF-8), atomically: a crash
    leaves either the old file or the new one, never half of one. Returns
    ``path``."""
    if not isinstance(svg, str):
        raise TypeError(f"save_svg: expected the SVG as a str, got {type(svg).__name__}")
    if not svg.lstrip().startswith(("<svg", "<?xml")):
        raise ValueError(
            "save_svg: the text does not start with <svg or <?xml; "
            "pass what network_svg/graph_svg returned"
        )
    from ...io import atomic_write

    atomic_write(path, svg.encode("utf-8"))
    return path
