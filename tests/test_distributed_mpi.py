"""Data-parallel training under ``mpiexec -n 2`` and ``-n 4`` (the MPICH
wheel's launcher; on this 2-core machine -n 4 oversubscribes, which is fine
for correctness). Each launch runs tests/distributed_worker.py; the checks
read what every rank wrote."""

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import numpy as np
import pytest
from conftest import need, skip_or_fail

need("mpi4py")

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
WORKER = TESTS / "distributed_worker.py"
TIMEOUT_S = 120


def mpiexec():
    """The mpiexec of this Python's environment (the mpich wheel's), else one on PATH."""
    beside = Path(sysconfig.get_path("scripts")) / "mpiexec"  # where pip put the mpich wheel's
    found = str(beside) if beside.exists() else shutil.which("mpiexec")
    if found is None:
        skip_or_fail(
            "needs mpiexec: pip install 'glassnet[distributed]' (the mpich wheel brings it)"
        )
    return found


def launch(n, *args, check=True):
    """Run ``mpiexec -n n python <args>`` from the repository root, with a timeout."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(TESTS)])}
    for var in ("PMI_RANK", "PMI_SIZE", "OMPI_COMM_WORLD_SIZE", "GLASSNET_REQUIRE_ALL"):
        env.pop(var, None)
    out = subprocess.run(
        [mpiexec(), "-n", str(n), sys.executable, *map(str, args)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
    )
    if check:
        assert out.returncode == 0, out.stdout + out.stderr
    return out


@pytest.fixture(scope="module", params=[2, 4])
def checks(request, tmp_path_factory):
    """What every rank of one launch of the worker's checks found: a list by rank."""
    n = request.param
    outdir = tmp_path_factory.mktemp(f"checks{n}")
    launch(n, WORKER, "checks", outdir)
    return [json.loads((outdir / f"checks-{r}.json").read_text()) for r in range(n)]


def test_collectives(checks):
    n = len(checks)
    for rank, found in enumerate(checks):
        c = found["collectives"]
        assert (c["rank"], c["world"]) == (rank, n)
        total = n * (n + 1) / 2
        assert c["sum"] == [total, 2 * total]
        assert c["max"] == [n - 1.0]
        assert c["avg"] == [total / n]
        assert c["product"] == [2**n]
        assert c["strided"] == [total * v for v in (1.0, 5.0, 9.0)]
        assert c["broadcast"] == [n - 1.0] * 3
        assert c["all_gather"] == [[r, 10 * r] for r in range(n)]
        assert c["async"] == [float(n)] * 4 + [True]


@pytest.mark.parametrize("case", ["mlp_one_bucket", "mlp_small_buckets", "cnn"])
def test_ddp_equals_one_process_on_the_whole_batch(checks, case):
    """float64, 3 steps from different seeds per rank: the weights are one
    process's on the whole batch (1e-10), and the same on every rank."""
    for found in checks:
        result = found[case]
        assert result["error"] < 1e-10, result
        assert result["spread"] == 0.0, result
    if case != "mlp_one_bucket":  # several allreduces, the later layers' started during backward
        result = checks[0][case]
        assert result["buckets"] > 1 and result["started_during_backward"] >= 1, result


def test_no_sync_accumulates_then_averages_the_total(checks):
    for found in checks:
        result = found["no_sync"]
        assert result["local_spread"] > 0  # under no_sync the ranks' gradients differ
        assert result["grad_spread"] == 0.0
        assert result["error"] < 1e-10, result


def test_rank0_buffers_reach_every_rank_at_forward(checks):
    for found in checks:
        assert found["buffers"]["eval_mean"] == [1.0] * 4  # rank 0 set 1.0, rank r set r + 1
        assert found["buffers"]["weights_spread"] == 0.0


def test_unused_parameters(checks):
    for found in checks:
        assert found["unused"]["unused_grad"] == 0.0
        error = found["unused"]["error"]
        assert error and "unused.weight" in error and "find_unused_parameters=True" in error


def test_ranks_with_different_models_are_refused(checks):
    for found in checks:
        assert "wrap different models" in found["different_models"]
        assert "every rank must build the same model" in found["different_models"]


def test_fit_refuses_what_cannot_be_split_over_the_ranks(checks):
    n = len(checks)
    for found in checks:
        errors = found["fit_errors"]
        assert (
            f"batch_size {2 * n + 1} does not split evenly over {n} ranks" in errors["batch_size"]
        )
        assert "a DataLoader needs sampler=DistributedSampler(dataset)" in errors["loader"]


