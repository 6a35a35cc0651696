"""Fuzzing the model-file loader with hypothesis: random bytes, random
mutations of valid files, random JSON headers and random glassnet trees.

Whatever the bytes, loading either succeeds or raises FormatError naming
the file (never a RecursionError, a bare ValueError, a TypeError...), and
its memory peak stays within a fixed allowance plus a small multiple of the
file's size: no allocation follows a size the file merely declares.
"""

import json
import tracemalloc
from contextlib import contextmanager

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs

import glassnet as gn
from glassnet.io import FormatError, load
from glassnet.io import safetensors as st
from glassnet.io.bounded_json import DepthError, check_depth
from glassnet.io.tree import Encoder

FUZZ = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
# what loading may hold at its peak: the parsed JSON (Python objects, a few
# dozen bytes per byte of header text), the arrays and their decoded copies
FIXED_BYTES, PER_FILE_BYTE = 1 << 20, 64


@contextmanager
def peak_bytes(out):
    """Trace allocations (Python's and NumPy's) in the block; ``out[0]`` is their peak."""
    started = not tracemalloc.is_tracing()
    if started:
        tracemalloc.start()
    tracemalloc.reset_peak()
    try:
        yield
    finally:
        out[0] = tracemalloc.get_traced_memory()[1]
        if started:
            tracemalloc.stop()


def assert_loads_or_format_error(data, folder):
    """``load`` (from a file) and ``load_bytes``: a result or a FormatError
    that starts with the file's name; small memory either way."""
    path = folder / "fuzz.safetensors"
    path.write_bytes(data)
    limit = FIXED_BYTES + PER_FILE_BYTE * len(data)
    for source, read in [
        (str(path), lambda: load(path)),
        ("upload.bin", lambda: st.load_bytes(data, "upload.bin")),
    ]:
        peak = [0]
        try:
            with peak_bytes(peak):
                read()
        except FormatError as exc:
            assert str(exc).startswith(source + ": "), exc
        assert peak[0] <= limit, f"loading {len(data)} bytes peaked at {peak[0]} bytes"


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


def with_length(header, data=b""):
    """A file: the 8-byte length of ``header`` (bytes), it, then ``data``."""
    return len(header).to_bytes(8, "little") + header + data


# ---- random bytes --------------------------------------------------------------
@FUZZ
@given(hs.binary(max_size=200))
def test_random_bytes(folder, data):
    assert_loads_or_format_error(data, folder)


@FUZZ
@given(hs.binary(max_size=200), hs.binary(max_size=40))
def test_random_header_bytes_with_a_right_length(folder, header, data):
    assert_loads_or_format_error(with_length(header, data), folder)


# ---- mutations of valid files ----------------------------------------------------
CODES = list(st.DTYPES)
arrays = hs.builds(
    lambda code, shape, seed: (
        np.random.default_rng(seed)
        .integers(
            0, 256, size=(int(np.prod(shape)) * np.dtype(st.DTYPES[code]).itemsize), dtype=np.uint8
        )
        .view(st.DTYPES[code])
        .reshape(shape)
    ),
    hs.sampled_from(CODES),
    hs.lists(hs.integers(0, 3), max_size=3),
    hs.integers(0, 2**32 - 1),
)
names = hs.text(alphabet="abw.0$", min_size=1, max_size=4)


@hs.composite
def valid_files(draw):
    """A safetensors file of a few arrays, or a glassnet checkpoint (a tree
    with tuples, int keys, nan, NumPy scalars and a shared array)."""
    tensors = draw(hs.dictionaries(names.filter(lambda n: n != "__metadata__"), arrays, max_size=3))
    if draw(hs.booleans()):
        return st.save_bytes(
            tensors,
            metadata=draw(hs.none() | hs.dictionaries(names, hs.text(max_size=4), max_size=2)),
        )
    w = gn.tensor(np.arange(4, dtype=np.float32))
    tree = {
        "model": tensors,
        "opt": {0: {"step": 3, "buf": w}},
        "best": (float("nan"), w),
        "lr": np.float32(0.5),
        "seed": 2**80,
    }
    encoder = Encoder()
    doc = json.dumps({"version": 1, "tree": encoder.encode(tree)})
    return st.save_bytes(encoder.arrays, metadata={"format": "pt", "glassnet": doc})


def mutate(data, draw):
    """One random change: a byte replaced, bytes deleted or inserted, or a cut."""
    kind = draw(hs.sampled_from(["replace", "delete", "insert", "cut"]))
    at = draw(hs.integers(0, max(0, len(data) - 1)))
    if kind == "replace" and data:
        return data[:at] + bytes([draw(hs.integers(0, 255))]) + data[at + 1 :]
    if kind == "delete":
        return data[:at] + data[at + draw(hs.integers(1, 16)) :]
    if kind == "insert":
        return data[:at] + draw(hs.binary(min_size=1, max_size=8)) + data[at:]
    return data[:at]


@FUZZ
@given(valid_files(), hs.data())
def test_random_mutations_of_valid_files(folder, data, draw):
    assert_loads_or_format_error(data, folder)  # unchanged, it loads
    for _ in range(draw.draw(hs.integers(1, 4))):
        data = mutate(data, draw.draw)
    assert_loads_or_format_error(data, folder)


def test_valid_files_load():
    """The unmutated files of the strategy above do load (so the mutations
    start from files the loader accepts)."""

    @settings(FUZZ, max_examples=30)
    @given(valid_files())
    def check(data):
        st.load_bytes(data)

    check()


