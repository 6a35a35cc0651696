"""``import glassnet`` is light: NumPy and nothing heavy, and little time over NumPy's."""

import os
import statistics
import subprocess
import sys

HEAVY = (
    "scipy",
    "matplotlib",
    "sklearn",
    "tqdm",
    "torch",
    "numpy.f2py",
    "mpi4py",
    "onnx",
    "onnxruntime",
)
BUDGET_S = 0.15

# CPU time of this process (not wall time: the machine is shared), numpy first, then glassnet
TIMED = r"""
import time
t0 = time.process_time()
import numpy
t1 = time.process_time()
import glassnet
t2 = time.process_time()
print(t1 - t0, t2 - t1)
"""


def _python(code):
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = {**os.environ, "PYTHONPATH": root + os.pathsep + os.environ.get("PYTHONPATH", "")}
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        cwd=root,
        timeout=120,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_import_brings_in_nothing_heavy():
    loaded = _python(f"import sys, glassnet; print([m for m in {HEAVY!r} if m in sys.modules])")
    assert loaded.strip() == "[]", f"import glassnet imported {loaded.strip()}"


def test_import_takes_little_over_numpy():
    runs = [tuple(map(float, _python(TIMED).split())) for _ in range(7)]
    glassnet_s = statistics.median(g for _, g in runs)
    assert glassnet_s <= BUDGET_S, (
        f"import glassnet took {glassnet_s:.3f} s over numpy's "
        f"(median of 7; budget {BUDGET_S} s): {runs}"
    )
