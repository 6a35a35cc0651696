"""Which PyTorch names each namespace of the table lists, and where glassnet's are.

- ``torch``: the names of ``torch_index.INDEX`` (PyTorch's docs index) that
  ``dir(torch)`` has, then ``torch_index.EXTRA`` (dtypes, device, legacy
  constructors, torch.cuda / torch.utils.data / torch.autograd names).
- ``torch.nn``: the public classes of ``torch.nn`` that are Modules (less the
  ``Lazy*`` ones, the base classes, the multi-process ``DataParallel`` /
  ``SyncBatchNorm`` and the deprecated ``NLLLoss2d``), ``Parameter``, ``Buffer``;
  the public functions of ``torch.nn.init``; ``torch.nn.utils``'s gradient clipping
  and parameter/vector helpers.
- ``torch.nn.functional``: its public callables with a docstring that are
  defined in it or in torch's C core (not the imported typing and dispatch
  helpers), less the ``*_with_indices`` variants.
- ``torch.optim``: the Optimizer classes, and ``lr_scheduler``'s LRScheduler classes.
- ``torch.Tensor``: its public attributes with a docstring, less the sparse,
  quantized, named-tensor and storage families and other devices' ``is_*`` flags.
"""

from __future__ import annotations

import inspect
from typing import Any

from .torch_index import EXTRA, INDEX

_NN_LEFT_OUT = {
    "Container",
    "RNNBase",
    "RNNCellBase",
    "DataParallel",
    "SyncBatchNorm",
    "NLLLoss2d",
    "Module",
}
_NN_UTILS = [
    "clip_grad_norm_",
    "clip_grad_value_",
    "parameters_to_vector",
    "vector_to_parameters",
    "rnn.pad_sequence",
    "rnn.pack_padded_sequence",
    "rnn.pad_packed_sequence",
]
_F_HOMES = {"torch.nn.functional", "torch", "torch._C._nn"}
_TENSOR_LEFT_OUT = (
    "q_",
    "sparse",
    "to_sparse",
    "to_mkldnn",
    "is_sparse",
    "is_quantized",
    "int_repr",
    "dequantize",
    "ccol_indices",
    "crow_indices",
    "col_indices",
    "row_indices",
    "indices",
    "values",
    "coalesce",
    "is_coalesced",
    "qscheme",
    "refine_names",
    "rename",
    "align_",
    "names",
    "has_names",
    "storage",
    "untyped_storage",
    "is_mkldnn",
    "is_ipu",
    "is_xpu",
    "is_mps",
    "is_maia",
    "is_mtia",
    "is_vulkan",
    "is_meta",
    "is_nested",
    "nested",
    "dense_dim",
    "sparse_dim",
    "to_dense",
    "_",
)


def _doc(obj: Any) -> str:
    doc = getattr(obj, "__doc__", None)
    return doc if isinstance(doc, str) else ""


def lookup(root: Any, dotted: str) -> Any:
    """``root.a.b`` for ``"a.b"``, or None when any step is missing."""
    obj = root
    for part in dotted.split("."):
        try:
            obj = getattr(obj, part)
        except Exception:  # a lazy attribute may raise anything while it imports
            return None
    return obj


def torch_names(torch: Any) -> list[str]:
    indexed = sorted(
        {n for names in INDEX.values() for n in names.split() if callable(getattr(torch, n, None))}
    )
    return indexed + [n for n in EXTRA.split() if lookup(torch, n) is not None]


def nn_names(torch: Any) -> list[str]:
    nn = torch.nn
    modules = sorted(
        n
        for n in dir(nn)
        if not n.startswith(("_", "Lazy"))
        and n not in _NN_LEFT_OUT
        and inspect.isclass(getattr(nn, n))
        and issubclass(getattr(nn, n), nn.Module)
    )
    extra = ["Module", "Parameter", "Buffer"]
    init = sorted(
        f"init.{n}"
        for n in dir(nn.init)
        if not n.startswith("_")
        and inspect.isfunction(getattr(nn.init, n))
        and getattr(nn.init, n).__module__ == "torch.nn.init"
    )
    utils = [f"utils.{n}" for n in _NN_UTILS if lookup(nn.utils, n) is not None]
    return extra + modules + init + utils


def functional_names(torch: Any) -> list[str]:
    F = torch.nn.functional
    return sorted(
        n
        for n in dir(F)
        if not n.startswith("_")
        and not n.endswith("_with_indices")
        and callable(getattr(F, n))
        and not inspect.isclass(getattr(F, n))
        and getattr(getattr(F, n), "__module__", None) in _F_HOMES
        and _doc(getattr(F, n)).strip()
    )


def optim_names(torch: Any) -> list[str]:
    optim, sched = torch.optim, torch.optim.lr_scheduler
    optimizers = sorted(
        n
        for n in dir(optim)
        if not n.startswith("_")
        and inspect.isclass(getattr(optim, n))
        and issubclass(getattr(optim, n), optim.Optimizer)
    )
    schedulers = sorted(
        f"lr_scheduler.{n}"
        for n in dir(sched)
        if not n.startswith("_")
        and inspect.isclass(getattr(sched, n))
        and issubclass(getattr(sched, n), sched.LRScheduler)
    )
    return optimizers + schedulers


def tensor_names(torch: Any) -> list[str]:
    return sorted(
        n
        for n in dir(torch.Tensor)
        if not n.startswith(_TENSOR_LEFT_OUT) and _doc(getattr(torch.Tensor, n, None)).strip()
    )


def namespaces(torch: Any, glassnet: Any) -> list[tuple[str, Any, Any, list[str]]]:
    """(title, torch's object, glassnet's object, the names) for each namespace."""
    return [
        ("torch", torch, glassnet, torch_names(torch)),
        ("torch.nn", torch.nn, lookup(glassnet, "nn"), nn_names(torch)),
        (
            "torch.nn.functional",
            torch.nn.functional,
            lookup(glassnet, "nn.functional"),
            functional_names(torch),
        ),
        ("torch.optim", torch.optim, lookup(glassnet, "optim"), optim_names(torch)),
        ("torch.Tensor", torch.Tensor, glassnet.Tensor, tensor_names(torch)),
    ]
