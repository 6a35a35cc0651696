"""safetensors files through the reference library, ``safetensors`` (its
NumPy API), with glassnet's promises on top.

A file is: 8 bytes (little-endian length N), N bytes of UTF-8 JSON
``{name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__":
{str: str}}``, then the tensors' raw little-endian bytes back to back. The
library writes and validates all of it (and never runs code: no pickle);
this module adds what it leaves out:

- atomic writes (a temporary file in the same folder, then ``os.replace``);
- errors that name the file and say what is wrong in words (``FormatError``,
  the library's own text kept in brackets), and what a foreign file looks
  like (a PNG, a PyTorch zip, a pickle...);
- dtypes: F64 F32 F16 I64 I32 I16 I8 U64 U32 U16 U8 BOOL C64 both ways; BF16
  (which NumPy lacks) loads widened to float32, exactly, and cannot be saved;
  float8 and other dtypes NumPy has no equivalent for are refused clearly.

Names are kept as given (PyTorch's state-dict keys, "fc.weight"), so
``safetensors.torch`` reads what glassnet writes and the other way round.
Tensors load in the data's order (the library writes them grouped by
dtype, then by name: not the dict's order), as fresh, writable arrays.
"""

from __future__ import annotations

import json
import os

import numpy as np

from ..tensor import Tensor
from .atomic import atomic_write
from .file_errors import MAX_HEADER, FormatError, translate

__all__ = ["FormatError", "MAX_HEADER", "save_file", "save_bytes", "load_file", "load_bytes"]
__all__ += ["read_file", "read_bytes"]

DTYPES = {
    "F64": "<f8",
    "F32": "<f4",
    "F16": "<f2",
    "I64": "<i8",
    "I32": "<i4",
    "I16": "<i2",
    "I8": "i1",
    "U64": "<u8",
    "U32": "<u4",
    "U16": "<u2",
    "U8": "u1",
    "BOOL": "?",
    "C64": "<c8",
}
_CODES = {np.dtype(v): k for k, v in DTYPES.items()}
MAX_DIMS = 64  # NumPy's limit on an array's dimensions
MAX_BYTES = int(np.iinfo(np.intp).max)  # the most bytes one array can address


def _library():
    """The ``safetensors`` package (a dependency of glassnet), imported on first use."""
    try:
        import safetensors
        import safetensors.numpy
    except ImportError as exc:
        raise ImportError(
            "glassnet reads and writes model files with the safetensors package, which "
            f"is missing ({exc}): pip install safetensors"
        ) from exc
    return safetensors


# ---- saving ------------------------------------------------------------------
def save_file(tensors, path, metadata=None):
    """Write ``{name: ndarray or Tensor}`` to ``path`` atomically; ``metadata``
    is an optional ``{str: str}`` dict stored under ``__metadata__``."""
    arrays, metadata = _prepare(tensors, metadata)
    write = _library().numpy.save_file  # straight from the arrays: no copy of the file in memory
    atomic_write(path, lambda temp: write(arrays, temp, metadata=metadata), by_name=True)


def save_bytes(tensors, metadata=None):
    """The bytes of a safetensors file holding ``tensors``."""
    arrays, metadata = _prepare(tensors, metadata)
    return _library().numpy.save(arrays, metadata=metadata)


def _prepare(tensors, metadata):
    """``({name: little-endian C-contiguous ndarray}, metadata or None)``, after
    checking names, values and metadata (messages name the offending entry)."""
    if not isinstance(tensors, dict):
        raise TypeError(
            f"save_file: expected a dict of name -> array, got {type(tensors).__name__}"
        )
    if metadata is not None and (
        not isinstance(metadata, dict)
        or not all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items())
    ):
        raise TypeError("save_file: metadata must be a dict of str -> str")
    arrays = {}
    for name, value in tensors.items():
        if not isinstance(name, str) or name == "__metadata__":
            raise TypeError(
                f"save_file: tensor names must be strings other than '__metadata__', got {name!r}"
            )
        arrays[name] = _as_little_endian(name, value)
    # (safetensors 0.8.0 writes a broken header for no tensors and metadata {}: pass None)
    return arrays, metadata or None


def _as_little_endian(name, value):
    a = np.asarray(value) if isinstance(value, Tensor) else value
    if not isinstance(a, np.ndarray):
        raise TypeError(
            f"save_file: tensor {name!r} must be a numpy array or glassnet Tensor, "
            f"got {type(value).__name__}"
        )
    dtype = a.dtype.newbyteorder("<")
    if dtype not in _CODES:
        supported = ", ".join(str(np.dtype(v)) for v in DTYPES.values())
        raise TypeError(
            f"save_file: tensor {name!r} has dtype {a.dtype}, which safetensors "
            f"cannot store (supported: {supported})"
        )
    # (the library writes an array's raw memory: it must be C-contiguous)
    return np.asarray(a, dtype=dtype, order="C")


