"""The documentation site (docs/): the two language trees hold the same
pages, the tutorials' code is the code in docs/code/ (each cell loads a file;
no copy in a page can drift from what runs), that code runs, and every public
name of glassnet is in the API reference. The site itself is built, every
page executed, by ``sphinx-build -W -b html docs OUT`` (.ci/run)."""

import importlib
import re
import subprocess
import sys
import types
from pathlib import Path

import pytest
from conftest import need
from public_api import public_api

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
CODE = DOCS / "code"
LANGS = ("en", "zh")

CELL = re.compile(r"^```\{code-cell\}[^\n]*\n(.*?)^```", re.M | re.S)
LANG_CELL = re.compile(r'LANG = "(en|zh)"\s*')
LOAD = re.compile(r"^:load:\s*(\S+)\s*$", re.M)


def pages(lang, folder="tutorials"):
    return sorted((DOCS / lang / folder).glob("*.md"))


def cells(page):
    """[(options-and-body text)] of each code cell of a MyST page."""
    return CELL.findall(page.read_text(encoding="utf-8"))


def loaded_files(page):
    """The files the page's code cells load, in order (paths relative to docs/code)."""
    files = []
    for cell in cells(page):
        match = LOAD.search(cell)
        if match:
            files.append((page.parent / match.group(1)).resolve().relative_to(CODE).as_posix())
    return files


def test_both_languages_have_the_same_pages():
    for folder in ("tutorials",):
        en = [p.name for p in pages("en", folder)]
        zh = [p.name for p in pages("zh", folder)]
        assert en == zh, f"docs/en/{folder} and docs/zh/{folder} differ: {set(en) ^ set(zh)}"
    assert len(pages("en")) >= 11, "the eleven tutorials of issue #26"
    assert (DOCS / "en" / "index.md").exists() and (DOCS / "zh" / "index.md").exists()


@pytest.mark.parametrize("name", [p.name for p in pages("en")])
def test_each_code_cell_loads_a_file_the_other_language_loads_too(name):
    """A tutorial's cells are the language line (LANG = "en"/"zh") and cells
    loading a file of docs/code/: no code written into a page, and both
    languages run the same files in the same order."""
    loads = {}
    for lang in LANGS:
        page = DOCS / lang / "tutorials" / name
        found = cells(page)
        assert found, f"{page}: no code cell"
        assert LANG_CELL.fullmatch(found[0].strip()) and f'"{lang}"' in found[0], (
            f'{page}: the first cell must be exactly LANG = "{lang}"'
        )
        for cell in found[1:]:
            match = LOAD.search(cell)
            assert match, f"{page}: a code cell with code written in the page:\n{cell}"
            body = LOAD.sub("", cell)
            body = re.sub(r"^:\w+:.*$", "", body, flags=re.M)
            assert not body.strip(), f"{page}: a cell both loads {match.group(1)} and has code"
            assert (page.parent / match.group(1)).is_file(), f"{page}: {match.group(1)} missing"
        loads[lang] = loaded_files(page)
    assert loads["en"] == loads["zh"], f"{name}: en and zh load different code"


def test_every_code_file_is_shown_on_a_page():
    shown = {f for lang in LANGS for p in pages(lang) for f in loaded_files(p)}
    files = {p.relative_to(CODE).as_posix() for p in CODE.rglob("*.py")}
    assert files - shown == set(), f"code files no page loads: {sorted(files - shown)}"


RUNNER = r"""
import sys
import matplotlib
matplotlib.use("Agg")
namespace = {"LANG": sys.argv[1]}
for path in sys.argv[2:]:
    exec(compile(open(path, encoding="utf-8").read(), path, "exec"), namespace)
"""


@pytest.mark.parametrize("name", [p.name for p in pages("en")])
def test_tutorial_code_runs(name, tmp_path):
    """Each tutorial's files, in the page's order, in one fresh process (as
    the page's kernel runs them), with the English traces."""
    need("matplotlib")
    need("sklearn")  # the digits of tutorial 9
    files = [str(CODE / f) for f in loaded_files(DOCS / "en" / "tutorials" / name)]
    out = subprocess.run(
        [sys.executable, "-c", RUNNER, "en", *files],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**_env(), "PYTHONPATH": str(ROOT)},
        timeout=300,
        check=False,
    )
    assert out.returncode == 0, f"{name}:\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}"


def _env():
    import os

    return {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}


# ---- the API reference ---------------------------------------------------------------

NAME = re.compile(r"glassnet(?:\.\w+)+")


def documented():
    """The dotted names the API reference pages mention (directives, tables)."""
    text = "\n".join(p.read_text(encoding="utf-8") for p in (DOCS / "api").glob("*.md"))
    return set(NAME.findall(text))


def _resolve(dotted):
    """The object a dotted name in the reference stands for (None if none)."""
    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        try:
            for attr in parts[i:]:
                obj = getattr(obj, attr)
        except AttributeError:
            return None
        return obj
    return None


SKLEARN = "pip install 'glassnet[sklearn]' (glassnet.sklearn's names are in the reference)"


def test_every_public_name_is_in_the_api_reference():
    need("sklearn", SKLEARN)
    names = documented()
    objects = {id(o) for o in map(_resolve, names) if o is not None}
    missing = []
    for module, public in public_api().items():
        mod = importlib.import_module(module)
        for name in public:
            value = getattr(mod, name)
            if f"{module}.{name}" in names:
                continue
            if isinstance(value, types.ModuleType) and value.__name__ in names:
                continue
            if not isinstance(value, (int, float, str, bool)) and id(value) in objects:
                continue  # the same object, documented under another of its names
            missing.append(f"{module}.{name}")
    assert missing == [], f"public names missing from docs/api/*.md: {missing}"


def test_the_api_reference_names_only_what_exists():
    need("sklearn", SKLEARN)
    stale = sorted(n for n in documented() if _resolve(n) is None)
    assert stale == [], f"docs/api/*.md names what glassnet does not have: {stale}"


def test_the_coverage_check_sees_a_missing_name(monkeypatch):
    """The check above can fail: a new public function nobody documented."""
    import glassnet.nn.functional as F

    monkeypatch.setattr(F, "__all__", [*F.__all__, "brand_new_function"], raising=True)
    monkeypatch.setattr(F, "brand_new_function", lambda x: x, raising=False)
    with pytest.raises(AssertionError, match="brand_new_function"):
        test_every_public_name_is_in_the_api_reference()
