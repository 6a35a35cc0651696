"""The machine the numbers came from, and the thread count they ran at.

``threads(n)`` sets PyTorch's intra-op threads (``torch.set_num_threads``)
and, through threadpoolctl, every BLAS/OpenMP pool loaded in the process
(NumPy's OpenBLAS included) to ``n``, and restores them afterwards. Without
threadpoolctl NumPy's BLAS keeps its own thread count, and the report says
so. OPENBLAS_CORETYPE, OPENBLAS_L2_SIZE and friends are reported, never
changed.
"""

import contextlib
import os
import platform
import subprocess
import sys
from pathlib import Path

import numpy as np

ENV_VARS = (
    "MALLOC_TRIM_THRESHOLD_",
    "MALLOC_MMAP_THRESHOLD_",
    "OPENBLAS_CORETYPE",
    "OPENBLAS_L2_SIZE",
    "OPENBLAS_NUM_THREADS",
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "OMP_WAIT_POLICY",
    "GOMP_SPINCOUNT",
    "KMP_BLOCKTIME",
    "MKL_THREADING_LAYER",
    "GLASSNET_BLAS",
    "GLASSNET_ONEDNN",
)


def _threadpoolctl():
    try:
        import threadpoolctl

        return threadpoolctl
    except ImportError:
        return None


@contextlib.contextmanager
def threads(n, torch=None):
    """Run the body with ``n`` threads for NumPy's BLAS, glassnet's MKL (loaded
    first, so that threadpoolctl sees it) and PyTorch."""
    import glassnet.backends.blas

    glassnet.backends.blas.load()
    tpc = _threadpoolctl()
    before = torch.get_num_threads() if torch is not None else None
    limits = tpc.threadpool_limits(limits=n) if tpc else contextlib.nullcontext()
    try:
        with limits:
            if torch is not None:
                torch.set_num_threads(n)
            yield
    finally:
        if torch is not None:
            torch.set_num_threads(before)


def blas_info():
    """The BLAS/OpenMP libraries loaded in this process (threadpoolctl), or why not known."""
    tpc = _threadpoolctl()
    if tpc is None:
        return {
            "error": "threadpoolctl not installed (pip install threadpoolctl): BLAS kernel "
            "unknown and NumPy's BLAS threads not limited"
        }
    keep = (
        "user_api",
        "internal_api",
        "prefix",
        "version",
        "architecture",
        "threading_layer",
        "num_threads",
        "filepath",
    )
    return [{k: pool.get(k) for k in keep} for pool in tpc.threadpool_info()]


def _cpu_model():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


# What a run's figures depend on: glassnet, the suite, the dependencies; not the
# files the suite writes (README.md's table, bench/latest.*), which a run leaves changed.
MEASURED_PATHS = ("glassnet", "bench", "pyproject.toml", ":(exclude)bench/latest.*")


def _git_revision(root=None):
    """The short commit, "+uncommitted changes" when MEASURED_PATHS differ from it."""
    root = root or Path(__file__).resolve().parent.parent
    try:
        rev = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=root,
            text=True,
            capture_output=True,
            timeout=10,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no", "--", *MEASURED_PATHS],
            cwd=root,
            text=True,
            capture_output=True,
            timeout=10,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return (rev + ("+uncommitted changes" if dirty.strip() else "")) or None


def describe(torch=None):
    """Versions, CPU, BLAS and environment variables, for the report and the JSON."""
    import glassnet
    import glassnet.backends.blas
    import glassnet.backends.onednn

    info = {
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "glassnet": glassnet.__version__,
        "glassnet_revision": _git_revision(),
        "torch": torch.__version__ if torch is not None else None,
        "cpu": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "blas": blas_info(),
        "env": {k: os.environ.get(k) for k in ENV_VARS},
        "malloc": glassnet.backends.allocator.status,
        "glassnet_blas": glassnet.backends.blas.load(),
        "glassnet_onednn": glassnet.backends.onednn.load(),
    }
    if torch is not None:
        info["torch_blas"] = "MKL" if torch.backends.mkl.is_available() else "not MKL"
    return info


def _owner(path):
    """The package that shipped a shared library: '.../numpy.libs/libx.so' -> 'numpy'."""
    parts = Path(path or "").parts
    for i, part in enumerate(parts):
        if part == "site-packages" and i + 1 < len(parts):
            return parts[i + 1].split(".")[0].replace("_", "-")
    return Path(path or "?").name


def blas_line(info):
    """Which BLAS NumPy uses and its kernel, then the other thread pools loaded."""
    pools = info.get("blas")
    if isinstance(pools, dict):
        return pools["error"]
    numpy_first = sorted(pools, key=lambda p: _owner(p["filepath"]) != "numpy")
    return (
        "; ".join(
            f"{_owner(p['filepath'])}: {p['internal_api']}"
            + (f" {p['version']}" if p.get("version") else "")
            + (
                f" ({p['architecture']} kernel, {p.get('threading_layer')} threads)"
                if p.get("architecture")
                else ""
            )
            for p in numpy_first
        )
        or "no BLAS found"
    )


class BackgroundLoad:
    """How many cores other processes kept busy while the body ran: the
    machine's busy CPU time (/proc/stat) minus this process's own and its
    finished children's (the suite's workers), over the wall time. Numbers
    taken while other work runs are not to be trusted, the 2-thread ones
    least (a thread waits for a core someone else holds).
    ``cores`` stays None where /proc/stat does not exist."""

    def __enter__(self):
        self.cores = None
        self._start = self._sample()
        return self

    def __exit__(self, *exc):
        end = self._sample()
        if self._start and end:
            wall = end[0] - self._start[0]
            busy = (end[1] - self._start[1]) / os.sysconf("SC_CLK_TCK")
            own = end[2] - self._start[2]
            self.cores = max(0.0, (busy - own) / wall) if wall > 0 else None
        return False

    @staticmethod
    def _sample():
        import time

        try:
            fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        except (OSError, ValueError):
            return None
        busy = sum(fields) - fields[3] - (fields[4] if len(fields) > 4 else 0)
        t = os.times()
        return time.perf_counter(), busy, t.user + t.system + t.children_user + t.children_system
