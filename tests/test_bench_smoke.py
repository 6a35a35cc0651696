"""The benchmark suite (bench/) as a smoke test: the quick run works and its
table and JSON have every row filled in, and the hand-written NumPy
networks it compares with compute the same training step as PyTorch. No
timing is asserted."""

import argparse
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import glassnet as gn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import numpy_reference as ref  # noqa: E402
from bench.workloads import ALL  # noqa: E402

NEEDS = {"cnn": ("Conv2d", "MaxPool2d", "Flatten"), "lstm": ("LSTM",)}


def run_bench(*args, timeout=300):
    proc = subprocess.run(
        [sys.executable, "-m", "bench", *args],
        cwd=ROOT,
        text=True,
        capture_output=True,
        timeout=timeout,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout


def expected_status(workload, impl):
    needs = NEEDS.get(workload, ())
    if impl == "glassnet" and any(not hasattr(gn.nn, n) for n in needs):
        return "n/a"
    return "ok"


def check_numbers(row, name, r):
    where = f"{row['workload']} {row['threads']} threads {name}"
    assert r["ms_per_step"] > 0 and r["ms_min"] > 0, where
    assert len(r["rep_ms"]) >= 1 and all(v > 0 for v in r["rep_ms"]), where
    assert r["per_s"] > 0, where
    assert r["peak_bytes"] > 0, where
    assert r["memory_method"] in ("tracemalloc", "torch-profiler", "rss"), where


@pytest.mark.torch
def test_quick_suite_fills_every_row(torch, tmp_path):
    out_json, out_md = tmp_path / "bench.json", tmp_path / "bench.md"
    table = run_bench(
        "--quick", "--threads", "1", "--json", str(out_json), "--markdown", str(out_md)
    )
    assert out_md.read_text(encoding="utf-8") == table
    for heading in (
        "### Time per step",
        "### Peak memory",
        "### Every implementation",
        "### MLP batch 1024: achieved GFLOP/s",
        "### Op chain: linear in its length?",
        "### digits to 97% test accuracy, end to end",
    ):
        assert heading in table
    assert "### Errors" not in table

    result = json.loads(out_json.read_text(encoding="utf-8"))
    meta = result["meta"]
    assert meta["quick"] is True and meta["threads"] == [1]
    env = meta["environment"]
    assert env["torch"] == torch.__version__ and env["numpy"] == np.__version__
    assert env["blas"], "threadpoolctl should name the BLAS in use"

    rows = result["results"]
    names = [w.name for w in ALL]
    assert sorted({r["workload"] for r in rows}) == sorted(names)
    for r in rows:
        assert r["threads"] == 1
        assert f"| {r['workload']}" in table
        sides = {"glassnet", "pytorch"} | (
            {"numpy", "numpy-buffers"}
            if r["workload"] == "tiny" or r["workload"].startswith("mlp")
            else set()
        )
        assert set(r["impls"]) == sides, r["workload"]
        for name, x in r["impls"].items():
            want = expected_status(r["workload"], name)
            assert x["status"] == want, (r["workload"], name, x)
            if want == "ok":
                check_numbers(r, name, x)
            else:
                assert x["reason"].startswith("n/a (needs nn.")
        if r["impls"]["glassnet"]["status"] == "ok":
            assert r["ratios"]["glassnet/pytorch"] > 0

    b1024 = [r for r in rows if r["workload"].startswith("mlp-b1024")]
    assert len(b1024) == 2
    for r in b1024:
        e = r["extra"]
        assert e["matmul_only_gflops"] > 0 and e["sgemm_gflops"] > 0
        assert all(e["gflops"][s] > 0 for s in ("glassnet", "pytorch", "numpy", "numpy-buffers"))

    chain = [r for r in rows if r["workload"] == "chain"]
    assert [r["params"]["ops"] for r in chain] == [1000, 2000]
    for name in ("glassnet", "pytorch"):
        assert chain[1]["extra"]["time_ratio_2N_over_N"][name] > 0
        assert chain[1]["extra"]["memory_ratio_2N_over_N"][name] > 0

    lstm = next(r for r in rows if r["workload"] == "lstm")
    from glassnet.backends import onednn

    if onednn.available():  # oneDNN's LSTM primitive alone, against both steps
        assert "### LSTM: oneDNN's RNN primitive alone" in table
        e = lstm["extra"]
        assert e["primitive_ms"] > 0 and e["primitive_gflops"] > 0
        assert all(e["primitive_over"][s] > 0 for s in ("glassnet", "pytorch"))
    else:  # said why, not an error of the row
        assert "oneDNN" in lstm["extra"]["primitive_error"]

    digits = next(r for r in rows if r["workload"] == "digits")
    for name in ("glassnet", "pytorch"):
        assert digits["extra"][name]["epochs"] >= 1
        assert 0 <= digits["extra"][name]["test_accuracy"] <= 1


def test_quick_suite_runs_without_torch(tmp_path):
    out_json = tmp_path / "bench.json"
    table = run_bench(
        "--quick",
        "--no-torch",
        "--threads",
        "1",
        "--only",
        "tiny",
        "mlp-b128-sgd",
        "--json",
        str(out_json),
    )
    assert "n/a (--no-torch)" in table
    rows = json.loads(out_json.read_text(encoding="utf-8"))["results"]
    assert [r["workload"] for r in rows] == ["tiny", "mlp-b128-sgd"]
    for r in rows:
        assert r["impls"]["pytorch"]["status"] == "n/a"
        for name in ("glassnet", "numpy", "numpy-buffers"):
            check_numbers(r, name, r["impls"][name])
        assert r["ratios"]["glassnet/numpy"] > 0


def test_bench_options_and_list(capsys):
    from bench import options, run

    assert run.main(["--list"]) == 0
    listed = capsys.readouterr().out
    assert all(w.name in listed for w in ALL)
    args = options.add_arguments(argparse.ArgumentParser()).parse_args(
        ["--quick", "--threads", "1", "--only", "tiny"]
    )
    assert args.quick and args.threads == [1] and args.only == ["tiny"]


def _torch_mlp(torch, sizes, params):
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        if i:
            layers.append(torch.nn.ReLU())
        lin = torch.nn.Linear(n_in, n_out)
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(params[2 * i].T.copy()))
            lin.bias.copy_(torch.from_numpy(params[2 * i + 1]))
        layers.append(lin)
    return torch.nn.Sequential(*layers)


