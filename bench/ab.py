"""A/B: is a change to glassnet faster? ``python -m bench.ab`` times the
glassnet of this working tree (B) against the glassnet of another git
revision (A, default HEAD) on the suite's training-step workloads, both in
one process, in short alternating blocks.

Why not two runs of ``python -m bench``: this machine drifts between a fast
and a slow phase within minutes (the same LSTM step takes 13 or 18 ms), far
more than most changes move a step. Here each pair of blocks (A then B, or
B then A, alternating) runs within a few tens of milliseconds, so both
halves of a pair see the same phase; the report gives the median over many
pairs of B's time / A's time with a 95% confidence interval of that
median, and in how many pairs B was faster. A change is claimed ("B
faster", "B slower") only when the interval excludes 1.

    python -m bench.ab --only lstm tiny               # working tree vs HEAD
    python -m bench.ab --base HEAD~3 --threads 1 2 --pairs 300

Both sides are copies in a temporary folder, imported alike: revision A
``git archive``d as the package ``glassnet_a``, the working tree's
``glassnet/`` (uncommitted changes included) as ``glassnet_b`` (glassnet's
own imports are relative, so each copy runs its own code). The pairs run
in four rounds on freshly built models, A's built first in two of them and
B's in the other two. Identical code still measures B/A between 0.98 and
1.01 here: claim nothing under 2% without such a calibration beside it.
"""

import argparse
import importlib
import io
import math
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import types
from pathlib import Path

from . import timing

ROOT = Path(__file__).resolve().parents[1]


def load_copy(rev, name, folder):
    """glassnet as it is at git revision ``rev`` (None: the working tree),
    copied into ``folder`` and imported as the package ``name``. Both sides
    are such copies, imported alike: the working tree's own ``glassnet``
    measured against a copy came out 1–4% faster on the LSTM with identical
    code (where a module's arrays and objects land in memory)."""
    target = os.path.join(folder, name)
    if rev is None:
        shutil.copytree(
            ROOT / "glassnet", target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
        )
    else:
        try:
            proc = subprocess.run(
                ["git", "archive", "--format=tar", rev, "glassnet"],
                cwd=ROOT,
                capture_output=True,
                check=True,
            )
        except (OSError, subprocess.CalledProcessError) as exc:
            detail = getattr(exc, "stderr", b"") or str(exc).encode()
            raise SystemExit(
                f"bench.ab: cannot read glassnet at revision {rev!r} with git "
                f"archive (run from a git checkout): "
                f"{detail.decode(errors='replace').strip()}"
            )
        unpacked = os.path.join(folder, "unpacked-" + name)
        with tarfile.open(fileobj=io.BytesIO(proc.stdout)) as tar:
            tar.extractall(unpacked, filter="data")
        os.rename(os.path.join(unpacked, "glassnet"), target)
    sys.path.insert(0, folder)
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(folder)


def steps_of(workload, cfg, fw_a, fw_b, a_first=True):
    """(A's step, B's step) of one training-step workload: B stands where the
    suite puts glassnet and A where it puts PyTorch, so both build the same
    model on the same data; ``a_first``: which model is built first."""
    sides = types.SimpleNamespace(glassnet=fw_b, torch=fw_a, torch_reason=None)
    impls = {impl.name: impl for impl in workload.impls(cfg, sides)}
    a, b = impls[fw_a.name], impls[fw_b.name]
    for impl in (a, b):
        if impl.make is None:
            raise SystemExit(f"bench.ab: {workload.name}: {impl.name} is {impl.reason}")
    if a_first:
        step_a = a.make()
        return step_a, b.make()
    step_b = b.make()
    return a.make(), step_b


