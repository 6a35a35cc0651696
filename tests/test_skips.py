"""conftest's need(): a test that needs an optional package skips, naming
what to install, wherever it asks (also at the top of a file, which skips the
file instead of erroring at collection); GLASSNET_REQUIRE_ALL=1 fails instead."""

import os
import pathlib
import subprocess
import sys

TESTS = pathlib.Path(__file__).resolve().parent

FILE_TOP = """
from conftest import need
need("glassnet_no_such_module")
def test_never_runs():
    raise AssertionError("the file should have been skipped")
"""

IN_A_TEST = """
from conftest import need
def test_needs_a_missing_part_of_matplotlib():
    need("matplotlib.glassnet_no_such_module")
def test_runs():
    pass
"""


def _pytest(tmp_path, source, strict=False):
    """Run pytest on a file of ``source`` beside a file with one passing test."""
    (tmp_path / "test_needs.py").write_text(source)
    (tmp_path / "test_plain.py").write_text("def test_plain():\n    pass\n")
    env = {k: v for k, v in os.environ.items() if k != "GLASSNET_REQUIRE_ALL"}
    env["PYTHONPATH"] = os.pathsep.join([str(TESTS), env.get("PYTHONPATH", "")])
    if strict:
        env["GLASSNET_REQUIRE_ALL"] = "1"
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-rs",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:xdist",
            "--rootdir",
            str(tmp_path),
            str(tmp_path),
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_need_at_the_top_of_a_file_skips_the_file(tmp_path):
    out = _pytest(tmp_path, FILE_TOP)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "1 passed, 1 skipped" in out.stdout and "error" not in out.stdout.lower(), out.stdout
    assert "needs glassnet_no_such_module: pip install glassnet_no_such_module" in out.stdout


def test_need_names_the_extra_that_brings_the_package(tmp_path):
    out = _pytest(tmp_path, IN_A_TEST)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "2 passed, 1 skipped" in out.stdout, out.stdout
    assert "pip install 'glassnet[viz]'" in out.stdout


def test_require_all_turns_the_skip_into_a_failure(tmp_path):
    for source in (FILE_TOP, IN_A_TEST):
        out = _pytest(tmp_path, source, strict=True)
        assert out.returncode in (1, 2), out.stdout + out.stderr  # failed, or a collection error
        assert "GLASSNET_REQUIRE_ALL=1 forbids skipping" in out.stdout, out.stdout
