"""What each rank runs in tests/test_distributed_mpi.py, started as
``mpiexec -n N python tests/distributed_worker.py SCENARIO OUTDIR``.

``checks``: the collectives, DistributedDataParallel against one process on
the whole batch, no_sync, buffers, unused parameters, the sampler; each
check's result goes to OUTDIR/checks-<rank>.json. ``fit``: fit() with a
checkpoint (and resume). ``raise``: rank 1 raises.
"""

import json
import sys
from pathlib import Path

import numpy as np

import glassnet as gn
import glassnet.distributed as dist
from glassnet import nn
from glassnet.nn.parallel import DistributedDataParallel as DDP


def flat_weights(model):
    return np.concatenate([p.detach().numpy().ravel() for p in model.parameters()])


def spread(model):
    """The largest difference of this rank's weights from any other rank's."""
    mine = gn.tensor(flat_weights(model))
    every = [gn.zeros_like(mine) for _ in range(dist.get_world_size())]
    dist.all_gather(every, mine)
    return max(float(np.abs(e.numpy() - mine.numpy()).max()) for e in every)


def mlp():
    return nn.Sequential(nn.Linear(6, 9), nn.Tanh(), nn.Linear(9, 4), nn.Sigmoid(), nn.Linear(4, 3))


def cnn():
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(16, 3)
    )


def train_steps(model, xs, ys, steps, optimizer):
    """``steps`` SGD/Adam steps of the mean squared error on (xs, ys)."""
    opt = optimizer(model.parameters())
    for _ in range(steps):
        opt.zero_grad()
        loss = ((model(gn.tensor(xs)) - gn.tensor(ys)) ** 2).mean()
        loss.backward()
        opt.step()


def ddp_against_one_process(make, x_shape, optimizer, bucket_cap_mb):
    """N ranks on shards of one batch against one process on the whole batch:
    (largest difference from the one-process weights, spread over the ranks)."""
    rank, world = dist.get_rank(), dist.get_world_size()
    rng = np.random.default_rng(7)
    xs = rng.normal(size=(4 * world * 3, *x_shape))
    ys = rng.normal(size=(len(xs), 3))
    gn.manual_seed(1000 + rank)  # each rank starts from its own weights: DDP copies rank 0's
    model = make().to(gn.float64)
    started = []  # buckets already started when the first layer's weight was ready
    first = next(model.parameters())  # its gradient is the last that backward completes
    first.register_post_accumulate_grad_hook(lambda p: started.append(ddp.reducer.next))
    ddp = DDP(model, bucket_cap_mb=bucket_cap_mb)
    start = [p.detach().numpy().copy() for p in model.parameters()]
    shard = slice(rank, None, world)
    train_steps(ddp, xs[shard], ys[shard], 3, optimizer)
    reference = make().to(gn.float64)
    for p, w in zip(reference.parameters(), start):
        p.data = gn.tensor(w)
    train_steps(reference, xs, ys, 3, optimizer)
    error = float(np.abs(flat_weights(model) - flat_weights(reference)).max())
    return {
        "error": error,
        "spread": spread(model),
        "buckets": len(ddp.reducer.buckets),
        "started_during_backward": min(started),
    }


def check_collectives():
    rank, world = dist.get_rank(), dist.get_world_size()
    out = {}
    t = gn.tensor([1.0, 2.0]) * (rank + 1)
    dist.all_reduce(t)
    out["sum"] = t.tolist()
    t = gn.tensor([float(rank)])
    dist.all_reduce(t, op=dist.ReduceOp.MAX)
    out["max"] = t.tolist()
    t = gn.tensor([float(rank + 1)], dtype=gn.float64)
    dist.all_reduce(t, op=dist.ReduceOp.AVG)
    out["avg"] = t.tolist()
    t = gn.tensor([2], dtype=gn.int64)
    dist.all_reduce(t, op=dist.ReduceOp.PRODUCT)
    out["product"] = t.tolist()
    base = gn.arange(12, dtype=gn.float32).reshape(3, 4) * (rank + 1)
    column = base[:, 1]  # a view that is not contiguous: reduced through a copy, written back
    dist.all_reduce(column)
    out["strided"] = column.tolist()
    t = gn.full((3,), float(rank))
    dist.broadcast(t, src=world - 1)
    out["broadcast"] = t.tolist()
    got = [gn.zeros(2, dtype=gn.int64) for _ in range(world)]
    dist.all_gather(got, gn.tensor([rank, 10 * rank]))
    out["all_gather"] = [g.tolist() for g in got]
    t = gn.ones(4)
    work = dist.all_reduce(t, async_op=True)
    work.wait()
    out["async"] = t.tolist() + [work.is_completed()]
    dist.barrier()
    out["rank"], out["world"] = rank, world
    return out


