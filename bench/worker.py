"""One implementation of one workload, alone in its own Python process.

Two thread pools in one process (PyTorch's OpenMP, NumPy's OpenBLAS,
glassnet's MKL/oneDNN) spin against each other and distort both sides, and
a thread count changed while a pool runs (threadpoolctl) is not what a
user's process sees. So ``common.measure`` starts a worker per
implementation, its thread count fixed by OMP_NUM_THREADS, MKL_NUM_THREADS
and OPENBLAS_NUM_THREADS before anything loads, and asks the workers in
turn (one runs, the others wait on a read) to time a block of steps.

    python -m bench.worker SPEC      # SPEC: JSON {workload, impl, cfg, torch}

Requests and replies are JSON lines on stdin and on the process's original
stdout (what the code under test prints goes to stderr):

    {"do": "warm"}             -> {"s": seconds per step}
    {"do": "block", "n": 40}   -> {"s": seconds per step}
    {"do": "memory", "steps": 3} -> {"peak_bytes": …, "memory_method": …} or {"memory_error": …}
    {"do": "details"}          -> {"details": what the implementation reports (digits: epochs)}
    {"do": "threads"}          -> {"env": the thread variables, "torch": PyTorch's thread count}

The first reply, after building the implementation and running one step,
is {"ready": true} or {"error": "…"}.
"""

import json
import os
import sys
import traceback

THREAD_VARS = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")


def _error(exc):
    last = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    where = f" (at {last.filename}:{last.lineno})" if last else ""
    return f"{type(exc).__name__}: {exc}{where}"


def _find(spec):
    """The implementation the spec names, rebuilt the way the parent built it."""
    import dataclasses

    from .config import Config
    from .frameworks import Sides
    from .workloads import BY_NAME

    fields = {f.name for f in dataclasses.fields(Config)}
    cfg = Config(**{k: v for k, v in spec["cfg"].items() if k in fields})
    sides = Sides(use_torch=spec["torch"])
    if spec["torch"]:
        sides.torch.module.set_num_threads(cfg.threads)
    impls = BY_NAME[spec["workload"]].measured(cfg, sides)
    for impl in impls:
        if impl.name == spec["impl"]:
            return impl, cfg
    raise LookupError(f"{spec['workload']} has no implementation {spec['impl']!r}")


def serve(spec, requests, reply):
    """Build the implementation, then answer ``requests`` (an iterator of
    dicts) through ``reply(dict)`` until they end."""
    from . import timing
    from .workloads.common import peak

    try:
        impl, cfg = _find(spec)
        step = impl.make()
        step()
    except Exception as exc:  # the parent reports it and measures the others
        reply({"error": _error(exc)})
        return
    reply({"ready": True})
    for req in requests:
        what = req.get("do")
        if what == "warm":
            reply({"s": timing.warm_up(step, cfg.warmup_steps, cfg.warmup_s)})
        elif what == "block":
            reply({"s": timing.block(step, req["n"])})
        elif what == "memory":
            step = None  # (its model and optimizer state go before the memory pass)
            reply(peak(impl, req["steps"]))
        elif what == "threads":
            torch = sys.modules.get("torch")
            reply(
                {
                    "env": {var: os.environ.get(var) for var in THREAD_VARS},
                    "torch": torch.get_num_threads() if spec["torch"] and torch else None,
                }
            )
        elif what == "details":
            reply({"details": impl.details() if impl.details else None})
        else:
            reply({"error": f"unknown request {req!r}"})


def main():
    spec = json.loads(sys.argv[1])
    out = os.fdopen(os.dup(1), "w", buffering=1)  # the replies' channel
    os.dup2(2, 1)  # anything else printed goes to stderr

    def reply(message):
        out.write(json.dumps(message) + "\n")

    serve(spec, (json.loads(line) for line in sys.stdin), reply)


if __name__ == "__main__":
    main()


class Worker:
    """The parent's end: a worker process for one implementation at
    ``cfg.threads`` threads. ``ask(request)`` sends one request and returns
    the reply; ``close()`` ends the process."""

    def __init__(self, workload, impl, cfg, torch):
        import dataclasses
        import subprocess
        import tempfile
        from pathlib import Path

        spec = {
            "workload": workload,
            "impl": impl,
            "torch": torch,
            "cfg": {k: v for k, v in dataclasses.asdict(cfg).items() if k != "memory_cache"},
        }
        env = dict(os.environ, **{var: str(cfg.threads) for var in THREAD_VARS})
        self.name = f"{workload}/{impl} at {cfg.threads} thread(s)"
        self._stderr = tempfile.TemporaryFile(mode="w+")  # (a pipe nobody reads could fill up)
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "bench.worker", json.dumps(spec)],
            cwd=Path(__file__).resolve().parent.parent,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
            bufsize=1,
        )

    def first_reply(self):
        """{"ready": True} once the implementation is built, or {"error": …}."""
        return self._read()

    def ask(self, request):
        try:
            self._proc.stdin.write(json.dumps(request) + "\n")
            self._proc.stdin.flush()
        except BrokenPipeError:
            pass  # (it died: _read says how)
        return self._read()

    def _read(self):
        line = self._proc.stdout.readline()
        if not line:
            self._proc.wait()
            self._stderr.seek(0)
            tail = self._stderr.read()[-1500:].strip()
            return {"error": f"the worker for {self.name} exited ({self._proc.returncode}): {tail}"}
        return json.loads(line)

    def close(self):
        if self._proc.poll() is None:
            self._proc.stdin.close()
            try:
                self._proc.wait(timeout=60)
            except Exception:
                self._proc.kill()
        self._stderr.close()
