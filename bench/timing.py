"""Interleaved timing: every implementation of a workload is warmed up, then
timed in round-robin blocks (A B C, B C A, C A B, ...), so a slow minute of
the machine hits all of them alike. Each block runs the step as many times
as fit in about ``block_s`` seconds; a block's time divided by its steps is
one sample, and the median of the samples is what the report shows.

Each implementation runs in its own process (``worker.py``), so the
thread pools of one never spin beside another's steps. Python's garbage
collector stays on: collecting a framework's garbage is part of its cost.

Multi-threaded, each block starts after a pause of ``cfg.cooldown_s``: when
a BLAS call returns, OpenBLAS's worker threads keep spinning for about
0.1 s, Intel OpenMP's (MKL's, when glassnet uses it) for 0.2 s (its
KMP_BLOCKTIME), libgomp's (PyTorch's) for less, and on a 2-core machine
they would take a core from whatever runs next. Measured here: a PyTorch matmul right
after a burst of NumPy matmuls took 1.5× as long as after a pause."""

import statistics
import time


def _pause(cfg):
    if cfg.cooldown_s > 0:
        time.sleep(cfg.cooldown_s)


def warm_up(step, steps, seconds):
    """Run ``step`` at least ``steps`` times and ``seconds`` long; seconds per step."""
    n, start = 0, time.perf_counter()
    while n < max(steps, 1) or time.perf_counter() - start < seconds:
        step()
        n += 1
    return (time.perf_counter() - start) / n


def block(step, n):
    """Run ``step`` n times; seconds per step."""
    start = time.perf_counter()
    for _ in range(n):
        step()
    return (time.perf_counter() - start) / n


def interleaved(runners, cfg, reps=None):
    """Time the ``runners`` (name -> an object whose ``warm()`` and
    ``block(n)`` run the step and return seconds per step: a worker
    process each, see worker.py) against each other.

    Returns name -> list of seconds per step, one per repetition."""
    reps = reps or cfg.reps
    inner = {}
    for name, runner in runners.items():
        _pause(cfg)
        per_step = runner.warm()
        inner[name] = max(1, round(cfg.block_s / per_step)) if per_step > 0 else 1
    names, samples = list(runners), {name: [] for name in runners}
    for r in range(reps):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            _pause(cfg)
            samples[name].append(runners[name].block(inner[name]))
    return samples


def quartiles(values):
    """(q1, median, q3) of a non-empty list of numbers."""
    q = statistics.quantiles(values, n=4) if len(values) > 1 else [values[0]] * 3
    return q[0], statistics.median(values), q[2]


def paired(times, others):
    """One side's times over another's, round by round: the rounds of
    ``interleaved`` time every side back to back, so a slow stretch of the
    machine that spans a round slows both and cancels in that round's ratio.
    Returns (q1, median, q3) of the per-round ratios, or None when the two
    lists are not one value per round each."""
    if not times or not others or len(times) != len(others) or not all(others):
        return None
    return quartiles([a / b for a, b in zip(times, others)])


def summary(seconds, per_step_items):
    """Median/min/quartiles in ms and items (samples, ops) per second."""
    ms = [s * 1e3 for s in seconds]
    q1, median, q3 = quartiles(ms)
    return {
        "ms_per_step": median,
        "ms_min": min(ms),
        "ms_q1": q1,
        "ms_q3": q3,
        "per_s": per_step_items / (median / 1e3) if median > 0 else None,
        "rep_ms": ms,
    }
