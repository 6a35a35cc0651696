"""What every training-step workload shares: its implementations (``Impl``),
turning a framework into one, and measuring them all against each other
into one result row (each in its own process, timing interleaved, then a
peak-memory pass each)."""

import itertools
import traceback

from .. import memory, timing
from ..frameworks import train_step
from ..worker import Worker

EXTRA = "extra:"  # the name prefix of a reference step timed beside the implementations

LABELS = {
    "glassnet": "glassnet",
    "pytorch": "PyTorch",
    "numpy": "NumPy (fresh arrays)",
    "numpy-buffers": "NumPy (buffers reused)",
}


class Impl:
    """One side of a workload: ``make()`` builds a fresh model and optimizer
    and returns ``step()``; without ``make``, ``reason`` says why it is n/a."""

    def __init__(
        self,
        name,
        make=None,
        memory_method="tracemalloc",
        reason=None,
        memory=None,
        forget=None,
        details=None,
    ):
        self.name, self.make, self.memory_method, self.reason = name, make, memory_method, reason
        self.memory = memory  # () -> peak bytes, measured its own way (else memory_method)
        self.forget = forget  # () -> None, run before the memory pass (see Framework.forget)
        self.details = details  # () -> what a run found out (digits: epochs, accuracy), or None

    @property
    def needs_torch(self):
        return self.name.split("@")[0] == "pytorch"


def not_available(name, reason):
    return Impl(name, reason=reason)


def framework_impl(fw, build, loss, optimizer, pool, seed=0, needs=(), **opt_kwargs):
    """``fw`` training ``build(fw.nn)`` with ``fw.nn.<loss>()`` and
    ``fw.optim.<optimizer>(params, **opt_kwargs)`` on the (x, y) NumPy pairs
    of ``pool``, one pair per step, round and round. The tensors are made
    here, outside ``make``, so the memory pass does not count the data."""
    missing = fw.missing(*needs)
    if missing:
        return not_available(fw.name, "n/a (needs " + " / ".join(f"nn.{m}" for m in missing) + ")")
    data = [(fw.tensor(x), fw.tensor(y)) for x, y in pool]

    def make():
        fw.seed(seed)
        model = build(fw.nn)
        opt = getattr(fw.optim, optimizer)(model.parameters(), **opt_kwargs)
        return train_step(model, getattr(fw.nn, loss)(), opt, itertools.cycle(data))

    return Impl(fw.name, make, fw.memory_method, forget=fw.forget)


def numpy_impl(name, cls, pool, **net_kwargs):
    """A hand-written NumPy network (``numpy_reference``) stepping through ``pool``."""

    def make():
        net, batches = cls(**net_kwargs), itertools.cycle(pool)
        return lambda: net.step(*next(batches))

    return Impl(name, make)


def framework_impls(fws, *args, **kwargs):
    """``framework_impl`` for glassnet (``fws.glassnet``) and, when present, PyTorch."""
    impls = [framework_impl(fws.glassnet, *args, **kwargs)]
    impls.append(
        framework_impl(fws.torch, *args, **kwargs)
        if fws.torch is not None
        else not_available("pytorch", fws.torch_reason)
    )
    return impls


def _error(exc):
    last = traceback.extract_tb(exc.__traceback__)[-1]
    return f"{type(exc).__name__}: {exc} (at {last.filename}:{last.lineno})"


def ratio(a, b):
    return a / b if a is not None and b else None


def reference_steps(steps):
    """Reference callables (name -> step) as implementations named ``extra:<name>``."""
    return [Impl(EXTRA + name, make=lambda fn=fn: fn) for name, fn in steps.items()]


class _Runner:
    """timing.interleaved's view of a worker."""

    def __init__(self, worker):
        self.worker = worker

    def _seconds(self, request):
        reply = self.worker.ask(request)
        if "s" not in reply:
            raise RuntimeError(reply.get("error", f"no time in {reply!r}"))
        return reply["s"]

    def warm(self):
        return self._seconds({"do": "warm"})

    def block(self, n):
        return self._seconds({"do": "block", "n": n})


