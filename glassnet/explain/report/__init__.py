"""A self-contained HTML report: sections of inline SVG and HTML, one file
with its own styles, that opens offline (no scripts, fonts or images are
fetched)."""

import html

from ...io import atomic_write
from ..i18n import resolve_lang

STYLE = """
body { font-family: DejaVu Sans, Helvetica, Arial, 'Noto Sans CJK SC', sans-serif;
       margin: 2em auto; max-width: 1100px; color: #222; line-height: 1.45; }
h1 { font-size: 1.6em; margin-bottom: .2em; }
h2 { font-size: 1.2em; border-bottom: 1px solid #ddd; padding-bottom: .2em; margin-top: 1.6em; }
.figure { overflow-x: auto; margin: .6em 0; }
.row { display: flex; flex-wrap: wrap; gap: 1.2em; }
pre, code { font-family: DejaVu Sans Mono, Menlo, Consolas, monospace; font-size: .9em; }
pre { background: #f7f7f7; padding: .8em; overflow-x: auto; }
table { border-collapse: collapse; font-size: .92em; }
td, th { border: 1px solid #ddd; padding: .2em .5em; text-align: left; }
.note { color: #666; font-size: .9em; }
"""


class Section:
    """One heading and its HTML body (already escaped markup: SVG, tables...)."""

    def __init__(self, heading, body, note=None):
        self.heading, self.body, self.note = heading, body, note

    def to_html(self):
        note = f'<p class="note">{html.escape(self.note)}</p>' if self.note else ""
        return (
            f"<section><h2>{html.escape(self.heading)}</h2>{note}"
            f'<div class="figure">{self.body}</div></section>'
        )


def page(title, sections, intro=None, lang=None):
    """The whole HTML document as a string."""
    lang = resolve_lang(lang)
    intro_html = f"<p>{html.escape(intro)}</p>" if intro else ""
    body = "\n".join(s.to_html() for s in sections)
    return (
        f'<!DOCTYPE html>\n<html lang="{"zh-CN" if lang == "zh" else "en"}">\n<head>\n'
        f'<meta charset="utf-8">\n<title>{html.escape(title)}</title>\n'
        f"<style>{STYLE}</style>\n</head>\n<body>\n<h1>{html.escape(title)}</h1>\n"
        f"{intro_html}\n{body}\n</body>\n</html>\n"
    )


def write_page(path, title, sections, intro=None, lang=None):
    """Write the report to ``path`` atomically; returns the path."""
    atomic_write(str(path), page(title, sections, intro, lang).encode("utf-8"))
    return str(path)
