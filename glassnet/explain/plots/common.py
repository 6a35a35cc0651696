"""What every plot shares: importing matplotlib (the optional ``viz``
extra), a font that can write Chinese, and saving to PNG or SVG.

A figure made with ``path=`` is a plain ``matplotlib.figure.Figure``, not
registered with pyplot, so saving works headless without switching the
backend and nothing leaks when many figures are written. Without ``path``
the figure comes from ``pyplot`` so that ``plt.show()`` and notebooks show it.
"""

import os
import warnings

from ..i18n import resolve_lang

# Fonts known to carry Chinese glyphs, most wanted first (Debian packages:
# fonts-noto-cjk, fonts-wqy-microhei, fonts-wqy-zenhei, fonts-arphic-*).
CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Droid Sans Fallback",
    "AR PL UMing CN",
    "AR PL UKai CN",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
    "Heiti SC",
    "Noto Serif CJK SC",
)
_CJK_FILES = (
    "notosanscjk",
    "notoserifcjk",
    "sourcehansans",
    "wqy-microhei",
    "wqy-zenhei",
    "droidsansfallback",
    "uming",
    "ukai",
    "simhei",
    "msyh",
)
INSTALL_HINT = "apt-get install fonts-wqy-microhei (or fonts-noto-cjk)"
_state = {"font": False, "warned": False}


def matplotlib():
    """The matplotlib module, or an ImportError saying how to install it."""
    try:
        import matplotlib as mpl
    except ImportError:
        raise ImportError("glassnet's plots need matplotlib: pip install 'glassnet[viz]'") from None
    return mpl


def new_figure(path=None, **kwargs):
    """A Figure: a detached one when saving to ``path``, else a pyplot one."""
    matplotlib()
    if path is not None:
        from matplotlib.figure import Figure

        return Figure(**kwargs)
    import matplotlib.pyplot as plt

    return plt.figure(**kwargs)


def cjk_font():
    """The name of an installed font with Chinese glyphs, or None."""
    if _state["font"] is False:
        _state["font"] = _find_cjk_font()
    return _state["font"]


def _find_cjk_font():
    from matplotlib import font_manager as fm

    names = {f.name for f in fm.fontManager.ttflist}
    for name in CJK_FONTS:
        if name in names:
            return name
    # Fonts installed after matplotlib built its cache: add them by file name.
    for file in fm.findSystemFonts():
        if any(key in os.path.basename(file).lower().replace("_", "") for key in _CJK_FILES):
            try:
                fm.fontManager.addfont(file)
                return fm.FontProperties(fname=file).get_name()
            except (OSError, RuntimeError, ValueError):
                continue
    return None


def use_fonts(fig, lang):
    """For Chinese, give every text of ``fig`` a fallback to a CJK font
    (Latin and Greek letters stay in DejaVu Sans); warn once if none exists."""
    if resolve_lang(lang) != "zh":
        return
    font = cjk_font()
    if font is None:
        if not _state["warned"]:
            _state["warned"] = True
            warnings.warn(
                f"no font with Chinese glyphs found; Chinese text will show as "
                f"boxes. Install one: {INSTALL_HINT}",
                stacklevel=3,
            )
        return
    from matplotlib.text import Text

    for t in fig.findobj(Text):
        t.set_fontfamily(["DejaVu Sans", font])


def finish(fig, path=None, lang=None):
    """Set fonts, save to ``path`` if given, and return ``fig``."""
    use_fonts(fig, lang)
    if path is not None:
        save(fig, path)
    return fig


def save(fig, path):
    """Write ``fig`` to ``path``; the format follows the extension (.png, .svg)."""
    ext = os.path.splitext(str(path))[1].lower().lstrip(".")
    if ext not in ("png", "svg"):
        raise ValueError(f"save: path {str(path)!r} must end in .png or .svg")
    import matplotlib as mpl

    with warnings.catch_warnings(), mpl.rc_context({"svg.hashsalt": "glassnet"}):
        warnings.filterwarnings("ignore", message="Glyph .* missing from")
        if ext == "png":
            fig.savefig(path, format=ext, dpi=110)
        else:  # no date and fixed ids: the same figure gives the same file
            fig.savefig(path, format=ext, metadata={"Date": None})
    return path


def figure_text(fig):
    """All the text drawn in ``fig`` (titles, labels, legends), for tests."""
    from matplotlib.text import Text

    return "\n".join(t.get_text() for t in fig.findobj(Text) if t.get_text())
