"""Speed and memory of glassnet's safetensors files: one ~100 MB file and many
small ones, saved and loaded through ``glassnet.io.safetensors``.

    python -m bench.io_safetensors                     # this checkout's implementation
    python -m bench.io_safetensors --against b352e46   # and the one at that git revision

``--against REV`` loads ``glassnet/io/safetensors.py`` as it was at ``REV``
(b352e46: the last one with glassnet's own NumPy reader and writer) into the
same process and runs both interleaved, so that both meet the same load.
Times are medians; "peak" is the process's resident-memory peak during the
call over its resident memory before it (Linux: VmHWM, reset per call), so
it counts what the Rust library allocates too. Files are loaded right after
they are written: from the page cache, not the disk; saves fsync.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np


def big_state_dict(rng):
    """~100 MB of float32: 24 layers of 1024x1024 weights and their biases."""
    out = {}
    for i in range(24):
        out[f"layers.{i}.weight"] = rng.standard_normal((1024, 1024), dtype=np.float32)
        out[f"layers.{i}.bias"] = rng.standard_normal(1024, dtype=np.float32)
    return out


def small_state_dict(rng):
    """A 64-32-10 MLP's six arrays (~9 KB)."""
    shapes = {"0.weight": (32, 64), "0.bias": (32,), "2.weight": (10, 32), "2.bias": (10,)}
    out = {k: rng.standard_normal(s, dtype=np.float32) for k, s in shapes.items()}
    out["steps"] = np.array(100, np.int64)
    out["mask"] = np.ones(32, np.bool_)
    return out


def _rss_kb(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def measure(fn):
    """(seconds, peak MB over the resident memory before the call) of ``fn()``."""
    linux = os.path.exists("/proc/self/clear_refs")
    if linux:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")  # reset VmHWM to the current VmRSS
        before = _rss_kb("VmRSS")
    t0 = time.perf_counter()
    fn()
    seconds = time.perf_counter() - t0
    peak = (_rss_kb("VmHWM") - before) / 1024 if linux else float("nan")
    return seconds, peak


def handwritten(rev):
    """``glassnet.io.safetensors`` as it was at git revision ``rev``."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    source = subprocess.run(
        ["git", "show", f"{rev}:glassnet/io/safetensors.py"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    folder = tempfile.mkdtemp()
    path = os.path.join(folder, "safetensors_at_rev.py")
    with open(path, "w") as f:
        f.write(source)
    # a module of the glassnet.io package, so that its relative imports resolve
    spec = importlib.util.spec_from_file_location("glassnet.io._safetensors_at_rev", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def cases(st, folder, big, small, n_small):
    """name -> a function that runs one measured call (or ``n_small`` of them)."""
    big_path = os.path.join(folder, "big.safetensors")
    small_paths = [os.path.join(folder, f"small{i}.safetensors") for i in range(n_small)]
    big_bytes = st.save_bytes(big)

    def save_small():
        for p in small_paths:
            st.save_file(small, p, metadata={"format": "pt"})

    def load_small():
        for p in small_paths:
            st.load_file(p)

    return {
        "save_file 100 MB": lambda: st.save_file(big, big_path, metadata={"format": "pt"}),
        "load_file 100 MB": lambda: st.load_file(big_path),
        "save_bytes 100 MB": lambda: st.save_bytes(big),
        "load_bytes 100 MB": lambda: st.load_bytes(big_bytes),
        f"save_file {n_small} small": save_small,
        f"load_file {n_small} small": load_small,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", metavar="REV", help="also time safetensors.py at REV")
    parser.add_argument("--repeat", type=int, default=7, help="measured calls per case")
    parser.add_argument("--small-files", type=int, default=200, help="files in the small case")
    args = parser.parse_args(argv)

    from glassnet.io import safetensors as current

    impls = {"now": current}
    if args.against:
        impls[args.against] = handwritten(args.against)
    rng = np.random.default_rng(0)
    big, small = big_state_dict(rng), small_state_dict(rng)
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        runs = {}
        for name, st in impls.items():
            sub = os.path.join(folder, name)
            os.mkdir(sub)
            runs[name] = cases(st, sub, big, small, args.small_files)
            for fn in runs[name].values():  # warm up (and write the files loads read)
                fn()
        for _ in range(args.repeat):  # interleaved: every case, each implementation in turn
            for case in runs[next(iter(runs))]:
                for name in runs:
                    results.setdefault((case, name), []).append(measure(runs[name][case]))
    header = f"{'case':<24}" + "".join(f"{n + ' (s)':>14}{n + ' peak MB':>18}" for n in impls)
    print(header)
    for case in runs[next(iter(runs))]:
        row = f"{case:<24}"
        for name in impls:
            times, peaks = zip(*results[(case, name)])
            row += f"{statistics.median(times):>14.4f}{max(peaks):>18.1f}"
        print(row)
    print(f"numpy {np.__version__}, python {sys.version.split()[0]}, {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
