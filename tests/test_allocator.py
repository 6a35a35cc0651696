"""glassnet keeps the pages a training step frees (glibc malloc thresholds),
so repeated steps stop paying a page fault per 4 KiB: counted, not timed."""
import os
import subprocess
import sys

import pytest

from glassnet.backends import allocator

STEP_FAULTS = r"""
import resource, numpy as np, glassnet as gn
from glassnet.backends import allocator
gn.manual_seed(0)
model = gn.nn.Sequential(gn.nn.Linear(784, 512), gn.nn.ReLU(), gn.nn.Linear(512, 256),
                         gn.nn.ReLU(), gn.nn.Linear(256, 10))
opt = gn.optim.SGD(model.parameters(), lr=0.01)
x = gn.tensor(np.random.default_rng(0).standard_normal((1024, 784), dtype=np.float32))
y = gn.tensor(np.arange(1024) % 10)
def step():
    opt.zero_grad(); loss = gn.nn.functional.cross_entropy(model(x), y); loss.backward(); opt.step()
for _ in range(3): step()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(5): step()
print(allocator.status.split()[0], (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) // 5)
"""


def _faults_per_step(**env):
    out = subprocess.run([sys.executable, "-c", STEP_FAULTS], capture_output=True, text=True,
                         env={**os.environ, **env}, timeout=300)
    assert out.returncode == 0, out.stderr
    state, faults = out.stdout.split()
    return state, int(faults)


glibc = pytest.mark.skipif(not allocator._glibc(), reason="the tuning applies to glibc only")


@glibc
def test_mlp_steps_reuse_freed_pages():
    state, faults = _faults_per_step()
    assert state == "on"
    assert faults < 200  # ~0 here; each step touches ~12 MiB, i.e. ~3,000 fresh pages untuned


@glibc
def test_opting_out_leaves_malloc_alone_and_steps_fault_again():
    state, faults = _faults_per_step(**{allocator.OPT_OUT: "0"})
    assert state == "off"
    assert faults > 1000  # the control: without the thresholds the pages are refaulted


@glibc
def test_the_users_own_malloc_tuning_wins(monkeypatch):
    monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "1000000")
    assert allocator.keep_freed_memory() is False
    assert "environment" in allocator.status
    monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_")
    assert allocator.keep_freed_memory() is True
    assert allocator.status.startswith("on")