def measure(workload, impls, cfg, items, reps=None, memory_steps=None):
    """Time ``impls`` (what ``workload.measured(cfg, sides)`` gives: its
    implementations and its reference steps, ``extra:…``) against each other,
    each in its own process at ``cfg.threads`` threads, interleaved; then
    measure each implementation's peak memory in its process (once per
    workload: later thread counts reuse it).

    Returns (results, extra_times): results maps impl name -> a dict with
    status 'ok' (and the numbers), 'n/a' or 'error' (and the reason);
    extra_times maps each reference step's name -> its timing summary, or
    {"error": why} when it could not run."""
    results, workers = {}, {}
    try:
        for impl in impls:
            if impl.make is None:
                results[impl.name] = {"status": "n/a", "reason": impl.reason}
            else:
                workers[impl.name] = Worker(workload.name, impl.name, cfg, impl.needs_torch)
        extra_times = {}
        for name, worker in list(workers.items()):
            reply = worker.first_reply()
            if "error" in reply:  # a broken side is reported, the others still run
                if name.startswith(EXTRA):  # (a reference step's reason goes to the workload)
                    extra_times[name[len(EXTRA) :]] = {"error": reply["error"]}
                else:
                    results[name] = {"status": "error", "reason": reply["error"]}
                worker.close()
                del workers[name]
        samples = timing.interleaved({n: _Runner(w) for n, w in workers.items()}, cfg, reps)
        for impl in impls:
            if impl.name not in workers:
                continue
            if impl.name.startswith(EXTRA):
                extra_times[impl.name[len(EXTRA) :]] = timing.summary(samples[impl.name], 1)
                continue
            worker = workers[impl.name]
            details = worker.ask({"do": "details"}).get("details")
            results[impl.name] = {
                "status": "ok",
                **timing.summary(samples[impl.name], items),
                **_cached_peak(worker, impl, cfg, memory_steps, workload.name),
                **({"details": details} if details is not None else {}),
            }
    finally:
        for worker in workers.values():
            worker.close()
    return results, extra_times


def _cached_peak(worker, impl, cfg, memory_steps, key):
    cached = cfg.memory_cache.get((key, impl.name))
    if cached is None:
        cached = worker.ask({"do": "memory", "steps": memory_steps or cfg.memory_steps})
        if "peak_bytes" in cached and cached["peak_bytes"] is not None:
            cfg.memory_cache[(key, impl.name)] = cached
    return dict(cached)


def peak(impl, steps):
    """``impl``'s peak memory over ``steps`` steps of a freshly made model
    (or its own ``memory`` measure): {"peak_bytes", "memory_method"}, or
    {"peak_bytes": None, "memory_error"}."""
    try:
        if impl.memory is not None:
            bytes_ = impl.memory()
        else:
            run = _memory_run(impl, steps)
            if impl.forget is not None:
                impl.forget()
            bytes_ = memory.peak_bytes(impl.memory_method, run)
    except Exception as exc:
        return {"peak_bytes": None, "memory_error": _error(exc)}
    return {"peak_bytes": bytes_, "memory_method": impl.memory_method}


def _memory_run(impl, steps):
    def run():
        step = impl.make()
        for _ in range(steps):
            step()

    return run


def time_ratio(ours, other):
    """One timing summary's time over another's (``timing.summary``): the
    median of the per-round ratios and their [q1, q3] (``timing.paired``), or
    the ratio of the medians and None when the two were not timed in the same
    rounds."""
    rounds = timing.paired(ours.get("rep_ms"), other.get("rep_ms"))
    if rounds is None:
        return ratio(ours.get("ms_per_step"), other.get("ms_per_step")), None
    return rounds[1], [rounds[0], rounds[2]]


def ratios(results):
    """glassnet's time (``time_ratio``; the quartiles of the per-round ratios
    under ``spread glassnet/<name>``) and peak memory over each other
    implementation's."""
    gn = results.get("glassnet", {})
    out = {}
    for name, other in results.items():
        if name == "glassnet":
            continue
        out[f"glassnet/{name}"], spread = time_ratio(gn, other)
        if spread is not None:
            out[f"spread glassnet/{name}"] = spread
        out[f"memory glassnet/{name}"] = ratio(gn.get("peak_bytes"), other.get("peak_bytes"))
    return out


def row(workload, results, items, unit="samples", step="training step", params=None, extra=None):
    """One result row of the report: ``items`` ``unit``s (samples, ops) per
    ``step``, and per implementation its results."""
    return {
        "workload": workload.name,
        "title": workload.title,
        "params": params or {},
        "step": step,
        "items_per_step": items,
        "unit": unit,
        "impls": results,
        "ratios": ratios(results),
        "extra": extra or {},
    }


class TrainingWorkload:
    """A workload whose every side is a training step on a pool of batches.

    Subclasses set ``name`` and ``title`` and define ``impls(cfg, fws)``
    and ``items(cfg)`` (samples per step); they may add reference callables
    (``extra_steps``) timed in the same round-robin and turn them into
    ``extra`` numbers."""

    name = title = ""

    def params(self, cfg):
        return {}

    def extra_steps(self, cfg):
        return {}

    def extra(self, cfg, results, extra_times):
        return {}

    def measured(self, cfg, fws):
        """The implementations and reference steps ``measure`` runs (each
        worker process rebuilds its own from this)."""
        return self.impls(cfg, fws) + reference_steps(self.extra_steps(cfg))

    def run(self, cfg, fws):
        items = self.items(cfg)
        results, extra_times = measure(self, self.measured(cfg, fws), cfg, items)
        return [
            row(
                self,
                results,
                items,
                params=self.params(cfg),
                extra=self.extra(cfg, results, extra_times),
            )
        ]

    def glassnet_step(self, cfg, fws):
        """glassnet's step alone (for ``--profile``)."""
        impl = next(i for i in self.impls(cfg, fws) if i.name == "glassnet")
        if impl.make is None:
            raise SystemExit(f"{self.name}: glassnet is {impl.reason}")
        return impl.make()
