"""``default_collate``: a list of samples -> one batch, as
torch.utils.data.default_collate.

Tensors and ndarrays are stacked along a new first dimension; Python numbers
become a 1-d tensor (floats as the default float dtype, float32, where
PyTorch gives float64; ints int64; bools bool); NumPy scalars keep their
dtype; strings stay a list; dicts, tuples and lists are collated field by
field (a tuple stays a tuple, where PyTorch returns a list; namedtuples keep
their type). The batch is a new tensor outside any autograd graph.
"""

from collections.abc import Mapping, Sequence

import numpy as np

from ..tensor import Tensor, to_array
from ._util import leaf


def default_collate(batch):
    """Stack a list of samples into a batch (see the module docstring)."""
    if len(batch) == 0:
        raise ValueError("default_collate: got an empty list of samples")
    return _collate(list(batch), "")


def _where(path):
    return f" at {path}" if path else ""


def _kind(x):
    if isinstance(x, (Tensor, np.ndarray)):
        return "array"
    if isinstance(x, (bool, int, float, np.number, np.bool_)):
        return "number"
    if isinstance(x, (str, bytes)):
        return "string"
    if isinstance(x, Mapping):
        return "mapping"
    if isinstance(x, Sequence):
        return "sequence"
    raise TypeError(
        f"default_collate: samples must hold tensors, ndarrays, numbers, strings, "
        f"dicts, tuples or lists; got {type(x).__name__}"
    )


def _collate(batch, path):
    kind = _kind(batch[0])
    for k, b in enumerate(batch):
        if _kind(b) != kind:
            raise TypeError(
                f"default_collate: sample 0{_where(path)} is a "
                f"{type(batch[0]).__name__} but sample {k} is a {type(b).__name__}"
            )
    if kind == "array":
        return _stack([b._data if isinstance(b, Tensor) else b for b in batch], path)
    if kind == "number":
        if all(isinstance(b, np.generic) for b in batch):
            return leaf(np.array(batch))
        return leaf(to_array(batch))
    if kind == "string":
        return list(batch)
    if kind == "mapping":
        return _collate_mapping(batch, path)
    return _collate_sequence(batch, path)


def _stack(arrays, path):
    first = arrays[0].shape
    for k, a in enumerate(arrays):
        if a.shape != first:
            raise ValueError(
                f"default_collate: cannot stack samples of different shapes"
                f"{_where(path)}: sample 0 has shape {first}, sample {k} has "
                f"shape {a.shape}"
            )
    return leaf(np.stack(arrays))


def _collate_mapping(batch, path):
    keys = list(batch[0].keys())
    for k, b in enumerate(batch):
        if set(b.keys()) != set(keys):
            raise ValueError(
                f"default_collate: sample 0{_where(path)} has keys {sorted(keys)} "
                f"but sample {k} has keys {sorted(b.keys())}"
            )
    return {key: _collate([b[key] for b in batch], f"{path}[{key!r}]") for key in keys}


def _collate_sequence(batch, path):
    size = len(batch[0])
    for k, b in enumerate(batch):
        if len(b) != size:
            raise ValueError(
                f"default_collate: sample 0{_where(path)} has {size} elements but "
                f"sample {k} has {len(b)}; every sample needs the same structure"
            )
    fields = [_collate(list(column), f"{path}[{i}]") for i, column in enumerate(zip(*batch))]
    elem = batch[0]
    if hasattr(elem, "_fields"):
        return type(elem)(*fields)
    return tuple(fields) if isinstance(elem, tuple) else fields