# ---- random JSON headers -----------------------------------------------------------
json_values = hs.recursive(
    hs.none() | hs.booleans() | hs.integers(-(2**70), 2**70) | hs.floats() | hs.text(max_size=6),
    lambda kids: (
        hs.lists(kids, max_size=3) | hs.dictionaries(hs.text(max_size=4), kids, max_size=3)
    ),
    max_leaves=12,
)
# small shapes, shapes around NumPy's 64 dimensions, and empty ones with huge sides
shapes = (
    hs.lists(hs.integers(0, 3), max_size=3)
    | hs.lists(hs.just(1), min_size=63, max_size=66)
    | hs.lists(hs.integers(0, 2**80), max_size=3).map(lambda s: s + [0])
)
counts = (
    hs.integers(0, 16)
    | hs.integers(-2, 2**70)
    | hs.sampled_from([2**63 - 1, 2**64])
    | hs.booleans()
    | json_values
)


@hs.composite
def headers(draw):
    """A header whose entries tile a data buffer (shapes, dtypes and offsets
    that agree), then each field kept or replaced by a random JSON value."""
    entries, offset = {}, 0
    for name in draw(hs.lists(names, max_size=3, unique=True)):
        code = draw(hs.sampled_from(CODES + ["BF16"]))
        shape = draw(shapes)
        size = int(np.prod(shape, dtype=object)) * (
            2 if code == "BF16" else np.dtype(st.DTYPES[code]).itemsize
        )
        entry = {"dtype": code, "shape": shape, "data_offsets": [offset, offset + size]}
        offset += size
        for field in list(entry):
            choice = draw(hs.sampled_from(["keep"] * 9 + ["random", "counts", "drop"]))
            if choice == "random":
                entry[field] = draw(json_values)
            elif choice == "counts":
                entry[field] = draw(hs.lists(counts, max_size=66))
            elif choice == "drop":
                del entry[field]
        entries[name] = entry if draw(hs.integers(0, 9)) else draw(json_values)
    if draw(hs.booleans()):
        entries["__metadata__"] = draw(
            hs.dictionaries(names, hs.text(max_size=4) | json_values, max_size=2)
        )
    header = draw(hs.sampled_from([entries, entries, entries, draw(json_values)]))
    text = json.dumps(header).encode()
    text += b" " * draw(hs.integers(0, 8))
    return with_length(text, bytes(max(0, offset + draw(hs.sampled_from([0, 0, 0, 1, -1])))))


@settings(FUZZ, max_examples=300)
@given(headers())
def test_random_json_headers(folder, data):
    assert_loads_or_format_error(data, folder)


# ---- random glassnet trees -----------------------------------------------------------
TAGS = [
    "$tensor",
    "$ndarray",
    "$tuple",
    "$dict",
    "$float",
    "$int",
    "$scalar",
    "$$x",
    "$eval",
    "a",
    "w",
]
tree_leaves = (
    hs.none()
    | hs.booleans()
    | hs.integers(-(2**70), 2**70)
    | hs.floats(allow_nan=False)
    | hs.sampled_from(
        [
            "w",
            "v",
            "nan",
            "-inf",
            "0x1f",
            "0xZZ",
            "float32",
            "int8",
            "uint64",
            "bool",
            "object",
            "V8",
            "S3",
            "M8",
            "a",
            "0x" + "f" * 4000,
        ]
    )
)
trees = hs.recursive(
    tree_leaves,
    lambda kids: (
        hs.lists(kids, max_size=3) | hs.dictionaries(hs.sampled_from(TAGS), kids, max_size=2)
    ),
    max_leaves=15,
)


@FUZZ
@given(trees, hs.sampled_from([1, 0, 2, True, "1", None]), hs.booleans())
def test_random_glassnet_trees(folder, tree, version, with_tensor):
    tensors = {"w": np.ones(2, np.float32)} if with_tensor else {}
    doc = json.dumps({"version": version, "tree": tree})
    assert_loads_or_format_error(st.save_bytes(tensors, metadata={"glassnet": doc}), folder)


# ---- the depth bound -------------------------------------------------------------------
tricky_text = hs.text(alphabet='[]{}"\\ aé\n', max_size=6)
nested_values = hs.recursive(
    hs.none() | hs.integers() | tricky_text,
    lambda kids: hs.lists(kids, max_size=3) | hs.dictionaries(tricky_text, kids, max_size=3),
    max_leaves=30,
)


def depth(value):
    """How many arrays/objects are open at the deepest point of ``value``."""
    if isinstance(value, list):
        return 1 + max(map(depth, value), default=0)
    if isinstance(value, dict):
        return 1 + max(map(depth, value.values()), default=0)
    return 0


@settings(FUZZ, max_examples=200)
@given(nested_values, hs.integers(0, 8), hs.booleans())
def test_check_depth_measures_the_nesting(value, limit, ascii_only):
    """Brackets, quotes and backslashes inside strings never count."""
    text = json.dumps(value, ensure_ascii=ascii_only)
    if depth(value) <= limit:
        check_depth(text, limit)
        check_depth(text.encode(), limit)
    else:
        with pytest.raises(DepthError, match=f"more than {limit} levels deep"):
            check_depth(text, limit)


def test_check_depth_scans_past_its_chunks():
    """A string, and the depth, carried across the 1 MiB chunks of the scan."""
    filler = '"' + "[" * (1 << 20) + '"'
    check_depth("[" * 3 + filler + "]" * 3, 3)
    with pytest.raises(DepthError):
        check_depth("[" * 3 + filler + ",[[]]" + "]" * 3, 4)
