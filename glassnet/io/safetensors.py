"""The safetensors format, written and read with NumPy alone.

A file is: 8 bytes (little-endian unsigned length N), N bytes of UTF-8 JSON
``{name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__":
{str: str}}`` padded with spaces to a multiple of 8, then the tensors' raw
little-endian bytes, laid out back to back (offsets count from the end of the
header). Loading validates all of it and raises ``FormatError`` naming the
file and what was wrong; it never runs code.

dtypes: F64 F32 F16 I64 I32 I16 I8 U64 U32 U16 U8 BOOL C64 both ways. BF16
(which NumPy lacks) loads widened to float32, exactly; it cannot be saved.
Float8 and other exotic dtypes are refused with a clear error.
"""

import json
import os

import numpy as np

from ..errors import GlassnetError
from ..tensor import Tensor
from .atomic import atomic_write
from .bounded_json import DepthError, loads

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
MAX_HEADER = 100_000_000  # the limit of the reference (Rust) reader
MAX_DEPTH = 8  # a valid header nests 3 deep ({name: {"shape": [...]}}): room for clear errors
MAX_DIMS = 64  # NumPy's limit on an array's dimensions
MAX_BYTES = int(np.iinfo(np.intp).max)  # the most bytes one array can address
_FIELDS = ("dtype", "shape", "data_offsets")
_SIGNATURES = [
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"PK\x03\x04", "a zip archive (a PyTorch .pt/.pth file is one)"),
    (b"\x93NUMPY", "a NumPy .npy file"),
    (b"\x89HDF", "an HDF5 file"),
    (b"\x1f\x8b", "a gzip file"),
    (b"%PDF", "a PDF document"),
]


class FormatError(GlassnetError, ValueError):
    """A file that is not valid safetensors (or not a valid glassnet checkpoint)."""


# ---- saving ------------------------------------------------------------------
def save_file(tensors, path, metadata=None):
    """Write ``{name: ndarray or Tensor}`` to ``path`` atomically; ``metadata``
    is an optional ``{str: str}`` dict stored under ``__metadata__``."""
    header, arrays = _prepare(tensors, metadata)
    atomic_write(path, lambda f: _write(f, header, arrays))


def save_bytes(tensors, metadata=None):
    """The bytes of a safetensors file holding ``tensors``."""
    header, arrays = _prepare(tensors, metadata)
    return b"".join([header] + [_raw(a) for a in arrays])


def _write(f, header, arrays):
    f.write(header)
    for a in arrays:
        f.write(_raw(a))


def _raw(a):
    """The bytes of a contiguous array, as a flat uint8 view (no copy)."""
    return a.reshape(-1).view(np.uint8)