def rounds(make_steps, pairs, block_s, warmup_s, count=4):
    """``paired`` in ``count`` rounds, each on freshly built steps, A's built
    first in even rounds and B's in odd ones (where each side's arrays land
    in memory then varies alike); all the rounds' times together."""
    times_a, times_b = [], []
    for r in range(count):
        step_a, step_b = make_steps(r % 2 == 0)
        ta, tb = paired(step_a, step_b, max(1, pairs // count), block_s, warmup_s)
        times_a += ta
        times_b += tb
    return times_a, times_b


def paired(step_a, step_b, pairs, block_s, warmup_s=0.3):
    """Seconds per step of A and of B in ``pairs`` pairs of blocks (A first in
    even pairs, B first in odd ones), each block about ``block_s`` long."""
    per_step = max(timing.warm_up(step, 3, warmup_s) for step in (step_a, step_b))
    n = max(1, round(block_s / per_step))
    times_a, times_b = [], []
    for p in range(pairs):
        if p % 2:
            tb = timing.block(step_b, n)
            ta = timing.block(step_a, n)
        else:
            ta = timing.block(step_a, n)
            tb = timing.block(step_b, n)
        times_a.append(ta)
        times_b.append(tb)
    return times_a, times_b


def median_interval(values):
    """A 95% confidence interval of the median of ``values`` that assumes
    nothing about their distribution: the order statistics at ranks
    n/2 ∓ 0.98·√n (the binomial(n, ½) count below the median, ±1.96 σ)."""
    ordered = sorted(values)
    n = len(ordered)
    half = 0.98 * math.sqrt(n)
    lo = max(0, math.floor(n / 2 - half))
    hi = min(n - 1, math.ceil(n / 2 + half) - 1)
    return ordered[lo], ordered[hi]


def summary(times_a, times_b):
    """The numbers the report prints for one workload at one thread count."""
    ratios = [b / a for a, b in zip(times_a, times_b)]
    lo, hi = median_interval(ratios)
    return {
        "a_ms": statistics.median(times_a) * 1e3,
        "b_ms": statistics.median(times_b) * 1e3,
        "ratio": statistics.median(ratios),
        "ratio_lo": lo,
        "ratio_hi": hi,
        "b_faster": sum(r < 1 for r in ratios),
        "pairs": len(ratios),
    }


def verdict(s):
    """What the interval says: a change is claimed only when it excludes 1."""
    if s["ratio_hi"] < 1:
        return "B faster"
    if s["ratio_lo"] > 1:
        return "B slower"
    return "no clear change"


def format_row(name, threads, s, judged=True):
    """A table row; ``judged=False`` (--quick) gives no verdict: its sizes and
    few pairs say nothing about speed."""
    return (
        f"| {name} | {threads} | {s['a_ms']:.4g} | {s['b_ms']:.4g} | {s['ratio']:.3f} | "
        f"{s['ratio_lo']:.3f}–{s['ratio_hi']:.3f} | {s['b_faster']}/{s['pairs']} | "
        f"{verdict(s) if judged else 'none (--quick)'} |"
    )


HEADER = (
    "| workload | threads | A ms | B ms | B/A (median of pairs) | its 95% interval | "
    "B faster in | verdict |\n|---|---|---|---|---|---|---|---|"
)


def parse_args(argv):
    from .workloads import ALL

    trainable = [w.name for w in ALL if hasattr(w, "impls")]
    p = argparse.ArgumentParser(
        prog="python -m bench.ab",
        description="time this working tree's glassnet (B) against a git revision's (A) on the "
        "suite's training steps, in alternating pairs of short blocks",
    )
    p.add_argument("--base", default="HEAD", help="git revision of A (default HEAD)")
    p.add_argument(
        "--only",
        nargs="+",
        default=["tiny", "lstm"],
        metavar="WORKLOAD",
        choices=trainable,
        help=f"workloads (default tiny lstm; any of {trainable})",
    )
    p.add_argument(
        "--threads", nargs="+", type=int, default=[1], metavar="N", help="thread counts (default 1)"
    )
    p.add_argument("--pairs", type=int, default=100, help="pairs of blocks (default 100)")
    p.add_argument(
        "--block-ms", type=float, default=20.0, help="length of one block in ms (default 20)"
    )
    p.add_argument(
        "--quick",
        action="store_true",
        help="the suite's tiny sizes and 6 pairs: shows that it runs, nothing more",
    )
    return p.parse_args(argv), {w.name: w for w in ALL}


def main(argv=None):
    args, workloads = parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from . import environment
    from .config import Config
    from .frameworks import Framework

    cfg = Config.make(quick=args.quick, use_torch=False)
    count = 2 if args.quick else 4  # rounds, each on freshly built models
    pairs = count * max(1, (6 if args.quick else args.pairs) // count)
    block_s = 0.002 if args.quick else args.block_ms / 1e3
    folder = tempfile.mkdtemp(prefix="glassnet-ab-")
    try:
        copies = {
            "A": load_copy(args.base, "glassnet_a", folder),
            "B": load_copy(None, "glassnet_b", folder),
        }
        fw_a, fw_b = (
            Framework(f"glassnet ({side})", module, module.data, "tracemalloc")
            for side, module in copies.items()
        )
        print(
            f"A = glassnet at {args.base}, B = this working tree ({ROOT}); "
            f"{pairs} pairs of ~{block_s * 1e3:g} ms blocks\n"
        )
        print(HEADER)
        for name in args.only:
            for n in args.threads:
                with environment.threads(n):
                    times = rounds(
                        lambda a_first: steps_of(workloads[name], cfg, fw_a, fw_b, a_first),
                        pairs,
                        block_s,
                        warmup_s=0.0 if args.quick else 0.3,
                        count=count,
                    )
                    s = summary(*times)
                print(format_row(name, n, s, judged=not args.quick), flush=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
