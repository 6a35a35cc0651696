"""A nested Python structure as JSON plus named arrays, without pickle.

A training checkpoint (dicts, lists, tuples, numbers, strings, None, arrays)
is split into a JSON tree and the arrays in it. Each array becomes a tensor
named by its path of keys joined with "." ("model.fc.weight",
"optimizer.state.0.exp_avg"; "tensor" for a bare array at the top); an
array object met twice is stored once and comes back as one object.

JSON keeps str, bool, None, int (any size), finite float, list and dict
with str keys as they are. Everything else is a one-key object whose key
starts with "$" (a str dict key that starts with "$" gets one more "$"):

    {"$tensor": name}           a glassnet Tensor (loads as a leaf, requires_grad=False)
    {"$ndarray": name}          a NumPy array
    {"$tuple": [...]}           a tuple
    {"$dict": [[key, value]]}   a dict with a non-str key (an optimizer's int keys)
    {"$float": "nan"}           nan, inf or -inf
    {"$int": "0x..."}           an int too long for JSON readers (over ~4000 digits)
    {"$scalar": [dtype, value]} a NumPy scalar such as np.float32(0.5)

Dict subclasses (OrderedDict) come back as dict, tuple subclasses as tuple.
Containers nest at most MAX_DEPTH deep, both ways: saving refuses deeper,
and a file's tree is refused before its JSON is parsed (JSON_DEPTH) or
walked, so a hostile file is a FormatError, never a RecursionError.
"""

import math

import numpy as np

from ..tensor import Tensor
from .safetensors import FormatError

_ARRAY_TAGS = ("$tensor", "$ndarray")
_FLOATS = ("nan", "inf", "-inf")
_SCALAR_KINDS = {"b": bool, "i": int, "u": int, "f": float}
# the dtypes a NumPy scalar may name (what Encoder writes): looked up, never
# parsed by np.dtype, which warns on or accepts many other strings
_SCALAR_DTYPES = {
    np.dtype(t).name: np.dtype(t)
    for t in (
        np.bool_,
        np.int8,
        np.int16,
        np.int32,
        np.int64,
        np.uint8,
        np.uint16,
        np.uint32,
        np.uint64,
        np.float16,
        np.float32,
        np.float64,
    )
}
_MAX_INT_BITS = 13_000  # Python refuses int <-> str beyond 4300 digits (~14,280 bits)
MAX_DEPTH = 64  # containers inside containers; a checkpoint needs about 5
# the JSON levels such a tree can take: a container at most 3 ({"$dict": [[k, v]]}),
# a leaf 3 ({"$scalar": ["float32", {"$float": "nan"}]}), the document around it 1
JSON_DEPTH = 3 * MAX_DEPTH + 4


class Encoder:
    """``Encoder().encode(obj)`` gives the JSON tree; ``.arrays`` the tensors."""

    def __init__(self):
        self.arrays = {}
        self._seen = {}  # id(array object) -> tensor name

    def encode(self, obj, path=()):
        if len(path) >= MAX_DEPTH and isinstance(obj, (list, tuple, dict)):
            raise ValueError(
                f"save: {_where(path)} nests lists/tuples/dicts more than "
                f"{MAX_DEPTH} deep (glassnet stores at most {MAX_DEPTH} levels)"
            )
        if isinstance(obj, (Tensor, np.ndarray)):
            return {"$tensor" if isinstance(obj, Tensor) else "$ndarray": self._store(obj, path)}
        if obj is None or isinstance(obj, (bool, str)):
            return obj
        if isinstance(obj, np.generic) and type(obj.item()) is _SCALAR_KINDS.get(obj.dtype.kind):
            return {"$scalar": [obj.dtype.name, self.encode(obj.item(), path)]}
        if isinstance(obj, int):
            return int(obj) if abs(obj).bit_length() <= _MAX_INT_BITS else {"$int": hex(obj)}
        if isinstance(obj, float):
            return float(obj) if math.isfinite(obj) else {"$float": repr(float(obj))}
        if isinstance(obj, list):
            return [self.encode(v, path + (i,)) for i, v in enumerate(obj)]
        if isinstance(obj, tuple):
            return {"$tuple": [self.encode(v, path + (i,)) for i, v in enumerate(obj)]}
        if isinstance(obj, dict):
            if all(isinstance(k, str) for k in obj):
                return {
                    ("$" + k if k.startswith("$") else k): self.encode(v, path + (k,))
                    for k, v in obj.items()
                }
            return {
                "$dict": [[self._key(k, path), self.encode(v, path + (k,))] for k, v in obj.items()]
            }
        has_state = callable(getattr(obj, "state_dict", None))
        hint = "; save its .state_dict() instead" if has_state else ""
        raise TypeError(
            f"save: cannot store {_where(path)}, a {type(obj).__name__} (glassnet "
            "stores arrays, Tensors, numbers, str, bool, None, lists, tuples and "
            f"dicts; no pickle){hint}"
        )

    def _key(self, key, path):
        if isinstance(key, (Tensor, np.ndarray)):
            raise TypeError(f"save: {_where(path)} has an array as a dict key")
        return self.encode(key, path + (key,))

    def _store(self, array, path):
        if id(array) in self._seen:
            return self._seen[id(array)]
        base = ".".join(map(str, path)) if path else "tensor"
        name, n = base, 1
        while name in self.arrays:
            n += 1
            name = f"{base}#{n}"
        self.arrays[name] = array
        self._seen[id(array)] = name
        return name


