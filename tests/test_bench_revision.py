"""The revision a bench run reports: the commit, marked "+uncommitted changes"
only when what the figures depend on (glassnet, the suite, pyproject.toml)
differs from it, not when the files the suite itself writes do."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import environment  # noqa: E402

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def _git(root, *args):
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path):
    for name in ("glassnet/ops.py", "bench/run.py", "bench/latest.md", "README.md"):
        path = tmp_path / name
        path.parent.mkdir(exist_ok=True)
        path.write_text("v1\n")
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "v1")
    return tmp_path


def test_the_suites_own_outputs_leave_the_revision_clean(repo):
    (repo / "README.md").write_text("a new speed table\n")
    (repo / "bench/latest.md").write_text("new figures\n")
    revision = environment._git_revision(repo)
    assert revision and "+" not in revision


@pytest.mark.parametrize("changed", ["glassnet/ops.py", "bench/run.py"])
def test_a_change_to_the_measured_code_is_marked(repo, changed):
    (repo / changed).write_text("v2\n")
    assert environment._git_revision(repo).endswith("+uncommitted changes")
