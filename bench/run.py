"""Run the suite: ``python -m bench`` or ``python bench/run.py`` (options:
``--help``; they are defined in ``bench/options.py``)."""

import argparse
import datetime
import os
import subprocess
import sys
import time
import traceback
from pathlib import Path

if __package__ in (None, ""):  # python bench/run.py: import from the repository root,
    sys.path[0] = str(Path(__file__).resolve().parent.parent)  # not bench/ (profile.py...)
    __package__ = "bench"


from . import environment, report  # noqa: E402
from .config import Config  # noqa: E402
from .frameworks import Sides  # noqa: E402
from .options import HELP, add_arguments  # noqa: E402
from .worker import THREAD_VARS  # noqa: E402
from .workloads import ALL, chain, digits, select  # noqa: E402


def _crashed(workload, exc):
    """A row for a workload whose run itself failed, so the rest still runs."""
    reason = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    return {
        "workload": workload.name,
        "title": workload.title,
        "params": {},
        "step": "training step",
        "items_per_step": None,
        "unit": "samples",
        "ratios": {},
        "extra": {},
        "impls": {"suite": {"status": "error", "reason": reason}},
    }


def run_suite(workloads, thread_counts, cfg, sides, log=print):
    """Every workload at every thread count; returns the result rows."""
    rows = []
    for w in workloads:
        for n in thread_counts:
            log(f"[bench] {w.name}, {n} thread(s) ...")
            start = time.perf_counter()
            with environment.BackgroundLoad() as load:  # (the workers set their own threads)
                try:
                    new = w.run(cfg.at_threads(n), sides)
                except Exception as exc:  # report it and go on with the others
                    new = [_crashed(w, exc)]
            for r in new:
                r["threads"], r["background_load"] = n, load.cores
            rows += new
            log(f"[bench]   {time.perf_counter() - start:.1f} s")
    return rows


def _profile_in_a_process(args, n):
    """Run this --profile again in a new process whose thread variables are ``n``."""
    cmd = [sys.executable, "-m", "bench", "--profile", args.profile, "--top", str(args.top)]
    cmd += ["--threads", n] + (["--quick"] if args.quick else [])
    cmd += ["--no-torch"] if args.no_torch else []
    env = dict(os.environ, **{var: n for var in THREAD_VARS})
    return subprocess.run(cmd, env=env, cwd=Path(__file__).resolve().parent.parent).returncode


def run(args):
    """Run with parsed arguments (see bench/options.py); exit status."""
    if args.list:
        for w in ALL:
            print(f"{w.name:16} {w.title}")
        return 0
    try:
        workloads = select(args.only)
    except ValueError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 2
    cfg = Config.make(quick=args.quick, reps=args.reps, use_torch=not args.no_torch)
    sides = Sides(cfg.use_torch)
    if args.profile:
        n = str(args.threads[0])
        if any(os.environ.get(var) != n for var in THREAD_VARS):
            return _profile_in_a_process(args, n)  # (threads fixed before anything loads)
        from .profiling import profile

        if sides.torch is not None:
            sides.torch_module.set_num_threads(args.threads[0])
        print(profile(select([args.profile])[0], cfg, sides, args.top))
        return 0

    def log(msg):
        print(msg, file=sys.stderr, flush=True)

    if not cfg.quick:
        with environment.BackgroundLoad() as load:
            time.sleep(1.0)
        if load.cores is not None and load.cores > report.BUSY:
            log(
                f"[bench] warning: other processes are using {load.cores:.1f} cores; the "
                "numbers will be unreliable (the 2-thread ones most)"
            )
    started, start = datetime.datetime.now().isoformat(timespec="seconds"), time.perf_counter()
    rows = run_suite(workloads, args.threads, cfg, sides, log)
    meta = {
        "started": started,
        "seconds": time.perf_counter() - start,
        "quick": cfg.quick,
        "reps": cfg.reps,
        "long_reps": {
            "chain": cfg.long_reps(chain.REPS_SHARE),
            "digits": cfg.long_reps(digits.REPS_SHARE),
        },
        "block_s": cfg.block_s,
        "warmup_steps": cfg.warmup_steps,
        "cooldown_s_multithreaded": cfg.cooldown_s,
        "threads": list(args.threads),
        "command": sys.argv,
        "environment": environment.describe(sides.torch_module),
    }
    result = {"meta": meta, "results": rows}
    text = report.markdown(result)
    print(text, end="")
    if args.json:
        report.write_json(result, args.json)
    if args.markdown:
        Path(args.markdown).write_text(text, encoding="utf-8")
    if args.readme:
        from . import readme

        readme.update(args.readme, result)
    failed = any(x.get("status") == "error" for r in rows for x in r["impls"].values())
    return 1 if failed else 0


def main(argv=None):
    parser = add_arguments(argparse.ArgumentParser(prog="python -m bench", description=HELP))
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
