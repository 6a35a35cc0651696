"""glassnet.distributed in one process: the post-accumulate hook that
DistributedDataParallel starts its allreduces from, the sampler, launcher
detection, a world of one, and the errors. (Under mpiexec:
tests/test_distributed_mpi.py.)"""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import need

import glassnet as gn
import glassnet.distributed as dist
from glassnet.data.distributed import DistributedSampler
from glassnet.distributed import launch

ROOT = Path(__file__).resolve().parents[1]


# ---- Tensor.register_post_accumulate_grad_hook ------------------------------------------


def _hooked_graph(lib, seen):
    w = lib.tensor([1.0, 2.0], requires_grad=True)
    b = lib.tensor([3.0], requires_grad=True)
    for name, t in (("w", w), ("b", b)):
        t.register_post_accumulate_grad_hook(
            lambda t, name=name: seen.append((name, t.grad.tolist()))
        )
    y = (w * w).sum() * b + (w * 3).sum()  # w used twice: its hook waits for both uses
    (y * y).sum().backward()
    return w, b


def test_post_accumulate_hook_runs_once_with_the_complete_grad_as_pytorch(torch):
    ours, theirs = [], []
    _hooked_graph(gn, ours)
    _hooked_graph(torch, theirs)
    assert ours == theirs and len(ours) == 2


def test_post_accumulate_hook_runs_while_backward_goes_on():
    """The last layer's weight is complete before the first layer's backward ran."""
    events = []
    model = gn.nn.Sequential(gn.nn.Linear(3, 4), gn.nn.Tanh(), gn.nn.Linear(4, 2))
    model[2].weight.register_post_accumulate_grad_hook(lambda t: events.append("last layer"))
    model[0].weight.register_hook(lambda g: events.append("first layer"))  # at the walk's end
    model(gn.randn(5, 3)).sum().backward()
    assert events == ["last layer", "first layer"]


def test_post_accumulate_hook_accumulates_and_is_removable():
    w = gn.tensor([1.0, -1.0], requires_grad=True)
    grads = []
    handle = w.register_post_accumulate_grad_hook(lambda t: grads.append(t.grad.tolist()))
    w.register_hook(lambda g: g * 2)  # a gradient hook first, then the post hook
    (w * 3).sum().backward()
    (w * 3).sum().backward()
    assert grads == [[6.0, 6.0], [12.0, 12.0]]
    handle.remove()
    (w * 3).sum().backward()
    assert len(grads) == 2
    gn.autograd.grad((w * w).sum(), w)  # grad() leaves .grad alone: no post hook
    assert len(grads) == 2


def test_post_accumulate_hook_refuses_a_non_leaf():
    x = gn.ones(2, requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="only a leaf tensor"):
        x.register_post_accumulate_grad_hook(lambda t: None)
    with pytest.raises(RuntimeError, match="does not require grad"):
        gn.ones(2).register_post_accumulate_grad_hook(lambda t: None)


# ---- DistributedSampler -----------------------------------------------------------------


@pytest.mark.parametrize("n, replicas, drop_last", [(10, 4, False), (10, 4, True), (12, 3, False)])
def test_sampler_shards_as_pytorch_without_shuffle(torch, n, replicas, drop_last):
    from torch.utils.data.distributed import DistributedSampler as TorchSampler

    for rank in range(replicas):
        ours = DistributedSampler(range(n), replicas, rank, shuffle=False, drop_last=drop_last)
        theirs = TorchSampler(range(n), replicas, rank, shuffle=False, drop_last=drop_last)
        assert list(ours) == list(theirs) and len(ours) == len(theirs)


def test_sampler_shuffles_per_epoch_the_same_on_every_rank():
    def shards(epoch):
        out = []
        for rank in range(3):
            s = DistributedSampler(range(9), 3, rank, seed=4)
            s.set_epoch(epoch)
            out.append(list(s))
        return out

    first, again, other = shards(0), shards(0), shards(1)
    assert first == again and first != other
    assert sorted(i for s in first for i in s) == list(range(9))


def test_sampler_works_with_the_data_loader():
    ds = gn.data.TensorDataset(gn.arange(10.0))
    loader = gn.data.DataLoader(
        ds, batch_size=2, sampler=DistributedSampler(ds, 2, 1, shuffle=False)
    )
    assert [b[0].tolist() for b in loader] == [[1.0, 3.0], [5.0, 7.0], [9.0]]


