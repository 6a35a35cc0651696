"""glassnet's entry points keep the pages a training step frees (glibc malloc
thresholds), so repeated steps stop paying a page fault per 4 KiB: counted,
not timed. Importing glassnet leaves malloc alone."""

import argparse
import os
import subprocess
import sys

import pytest

from glassnet.backends import allocator

# Batch 4096: a step's arrays (up to 8 MiB each, ~50 MiB in all) stay ahead of glibc's
# own dynamic thresholds (raised to the size of each mmap'd block freed).
MLP_STEP = r"""
gn.manual_seed(0)
model = gn.nn.Sequential(gn.nn.Linear(784, 512), gn.nn.ReLU(), gn.nn.Linear(512, 256),
                         gn.nn.ReLU(), gn.nn.Linear(256, 10))
opt = gn.optim.SGD(model.parameters(), lr=0.01)
x = gn.tensor(np.random.default_rng(0).standard_normal((4096, 784), dtype=np.float32))
y = gn.tensor(np.arange(4096) % 10)
def step():
    opt.zero_grad(); loss = gn.nn.functional.cross_entropy(model(x), y); loss.backward(); opt.step()
"""
# A step's activations, bare: ten 6 MiB arrays made, then let go together (as a graph
# is). Whether glibc's own heuristic settles on a real MLP step depends on the order
# in which its arrays of different sizes come and go (a change in how a bias gradient
# is summed made batch 4096 settle by itself); 60 MiB of equal arrays freed at once
# always exceed its trim threshold, so untuned they are handed back and faulted again.
ACTIVATIONS_STEP = r"""
def step():
    activations = [np.ones(6 << 18, np.float32) for _ in range(10)]
    del activations
"""
FAULTS = r"""
import resource, numpy as np, glassnet as gn
from glassnet.backends import allocator
allocator.keep_freed_memory()  # what fit and the glassnet command do
{step}
for _ in range(3): step()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(5): step()
faults = (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) // 5
print(allocator.status.split()[0], faults)
"""


def _faults_per_step(step, **env):
    # (NumPy's products: oneDNN's GEMM mallocs and frees a scratch buffer bigger than
    # the step's arrays, which raises glibc's dynamic threshold above them by itself)
    env.setdefault("GLASSNET_BLAS", "numpy")
    out = subprocess.run(
        [sys.executable, "-c", FAULTS.format(step=step)],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    state, faults = out.stdout.split()
    return state, int(faults)


glibc = pytest.mark.skipif(not allocator._glibc(), reason="the tuning applies to glibc only")


@glibc
@pytest.mark.parametrize("step", [MLP_STEP, ACTIVATIONS_STEP], ids=["mlp", "activations"])
def test_steps_reuse_freed_pages(step):
    state, faults = _faults_per_step(step)
    assert state == "on"
    assert faults < 200  # 0 here; untuned, ~5,000 fresh pages a step (the control below)


@glibc
def test_opting_out_leaves_malloc_alone_and_steps_fault_again():
    state, faults = _faults_per_step(ACTIVATIONS_STEP, **{allocator.OPT_OUT: "0"})
    assert state == "off"
    assert faults > 1000  # the control: without the thresholds the pages are refaulted


@glibc
def test_the_users_own_malloc_tuning_wins(monkeypatch):
    monkeypatch.setattr(allocator, "applied", False)  # (a fit in an earlier test applied it)
    monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "1000000")
    assert allocator.keep_freed_memory() is False
    assert "environment" in allocator.status
    monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_")
    assert allocator.keep_freed_memory() is True
    assert allocator.status.startswith("on")


# Before glassnet is imported, ctypes.CDLL is wrapped so that every mallopt call
# anywhere in the process is recorded (glibc's M_MMAP_THRESHOLD is -3, M_TRIM_THRESHOLD -1).
RECORD_MALLOPT = r"""
import ctypes, sys
calls = []
_CDLL = ctypes.CDLL
class Recording(_CDLL):
    def __getattribute__(self, name):
        found = _CDLL.__getattribute__(self, "__getitem__")(name) if name == "mallopt" \
            else _CDLL.__getattribute__(self, name)
        if name != "mallopt":
            return found
        def record(*args):
            calls.append(args)
            return found(*args)
        return record
ctypes.CDLL = Recording
import numpy as np, glassnet as gn
from glassnet.backends import allocator
print("import", allocator.applied, len(calls))
model = gn.nn.Linear(3, 1)
x, y = np.ones((8, 3), np.float32), np.zeros((8, 1), np.float32)
gn.fit(model, (x, y), epochs=1, verbose=0)
gn.fit(model, (x, y), epochs=1, verbose=0)
print("fit", allocator.applied, sorted(c[0] for c in calls))
"""


def test_importing_glassnet_leaves_malloc_alone_and_fit_tunes_it_once():
    env = {
        k: v
        for k, v in os.environ.items()
        if k != allocator.OPT_OUT and k not in allocator.USER_TUNING
    }
    out = subprocess.run(
        [sys.executable, "-c", RECORD_MALLOPT], capture_output=True, text=True, env=env, timeout=300
    )
    assert out.returncode == 0, out.stderr
    imported, fitted = out.stdout.splitlines()
    assert imported == "import False 0"  # no mallopt call, nothing applied
    if allocator._glibc():
        both = sorted([allocator.M_MMAP_THRESHOLD, allocator.M_TRIM_THRESHOLD])
        assert fitted == f"fit True {both}"  # each threshold set once, by the first fit
    else:
        assert fitted == "fit False []"


def test_the_glassnet_command_tunes_malloc_before_running_a_command(monkeypatch):
    import importlib

    main = importlib.import_module("glassnet.cli.main")
    calls = []
    monkeypatch.setattr(allocator, "keep_freed_memory", lambda: calls.append("tuned"))

    class Parser:  # stands in for the real parser: a command that records when it runs
        def __init__(self, command):
            self.command = command

        def parse_args(self, argv):
            return argparse.Namespace(command=self.command, func=lambda args: calls.append("ran"))

        def print_help(self):
            pass

    monkeypatch.setattr(main, "build_parser", lambda: Parser(None))
    assert main.main([]) == 2 and calls == []  # no command: nothing runs, nothing tuned
    monkeypatch.setattr(main, "build_parser", lambda: Parser("demo"))
    main.main(["demo"])
    assert calls == ["tuned", "ran"]