class Decoder:
    """``Decoder(arrays, source).decode(tree)`` rebuilds what Encoder encoded;
    bad trees raise FormatError naming ``source`` and the place in the tree."""

    def __init__(self, arrays, source):
        self.arrays = arrays
        self.source = source
        self._made = {}  # (tag, name) -> object, so shared arrays stay shared

    def decode(self, node, path=()):
        if node is None or isinstance(node, (bool, str, int, float)):
            return node
        if isinstance(node, dict) and len(node) == 1:
            ((key, value),) = node.items()
            if key.startswith("$") and not key.startswith("$$"):
                return self._tagged(key, value, path)
        self._enter(path)
        if isinstance(node, list):
            return [self.decode(v, path + (i,)) for i, v in enumerate(node)]
        if not isinstance(node, dict):
            self._fail(path, f"unexpected JSON value {_show(node)}")
        out = {}
        for k, v in node.items():
            if k.startswith("$") and not k.startswith("$$"):
                self._fail(path, f"unknown or misplaced tag {k!r}")
            out[k[1:] if k.startswith("$") else k] = self.decode(v, path + (k,))
        return out

    def unused(self):
        """Names of tensors in the file that the tree never referred to."""
        used = {name for _, name in self._made}
        return [n for n in self.arrays if n not in used]

    def _tagged(self, tag, value, path):
        if tag in _ARRAY_TAGS:
            if not isinstance(value, str) or value not in self.arrays:
                self._fail(path, f"refers to tensor {_show(value)}, which the file does not hold")
            if (tag, value) not in self._made:
                a = self.arrays[value]
                self._made[(tag, value)] = Tensor(a) if tag == "$tensor" else a
            return self._made[(tag, value)]
        if tag == "$tuple" and isinstance(value, list):
            self._enter(path)
            return tuple(self.decode(v, path + (i,)) for i, v in enumerate(value))
        if tag == "$dict" and isinstance(value, list):
            self._enter(path)
            return self._dict(value, path)
        if tag == "$float" and value in _FLOATS:
            return float(value)
        if tag == "$int" and isinstance(value, str):
            try:
                return int(value, 16)
            except ValueError:
                pass
        if tag == "$scalar" and isinstance(value, list) and len(value) == 2:
            return self._scalar(value, path)
        if tag in _TAGS:
            self._fail(path, f"bad {tag!r} value {_show(value)}")
        self._fail(path, f"unknown tag {tag!r}")

    def _dict(self, pairs, path):
        out = {}
        for pair in pairs:
            if not isinstance(pair, list) or len(pair) != 2:
                self._fail(path, f"a '$dict' entry must be [key, value], got {_show(pair)}")
            key = self.decode(pair[0], path)
            try:
                hash(key)
            except TypeError:
                self._fail(path, f"dict key {_show(key)} is not hashable")
            out[key] = self.decode(pair[1], path + (key,))
        return out

    def _scalar(self, value, path):
        name, number = value
        if not isinstance(name, str) or name not in _SCALAR_DTYPES:
            self._fail(path, f"bad NumPy scalar dtype {_show(name)}")
        dtype = _SCALAR_DTYPES[name]
        number = self.decode(number, path)
        if type(number) is not _SCALAR_KINDS[dtype.kind]:
            self._fail(path, f"bad value {_show(number)} for a {name} scalar")
        try:
            with np.errstate(over="raise"):  # 1e10 is no float16: refused, not a warning
                return dtype.type(number)
        except (OverflowError, FloatingPointError):
            self._fail(path, f"value {_show(number)} does not fit a {name} scalar")

    def _enter(self, path):
        """Refuse a container nested deeper than ``save`` writes."""
        if len(path) >= MAX_DEPTH:
            self._fail(path, f"lists/tuples/dicts nested more than {MAX_DEPTH} deep")

    def _fail(self, path, what):
        raise FormatError(f"{self.source}: glassnet metadata, at {_where(path)}: {what}")


_TAGS = _ARRAY_TAGS + ("$tuple", "$dict", "$float", "$int", "$scalar")


def _show(value, width=80):
    """The start of ``repr(value)`` for an error message; an int too long for
    Python to print (over 4300 digits, from "$int") is described instead."""
    try:
        return repr(value)[:width]
    except ValueError:
        if isinstance(value, int):
            return f"<an int of {value.bit_length()} bits>"
        return f"<a {type(value).__name__} holding an int of over 4300 digits>"


def _where(path, shown=8):
    """The place ``path`` names, as indexing (its first ``shown`` keys, then "...")."""
    if not path:
        return "the top level"
    return "".join(f"[{_show(k)}]" for k in path[:shown]) + ("..." if len(path) > shown else "")
