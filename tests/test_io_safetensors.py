"""glassnet.io.safetensors: the file format written and read with NumPy,
checked against the spec byte by byte, against the reference `safetensors`
package both ways (NumPy and PyTorch), and on every kind of bad file."""

import io
import json
import os
import subprocess
import sys
import zipfile

import numpy as np
import pytest
from conftest import need

import glassnet as gn
from glassnet.io import safetensors as st
from glassnet.io.safetensors import FormatError

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SAFETENSORS_HINT = "pip install safetensors (or pip install -e '.[test]')"

DTYPES = {
    "F64": np.float64,
    "F32": np.float32,
    "F16": np.float16,
    "I64": np.int64,
    "I32": np.int32,
    "I16": np.int16,
    "I8": np.int8,
    "U64": np.uint64,
    "U32": np.uint32,
    "U16": np.uint16,
    "U8": np.uint8,
    "BOOL": np.bool_,
    "C64": np.complex64,
}


def sample(dtype, shape, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=shape) * 100
    if np.dtype(dtype).kind == "c":
        x = x + 1j * rng.normal(size=shape)
    if np.dtype(dtype).kind == "b":
        x = x > 0
    return np.asarray(x).astype(dtype)


def tensors():
    """One array of each dtype plus the awkward cases: 0-d, empty,
    non-contiguous, big-endian, and a glassnet Tensor."""
    out = {f"x.{code}": sample(dt, (3, 2), i) for i, (code, dt) in enumerate(DTYPES.items())}
    out["scalar"] = np.array(2.5, np.float32)
    out["empty"] = np.zeros((0, 4), np.int16)
    out["strided"] = np.arange(24, dtype=np.float64).reshape(4, 6)[:, ::2].T
    out["bigendian"] = np.arange(5, dtype=">i4")
    out["tensor"] = gn.tensor([[1.0, -2.0]], requires_grad=True)
    return out


def as_array(v):
    return np.asarray(v)


def assert_same_arrays(got, want, ordered=True):
    assert list(got) == list(want) if ordered else sorted(got) == sorted(want)
    for k in want:
        w = as_array(want[k])
        assert isinstance(got[k], np.ndarray), k
        assert got[k].shape == w.shape and got[k].dtype == w.dtype.newbyteorder("<"), k
        assert np.array_equal(got[k], w), k


def test_file_round_trip_keeps_every_dtype_shape_and_value(tmp_path):
    path = tmp_path / "t.safetensors"
    st.save_file(tensors(), path, metadata={"note": "héllo", "n": "3"})
    assert_same_arrays(st.load_file(path), tensors(), ordered=False)
    got, meta = st.read_file(path)
    assert meta == {"note": "héllo", "n": "3"}
    got["x.F32"][0, 0] = 7.0  # fresh, writable, independent arrays
    assert got["x.F32"].flags.writeable and got["x.F32"].flags.aligned


def test_bytes_round_trip_and_same_bytes_as_file(tmp_path):
    data = st.save_bytes(tensors())
    assert_same_arrays(st.load_bytes(data), tensors(), ordered=False)
    st.save_file(tensors(), tmp_path / "t.safetensors")
    assert (tmp_path / "t.safetensors").read_bytes() == data


def test_tensors_load_in_the_file_order_from_a_file_and_from_bytes(tmp_path):
    """The library lays tensors out by dtype (the larger elements first), then
    name; both readers give that order (the data's), whatever the dict's was."""
    data = st.save_bytes(tensors())
    (tmp_path / "t.safetensors").write_bytes(data)
    n = int.from_bytes(data[:8], "little")
    header = json.loads(data[8 : 8 + n])
    header.pop("__metadata__", None)
    in_file = sorted(header, key=lambda k: header[k]["data_offsets"])
    assert list(st.load_bytes(data)) == in_file == list(st.load_file(tmp_path / "t.safetensors"))
    sizes = [st.load_bytes(data)[k].itemsize for k in in_file]
    assert sizes == sorted(sizes, reverse=True)


def test_no_tensors_and_empty_metadata_make_a_valid_file(tmp_path):
    """(safetensors 0.8.0's own writer makes an unreadable header of exactly this)"""
    for metadata in [None, {}, {"k": "v"}]:
        tensors, meta = st.read_bytes(st.save_bytes({}, metadata=metadata))
        assert tensors == {} and meta == (metadata or {})
        st.save_file({}, tmp_path / "e.safetensors", metadata=metadata)
        assert st.read_file(tmp_path / "e.safetensors") == ({}, metadata or {})