# ---- loading -----------------------------------------------------------------
def load_file(path):
    """Read ``{name: ndarray}`` from a safetensors file (fresh, writable arrays)."""
    return read_file(path)[0]


def load_bytes(data, source="<bytes>"):
    """Read ``{name: ndarray}`` from the bytes of a safetensors file."""
    return read_bytes(data, source)[0]


def read_file(path):
    """``(tensors, metadata)`` of a safetensors file; metadata is ``{str: str}``.

    The library validates the file and lists its tensors in the data's order;
    their bytes are then read straight into fresh arrays (as fast as NumPy
    reads a file, and half the memory of the library's ``get_tensor``, which
    copies out of a memory map: see bench/io_safetensors.py)."""
    path = os.fspath(path)
    library = _library()
    with open(path, "rb") as f:  # a missing file or a folder: Python's own error
        size = os.fstat(f.fileno()).st_size
        try:
            with library.safe_open(path, framework="np") as handle:
                metadata = handle.metadata() or {}
                slices = [(name, handle.get_slice(name)) for name in handle.offset_keys()]
                entries = [(name, s.get_dtype(), tuple(s.get_shape())) for name, s in slices]
        except BaseException as exc:
            start = f.read(8)
            translate(exc, path, start + f.read(_header_length(start, size)), size)
        _check(entries, path)
        offset = 8 + int.from_bytes(f.read(8), "little")  # the data follow the header
        tensors = {}
        for name, code, shape in entries:  # tiling the data: the library checked
            raw = np.empty(_nbytes(code, shape), np.uint8)
            f.seek(offset)
            if f.readinto(memoryview(raw)) != raw.size:
                raise FormatError(
                    f"{path}: file truncated while reading tensor {name!r} (did it change?)"
                )
            tensors[name] = _decode(raw, code, shape)
            offset += raw.size
    return tensors, metadata


def read_bytes(data, source="<bytes>"):
    """``(tensors, metadata)`` from the bytes of a safetensors file."""
    data = bytes(data) if not isinstance(data, bytes) else data
    library = _library()
    try:
        flat = library.deserialize(data)  # validates; each tensor's bytes in a bytearray
        header = json.loads(data[8 : 8 + int.from_bytes(data[:8], "little")])  # valid now
    except BaseException as exc:
        translate(exc, source, data[: 8 + _header_length(data[:8], len(data))], len(data))
    metadata = header.pop("__metadata__", None) or {}
    found = {name: (info["dtype"], tuple(info["shape"]), info["data"]) for name, info in flat}
    order = sorted(header, key=lambda name: header[name]["data_offsets"])  # the data's order
    entries = [(name, *found[name][:2]) for name in order]
    _check(entries, source)
    # the library's bytearrays become the arrays' memory: fresh and writable
    tensors = {name: _decode(found[name][2], code, shape) for name, code, shape in entries}
    return tensors, metadata


def _header_length(start, size):
    """The header length the first bytes declare if the file can hold it, else 0
    (an error's explanation reads the header: never more than the file has)."""
    n = int.from_bytes(start[:8], "little") if len(start) == 8 else 0
    return n if n <= min(MAX_HEADER, size - 8) else 0


def _nbytes(code, shape):
    return int(np.prod(shape, dtype=object)) * _itemsize(code)


def _itemsize(code):
    return 2 if code == "BF16" else np.dtype(DTYPES[code]).itemsize


def _decode(raw, code, shape):
    """The array of ``raw`` bytes (an ndarray or bytearray, used in place)."""
    raw = np.frombuffer(raw, np.uint8) if not isinstance(raw, np.ndarray) else raw
    if code == "BF16":  # the high half of a float32: widen exactly
        return (raw.view("<u2").astype("<u4") << 16).view("<f4").reshape(shape)
    return raw.view(DTYPES[code]).reshape(shape)


def _check(entries, source):
    """Refuse, naming the tensor, what the format allows but NumPy cannot hold."""
    for name, code, shape in entries:
        where = f"{source}: tensor {name!r}"
        if code not in DTYPES and code != "BF16":
            known = ", ".join(list(DTYPES) + ["BF16"])
            raise FormatError(
                f"{where}: unsupported dtype {code!r} (NumPy has no such dtype); known: {known}"
            )
        if len(shape) > MAX_DIMS:
            raise FormatError(
                f"{where}: 'shape' has {len(shape)} dimensions, more than the "
                f"{MAX_DIMS} an array can have"
            )
        if _product([d for d in shape if d] + [_itemsize(code)]) > MAX_BYTES:
            raise FormatError(
                f"{where}: shape {list(shape)!r:.200} is too large for an array (its "
                f"non-zero dimensions in {code} need more than {MAX_BYTES} bytes)"
            )


def _product(counts):
    """The product of non-negative ints, stopping once it passes MAX_BYTES."""
    out = 1
    for n in counts:
        out *= n
        if out > MAX_BYTES:
            return MAX_BYTES + 1
    return out