def check_no_sync():
    """Two micro-batches under no_sync and one synced: the gradient of the whole batch."""
    rank, world = dist.get_rank(), dist.get_world_size()
    rng = np.random.default_rng(3)
    xs, ys = rng.normal(size=(3 * world * 2, 6)), rng.normal(size=(3 * world * 2, 3))
    gn.manual_seed(rank)
    model = mlp().to(gn.float64)
    ddp = DDP(model)
    reference = mlp().to(gn.float64)
    reference.load_state_dict(model.state_dict())
    mine_x, mine_y = xs[rank::world], ys[rank::world]
    parts = np.array_split(np.arange(len(mine_x)), 3)
    for i, part in enumerate(parts):
        x, y = gn.tensor(mine_x[part]), gn.tensor(mine_y[part])
        if i < len(parts) - 1:
            with ddp.no_sync():
                ((ddp(x) - y) ** 2).sum().backward()
            local = spread_of_grads(model)
        else:
            ((ddp(x) - y) ** 2).sum().backward()
    ((reference(gn.tensor(xs)) - gn.tensor(ys)) ** 2).sum().backward()
    error = max(
        float(np.abs(p.grad.numpy() * world - q.grad.numpy()).max())
        for p, q in zip(model.parameters(), reference.parameters())
    )
    return {"error": error, "local_spread": local, "grad_spread": spread_of_grads(model)}


def spread_of_grads(model):
    mine = gn.tensor(np.concatenate([p.grad.numpy().ravel() for p in model.parameters()]))
    every = [gn.zeros_like(mine) for _ in range(dist.get_world_size())]
    dist.all_gather(every, mine)
    return max(float(np.abs(e.numpy() - mine.numpy()).max()) for e in every)


def check_buffers():
    """BatchNorm's running statistics: rank 0's reach every rank at each forward."""
    rank = dist.get_rank()
    gn.manual_seed(rank)
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 2))
    ddp = DDP(model)
    bn = model[1]
    bn.running_mean._data[...] = rank + 1.0  # each rank its own (as after local training)
    ddp.eval()
    ddp(gn.ones(2, 3))
    mean = bn.running_mean.numpy().copy()
    ddp.train()
    ((ddp(gn.randn(4, 3)) ** 2).mean()).backward()
    return {"eval_mean": mean.tolist(), "weights_spread": spread(model)}


class TwoHeads(nn.Module):
    def __init__(self):
        super().__init__()
        self.body, self.used, self.unused = nn.Linear(3, 3), nn.Linear(3, 1), nn.Linear(3, 1)

    def forward(self, x):
        return self.used(self.body(x))


def check_unused():
    out = {}
    ddp = DDP(TwoHeads(), find_unused_parameters=True)
    for _ in range(2):
        ddp(gn.ones(2, 3)).sum().backward()
    out["unused_grad"] = float(np.abs(ddp.module.unused.weight.grad.numpy()).max())
    strict = DDP(TwoHeads())
    strict(gn.ones(2, 3)).sum().backward()
    try:
        strict(gn.ones(2, 3))
        out["error"] = None
    except RuntimeError as exc:
        out["error"] = str(exc)
    return out


def check_different_models():
    """A rank that builds another model: every rank refuses to start."""
    try:
        DDP(nn.Linear(3, 3 if dist.get_rank() != 1 else 4))
    except ValueError as exc:
        return str(exc)
    return None


def check_fit_errors():
    """fit's refusals under mpiexec, the same on every rank (so no rank waits)."""
    world = dist.get_world_size()
    x = np.zeros((8 * world, 2))
    model = nn.Linear(2, 1).to(gn.float64)
    found = {}
    try:
        gn.fit(model, (x, x[:, :1]), epochs=1, batch_size=2 * world + 1, verbose=0)
    except ValueError as exc:
        found["batch_size"] = str(exc)
    loader = gn.data.DataLoader(gn.data.TensorDataset(gn.tensor(x), gn.tensor(x[:, :1])))
    try:
        gn.fit(model, loader, epochs=1, verbose=0)
    except ValueError as exc:
        found["loader"] = str(exc)
    return found