def test_distributed_sampler_deals_equal_disjoint_shards(checks):
    n = len(checks)
    result = checks[0]["sampler"]
    shards = [[i for i in s if i >= 0] for s in result["shards"]]
    assert {len(s) for s in shards} == {result["len"]} == {-(-10 // n)}
    everything = [i for s in shards for i in s]
    assert set(everything) == set(range(10))
    assert len(everything) - 10 == -10 % n  # the padding: a few samples twice


def _one_process_fit(tmp_path, epochs):
    import distributed_worker

    outdir = tmp_path / "one"
    outdir.mkdir()
    distributed_worker.fit_run(outdir, epochs)
    return np.load(outdir / "weights-0.npy"), json.loads((outdir / "history-0.json").read_text())


def test_fit_under_mpiexec_equals_one_process_and_resumes_at_another_world_size(tmp_path):
    """fit at 2 ranks for 2 epochs (checkpoints), resumed at 4 ranks to epoch 4:
    the weights and logs of one process training 4 epochs."""
    first, second = tmp_path / "n2", tmp_path / "n4"
    first.mkdir()
    second.mkdir()
    out = launch(2, WORKER, "fit", first, 2)
    assert out.stdout.count("Epoch 1/2") == 1 and out.stdout.count("Epoch 2/2") == 1, out.stdout
    # rank 0 alone wrote the checkpoints and the CSV log
    assert sorted(p.name for p in first.glob("ckpt-*")) == ["ckpt-rank0-1.gn", "ckpt-rank0-2.gn"]
    assert [p.name for p in first.glob("log-*")] == ["log-rank0.csv"]
    out = launch(4, WORKER, "fit", second, 4, first / "ckpt-rank0-2.gn")
    assert out.stdout.count("Epoch 3/4") == 1, out.stdout
    (tmp_path / "ref").mkdir()
    reference, history = _one_process_fit(tmp_path / "ref", 4)
    for rank in range(4):
        weights = np.load(second / f"weights-{rank}.npy")
        assert np.abs(weights - reference).max() < 1e-10
        logged = json.loads((second / f"history-{rank}.json").read_text())
        for key in ("loss", "mae", "val_loss", "val_mae"):
            np.testing.assert_allclose(logged[key], history[key], rtol=1e-10, err_msg=key)


def test_a_rank_that_raises_ends_the_whole_job(tmp_path):
    out = launch(2, WORKER, "raise", tmp_path, check=False)
    assert out.returncode != 0
    assert "rank 1 of 2 raised an exception" in out.stderr, out.stderr
    assert "rank 1 fails on purpose" in out.stderr


def test_ctrl_c_on_one_rank_stops_every_rank_at_the_same_batch(tmp_path):
    launch(2, WORKER, "interrupt", tmp_path)
    found = [json.loads((tmp_path / f"interrupt-{r}.json").read_text()) for r in range(2)]
    assert found[0] == found[1] == {"interrupted": True, "epochs": 0, "spread": 0.0}


def test_the_train_command_runs_data_parallel(tmp_path):
    saved = tmp_path / "model.safetensors"
    out = launch(
        2, "-m", "glassnet", "train", "--data", "circle", "--epochs", "2", "--batch-size", "16",
        "--save", saved,
    )  # fmt: skip
    assert out.stdout.count("glassnet train: circle") == 1, out.stdout  # rank 0 alone prints
    assert out.stdout.count("test: ") == 1 and out.stdout.count("Epoch 2/2") == 1, out.stdout
    assert saved.exists()


def test_the_scaling_benchmark_runs(tmp_path):
    """bench.distributed at 1 and 2 ranks, few steps: the rows, not the times."""
    rows_file = tmp_path / "rows.json"
    out = subprocess.run(
        [sys.executable, "-m", "bench.distributed", "--models", "cnn", "--ranks", "1", "2"]
        + ["--steps", "2", "--warmup", "1", "--timeout", str(TIMEOUT_S), "--json", rows_file],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=2 * TIMEOUT_S + 30,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "| model | ranks |" in out.stdout and "strong scaling" in out.stdout
    rows = json.loads(rows_file.read_text())
    assert [(r["model"], r["ranks"], r["global_batch"]) for r in rows] == [
        ("cnn", 1, 64),
        ("cnn", 2, 64),
    ]
    for r in rows:
        assert r["step_ms"] > 0 and 0 <= r["allreduce_share"] <= 1 and r["efficiency"] > 0