@pytest.mark.torch
@pytest.mark.parametrize(
    "sizes,loss,optimizer,lr",
    [
        ((6, 8, 5, 3), "cross_entropy", "sgd", 0.1),
        ((6, 8, 5, 3), "cross_entropy", "adam", 0.01),
        ((1, 2, 1), "mse", "sgd", 0.1),
    ],
)
def test_numpy_reference_steps_like_pytorch(torch, sizes, loss, optimizer, lr):
    rng = np.random.default_rng(1)
    params = ref.init_params(sizes, seed=2)
    x = rng.standard_normal((4, sizes[0]), dtype=np.float32)
    y = (
        rng.integers(0, sizes[-1], 4)
        if loss == "cross_entropy"
        else rng.standard_normal((4, 1), dtype=np.float32)
    )
    model = _torch_mlp(torch, sizes, params)
    loss_fn = torch.nn.CrossEntropyLoss() if loss == "cross_entropy" else torch.nn.MSELoss()
    opt = (torch.optim.SGD if optimizer == "sgd" else torch.optim.Adam)(model.parameters(), lr=lr)
    nets = [
        cls(sizes, loss=loss, optimizer=optimizer, lr=lr, params=params)
        for cls in (ref.FreshMLP, ref.BufferedMLP)
    ]
    for _ in range(3):
        opt.zero_grad()
        want = loss_fn(model(torch.from_numpy(x)), torch.from_numpy(y))
        want.backward()
        opt.step()
        for net in nets:
            got = net.step(x, y)
            np.testing.assert_allclose(got, want.item(), rtol=1e-5, atol=1e-6)
    linears = [m for m in model if isinstance(m, torch.nn.Linear)]
    for net in nets:
        for i, lin in enumerate(linears):
            np.testing.assert_allclose(
                net.params[2 * i], lin.weight.detach().numpy().T, rtol=1e-4, atol=1e-6
            )
            np.testing.assert_allclose(
                net.params[2 * i + 1], lin.bias.detach().numpy(), rtol=1e-4, atol=1e-6
            )
            assert net.params[2 * i].dtype == np.float32


def test_matmul_reference_counts_flops():
    assert ref.mlp_step_flops((4, 3, 2), 5) == 2 * (2 * 5 * 4 * 3 + 2 * 5 * 3 * 2) + 2 * 5 * 3 * 2
    step = ref.matmul_step((4, 3, 2), 5)
    step()
    run, flops = ref.sgemm(8)
    run()
    assert flops == 2 * 8**3


def test_chain_memory_is_measured_in_a_fresh_process():
    """The chain's memory (bench/workloads/chain.py) comes from a new process:
    a longer chain holds more, and a framework the child cannot make is a
    clear error naming it."""
    from bench import memory
    from bench.workloads.chain import fresh_process_rss

    if not memory.rss_available():
        pytest.skip("resident-set measurement needs Linux /proc")
    short, long = fresh_process_rss("glassnet", 20_000), fresh_process_rss("glassnet", 40_000)
    assert 0 < short < long, (short, long)
    with pytest.raises(RuntimeError, match="nosuch"):
        fresh_process_rss("nosuch", 10)


def test_memory_pass_counts_the_buffers_glassnet_keeps_for_reuse():
    """glassnet keeps some arrays from step to step (the recurrent layers'
    pool, oneDNN kernels' buffers): a memory pass after the timing must still
    count them (``Framework.forget`` empties them first)."""
    from bench.config import Config
    from bench.frameworks import Sides
    from bench.workloads import common
    from bench.workloads.lstm import LSTM
    from glassnet.backends import onednn

    cfg = Config.make(quick=True)
    impl = next(i for i in LSTM().impls(cfg, Sides(use_torch=False)) if i.name == "glassnet")
    impl.make()()  # (what the timing leaves behind)
    counted = [common.peak(impl, 2)["peak_bytes"] for _ in range(2)]
    kept = (
        sum(k.workspace_bytes for k in onednn.cached("lstm").values()) if onednn.available() else 0
    )
    impl.forget = None
    reused = common.peak(impl, 2)["peak_bytes"]
    assert abs(counted[0] - counted[1]) < 0.05 * counted[0]  # the same each time
    assert counted[0] > reused + max(kept, 1 << 16)


