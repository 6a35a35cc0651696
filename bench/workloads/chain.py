"""Workload 7: a chain of 100,000 ops (tanh and ×1.0001 in turn, on a
16-element vector), forward + backward, at length N and 2N. The cost must
be linear in the length: doubling N may at most double the time and the
peak memory (within 20%), and there must be no RecursionError. Memory is
the growth of the resident set (see memory.py), for both frameworks: here
the graph itself is the memory, and PyTorch keeps it in C++. Each length's
memory is measured in a fresh Python process (``fresh_process_rss``): in
the suite's own process, memory that earlier workloads freed but the
allocators still hold absorbed a constant part of the growth and made the
shorter chain look smaller (2N/N read 2.39 for glassnet where fresh
processes give 2.01)."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from .. import memory
from .common import Impl, measure, ratio, row

WIDTH, TOLERANCE = 16, 1.2
REPS_SHARE = 5  # a fifth of the usual repetitions: a step takes seconds


ROOT = Path(__file__).resolve().parents[2]
ONE_THREAD = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}


def chain_impl(fw, n, memory_method, fresh_memory=False):
    """``fw`` building and differentiating an n-op chain (n−1 elementwise ops and
    a sum); ``fresh_memory``: its memory measured in a new process."""
    x = fw.tensor(np.linspace(-1, 1, WIDTH, dtype=np.float32), requires_grad=True)

    def make():
        def step():
            y = x
            for i in range(n - 1):
                y = y.tanh() if i % 2 == 0 else y * 1.0001
            y.sum().backward()
            x.grad = None

        return step

    fresh = (lambda: fresh_process_rss(fw.name, n)) if fresh_memory else None
    return Impl(fw.name, make, memory_method or fw.memory_method, memory=fresh)


def fresh_process_rss(framework, n):
    """Resident-set growth of one n-op chain step of ``framework`` ('glassnet'
    or 'pytorch'), measured in a new Python process after a 1,000-op warm-up."""
    code = (
        "import sys; from bench.workloads.chain import _measure_here; "
        "_measure_here(sys.argv[1], int(sys.argv[2]))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, framework, str(n)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, **ONE_THREAD},
    )
    if proc.returncode != 0:
        raise RuntimeError(
            f"chain memory of {framework} at N={n} in a fresh process failed: "
            f"{proc.stderr.strip()[-500:]}"
        )
    return int(proc.stdout.split()[-1])


def _measure_here(framework, n):
    """The child's side of ``fresh_process_rss``: prints the growth in bytes."""
    from ..frameworks import GLASSNET, load_torch

    fw = GLASSNET if framework == GLASSNET.name else load_torch()
    if fw is None or fw.name != framework:
        raise SystemExit(f"bench.workloads.chain: unknown or missing framework {framework!r}")
    chain_impl(fw, 1000, None).make()()  # lazy imports and first calls, outside the measure
    print(memory.rss_peak(chain_impl(fw, n, None).make()))


class Chain:
    name = "chain"
    title = "op chain (tanh, ×1.0001 …), forward + backward"

    def lengths(self, cfg):
        n = cfg.pick(100_000, 1_000)
        return n, 2 * n

    def impls(self, cfg, fws):
        """glassnet's and (when present) PyTorch's chain of length N (for ``bench.ab``)."""
        n = self.lengths(cfg)[0]
        return [chain_impl(fw, n, None) for fw in (fws.glassnet, fws.torch) if fw is not None]

    def measured(self, cfg, fws):
        """Each framework's chain at each length, named ``<framework>@<length>``."""
        impls, sides = [], [fws.glassnet] + ([fws.torch] if fws.torch is not None else [])
        # the resident set counts PyTorch's graph nodes too; it is page-grained, so not --quick
        rss = "rss" if not cfg.quick and memory.rss_available() else None
        for n in self.lengths(cfg):
            for fw in sides:
                impl = chain_impl(fw, n, rss, fresh_memory=rss is not None)
                impl.name = f"{fw.name}@{n}"
                impls.append(impl)
        return impls

    def run(self, cfg, fws):
        cfg = cfg.for_long_steps(REPS_SHARE)
        results, _ = measure(self, self.measured(cfg, fws), cfg, 1, memory_steps=1)
        rows = []
        for n in self.lengths(cfg):
            per_length = {
                name.split("@")[0]: r for name, r in results.items() if name.endswith(f"@{n}")
            }
            if fws.torch is None:
                per_length["pytorch"] = {"status": "n/a", "reason": fws.torch_reason}
            for r in per_length.values():  # items per second = ops per second
                if r.get("ms_per_step"):
                    r["per_s"] = n / (r["ms_per_step"] / 1e3)
            rows.append(
                row(self, per_length, n, unit="ops", step="forward + backward", params={"ops": n})
            )
        rows[1]["extra"] = self.linearity(*rows)
        return rows

    @staticmethod
    def linearity(short, long):
        out = {"time_ratio_2N_over_N": {}, "memory_ratio_2N_over_N": {}, "linear": {}}
        for name, r in long["impls"].items():
            s = short["impls"].get(name, {})
            t = ratio(r.get("ms_per_step"), s.get("ms_per_step"))
            m = ratio(r.get("peak_bytes"), s.get("peak_bytes"))
            out["time_ratio_2N_over_N"][name] = t
            out["memory_ratio_2N_over_N"][name] = m
            out["linear"][name] = (
                t is not None and t <= 2 * TOLERANCE and (m is None or m <= 2 * TOLERANCE)
            )
        return out