def test_fields_the_format_does_not_know_are_ignored_as_the_reference_reader_does():
    data = craft({"a": dict(f32([1], 0), offset=3)}, np.float32([1.5]).tobytes())
    assert st.load_bytes(data)["a"][0] == 1.5


def test_layout_follows_the_spec():
    a = np.arange(3, dtype=np.float32)
    b = np.array([[1, -2]], dtype=np.int64)
    data = st.save_bytes({"b": b, "a": a}, metadata={"k": "v"})
    n = int.from_bytes(data[:8], "little")
    assert n % 8 == 0 and data[8 : 8 + n].decode().rstrip(" ") == data[8 : 8 + n].decode().strip()
    header = json.loads(data[8 : 8 + n])
    assert header == {
        "__metadata__": {"k": "v"},
        "b": {"dtype": "I64", "shape": [1, 2], "data_offsets": [0, 16]},
        "a": {"dtype": "F32", "shape": [3], "data_offsets": [16, 28]},
    }
    assert data[8 + n :] == b.astype("<i8").tobytes() + a.astype("<f4").tobytes()


def test_reference_package_reads_ours_and_we_read_its():
    sn = need("safetensors.numpy", SAFETENSORS_HINT)
    ours = st.save_bytes(tensors(), metadata={"who": "glassnet"})
    assert_same_arrays(sn.load(ours), tensors(), ordered=False)
    # (safetensors.numpy.save writes a non-contiguous array's raw memory: give it C order)
    want = {k: np.ascontiguousarray(as_array(v)) for k, v in tensors().items()}
    assert_same_arrays(st.load_bytes(sn.save(want)), want, ordered=False)


def test_reference_package_reads_our_metadata(tmp_path):
    safetensors = need("safetensors", SAFETENSORS_HINT)
    path = tmp_path / "m.safetensors"
    st.save_file({"w": np.ones(2, np.float32)}, path, metadata={"format": "pt", "epoch": "4"})
    with safetensors.safe_open(str(path), "np") as f:
        assert f.metadata() == {"format": "pt", "epoch": "4"}
        assert np.array_equal(f.get_tensor("w"), np.ones(2, np.float32))


