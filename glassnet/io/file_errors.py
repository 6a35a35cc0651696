"""What is wrong with a file the ``safetensors`` library refused, in words.

The library decides whether a file is valid; its errors are terse
("invalid offset for tensor `b`", "incomplete metadata, file not fully
covered"). ``translate`` turns them into a ``FormatError`` that names the
file, says what the error means, which tensor and which bytes where the
header tells (``explain``), and what the file looks like when it is some
other format (a PNG, a PyTorch zip, a pickle...). The library's own text
follows in brackets.
"""

from __future__ import annotations

import re

from ..errors import GlassnetError
from .bounded_json import DepthError, loads

MAX_HEADER = 100_000_000  # the library's limit on the header's length
MAX_DEPTH = 8  # a valid header nests 3 deep ({name: {"shape": [...]}}): room for clear errors
_SIGNATURES = [
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"PK\x03\x04", "a zip archive (a PyTorch .pt/.pth file is one)"),
    (b"\x93NUMPY", "a NumPy .npy file"),
    (b"\x89HDF", "an HDF5 file"),
    (b"\x1f\x8b", "a gzip file"),
    (b"%PDF", "a PDF document"),
]
# bytes per element of each dtype code the library knows (for explain's arithmetic)
_ITEMSIZE = {"F64": 8, "I64": 8, "U64": 8, "C64": 8, "F32": 4, "I32": 4, "U32": 4}
_ITEMSIZE.update({"F16": 2, "BF16": 2, "I16": 2, "U16": 2, "I8": 1, "U8": 1, "BOOL": 1})
# the library's messages and what they mean
_MEANINGS = [
    (
        "header too small",
        "truncated: the file has {size} bytes, fewer than the 8-byte header length",
    ),
    (
        "invalid header length",
        "header length {n} is beyond the end of the file ({size} bytes): the file is "
        "truncated or not a safetensors file",
    ),
    (
        "header too large",
        "header length {n} exceeds the {limit}-byte limit: the file is truncated or not "
        "a safetensors file",
    ),
    ("invalid UTF-8", "the header is not UTF-8 text"),
    ("recursion limit", "{json}"),
    ("invalid JSON", "{json}"),
    ("incomplete metadata", "the tensors' data_offsets do not cover the data exactly"),
    ("invalid offset for tensor", "tensor {name}: its data_offsets are out of place"),
    (
        "invalid shape, data type, or offset",
        "a tensor's data_offsets hold a number of bytes its dtype and shape do not need",
    ),
    ("overflow computing buffer size", "a tensor's shape is too large for an array"),
]


class FormatError(GlassnetError, ValueError):
    """A file that is not valid safetensors (or not a valid glassnet checkpoint)."""


def translate(exc, source, head, size):
    """Raise the library's error ``exc`` about file ``source`` (``size`` bytes,
    starting with ``head``: up to its header's end) as a FormatError. Errors
    that are no fault of the file (an interrupt, memory, the disk) pass through."""
    if isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit, MemoryError, OSError)):
        raise exc
    text = re.sub(r"^Error while deserializing( header)?: ", "", str(exc))
    n = int.from_bytes(head[:8], "little") if len(head) >= 8 else 0
    named = re.search(r"tensor `(.*)`", text)
    fields = {"size": size, "n": n, "limit": MAX_HEADER}
    fields["name"] = repr(named.group(1)) if named else "?"
    meaning = next((m for key, m in _MEANINGS if key in text), None)
    if meaning is not None:
        fields["json"] = _json_problem(head) if "{json}" in meaning else ""
        meaning = meaning.format(**fields)
    if meaning is None:
        what = f"{type(exc).__name__}: {text}"
    else:
        details = explain(head, size) if "offset" in text or "covered" in text else None
        what = f"{details or meaning} [safetensors: {text}]"
    raise FormatError(f"{source}: not a valid safetensors file: {what}{looks_like(head)}") from None


def _json_problem(head):
    """Why the library found no header it could read in the JSON: not JSON at
    all, nested too deep, or JSON of another layout (the library's text then
    says which field)."""
    try:
        loads(head[8:], MAX_DEPTH)
    except DepthError as exc:
        return f"the header {exc} (a safetensors header nests 3)"
    except ValueError as exc:
        return f"the header is not valid JSON ({exc})"
    return (
        'the header is JSON but not laid out as safetensors ({name: {"dtype", "shape", '
        '"data_offsets": [begin, end]}}, "__metadata__": {str: str})'
    )


def explain(head, size):
    """The first place the header's offsets go wrong, with its numbers: a gap,
    an overlap, a size that does not fit the dtype and shape, a cut or extra
    bytes at the end; None when the header cannot tell (it is only read here,
    after the library parsed it)."""
    try:
        n = int.from_bytes(head[:8], "little")
        header = loads(head[8 : 8 + n], MAX_DEPTH)
        header.pop("__metadata__", None)
        entries = sorted(
            (info["data_offsets"][0], info["data_offsets"][1], name, info)
            for name, info in header.items()
        )
        pos, prev, buffer = 0, None, size - 8 - n
        for begin, end, name, info in entries:
            if end < begin:
                return f"tensor {name!r}: data_offsets [{begin}, {end}] end before they begin"
            if begin < pos:
                return (
                    f"tensor {name!r} (bytes {begin}-{end}) overlaps tensor {prev!r} "
                    f"(which ends at byte {pos})"
                )
            if begin > pos:
                return (
                    f"data bytes {pos}-{begin} belong to no tensor (a gap before tensor {name!r})"
                )
            need = _ITEMSIZE[info["dtype"]]
            for d in info["shape"]:
                need *= d
            if end - begin != need:
                return (
                    f"tensor {name!r}: {end - begin} bytes of data, but dtype {info['dtype']} "
                    f"and shape {info['shape']} need {need}"
                )
            pos, prev = end, name
        if pos > buffer:
            return (
                f"the tensors' data ends at byte {pos} but {buffer} bytes follow the header: "
                f"the file is truncated ({pos - buffer} bytes missing)"
            )
        if pos < buffer:
            return (
                f"the tensors cover {pos} bytes of data but {buffer} follow the header "
                "(trailing bytes)"
            )
    except ValueError as exc:
        return f"the header has a {exc}" if str(exc).startswith("duplicate key") else None
    except Exception:  # a header too broken to explain: the general meaning stands
        return None
    return None


def looks_like(head):
    """'; it looks like a PNG image, not a safetensors file' or ''."""
    kind = next((k for sig, k in _SIGNATURES if head.startswith(sig)), None)
    if kind is None and head[:1] == b"\x80" and head[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05"):
        kind = "a Python pickle (glassnet never loads pickles: they can run code)"
    return f"; it looks like {kind}, not a safetensors file" if kind else ""
