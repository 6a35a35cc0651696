"""Peak memory of a workload, in a separate pass from the timing (tracing
slows a step down several times).

The pass builds a fresh model and optimizer, runs a few steps, and reports
the most bytes alive at once since the build began: parameters, gradients,
optimizer state, reused buffers, activations and temporaries. The input
batches exist before the pass and are not counted.

- glassnet and NumPy: ``tracemalloc``. NumPy reports its array buffers to
  it, so this counts array data plus every Python object (tensors, graph
  nodes).
- PyTorch: its profiler's record of CPU allocator calls
  (``profile_memory=True``), summed in time order. This counts tensor
  storage only; autograd's C++ graph nodes are not in it.
- The op chain, where the graph itself is what grows: 'rss', the growth of
  the process's resident-set high-water mark (Linux: VmHWM, reset through
  /proc/self/clear_refs after malloc_trim hands freed heap pages back), for
  both frameworks alike. It sees everything, PyTorch's C++ nodes included,
  to the page. Where that is not possible it falls back to the two above.
"""

import contextlib
import ctypes
import os
import sys
import tracemalloc
from pathlib import Path


def tracemalloc_peak(run):
    """Peak traced bytes while ``run()`` executes, above the level at its start."""
    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        run()
        return tracemalloc.get_traced_memory()[1] - base
    finally:
        if not was_tracing:
            tracemalloc.stop()


def _allocations(prof):
    """(time, bytes) of every allocation/free the profiler saw."""
    from torch._C._profiler import _EventType

    events, todo = [], list(prof.profiler.kineto_results.experimental_event_tree())
    while todo:
        e = todo.pop()
        if e.tag == _EventType.Allocation:
            events.append((e.start_time_ns, e.extra_fields.alloc_size))
        todo.extend(e.children)
    return sorted(events)


@contextlib.contextmanager
def _quiet_stderr():
    """Silence the profiler's own C++ log lines (file descriptor 2) for a moment."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def torch_peak(run):
    """Peak bytes held by PyTorch's CPU allocator while ``run()`` executes."""
    from torch.profiler import ProfilerActivity, profile

    with _quiet_stderr():
        with profile(activities=[ProfilerActivity.CPU], profile_memory=True) as prof:
            run()
    live = peak = 0
    for _, size in _allocations(prof):
        live += size
        peak = max(peak, live)
    return peak


def _vm(field):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise OSError(f"no {field} in /proc/self/status")


def rss_available():
    try:
        ctypes.CDLL(None).malloc_trim
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return _vm("VmHWM") > 0
    except (OSError, AttributeError):
        return False


def rss_peak(run):
    """Growth of the resident-set high-water mark while ``run()`` executes."""
    ctypes.CDLL(None).malloc_trim(0)
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # VmHWM := VmRSS
    base = _vm("VmRSS")
    run()
    return _vm("VmHWM") - base


def peak_bytes(method, run):
    """Peak bytes of ``run()`` measured by ``method``: 'tracemalloc',
    'torch-profiler' or 'rss'."""
    return {"tracemalloc": tracemalloc_peak, "torch-profiler": torch_peak, "rss": rss_peak}[method](
        run
    )