def _prepare(tensors, metadata):
    """The padded header (bytes) and the little-endian contiguous arrays."""
    if not isinstance(tensors, dict):
        raise TypeError(
            f"save_file: expected a dict of name -> array, got {type(tensors).__name__}"
        )
    head = {}
    if metadata is not None:
        if not isinstance(metadata, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()
        ):
            raise TypeError("save_file: metadata must be a dict of str -> str")
        head["__metadata__"] = metadata
    arrays, offset = [], 0
    for name, value in tensors.items():
        if not isinstance(name, str) or name == "__metadata__":
            raise TypeError(
                f"save_file: tensor names must be strings other than '__metadata__', got {name!r}"
            )
        a = _as_little_endian(name, value)
        head[name] = {
            "dtype": _CODES[a.dtype],
            "shape": list(a.shape),
            "data_offsets": [offset, offset + a.nbytes],
        }
        offset += a.nbytes
        arrays.append(a)
    text = json.dumps(head, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    return len(text).to_bytes(8, "little") + text, arrays


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
    return np.asarray(a, dtype=dtype, order="C")


# ---- loading -----------------------------------------------------------------
def load_file(path):
    """Read ``{name: ndarray}`` from a safetensors file (fresh, writable arrays)."""
    return read_file(path)[0]


def load_bytes(data, source="<bytes>"):
    """Read ``{name: ndarray}`` from the bytes of a safetensors file."""
    return read_bytes(data, source)[0]


def read_file(path):
    """``(tensors, metadata)`` of a safetensors file; metadata is ``{str: str}``."""
    path = os.fspath(path)
    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        start = f.read(8)
        n = _header_length(start, size, path)
        entries, metadata = parse_header(start + f.read(n), size, path)
        tensors = {}
        for name, code, shape, begin, end in entries:
            raw = np.empty(end - begin, np.uint8)
            if f.readinto(memoryview(raw)) != end - begin:
                raise FormatError(f"{path}: file truncated while reading tensor {name!r}")
            tensors[name] = _decode(raw, code, shape)
    return tensors, metadata


def read_bytes(data, source="<bytes>"):
    """``(tensors, metadata)`` from the bytes of a safetensors file."""
    data = memoryview(data).cast("B")
    n = _header_length(bytes(data[:8]), len(data), source)
    entries, metadata = parse_header(bytes(data[: 8 + n]), len(data), source)
    base = 8 + n
    tensors = {
        name: _decode(np.frombuffer(data[base + b : base + e], np.uint8).copy(), code, shape)
        for name, code, shape, b, e in entries
    }
    return tensors, metadata


def _decode(raw, code, shape):
    if code == "BF16":  # the high half of a float32: widen exactly
        return (raw.view("<u2").astype("<u4") << 16).view("<f4").reshape(shape)
    return raw.view(DTYPES[code]).reshape(shape)


def _header_length(start, size, source):
    if len(start) < 8:
        _fail(
            source,
            start,
            f"truncated: the file has {size} bytes, fewer than the 8-byte header length",
        )
    n = int.from_bytes(start[:8], "little")
    if n > size - 8:
        _fail(
            source,
            start,
            f"header length {n} is beyond the end of the file ({size} bytes): "
            "the file is truncated or not a safetensors file",
        )
    if n > MAX_HEADER:
        _fail(source, start, f"header length {n} exceeds the {MAX_HEADER}-byte limit")
    return n


def parse_header(head, size, source):
    """Validate the 8-byte length + JSON header of a file of ``size`` bytes.

    Returns ``(entries, metadata)``: entries are ``(name, dtype, shape,
    begin, end)`` sorted by offset, which tile the data buffer exactly.
    """
    try:
        obj = loads(head[8:].decode("utf-8"), MAX_DEPTH)
    except UnicodeDecodeError:
        _fail(source, head, "the header is not UTF-8 text")
    except DepthError as exc:
        _fail(source, head, f"the header {exc} (a safetensors header nests 3)")
    except ValueError as exc:
        _fail(source, head, f"the header is not valid JSON ({exc})")
    if not isinstance(obj, dict):
        _fail(source, head, f"the header is a JSON {type(obj).__name__}, expected an object")
    metadata = obj.pop("__metadata__", None)
    metadata = {} if metadata is None else metadata
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        raise FormatError(
            f"{source}: '__metadata__' must map strings to strings, got {metadata!r:.200}"
        )
    buffer = size - len(head)
    entries = sorted(
        (_entry(source, name, info, buffer) for name, info in obj.items()),
        key=lambda e: (e[3], e[4]),
    )
    pos, prev = 0, None
    for e in entries:
        if e[3] < pos:
            raise FormatError(
                f"{source}: tensor {e[0]!r} (bytes {e[3]}-{e[4]}) overlaps "
                f"tensor {prev!r} (which ends at byte {pos})"
            )
        if e[3] > pos:
            raise FormatError(
                f"{source}: data bytes {pos}-{e[3]} belong to no tensor "
                f"(a gap before tensor {e[0]!r})"
            )
        pos, prev = e[4], e[0]
    if pos != buffer:
        raise FormatError(
            f"{source}: the tensors cover {pos} bytes of data but {buffer} follow "
            "the header (trailing bytes)"
        )
    return entries, metadata


def _entry(source, name, info, buffer):
    where = f"{source}: tensor {name!r}"
    if not isinstance(info, dict):
        raise FormatError(
            f"{where}: expected an object with {', '.join(_FIELDS)}, got {info!r:.100}"
        )
    for field in _FIELDS:
        if field not in info:
            raise FormatError(f"{where}: missing field '{field}'")
    extra = set(info) - set(_FIELDS)
    if extra:
        raise FormatError(f"{where}: unexpected field(s) {sorted(extra)}")
    code, shape, offsets = info["dtype"], info["shape"], info["data_offsets"]
    if not isinstance(code, str) or (code not in DTYPES and code != "BF16"):
        known = ", ".join(list(DTYPES) + ["BF16"])
        why = " (NumPy has no such dtype)" if isinstance(code, str) and code[:1] in "FC" else ""
        raise FormatError(f"{where}: unsupported dtype {code!r:.100}{why}; known: {known}")
    if not isinstance(shape, list) or not all(_is_count(d) for d in shape):
        raise FormatError(
            f"{where}: 'shape' must be a list of non-negative integers, got {shape!r:.100}"
        )
    if len(shape) > MAX_DIMS:
        raise FormatError(
            f"{where}: 'shape' has {len(shape)} dimensions, more than the "
            f"{MAX_DIMS} an array can have"
        )
    if (
        not isinstance(offsets, list)
        or len(offsets) != 2
        or not all(map(_is_count, offsets))
        or offsets[0] > offsets[1]
    ):
        raise FormatError(
            f"{where}: 'data_offsets' must be [begin, end] with 0 <= begin <= end, "
            f"got {offsets!r:.100}"
        )
    begin, end = offsets
    if end > buffer:
        raise FormatError(
            f"{where}: data_offsets [{begin}, {end}] reach past the {buffer} "
            "bytes of data after the header (file truncated?)"
        )
    itemsize = 2 if code == "BF16" else np.dtype(DTYPES[code]).itemsize
    if _product([d for d in shape if d] + [itemsize]) > MAX_BYTES:
        raise FormatError(
            f"{where}: shape {shape!r:.200} is too large for an array (its "
            f"non-zero dimensions in {code} need more than {MAX_BYTES} bytes)"
        )
    expected = _product(shape) * itemsize
    if end - begin != expected:
        raise FormatError(
            f"{where}: {end - begin} bytes of data, but dtype {code} and shape "
            f"{shape} need {expected}"
        )
    return name, code, tuple(shape), begin, end


def _is_count(x):
    """A JSON count: an int that is not a bool (``true`` is no size) and not negative."""
    return isinstance(x, int) and not isinstance(x, bool) and x >= 0


def _product(counts):
    """The product of non-negative ints, stopping once it passes MAX_BYTES
    (a hostile shape of 64 huge numbers never becomes a huge int)."""
    out = 1
    for n in counts:
        out *= n
        if out > MAX_BYTES:
            return MAX_BYTES + 1
    return out


def _fail(source, start, what):
    """Raise FormatError; say what the file looks like if it is a known foreign format."""
    kind = next((k for sig, k in _SIGNATURES if start.startswith(sig)), None)
    if kind is None and start[:1] == b"\x80" and start[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05"):
        kind = "a Python pickle (glassnet never loads pickles: they can run code)"
    hint = f"; it looks like {kind}, not a safetensors file" if kind else ""
    raise FormatError(f"{source}: not a valid safetensors file: {what}{hint}")
