"""Sphinx configuration: the glassnet site (``sphinx-build -W -b html docs docs/_build/html``).

Every tutorial and how-to page is MyST markdown executed at each build by
MyST-NB (an error in any cell fails the build); the API reference is
autodoc on the package's docstrings.
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# the kernels that run the pages import this checkout's glassnet, as autodoc does
os.environ["PYTHONPATH"] = os.pathsep.join(
    [str(ROOT)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
)
os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")

project = "glassnet"
author = "the glassnet authors"
copyright = "the glassnet authors, MIT licence"  # noqa: A001

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
]

# pages: MyST markdown; code cells executed at every build, any error fails it
nb_execution_mode = "force"
nb_execution_raise_on_error = True
nb_execution_timeout = 180
nb_execution_show_tb = True
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "colon_fence", "deflist"]
myst_heading_anchors = 3

exclude_patterns = ["_build", "code", "Thumbs.db", ".DS_Store", "**/.ipynb_checkpoints"]
templates_path = ["_templates"]
html_static_path = ["_static"]
html_css_files = ["glassnet.css"]

autodoc_typehints = "none"  # the signatures stay readable; the docstrings say the types
autodoc_member_order = "bysource"
autodoc_default_options = {"members": False}
suppress_warnings = ["mystnb.unknown_mime_type"]

html_theme = "furo"
html_title = "glassnet"
html_theme_options = {"source_repository": "", "navigation_with_keys": True}


# ---- the language switch: every page under en/ links to its twin under zh/ and back
LANGUAGES = {"en": ("zh", "中文"), "zh": ("en", "English")}


def _add_language_switch(app, docname, source):
    """Put a link to the same page in the other language under the page's title."""
    lang, _, rest = docname.partition("/")
    if lang not in LANGUAGES or not rest:
        return
    other, label = LANGUAGES[lang]
    link = f"[{label}](/{other}/{rest}.md)"
    link = f"\n\n```{{admonition}} {label}\n:class: lang-link\n{link}\n```\n\n"
    text = source[0]
    start = text.find("\n# ")
    if start < 0:
        return
    end = text.find("\n", start + 1)
    source[0] = text[:end] + link + text[end:]


# a page with code cells is a notebook MyST-NB executes; a how-to written without the
# notebook header (file_format: mystnb) gets it, so its cells run like every other page's
NOTEBOOK_HEADER = (
    "---\nfile_format: mystnb\nkernelspec:\n  name: python3\n  display_name: Python 3\n---\n"
)


def _execute_code_cells(app, docname, source):
    text = source[0]
    if "```{code-cell}" in text and not text.lstrip().startswith("---"):
        source[0] = NOTEBOOK_HEADER + text


def setup(app):
    app.connect("source-read", _execute_code_cells)
    app.connect("source-read", _add_language_switch)
