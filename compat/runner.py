"""Run a corpus script in a fresh process, with PyTorch or with glassnet.

The PyTorch run is ``python script.py``. The glassnet run writes the script
with its imports rewritten (``rewrite.to_glassnet``) to a temporary folder and
runs that with every import of ``torch`` refused, so nothing in it can reach
PyTorch. Both run with one thread (OMP/MKL/OpenBLAS), in a temporary working
folder, with this checkout's glassnet first on the path.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .rewrite import to_glassnet
from .script import Script, read_result

ROOT = Path(__file__).resolve().parent.parent
LIBRARIES = ("torch", "glassnet")
TIMEOUT_S = 60.0

# runs the rewritten script as __main__, with every import of torch refused
_BLOCKED_TORCH = """\
import importlib.abc, os, runpy, sys
class NoTorch(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "torch":
            raise ModuleNotFoundError(f"{name}: torch is blocked in the glassnet run", name=name)
sys.meta_path.insert(0, NoTorch())
path = sys.argv[1]
sys.argv = sys.argv[1:]
sys.path.insert(0, os.path.dirname(path))
runpy.run_path(path, run_name="__main__")
"""
_FRAME = re.compile(r'^\s*File "(.+)", line (\d+)')


@dataclass(frozen=True)
class Outcome:
    """One run: the RESULT value (None when there was none), the error, the time."""

    value: float | None
    error: str
    seconds: float


@dataclass(frozen=True)
class Comparison:
    script: Script
    torch: Outcome
    glassnet: Outcome

    @property
    def verdict(self) -> str:
        """``runs unchanged``, ``differs``, ``fails`` or ``broken under torch``."""
        if self.torch.value is None:
            return "broken under torch"
        if self.glassnet.value is None:
            return "fails"
        if self.script.rule.passes(self.torch.value, self.glassnet.value):
            return "runs unchanged"
        return "differs"

    @property
    def ok(self) -> bool:
        return self.verdict == "runs unchanged"


def first_error(stderr: str, script_name: str) -> str:
    """``line N: TypeError: ...``: the exception's line and where in the script it was."""
    lines = [s for s in stderr.splitlines() if s.strip()]
    if not lines:
        return "exited with an error and printed nothing"
    message = next((s for s in reversed(lines) if not s.startswith(" ")), lines[-1]).strip()
    where = [
        m.group(2)
        for m in map(_FRAME.match, lines)
        if m and Path(m.group(1)).name == f"{script_name}.py"
    ]
    return f"line {where[-1]}: {message}" if where else message


def environment() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        env[var] = "1"
    env["PYTHONHASHSEED"] = "0"
    return env


def run(script: Script, library: str, timeout: float = TIMEOUT_S) -> Outcome:
    """Run ``script`` under ``library`` ("torch" or "glassnet") in a fresh process."""
    if library not in LIBRARIES:
        raise ValueError(f"library must be one of {LIBRARIES}, got {library!r}")
    with tempfile.TemporaryDirectory(prefix=f"compat-{script.name}-") as work:
        if library == "torch":
            command = [sys.executable, str(script.path)]
        else:
            path = Path(work) / "glassnet" / script.path.name
            path.parent.mkdir()
            path.write_text(to_glassnet(script.source()), encoding="utf-8")
            command = [sys.executable, "-c", _BLOCKED_TORCH, str(path)]
        start = time.perf_counter()
        try:
            done = subprocess.run(
                command,
                cwd=work,
                env=environment(),
                capture_output=True,
                text=True,
                timeout=timeout,
            )
        except subprocess.TimeoutExpired:
            return Outcome(None, f"timed out after {timeout:g} s", time.perf_counter() - start)
        seconds = time.perf_counter() - start
    value = read_result(done.stdout, script.name)
    if done.returncode != 0:
        return Outcome(None, first_error(done.stderr, script.name), seconds)
    if value is None:
        return Outcome(None, f"printed no line 'RESULT {script.name} <value>'", seconds)
    return Outcome(value, "", seconds)


def compare(script: Script, timeout: float = TIMEOUT_S) -> Comparison:
    return Comparison(script, run(script, "torch", timeout), run(script, "glassnet", timeout))


def compare_all(
    corpus: list[Script], jobs: int = 2, timeout: float = TIMEOUT_S
) -> list[Comparison]:
    """Every script both ways, ``jobs`` processes at a time, in the corpus's order."""
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = {
            (s.name, lib): pool.submit(run, s, lib, timeout) for s in corpus for lib in LIBRARIES
        }
        return [
            Comparison(s, futures[s.name, "torch"].result(), futures[s.name, "glassnet"].result())
            for s in corpus
        ]