def test_torch_weights_move_both_ways(tmp_path, torch):
    stt = need("safetensors.torch", SAFETENSORS_HINT)
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.Tanh(), torch.nn.Linear(3, 2))
    path = tmp_path / "torch.safetensors"
    stt.save_file(net.state_dict(), str(path))
    loaded = st.load_file(path)
    assert set(loaded) == set(net.state_dict())
    for k, v in net.state_dict().items():
        assert loaded[k].dtype == np.float32 and np.array_equal(loaded[k], v.numpy())

    # glassnet -> torch: new weights, loaded strictly into the same architecture
    rng = np.random.default_rng(1)
    mine = {k: rng.normal(size=v.shape).astype(np.float32) for k, v in loaded.items()}
    st.save_file({k: gn.tensor(v) for k, v in mine.items()}, tmp_path / "gn.safetensors")
    net.load_state_dict(stt.load_file(str(tmp_path / "gn.safetensors")), strict=True)
    x = rng.normal(size=(5, 4)).astype(np.float32)
    h = np.tanh(x @ mine["0.weight"].T + mine["0.bias"])
    want = h @ mine["2.weight"].T + mine["2.bias"]
    with torch.no_grad():
        got = net(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_torch_dtypes_load_including_bf16_widened_exactly(tmp_path, torch):
    stt = need("safetensors.torch", SAFETENSORS_HINT)
    g = torch.Generator().manual_seed(0)
    ts = {
        "bf16": torch.randn(3, 5, generator=g).to(torch.bfloat16),
        "f16": torch.randn(4, generator=g).half(),
        "f64": torch.randn(2, 2, generator=g).double(),
        "i64": torch.arange(-3, 3),
        "i8": torch.tensor([-128, 127], dtype=torch.int8),
        "u8": torch.tensor([0, 255], dtype=torch.uint8),
        "b": torch.tensor([True, False]),
        "s": torch.tensor(3.5),
    }
    stt.save_file(ts, str(tmp_path / "d.safetensors"))
    got = st.load_file(tmp_path / "d.safetensors")
    assert got["bf16"].dtype == np.float32
    assert np.array_equal(got["bf16"], ts["bf16"].float().numpy())
    from_bytes = st.load_bytes((tmp_path / "d.safetensors").read_bytes())
    assert list(from_bytes) == list(got)
    assert all(np.array_equal(from_bytes[k], got[k]) for k in got)
    for k in ts:
        if k != "bf16":
            assert got[k].dtype == ts[k].numpy().dtype and np.array_equal(got[k], ts[k].numpy()), k
    # and back: float16/bool/int8 written by glassnet load in torch unchanged
    st.save_file({k: v for k, v in got.items() if k != "bf16"}, tmp_path / "back.safetensors")
    back = stt.load_file(str(tmp_path / "back.safetensors"))
    for k in back:
        assert back[k].dtype == ts[k].dtype and torch.equal(back[k], ts[k]), k


@pytest.mark.parametrize(
    "value, what",
    [
        (np.array(["a", "b"]), "dtype <U1"),
        (np.array([object()]), "dtype object"),
        (np.zeros(2, np.complex128), "dtype complex128"),
        ([1.0, 2.0], "got list"),
    ],
)
def test_save_refuses_what_safetensors_cannot_hold(tmp_path, value, what):
    with pytest.raises(TypeError, match=r"'bad'.*" + what):
        st.save_file({"ok": np.ones(1), "bad": value}, tmp_path / "x.safetensors")
    assert not (tmp_path / "x.safetensors").exists()


def test_save_refuses_bad_names_and_metadata():
    with pytest.raises(TypeError, match="names must be strings"):
        st.save_bytes({1: np.ones(1)})
    with pytest.raises(TypeError, match="'__metadata__'"):
        st.save_bytes({"__metadata__": np.ones(1)})
    with pytest.raises(TypeError, match="metadata must be a dict of str -> str"):
        st.save_bytes({"a": np.ones(1)}, metadata={"epoch": 3})


# ---- bad files ---------------------------------------------------------------
def craft(header, data=b"", pad=True, length=None):
    """A file from a header object (or raw header bytes) and a data buffer."""
    text = header if isinstance(header, bytes) else json.dumps(header).encode()
    if pad:
        text += b" " * (-len(text) % 8)
    n = len(text) if length is None else length
    return n.to_bytes(8, "little") + text + data


def f32(shape, begin):
    count = int(np.prod(shape))
    return {"dtype": "F32", "shape": list(shape), "data_offsets": [begin, begin + 4 * count]}


GOOD = craft({"a": f32([2], 0), "b": f32([1], 8)}, bytes(12))


def zip_bytes():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("archive/data.pkl", b"not really")
    return buf.getvalue()


def npy_bytes():
    buf = io.BytesIO()
    np.save(buf, np.arange(100.0), allow_pickle=False)
    return buf.getvalue()


BAD_FILES = {
    "empty": (b"", "fewer than the 8-byte header length"),
    "five bytes": (b"\x10\x00\x00\x00\x00", "5 bytes, fewer than the 8-byte"),
    "cut in header": (GOOD[:20], "beyond the end of the file .20 bytes.: the file is truncated"),
    "cut in data": (
        GOOD[:-3],
        "data ends at byte 12 but 9 bytes follow the header: the file is truncated .3 bytes"
        " missing.",
    ),
    "png": (b"\x89PNG\r\n\x1a\n" + bytes(64), "looks like a PNG image"),
    "pickle": (
        b"\x80\x04\x95\x1e\x00\x00\x00\x00\x00\x00\x00}\x94\x8c\x01w\x94]\x94(G?\xf0"
        b"\x00\x00\x00\x00\x00\x00G@\x00\x00\x00\x00\x00\x00\x00es.",
        "looks like a Python pickle",
    ),
    "pt zip": (zip_bytes(), "looks like a zip archive"),
    "npy": (npy_bytes(), r"looks like a NumPy \.npy file"),
    "text": (b"weights: 1 2 3\nbias: 4\n" * 3, "truncated or not a safetensors file"),
    "bad json": (craft(b'{"a": {"dtype": "F32",'), "the header is not valid JSON .Expecting"),
    "not utf8": (craft(b'{"\xff": 1}'), "not UTF-8"),
    "json list": (craft([1, 2]), "the header is JSON but not laid out as safetensors .*sequence"),
    "duplicate": (
        craft(
            b'{"a":'
            + json.dumps(f32([1], 0)).encode()
            + b',"a":'
            + json.dumps(f32([1], 4)).encode()
            + b"}",
            bytes(8),
        ),
        "duplicate key 'a'",
    ),
    "entry not object": (craft({"a": [1]}), "not laid out as safetensors .*integer `1`"),
    "missing shape": (
        craft({"a": {"dtype": "F32", "data_offsets": [0, 4]}}, bytes(4)),
        "not laid out as safetensors .* missing field `shape`",
    ),
    "missing dtype": (
        craft({"a": {"shape": [1], "data_offsets": [0, 4]}}, bytes(4)),
        "not laid out as safetensors .* missing field `dtype`",
    ),
    "missing offsets": (
        craft({"a": {"dtype": "F32", "shape": [1]}}, bytes(4)),
        "not laid out as safetensors .* missing field `data_offsets`",
    ),
    "unknown dtype": (
        craft({"a": dict(f32([1], 0), dtype="Q7")}, bytes(4)),
        "not laid out as safetensors .* unknown variant `Q7`",
    ),
    "float8": (
        craft({"a": {"dtype": "F8_E4M3", "shape": [4], "data_offsets": [0, 4]}}, bytes(4)),
        "unsupported dtype 'F8_E4M3' .NumPy has no such dtype",
    ),
    "negative dim": (
        craft({"a": dict(f32([1], 0), shape=[-1])}, bytes(4)),
        "not laid out as safetensors .*integer `-1`, expected usize",
    ),
    "float dim": (
        craft({"a": dict(f32([1], 0), shape=[1.0])}, bytes(4)),
        "floating point `1.0`, expected usize",
    ),
    "reversed offsets": (
        craft({"a": dict(f32([1], 0), data_offsets=[4, 0])}, bytes(4)),
        r"tensor 'a': data_offsets \[4, 0\] end before they begin",
    ),
    "one offset": (
        craft({"a": dict(f32([1], 0), data_offsets=[4])}, bytes(4)),
        "invalid length 1, expected a tuple of size 2",
    ),
    "out of range": (
        craft({"a": f32([4], 0)}, bytes(8)),
        "data ends at byte 16 but 8 bytes follow the header: the file is truncated",
    ),
    "size mismatch": (
        craft({"a": dict(f32([3], 0), data_offsets=[0, 8])}, bytes(8)),
        "8 bytes of data, but dtype F32 and shape .3. need 12",
    ),
    "overlap": (
        craft({"a": f32([2], 0), "b": f32([2], 4)}, bytes(12)),
        "tensor 'b' .bytes 4-12. overlaps tensor 'a'",
    ),
    "gap": (
        craft({"a": f32([1], 0), "b": f32([1], 8)}, bytes(12)),
        "bytes 4-8 belong to no tensor",
    ),
    "not from zero": (craft({"a": f32([1], 4)}, bytes(8)), "bytes 0-4 belong to no tensor"),
    "trailing": (
        craft({"a": f32([1], 0)}, bytes(9)),
        "cover 4 bytes of data but 9 follow the header .trailing bytes.",
    ),
    "metadata value": (
        craft({"__metadata__": {"epoch": 3}, "a": f32([1], 0)}, bytes(4)),
        "not laid out as safetensors .*integer `3`, expected a string",
    ),
    "metadata list": (
        craft({"__metadata__": [], "a": f32([1], 0)}, bytes(4)),
        "not laid out as safetensors .*sequence, expected a map",
    ),
    # hostile headers: each was a RecursionError, a bare ValueError or a TypeError
    "nested 5000 deep": (
        craft(b'{"a":' + b"[" * 5000 + b"]" * 5000 + b"}"),
        "the header nests arrays/objects more than 8 levels deep",
    ),
    "metadata 5000 deep": (
        craft(b'{"__metadata__":{"x":' + b"{" * 5000 + b"}" * 5000 + b"}}"),
        "more than 8 levels deep",
    ),
    "2**70 dim": (
        craft({"a": {"dtype": "F32", "shape": [2**70, 0], "data_offsets": [0, 0]}}),
        "not laid out as safetensors .*floating point `1.18059162071741..e.21`, expected usize",
    ),
    "overflowing dims": (
        craft({"a": {"dtype": "U8", "shape": [2**62, 2**62, 0], "data_offsets": [0, 0]}}),
        "a tensor's shape is too large for an array .safetensors: overflow",
    ),
    "65 dims": (
        craft({"a": dict(f32([1] * 65, 0))}, bytes(4)),
        "'shape' has 65 dimensions, more than the 64",
    ),
    "65 empty dims": (
        craft({"a": {"dtype": "F32", "shape": [0] * 65, "data_offsets": [0, 0]}}),
        "'shape' has 65 dimensions",
    ),
    "dtype list": (
        craft({"a": dict(f32([1], 0), dtype=["F32"])}, bytes(4)),
        "not laid out as safetensors .*sequence, expected string or map",
    ),
    "dtype number": (
        craft({"a": dict(f32([1], 0), dtype=4)}, bytes(4)),
        "integer `4`, expected string or map",
    ),
    # the size check is exact: more bytes than the shape needs is as wrong as fewer
    "too many bytes": (
        craft({"a": dict(f32([1], 0), data_offsets=[0, 8])}, bytes(8)),
        "8 bytes of data, but dtype F32 and shape .1. need 4",
    ),
    # true is no count (loaded as 1, it would make a shape of (1,))
    "bool dim": (
        craft({"a": dict(f32([1], 0), shape=[True])}, bytes(4)),
        "boolean `true`, expected usize",
    ),
    "bool offsets": (
        craft({"a": {"dtype": "U8", "shape": [1], "data_offsets": [False, True]}}, bytes(1)),
        "boolean `false`, expected usize",
    ),
    # the library decides, glassnet explains: its own words stay, in brackets
    "library words": (
        craft({"a": f32([1], 0), "b": f32([1], 8)}, bytes(12)),
        r"\[safetensors: invalid offset for tensor `b`\]$",
    ),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_file_gives_a_clear_error_naming_the_file(tmp_path, case):
    data, message = BAD_FILES[case]
    path = tmp_path / "model.safetensors"
    path.write_bytes(data)
    with pytest.raises(FormatError, match=message) as info:
        st.load_file(path)
    assert str(info.value).startswith(str(path) + ": ")
    with pytest.raises(FormatError, match=message) as info:
        st.load_bytes(data, source="upload.bin")
    assert str(info.value).startswith("upload.bin: ")
    assert isinstance(info.value, ValueError) and isinstance(info.value, gn.GlassnetError)


def test_crafted_good_file_loads_and_padding_is_optional():
    got = st.load_bytes(GOOD)
    assert list(got) == ["a", "b"] and got["a"].shape == (2,) and got["b"].shape == (1,)
    unpadded = craft({"a": f32([1], 0)}, np.float32([4.5]).tobytes(), pad=False)
    assert st.load_bytes(unpadded)["a"][0] == 4.5


def test_header_length_over_the_limit_is_refused(tmp_path):
    path = tmp_path / "huge.safetensors"
    with open(path, "wb") as f:  # a sparse file: no real 100 MB written
        f.write((st.MAX_HEADER + 8).to_bytes(8, "little") + b"{")
        f.truncate(st.MAX_HEADER + 64)
    with pytest.raises(FormatError, match=f"{path}: .*exceeds the {st.MAX_HEADER}-byte limit"):
        st.load_file(path)


def test_reference_package_also_rejects_our_bad_files():
    """Our strictness matches the reference reader's on the structural cases."""
    sn = need("safetensors.numpy", SAFETENSORS_HINT)
    for case in ["cut in data", "png", "bad json", "out of range", "overlap", "gap", "trailing"]:
        with pytest.raises(Exception):
            sn.load(BAD_FILES[case][0])


def test_the_library_is_imported_on_first_use_and_its_absence_explained(tmp_path, monkeypatch):
    code = "import sys, glassnet; print('safetensors' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": ROOT + os.pathsep + os.environ.get("PYTHONPATH", "")},
    )
    assert out.stdout.strip() == "False", out.stderr
    monkeypatch.setitem(sys.modules, "safetensors", None)  # as if it were not installed
    with pytest.raises(ImportError, match="pip install safetensors"):
        st.save_file({"a": np.ones(1)}, tmp_path / "a.safetensors")
    with pytest.raises(ImportError, match="pip install safetensors"):
        st.load_bytes(GOOD)