def test_each_implementation_runs_in_a_process_of_its_own_at_the_asked_threads():
    """A worker builds one implementation with its thread count fixed by the
    environment before anything loads, answers warm/block/memory requests,
    and reports a broken implementation instead of hanging."""
    from bench.config import Config
    from bench.worker import THREAD_VARS, Worker

    cfg = Config.make(quick=True).at_threads(2)
    worker = Worker("tiny", "glassnet", cfg, torch=False)
    try:
        assert worker.first_reply() == {"ready": True}
        assert worker.ask({"do": "warm"})["s"] > 0
        assert worker.ask({"do": "block", "n": 3})["s"] > 0
        assert worker.ask({"do": "memory", "steps": 2})["peak_bytes"] > 0
        assert "unknown request" in worker.ask({"do": "dance"})["error"]
    finally:
        worker.close()
    missing = Worker("tiny", "nosuch", cfg, torch=False)
    try:
        assert "no implementation 'nosuch'" in missing.first_reply()["error"]
    finally:
        missing.close()
    torch_side = Worker("tiny", "pytorch", cfg, torch=True)
    try:
        if "error" not in torch_side.first_reply():  # (torch installed)
            threads = torch_side.ask({"do": "threads"})
            assert threads["torch"] == 2
            assert threads["env"] == {v: "2" for v in THREAD_VARS}
    finally:
        torch_side.close()


def test_readme_speed_table_is_written_between_its_markers(tmp_path):
    """--readme rewrites only what lies between the two markers, from the
    run's rows (every thread count of a workload on one line), with the date,
    machine and back ends; a file without the markers is refused, unchanged."""
    from bench import readme

    def row(workload, threads, ours, theirs):
        return {
            "workload": workload,
            "params": {},
            "step": "training step",
            "threads": threads,
            "impls": {
                "glassnet": {"status": "ok", "ms_per_step": ours},
                "pytorch": {"status": "ok", "ms_per_step": theirs},
            },
            "ratios": {"glassnet/pytorch": ours / theirs},
        }

    result = {
        "meta": {
            "started": "2026-12-07T02:00:00",
            "threads": [1, 2],
            "environment": {
                "cpu": "Some CPU",
                "cpu_count": 2,
                "glassnet": "0.1.0",
                "glassnet_revision": "abc1234",
                "torch": "2.13.0",
                "numpy": "2.4.6",
                "glassnet_blas": "mkl (…)",
                "glassnet_onednn": "onednn (…)",
            },
        },
        "results": [row("mlp", 1, 3.0, 4.0), row("mlp", 2, 2.0, 2.5), row("cnn", 1, 1.0, 2.0)],
    }
    path = tmp_path / "README.md"
    path.write_text(f"# Title\n\nbefore\n{readme.START}\nold table\n{readme.END}\nafter\n")
    readme.update(path, result)
    text = path.read_text()
    assert text.startswith(f"# Title\n\nbefore\n{readme.START}\n") and text.endswith(
        f"{readme.END}\nafter\n"
    )
    assert "old table" not in text
    assert "2026-12-07 on Some CPU (2 cores)" in text and "mkl (…)" in text
    assert "| mlp | 3.00 / 2.00 ms | 4.00 / 2.50 ms | 0.75× / 0.80× |" in text
    assert "| cnn |" not in text  # not measured at every thread count
    readme.update(path, result)  # again: the same text (the markers stay)
    assert path.read_text() == text
    # the LSTM rows' primitive alone, when timed, adds a sentence below the table
    lstm = [row("lstm", 1, 9.5, 10.0), row("lstm", 2, 5.5, 6.0)]
    for r, ms in zip(lstm, (9.0, 5.1)):
        r["extra"] = {
            "primitive_ms": ms,
            "primitive_over": {"pytorch": ms / r["impls"]["pytorch"]["ms_per_step"]},
        }
    readme.update(path, {**result, "results": result["results"] + lstm})
    text = path.read_text()
    assert "| lstm | 9.50 / 5.50 ms | 10.0 / 6.00 ms | 0.95× / 0.92× |" in text
    assert "takes 9.00 / 5.10 ms at 1 / 2 threads: 0.90× / 0.85× of PyTorch's step" in text
    bare = tmp_path / "other.md"
    bare.write_text("no markers\n")
    with pytest.raises(ValueError, match="other.md: no speed table"):
        readme.update(bare, result)
    assert bare.read_text() == "no markers\n"


def test_profile_runs_in_a_process_with_the_threads_asked_for():
    out = run_bench("--profile", "tiny", "--threads", "2", "--top", "3", "--quick", "--no-torch")
    assert "glassnet, tiny" in out and "OMP_NUM_THREADS=2:" in out and "ms/step unprofiled" in out
