"""``gn.save`` / ``gn.load``: state dicts and whole training checkpoints, in
safetensors, without pickle.

Every array becomes a tensor entry named by its path: a state dict's keys
as they are ("fc.weight"), so the file is an ordinary safetensors file that
``safetensors.torch.load_file`` reads; a checkpoint's arrays as
"model.fc.weight", "optimizer.state.0.exp_avg"... Everything else (numbers,
strings, lists, the structure itself) is JSON, stored as one string under the
metadata key "glassnet" (``{"version": 1, "tree": ...}``; see tree.py), next
to ``"format": "pt"`` so PyTorch tools accept the file as weights.

``load(save(x)) == x``, types included: Tensors come back as glassnet
Tensors (leaves, ``requires_grad=False``; Parameters as plain Tensors),
ndarrays as ndarrays, ints as ints, floats as floats, tuples as tuples, int
dict keys as ints, big ints (RNG states) exactly. A file with no "glassnet"
metadata (written by ``safetensors.torch.save_file``, for instance) loads as
``{name: Tensor}``, ready for ``model.load_state_dict``.
A network saved with its model card (``glassnet train --save``,
``gn.train.save_model``) is such a file: ``load`` gives its state dict, and
``gn.load_model`` the network ready to predict.

Differences from torch.save/torch.load: only those types can be saved
(a Module, a function or a set is refused, naming where it is), and the
file is written atomically (a crash leaves the previous file intact).
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any

from ..devices import as_device
from ..tensor import Tensor
from .bounded_json import DepthError, loads
from .safetensors import FormatError, read_file, save_file
from .tree import JSON_DEPTH, Decoder, Encoder

if TYPE_CHECKING:
    import os

VERSION = 1


def save(obj: Any, path: str | os.PathLike[str]) -> None:
    """Save a state dict or a checkpoint (nested dicts/lists/tuples of arrays,
    Tensors, numbers, str, bool, None) to ``path``, atomically."""
    encoder = Encoder()
    tree = encoder.encode(obj)
    doc = json.dumps(
        {"version": VERSION, "tree": tree},
        allow_nan=False,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    save_file(encoder.arrays, path, metadata={"format": "pt", "glassnet": doc})


def load(
    path: str | os.PathLike[str],
    map_location: Any = None,
    *,
    weights_only: bool | None = None,
    mmap: bool | None = None,
) -> Any:
    """Load what ``save`` wrote (same structure and types), or any safetensors
    file without glassnet metadata as ``{name: Tensor}``.

    ``map_location``, ``weights_only`` and ``mmap`` are torch.load's, accepted
    so that PyTorch code runs unchanged: glassnet keeps everything on the CPU
    (``map_location`` may name the CPU only), never unpickles (a file holds
    arrays and plain data only, so ``weights_only=False`` loads the same),
    and reads the file into memory."""
    if map_location is not None:
        if not callable(map_location) and not isinstance(map_location, dict):
            as_device(map_location, "load")
    source = os.fspath(path)
    tensors, metadata = read_file(source)
    if "glassnet" not in metadata:
        return {name: Tensor(a) for name, a in tensors.items()}
    try:
        doc = loads(metadata["glassnet"], JSON_DEPTH)
    except DepthError as exc:
        raise FormatError(
            f"{source}: the 'glassnet' metadata {exc} (glassnet writes at most {JSON_DEPTH})"
        ) from None
    except ValueError as exc:
        raise FormatError(f"{source}: the 'glassnet' metadata is not valid JSON ({exc})") from None
    version = doc.get("version") if isinstance(doc, dict) else None
    if not isinstance(version, int) or isinstance(version, bool) or "tree" not in doc:
        raise FormatError(
            f"{source}: the 'glassnet' metadata must be an object with "
            "'version' (an int) and 'tree'"
        )
    if doc["version"] > VERSION:
        raise FormatError(
            f"{source}: written by a newer glassnet (format version "
            f"{doc['version']}; this one reads up to {VERSION})"
        )
    decoder = Decoder(tensors, source)
    obj = decoder.decode(doc["tree"])
    unused = decoder.unused()
    if unused:
        raise FormatError(
            f"{source}: tensor(s) {unused[:5]} are not referred to by the "
            "'glassnet' metadata (the file was altered?)"
        )
    return obj
