"""A process forked after glassnet's GNU OpenMP libraries ran (MKL on GNU
OpenMP, oneDNN) must not hang: GNU OpenMP's pool does not survive os.fork,
so the child turns them off and computes with NumPy and glassnet's own
layers (backends.openmp). Each scenario runs in a fresh interpreter with a
timeout: a hang fails the test instead of the suite."""

import os
import subprocess
import sys

import pytest

SCENARIO = r"""
import multiprocessing as mp, sys
import numpy as np
import glassnet as gn
from glassnet.backends import blas, onednn, openmp

first = sys.argv[1]  # which library the parent runs before forking
rng = np.random.default_rng(0)
a = rng.standard_normal((256, 256)).astype(np.float32)
x = gn.tensor(rng.standard_normal((4, 3, 16, 16)).astype(np.float32))
conv = gn.nn.Conv2d(3, 8, 3)
lstm = gn.nn.LSTM(8, 16, batch_first=True)
seq = gn.tensor(rng.standard_normal((4, 5, 8)).astype(np.float32))
if first in ("blas", "both"):
    blas.dot(a, a)
if first in ("onednn", "both"):
    conv(x)
parent = (blas.dot(a, a), conv(x).detach().numpy(), lstm(seq)[0].detach().numpy())

def child(q):
    got = (blas.dot(a, a), conv(x).detach().numpy(), lstm(seq)[0].detach().numpy())
    q.put(([float(np.abs(g - p).max()) for g, p in zip(got, parent)], blas.status, onednn.load(),
           openmp.forked))

ctx = mp.get_context("fork")
q = ctx.Queue()
p = ctx.Process(target=child, args=(q,))
p.start()
p.join(60)
if p.is_alive():
    p.kill()
    print("HUNG")
else:
    diffs, blas_status, onednn_status, forked = q.get(timeout=5)
    print(max(diffs), forked, "|", blas_status, "|", onednn_status)
"""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork is POSIX only")
@pytest.mark.parametrize("first", ["blas", "onednn", "both"])
def test_a_forked_child_computes_with_numpy_instead_of_hanging(first):
    out = subprocess.run(
        [sys.executable, "-c", SCENARIO, first], capture_output=True, text=True, timeout=180
    )
    assert out.returncode == 0, out.stderr[-2000:]
    line = out.stdout.strip().splitlines()[-1]
    assert line != "HUNG", f"the forked child hung after the parent ran {first}"
    worst, forked, rest = line.split(" ", 2)
    assert float(worst) < 1e-4  # the same results, by NumPy and glassnet's own layers
    from glassnet.backends import blas, onednn

    if blas.load().startswith("mkl") or onednn.load().startswith("onednn"):
        assert forked == "True"
        assert "a forked process" in rest.split("|")[1] or not blas.load().startswith("mkl")
        if onednn.load().startswith("onednn"):
            assert "a forked process" in rest.split("|")[2]
