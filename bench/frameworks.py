"""glassnet and PyTorch behind one small interface, so a workload writes its
model and its training step once and runs the same code in both (their
APIs match where it matters: nn.Linear, nn.Sequential, optim.SGD, ...)."""

import importlib

import numpy as np

import glassnet as gn
from glassnet.backends import allocator

allocator.keep_freed_memory()  # as fit and the glassnet command do: steps reuse freed pages


class Framework:
    """One autograd framework: its ``nn`` and ``optim``, how to make a tensor
    from a NumPy array, how to seed it, and how its memory is measured."""

    def __init__(self, name, module, data, memory_method, forget=None):
        self.name = name
        self.module = module
        self.nn = module.nn
        self.optim = module.optim
        self.data = data  # has DataLoader and TensorDataset
        self.memory_method = memory_method
        self.forget = forget  # () -> None: let go of arrays kept for reuse (before a memory pass)

    def tensor(self, array, requires_grad=False):
        array = np.ascontiguousarray(array)
        return self.module.tensor(array, requires_grad=requires_grad)

    def seed(self, n):
        self.module.manual_seed(n)

    def no_grad(self):
        return self.module.no_grad()

    def to_numpy(self, t):
        return t.detach().numpy()

    def missing(self, *layers):
        """The ``nn`` layers among ``layers`` this framework lacks."""
        return [name for name in layers if not hasattr(self.nn, name)]


def glassnet_forget(package=gn):
    """A ``forget`` for ``package`` (glassnet, or a copy ``bench.ab`` loaded
    under another name): it empties oneDNN's kernel caches (their reorder and
    scratch buffers) and the recurrent layers' array pool, so that a memory
    pass counts what a training loop holds, not what an earlier run left there."""

    def forget():
        onednn = package.onednn
        if hasattr(onednn, "clear_caches"):
            onednn.clear_caches()
        else:  # a glassnet from before onednn.clear_caches (bench.ab's revision A)
            for cache in ("_kernels", "_conv_kernels"):
                getattr(onednn, cache, {}).clear()
        _recurrent_pool(package).clear()

    return forget


def _recurrent_pool(package):
    """``package``'s recurrent array pool: in ``ops.recurrent.pool``, or in
    ``ops.recurrent`` (a module) in glassnet before the split into layers."""
    try:
        return importlib.import_module(f"{package.__name__}.ops.recurrent.pool").POOL
    except ModuleNotFoundError:
        return importlib.import_module(f"{package.__name__}.ops.recurrent").POOL


GLASSNET = Framework("glassnet", gn, gn.data, "tracemalloc", glassnet_forget())


def load_torch(enabled=True):
    """The PyTorch framework, or None when it is not installed (or not wanted)."""
    if not enabled:
        return None
    try:
        import torch
    except ImportError:
        return None
    import torch.utils.data

    return Framework("pytorch", torch, torch.utils.data, "torch-profiler")


def train_step(model, loss_fn, opt, batches):
    """A full training step in either framework, on the next (x, y) of
    ``batches``: zero_grad, forward, loss, backward, optimizer step."""

    def step():
        x, y = next(batches)
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()

    return step


class Sides:
    """The frameworks of one run: glassnet always, PyTorch when installed and
    wanted (``torch`` is None otherwise and ``torch_reason`` says why)."""

    def __init__(self, use_torch=True):
        self.glassnet = GLASSNET
        self.torch = load_torch(use_torch)
        self.torch_reason = (
            None
            if self.torch is not None
            else ("n/a (--no-torch)" if not use_torch else "n/a (torch not installed)")
        )

    @property
    def torch_module(self):
        return self.torch.module if self.torch is not None else None
