"""``import glassnet`` is light: NumPy, the standard library and nothing heavy.

What it costs is checked by what it loads, not by a stopwatch: a timed test on a shared
machine fails on a slow minute (and without cached bytecode every import compiles the
package from source), whereas a new heavy import or an eager native library is a change
in the code that these tests catch every time.
"""

import json
import os
import re
import subprocess
import sys

import pytest

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
# native libraries the fast path loads on first use (ctypes), never at import
NATIVE = re.compile(r"lib(dnnl|mkl|gomp|iomp|tbb)")

# what `import glassnet` adds to the process once NumPy is in: modules and shared objects
LOADED = r"""
import json, sys
import numpy

def shared_objects():
    with open("/proc/self/maps") as maps:
        return {line.split()[-1] for line in maps if ".so" in line}

modules, objects = set(sys.modules), shared_objects()
import glassnet
print(json.dumps({
    "modules": sorted(set(sys.modules) - modules),
    "objects": sorted(shared_objects() - objects),
}))
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


def _added():
    return json.loads(_python(LOADED))


def test_import_brings_in_nothing_heavy():
    loaded = _python(f"import sys, glassnet; print([m for m in {HEAVY!r} if m in sys.modules])")
    assert loaded.strip() == "[]", f"import glassnet imported {loaded.strip()}"


def test_import_brings_in_only_the_standard_library_and_numpy():
    packages = {module.split(".")[0] for module in _added()["modules"]}
    outside = sorted(
        name
        for name in packages - set(sys.stdlib_module_names) - {"glassnet", "numpy"}
        # numpy.random is compiled with Cython, which registers its runtime as modules
        if name != "cython_runtime" and not name.startswith("_cython_")
    )
    assert outside == [], f"import glassnet imported third-party packages {outside}"


def test_import_loads_no_native_backend():
    if not os.path.exists("/proc/self/maps"):
        pytest.skip("needs /proc/self/maps (Linux) to list the shared objects a process loaded")
    eager = [path for path in _added()["objects"] if NATIVE.search(os.path.basename(path))]
    assert eager == [], f"import glassnet loaded native libraries {eager}; load them on first use"


def test_the_native_check_sees_a_backend_once_it_is_used(needs_onednn):
    """The check above can fail: after one convolution oneDNN is mapped."""
    code = LOADED.replace(
        "import glassnet\n",
        "import glassnet\n"
        "glassnet.nn.Conv2d(3, 8, 3)(glassnet.randn(2, 3, 16, 16)).sum().backward()\n",
    )
    objects = json.loads(_python(code))["objects"]
    assert any(NATIVE.search(os.path.basename(path)) for path in objects), objects
