"""``python -m bench --profile WORKLOAD``: where glassnet's training step
spends its time, by cProfile (sorted by own time, then by cumulative time).
cProfile's per-call cost inflates small functions; the ranking is what
matters, the absolute times under the profiler are not the step's."""

import cProfile
import io
import os
import pstats
import time


def profile(workload, cfg, sides, top=25, seconds=3.0):
    """Profile ``workload``'s glassnet step for about ``seconds``; returns the text."""
    if not hasattr(workload, "glassnet_step"):
        raise SystemExit(
            f"--profile: {workload.name} has no single training step to profile; "
            "choose tiny, moons, an mlp-* workload, cnn or lstm"
        )
    step = workload.glassnet_step(cfg, sides)
    start, n = time.perf_counter(), 0
    while n < 5 or time.perf_counter() - start < 0.5:
        step()
        n += 1
    per_step = (time.perf_counter() - start) / n
    steps = max(10, int(seconds / per_step / 3))  # the profiler slows it about 3×
    prof = cProfile.Profile()
    prof.enable()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    profiled = (time.perf_counter() - start) / steps
    prof.disable()
    out = io.StringIO()
    out.write(
        f"glassnet, {workload.name} ({workload.title}), "
        f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}: "
        f"{per_step * 1e3:.3f} ms/step unprofiled, "
        f"{profiled * 1e3:.3f} ms/step under cProfile, {steps} steps\n"
    )
    for key in ("tottime", "cumulative"):
        out.write(f"\n--- top {top} by {key} ---\n")
        pstats.Stats(prof, stream=out).strip_dirs().sort_stats(key).print_stats(top)
    return out.getvalue()