def test_sampler_errors():
    with pytest.raises(ValueError, match="rank 2 is out of range: expected 0…1"):
        DistributedSampler(range(4), 2, 2)
    with pytest.raises(ValueError, match="num_replicas must be an integer >= 1"):
        DistributedSampler(range(4), 0, 0)
    with pytest.raises(RuntimeError, match="pass num_replicas= and rank=, or call"):
        DistributedSampler(range(4))
    with pytest.raises(ValueError, match="cannot give each of 4 ranks one"):
        DistributedSampler(range(3), 4, 0, drop_last=True)


# ---- launcher detection, errors without a group -----------------------------------------


@pytest.mark.parametrize(
    "env, size, rank",
    [
        ({}, 1, 0),
        ({"PMI_SIZE": "4", "PMI_RANK": "2"}, 4, 2),
        ({"OMPI_COMM_WORLD_SIZE": "3", "OMPI_COMM_WORLD_RANK": "1"}, 3, 1),
        ({"PMI_SIZE": "4"}, 1, 0),  # a size without a rank is not a launch
    ],
)
def test_launcher_detection(monkeypatch, env, size, rank):
    for var in ("PMI_SIZE", "PMI_RANK", "OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_RANK"):
        monkeypatch.delenv(var, raising=False)
    for var in ("PMIX_SIZE", "PMIX_RANK", "SLURM_NTASKS", "SLURM_PROCID"):
        monkeypatch.delenv(var, raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    assert (launch.launched_world_size(), launch.launched_rank()) == (size, rank)
    assert launch.under_mpi_launcher() == (size > 1)


def test_errors_without_a_process_group():
    assert not dist.is_initialized()
    with pytest.raises(ValueError, match="backend 'nccl' is not available; glassnet runs on MPI"):
        dist.init_process_group("nccl")
    with pytest.raises(RuntimeError, match="get_rank: the default process group has not been"):
        dist.get_rank()
    with pytest.raises(RuntimeError, match="has not been initialized"):
        gn.nn.parallel.DistributedDataParallel(gn.nn.Linear(2, 2))
    with pytest.raises(TypeError, match="all_reduce: expected a glassnet Tensor, got ndarray"):
        dist.all_reduce(np.ones(2))


def test_fit_under_a_launcher_without_mpi4py_says_what_to_install(monkeypatch):
    monkeypatch.setenv("PMI_SIZE", "2")
    monkeypatch.setenv("PMI_RANK", "0")
    monkeypatch.setitem(sys.modules, "mpi4py", None)  # import mpi4py fails
    x = np.zeros((4, 2), dtype=np.float32)
    with pytest.raises(ImportError, match=r"one of 2 started by an MPI launcher.*distributed\]"):
        gn.fit(gn.nn.Linear(2, 1), (x, x[:, :1]), epochs=1, verbose=0)
    assert not dist.is_initialized()


WORLD_OF_ONE = r"""
import numpy as np, glassnet as gn, glassnet.distributed as dist
dist.init_process_group("mpi", world_size=1, rank=0)
assert (dist.get_rank(), dist.get_world_size(), dist.is_initialized()) == (0, 1, True)
gn.manual_seed(0)
model = gn.nn.Linear(3, 2)
plain = gn.nn.Linear(3, 2)
plain.load_state_dict(model.state_dict())
ddp = gn.nn.parallel.DistributedDataParallel(model)
x = gn.randn(4, 3)
ddp(x).pow(2).sum().backward()
plain(x).pow(2).sum().backward()
assert np.array_equal(model.weight.grad.numpy(), plain.weight.grad.numpy())
t = gn.ones(2)
dist.all_reduce(t, op=dist.ReduceOp.AVG)
assert t.tolist() == [1.0, 1.0]
try:
    dist.init_process_group()
except RuntimeError as exc:
    assert "twice" in str(exc)
dist.destroy_process_group()
assert not dist.is_initialized()
print("ok")
"""


def test_a_world_of_one_without_mpiexec():
    need("mpi4py")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PMI_", "OMPI_"))}
    env["PYTHONPATH"] = str(ROOT)
    out = subprocess.run(
        [sys.executable, "-c", WORLD_OF_ONE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stdout + out.stderr
