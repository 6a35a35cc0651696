"""Two languages for every explanation: English and Chinese (the article's).

Each module keeps its own table ``{key: {"en": ..., "zh": ...}}`` and calls
``text(TABLE, key, lang, **values)``. ``lang=None`` takes the language from
the environment (LC_ALL, LC_MESSAGES, LANG, LANGUAGE: ``zh*`` → Chinese),
else English. The notation (z, a, δ, ∂L/∂w, η) is the same in both.
"""

import os

LANGS = ("en", "zh")


def resolve_lang(lang=None):
    """'en' or 'zh'; None reads the locale from the environment."""
    if lang is None:
        for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
            value = os.environ.get(var, "")
            if value:
                return "zh" if value.lower().startswith("zh") else "en"
        return "en"
    lang = str(lang).lower().replace("_", "-")
    if lang.startswith("zh"):
        return "zh"
    if lang.startswith("en"):
        return "en"
    raise ValueError(f"unknown language {lang!r}; expected 'en' or 'zh'")


def text(table, key, lang=None, **values):
    """The string for ``key`` in ``lang``, formatted with ``values``."""
    entry = table[key]
    s = entry[resolve_lang(lang)]
    return s.format(**values) if values else s
