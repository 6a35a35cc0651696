"""What every training-step workload shares: its implementations (``Impl``),
turning a framework into one, and measuring them all against each other
into one result row (timing interleaved, then a peak-memory pass each)."""

import itertools
import traceback

from .. import memory, timing
from ..frameworks import train_step

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
        self, name, make=None, memory_method="tracemalloc", reason=None, memory=None, forget=None
    ):
        self.name, self.make, self.memory_method, self.reason = name, make, memory_method, reason
        self.memory = memory  # () -> peak bytes, measured its own way (else memory_method)
        self.forget = forget  # () -> None, run before the memory pass (see Framework.forget)


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


def measure(impls, cfg, items, extra_steps=None, reps=None, memory_steps=None, key=None):
    """Time ``impls`` (and the reference callables of ``extra_steps``)
    interleaved, then measure each impl's peak memory (once per ``key``,
    the workload's name: later thread counts reuse it).

    Returns (results, extra_times): results maps impl name -> a dict with
    status 'ok' (and the numbers), 'n/a' or 'error' (and the reason);
    extra_times maps each extra step's name -> its timing summary."""
    results, steps = {}, {}
    for impl in impls:
        if impl.make is None:
            results[impl.name] = {"status": "n/a", "reason": impl.reason}
            continue
        try:
            step = impl.make()
            step()
            steps[impl.name] = step
        except Exception as exc:  # a broken side is reported, the others still run
            results[impl.name] = {"status": "error", "reason": _error(exc)}
    steps.update(extra_steps or {})
    samples = timing.interleaved(steps, cfg, reps)
    for impl in impls:
        if impl.name in steps:
            results[impl.name] = {
                "status": "ok",
                **timing.summary(samples[impl.name], items),
                **_peak(impl, cfg, memory_steps, key),
            }
    extra_times = {name: timing.summary(samples[name], 1) for name in (extra_steps or {})}
    return results, extra_times


def _peak(impl, cfg, memory_steps, key):
    cached = cfg.memory_cache.get((key, impl.name)) if key else None
    if cached is None:
        try:
            if impl.memory is not None:
                peak = impl.memory()
            else:
                run = _memory_run(impl, memory_steps or cfg.memory_steps)
                if impl.forget is not None:
                    impl.forget()
                peak = memory.peak_bytes(impl.memory_method, run)
            cached = {"peak_bytes": peak, "memory_method": impl.memory_method}
        except Exception as exc:
            return {"peak_bytes": None, "memory_error": _error(exc)}
        if key:
            cfg.memory_cache[(key, impl.name)] = cached
    return dict(cached)


def _memory_run(impl, steps):
    def run():
        step = impl.make()
        for _ in range(steps):
            step()

    return run


def ratios(results):
    """glassnet's time and peak memory over each other implementation's."""
    gn = results.get("glassnet", {})
    out = {}
    for name, other in results.items():
        if name == "glassnet":
            continue
        out[f"glassnet/{name}"] = ratio(gn.get("ms_per_step"), other.get("ms_per_step"))
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

    def run(self, cfg, fws):
        items = self.items(cfg)
        results, extra_times = measure(
            self.impls(cfg, fws), cfg, items, self.extra_steps(cfg), key=self.name
        )
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
