"""Which back end does what in this process, in words: the lines of
``glassnet doctor`` (nothing here runs at ``import glassnet``; a call loads
the native libraries it reports on, as the first big product would)."""

import os
import platform
import sys
from importlib import metadata

import numpy as np

from . import allocator, blas, cpu, fused, onednn

# optional packages: (distribution, what uses it, the extra that installs it)
OPTIONAL = (
    ("mkl", "matrix products and optimizer updates", "mkl"),
    (
        "onednn-cpu-gomp",
        "RNN layers, convolutions, pooling, layer norm, Adam, float32 GEMM",
        "onednn",
    ),
    ("matplotlib", "the explain figures", "viz"),
    ("scikit-learn", "glassnet.sklearn and the built-in data sets", "sklearn"),
    ("tqdm", "fit's progress bar", "progress"),
    ("onnx", "glassnet.onnx.export", "onnx"),
    ("mpi4py", "glassnet.distributed", "distributed"),
)


def numpy_blas():
    """The BLAS NumPy was built with, in words."""
    try:
        blas_info = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        return f"{blas_info.get('name', '?')} {blas_info.get('version', '')}".strip()
    except Exception:  # (an older or unusual NumPy build: not worth failing over)
        return "unknown"


def _version(dist):
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def fast_path_missing():
    """The native packages that would speed this machine up but are not installed
    (dependencies on x86-64 Linux, the only platform with their wheels: missing
    there after an install with --no-deps, say)."""
    if platform.machine() not in ("x86_64", "AMD64") or sys.platform != "linux":
        return []
    return [dist for dist, _, _ in OPTIONAL[:2] if _version(dist) is None]


def lines():
    """(what, which) pairs: the machine, then each back end and optional package."""
    rows = [
        ("glassnet", _version("glassnet") or "not installed (run from a checkout)"),
        ("Python", f"{platform.python_version()} ({sys.platform}, {platform.machine()})"),
        (
            "CPU",
            f"{cpu.name()} ({cpu.vendor() or 'vendor unknown'}), {os.cpu_count()} logical cores",
        ),
        ("NumPy", f"{np.__version__}, built with {numpy_blas()}"),
        ("matrix products", blas.load()),
        ("RNNs, conv, pool, norm, Adam", onednn.load()),
        (
            "recurrent layers",
            "fused steps" if fused.enabled else "plain recorded ops (backends.fused.disabled())",
        ),
        ("memory allocator", allocator.status),
    ]
    for dist, use, extra in OPTIONAL:
        found = _version(dist)
        rows.append(
            (
                dist,
                f"{found} ({use})" if found else f"not installed: pip install 'glassnet[{extra}]'",
            )
        )
    return rows