def check_sampler():
    from glassnet.utils.data.distributed import DistributedSampler

    sampler = DistributedSampler(list(range(10)), seed=5)
    sampler.set_epoch(3)
    mine = gn.tensor(list(sampler) + [-1] * (4 - len(sampler)))
    every = [gn.zeros_like(mine) for _ in range(dist.get_world_size())]
    dist.all_gather(every, mine)
    return {"shards": [e.tolist() for e in every], "len": len(sampler)}


def checks(outdir):
    dist.init_process_group("mpi")
    sgd = lambda params: gn.optim.SGD(params, lr=0.2, momentum=0.9)  # noqa: E731
    adam = lambda params: gn.optim.Adam(params, lr=0.05)  # noqa: E731
    results = {
        "collectives": check_collectives(),
        "mlp_one_bucket": ddp_against_one_process(mlp, (6,), sgd, 25),
        "mlp_small_buckets": ddp_against_one_process(mlp, (6,), adam, 0.0002),
        "cnn": ddp_against_one_process(cnn, (1, 4, 4), sgd, 0.0003),
        "no_sync": check_no_sync(),
        "buffers": check_buffers(),
        "unused": check_unused(),
        "sampler": check_sampler(),
        "different_models": check_different_models(),
        "fit_errors": check_fit_errors(),
    }
    Path(outdir, f"checks-{dist.get_rank()}.json").write_text(json.dumps(results))


def fit_data():
    rng = np.random.default_rng(11)
    x = rng.normal(size=(48, 5))
    return x, x @ rng.normal(size=(5, 2)) + 0.3 * np.sin(x[:, :2])


def fit_run(outdir, epochs, resume=None):
    """fit() on fit_data: rank 0 writes a checkpoint per epoch and a CSV log;
    every rank writes its final weights (read by the test)."""
    from glassnet.train.callbacks import CSVLogger, ModelCheckpoint

    rank = int(__import__("os").environ.get("PMI_RANK", "0"))
    gn.manual_seed(rank)  # differs per rank: fit must agree the ranks itself
    model = nn.Sequential(nn.Linear(5, 8), nn.Tanh(), nn.Linear(8, 2)).to(gn.float64)
    history = gn.fit(
        model,
        fit_data(),
        loss="mse",
        optimizer="adam",
        lr=0.01,
        epochs=epochs,
        batch_size=8,
        validation=0.25,
        metrics=["mae"],
        verbose=2,
        resume=resume,
        callbacks=[
            ModelCheckpoint(str(Path(outdir, f"ckpt-rank{rank}-{{epoch}}.gn"))),
            CSVLogger(str(Path(outdir, f"log-rank{rank}.csv"))),
        ],
    )
    np.save(Path(outdir, f"weights-{rank}.npy"), flat_weights(model))
    Path(outdir, f"history-{rank}.json").write_text(json.dumps(history.history))


def interrupt_run(outdir):
    """Ctrl-C reaches rank 1 alone, at its second batch: every rank stops there."""
    import os
    import signal

    from glassnet.train.callbacks import Callback

    class CtrlC(Callback):
        def on_batch_end(self, batch, logs=None):
            if dist.get_rank() == 1 and batch == 1:
                os.kill(os.getpid(), signal.SIGINT)

    dist.init_process_group("mpi")
    model = nn.Linear(5, 2).to(gn.float64)
    history = gn.fit(model, fit_data(), epochs=3, batch_size=8, verbose=0, callbacks=[CtrlC()])
    result = {"interrupted": history.interrupted, "epochs": len(history.history.get("loss", []))}
    result["spread"] = spread(model)
    Path(outdir, f"interrupt-{dist.get_rank()}.json").write_text(json.dumps(result))


def main():
    scenario, outdir = sys.argv[1], sys.argv[2]
    if scenario == "checks":
        checks(outdir)
    elif scenario == "fit":
        resume = sys.argv[4] if len(sys.argv) > 4 else None
        fit_run(outdir, int(sys.argv[3]), resume)
    elif scenario == "interrupt":
        interrupt_run(outdir)
    elif scenario == "raise":
        dist.init_process_group("mpi")
        if dist.get_rank() == 1:
            raise ValueError("rank 1 fails on purpose")
        dist.barrier()  # the others wait here: the abort must end them
    else:
        raise SystemExit(f"unknown scenario {scenario!r}")


if __name__ == "__main__":
    main()
