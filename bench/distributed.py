"""Data-parallel scaling: an MLP and a CNN trained with DistributedDataParallel
at 1, 2 and 4 ranks (``mpiexec -n N``), one BLAS thread per rank.

    python -m bench.distributed                  # strong scaling: a global batch split over N
    python -m bench.distributed --scaling weak   # weak: each rank a whole batch (N× the samples)
    python -m bench.distributed --ranks 1 2 --steps 10 --json out.json

For each model and rank count: the step time (forward, loss, backward with
the bucketed allreduce, SGD step; the median over steps of the slowest
rank), samples per second, the share of the step spent inside MPI calls
averaging gradients (starting the allreduces, driving and waiting for
them: the communication backward did not hide, and the wait for slower
ranks), the speedup over 1 rank and the scaling efficiency: strong
t₁ / (N·t_N), weak t₁ / t_N (1.0 is perfect).

More ranks than cores (here 4 ranks on 2 cores) measure oversubscription,
not scaling: MPICH's ranks spin while they wait, taking the core a working
rank needs. Run it on an idle machine.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODELS = {"mlp": 256, "cnn": 64}  # the global batch of each (strong scaling)


def build(name):
    from bench.models import cnn, mlp
    from glassnet import nn

    return mlp(nn, (784, 512, 256, 10)) if name == "mlp" else cnn(nn)


def worker(name, batch, steps, warmup):
    """One rank's measurement (under mpiexec); rank 0 prints a JSON line."""
    import numpy as np

    import glassnet as gn
    import glassnet.distributed as dist
    from glassnet.nn.functional import cross_entropy
    from glassnet.nn.parallel import DistributedDataParallel

    dist.init_process_group("mpi")
    rank, world = dist.get_rank(), dist.get_world_size()
    gn.manual_seed(rank)
    model = DistributedDataParallel(build(name))
    opt = gn.optim.SGD(model.parameters(), lr=0.01)
    rng = np.random.default_rng(rank)
    shape = (batch, 784) if name == "mlp" else (batch, 1, 28, 28)
    x = gn.tensor(rng.normal(size=shape).astype(np.float32))
    y = gn.tensor(rng.integers(0, 10, size=batch))
    times, shares = [], []
    for i in range(warmup + steps):
        dist.barrier()  # every rank starts the step together
        t0, c0 = time.perf_counter(), model.comm_seconds
        opt.zero_grad()
        cross_entropy(model(x), y).backward()
        opt.step()
        elapsed = time.perf_counter() - t0
        if i >= warmup:
            times.append(elapsed)
            shares.append((model.comm_seconds - c0) / elapsed)
    mine = gn.tensor([statistics.median(times), statistics.mean(shares)], dtype=gn.float64)
    every = [gn.zeros_like(mine) for _ in range(world)]
    dist.all_gather(every, mine)
    if rank == 0:
        step = max(float(e[0]) for e in every)
        share = statistics.mean(float(e[1]) for e in every)
        grad_bytes = sum(p._data.nbytes for p in model.parameters())
        print(json.dumps({"step_s": step, "allreduce_share": share, "grad_bytes": grad_bytes}))


def mpiexec():
    beside = Path(sysconfig.get_path("scripts")) / "mpiexec"  # where pip put the mpich wheel's
    found = str(beside) if beside.exists() else shutil.which("mpiexec")
    if found is None:
        raise SystemExit("bench.distributed needs mpiexec: pip install 'glassnet[distributed]'")
    return found


def measure(name, ranks, batch, steps, warmup, timeout):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = "1"  # one core's worth of BLAS per rank
    cmd = [mpiexec(), "-n", str(ranks), sys.executable, "-m", "bench.distributed", "--worker"]
    cmd += [name, str(batch), str(steps), str(warmup)]
    out = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    if out.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{out.stdout}{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(models, ranks, scaling, steps, warmup, timeout):
    rows = []
    for name in models:
        base = None
        for n in ranks:
            batch = MODELS[name] // n if scaling == "strong" else MODELS[name]
            result = measure(name, n, batch, steps, warmup, timeout)
            samples = batch * n
            base = base or (result["step_s"], n)
            t1 = base[0] * base[1] if scaling == "strong" else base[0]  # (1 rank's, if first)
            speedup = (t1 / result["step_s"]) if scaling == "strong" else None
            efficiency = (
                t1 / (n * result["step_s"]) if scaling == "strong" else t1 / result["step_s"]
            )
            rows.append(
                {
                    "model": name,
                    "ranks": n,
                    "batch_per_rank": batch,
                    "global_batch": samples,
                    "step_ms": 1e3 * result["step_s"],
                    "samples_per_s": samples / result["step_s"],
                    "allreduce_share": result["allreduce_share"],
                    "speedup": speedup,
                    "efficiency": efficiency,
                    "grad_mb": result["grad_bytes"] / 2**20,
                }
            )
    return rows


def table(rows, scaling):
    head = "| model | ranks | batch/rank | step ms | samples/s | allreduce share | efficiency |"
    lines = [head, "|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(
            f"| {r['model']} ({r['grad_mb']:.2f} MB of gradients) | {r['ranks']} | "
            f"{r['batch_per_rank']} | {r['step_ms']:.2f} | {r['samples_per_s']:.0f} | "
            f"{100 * r['allreduce_share']:.1f}% | {r['efficiency']:.2f} |"
        )
    lines.append(f"\n{scaling} scaling; {os.cpu_count()} CPU cores on this machine")
    return "\n".join(lines)


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m bench.distributed", description=__doc__)
    p.add_argument("--worker", nargs=4, metavar=("MODEL", "BATCH", "STEPS", "WARMUP"))
    p.add_argument("--models", nargs="+", choices=sorted(MODELS), default=["mlp", "cnn"])
    p.add_argument("--ranks", nargs="+", type=int, default=[1, 2, 4])
    p.add_argument("--scaling", choices=("strong", "weak"), default="strong")
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--timeout", type=int, default=600, help="seconds per launch")
    p.add_argument("--json", help="also write the rows to this file")
    args = p.parse_args(argv)
    if args.worker:
        name, batch, steps, warmup = args.worker
        worker(name, int(batch), int(steps), int(warmup))
        return 0
    rows = run(args.models, args.ranks, args.scaling, args.steps, args.warmup, args.timeout)
    print(table(rows, args.scaling))
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
