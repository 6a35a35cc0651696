"""DLPack: a glassnet tensor and a PyTorch tensor or NumPy array share one
memory, both ways (a write on one side is read on the other), for every
dtype both sides have, views, 0-d and empty tensors; and what DLPack cannot
carry gets a clear error, never a crash or a silent copy.

NumPy is the consumer behind np.from_dlpack and gn.from_dlpack. NumPy 2.1+
(DLPack 1.0) gives writable arrays; NumPy 2.0 marks every array it takes
through DLPack read-only (the old protocol cannot say whether the memory may
be written), so there a write through that side is refused, clearly, while
writes on the producer's side are still seen."""

import gc

import numpy as np
import pytest

import glassnet as gn
from glassnet.functions.dlpack import VERSIONED
from glassnet.utils import dlpack as gn_dlpack

DTYPES = [np.float32, np.float64, np.float16, np.int64, np.int32, np.int8, np.uint8, np.bool_]
# each shape with a view of it: contiguous, transposed, every other column, 0-d, empty
VIEWS = {
    "2-d": ((3, 4), lambda a: a),
    "transposed": ((3, 4), lambda a: a.T),
    "strided": ((3, 6), lambda a: a[:, ::2]),
    "0-d": ((), lambda a: a),
    "empty": ((0, 3), lambda a: a),
}


def values(dtype, shape, seed=0):
    """An ndarray (0-d too, never a NumPy scalar) of ``dtype`` and ``shape``."""
    rng = np.random.default_rng(seed)
    if np.dtype(dtype) == np.bool_:
        return np.asarray(rng.random(shape) > 0.5)
    return np.asarray(rng.normal(size=shape) * 10).astype(dtype)


def corner(shape, last=False):
    """The index of the first (or last) element of a tensor of ``shape``; None if empty."""
    if 0 in shape:
        return None
    return tuple(n - 1 if last else 0 for n in shape)


def change(a, idx):
    """Write, at ``idx`` of ``a`` (an ndarray, a glassnet or torch tensor), a value
    different from the one there; return it (as NumPy reads it)."""
    if idx is None:
        return None
    old = np.asarray(a[idx] if not hasattr(a, "numpy") else a[idx].numpy())
    new = ~old if old.dtype == np.bool_ else old + 1 if old == 77 else np.asarray(77, old.dtype)
    a[idx] = new.item()
    return new


def read(a, idx):
    return None if idx is None else np.asarray(a)[idx]


def through_numpy(consumer, producer, idx):
    """A write into ``consumer`` (made by NumPy from ``producer`` through DLPack)
    is seen in ``producer`` on NumPy >= 2.1, refused with a clear error on 2.0."""
    if VERSIONED or idx is None:
        assert change(consumer, idx) == read(producer, idx)
    else:
        with pytest.raises(ValueError, match="read-only"):
            change(consumer, idx)


# ---- NumPy ----------------------------------------------------------------------------
@pytest.mark.parametrize("view", list(VIEWS))
@pytest.mark.parametrize("dtype", DTYPES + [np.complex64, np.uint16])
def test_numpy_reads_a_tensor_in_place(dtype, view):
    shape, pick = VIEWS[view]
    t = pick(gn.tensor(values(dtype, shape)))
    a = np.from_dlpack(t)
    assert a.dtype == dtype and a.shape == tuple(t.shape) and np.array_equal(a, t.numpy())
    assert np.shares_memory(a, t.numpy()) or a.size == 0
    i, j = corner(a.shape), corner(a.shape, last=True)
    assert change(t, j) == read(a, j)  # glassnet -> numpy
    through_numpy(a, t.numpy(), i)  # numpy -> glassnet
    assert np.array_equal(a, t.numpy())


@pytest.mark.parametrize("view", list(VIEWS))
@pytest.mark.parametrize("dtype", DTYPES + [np.complex64, np.uint16])
def test_glassnet_reads_an_ndarray_in_place(dtype, view):
    shape, pick = VIEWS[view]
    a = pick(values(dtype, shape))
    t = gn.from_dlpack(a)
    assert isinstance(t, gn.Tensor) and t.dtype == dtype and tuple(t.shape) == a.shape
    assert np.shares_memory(a, t.numpy()) or a.size == 0
    i, j = corner(a.shape), corner(a.shape, last=True)
    assert change(a, j) == read(t.numpy(), j)  # numpy -> glassnet
    through_numpy(t, a, i)  # glassnet -> numpy, through Tensor.__setitem__
    assert np.array_equal(a, t.numpy())


def test_from_dlpack_of_an_ndarray_is_a_leaf():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    t = gn.from_dlpack(a)
    assert t.requires_grad is False and t.grad_fn is None and t.is_leaf
    assert t.__dlpack_device__() == (1, 0)
    t.requires_grad_()  # a float leaf: it can take part in a graph like any other
    (t * t).sum().backward()
    assert np.array_equal(t.grad.numpy(), 2 * a)


def test_copy_true_copies():
    a = np.ones(3, np.float64)
    copied, shared = gn.from_dlpack(a, copy=True), gn.from_dlpack(a)
    a[0] = 4.0
    assert copied[0].item() == 1.0 and shared[0].item() == 4.0
    copied[1] = 5.0  # a copy is glassnet's own array: writable on every NumPy
    assert a[1] == 1.0
    t = gn.ones(3)
    out = gn_dlpack.from_dlpack(t.__dlpack__(copy=True))  # the producer copies
    t[0] = 2.0
    assert out[0].item() == 1.0


def test_the_consumer_keeps_the_memory_alive():
    t = gn.tensor(np.arange(1000, dtype=np.float64))
    a = np.from_dlpack(t)
    del t
    gc.collect()
    assert a.sum() == 499500.0
    b = np.arange(1000, dtype=np.int64)
    u = gn.from_dlpack(b)
    del b
    gc.collect()
    assert u.sum().item() == 499500


# ---- PyTorch ----------------------------------------------------------------------------
@pytest.mark.parametrize("view", list(VIEWS))
@pytest.mark.parametrize("dtype", DTYPES + [np.complex64])
def test_torch_reads_a_tensor_in_place(torch, dtype, view):
    shape, pick = VIEWS[view]
    t = pick(gn.tensor(values(dtype, shape)))
    tt = torch.from_dlpack(t)
    assert tt.device.type == "cpu" and tuple(tt.shape) == tuple(t.shape)
    assert tt.numpy().dtype == dtype and np.array_equal(tt.numpy(), t.numpy())
    if t.numel() and t.ndim:
        assert tt.stride() == tuple(s // t.numpy().itemsize for s in t.numpy().strides)
    i, j = corner(tuple(t.shape)), corner(tuple(t.shape), last=True)
    assert change(tt, i) == read(t.numpy(), i)  # torch -> glassnet
    assert change(t, j) == read(tt.numpy(), j)  # glassnet -> torch
    assert np.array_equal(tt.numpy(), t.numpy())


@pytest.mark.parametrize("dtype", DTYPES + [np.complex64])
def test_glassnet_reads_a_torch_tensor_in_place(torch, dtype):
    x = torch.from_numpy(values(dtype, (4, 6)))
    for view in [x, x.t(), x[:, 1::2], x[0, 0], x[:0]]:
        t = gn.from_dlpack(view)
        assert t.dtype == dtype and tuple(t.shape) == tuple(view.shape)
        assert np.array_equal(t.numpy(), view.numpy())
        i, j = corner(tuple(view.shape)), corner(tuple(view.shape), last=True)
        assert change(view, i) == read(t.numpy(), i)  # torch -> glassnet
        through_numpy(t, view.numpy(), j)  # glassnet -> torch (Tensor.__setitem__)
        assert np.array_equal(view.numpy(), t.numpy())


def test_torch_round_trip_is_the_same_memory(torch):
    t = gn.arange(5)
    again = gn.from_dlpack(torch.from_dlpack(t))
    assert np.shares_memory(again.numpy(), t.numpy())
    x = torch.arange(12, dtype=torch.float32).reshape(3, 4)
    if VERSIONED:
        back = torch.from_dlpack(gn.from_dlpack(x))
        assert back.data_ptr() == x.data_ptr() and back.stride() == x.stride()
    else:  # NumPy 2.0 took it read-only, and cannot hand read-only memory on
        with pytest.raises(BufferError, match="read-only"):
            torch.from_dlpack(gn.from_dlpack(x))


def test_torch_utils_dlpack_capsules_both_ways(torch):
    t = gn.zeros(2, 3)
    y = torch.utils.dlpack.from_dlpack(gn_dlpack.to_dlpack(t))
    y[0, 1] = 5.0
    assert t[0, 1].item() == 5.0
    t[1, 2] = 7.0
    assert y[1, 2].item() == 7.0
    x = torch.zeros(4, dtype=torch.int64)
    u = gn_dlpack.from_dlpack(torch.utils.dlpack.to_dlpack(x))
    x[3] = 8
    assert u[3].item() == 8 and u.dtype == np.int64
    # an unversioned capsule cannot say whether its memory may be written: NumPy, and so
    # glassnet, takes it read-only (pass the torch tensor itself for a writable tensor)
    with pytest.raises(ValueError, match="read-only .*DLPack.*clone"):
        u.add_(1)
    through_numpy(gn.from_dlpack(x), x.numpy(), (0,))


def test_torch_keeps_glassnet_memory_alive_and_back(torch):
    t = gn.tensor(np.arange(100, dtype=np.float32))
    tt = torch.from_dlpack(t)
    del t
    gc.collect()
    assert tt.sum().item() == 4950.0
    x = torch.arange(100, dtype=torch.float64)
    u = gn.from_dlpack(x)
    del x
    gc.collect()
    assert u.sum().item() == 4950.0


# ---- what cannot go through -------------------------------------------------------------
def test_a_tensor_that_requires_grad_is_refused_as_in_pytorch():
    p = gn.ones(3, requires_grad=True)
    with pytest.raises(BufferError, match="requires grad .*detach"):
        np.from_dlpack(p)
    assert np.from_dlpack(p.detach()).shape == (3,)


def test_negative_strides_are_refused_unless_copied():
    """NumPy exports them, but PyTorch aborts the whole process on such a capsule."""
    t = gn.arange(6.0).reshape(2, 3)[:, ::-1]
    with pytest.raises(BufferError, match=r"negative strides.*\.clone\(\)"):
        t.__dlpack__()
    assert np.array_equal(np.from_dlpack(t.clone()), t.numpy())
    assert np.array_equal(gn_dlpack.from_dlpack(t.__dlpack__(copy=True)).numpy(), t.numpy())


def test_read_only_views_need_the_versioned_protocol():
    t = gn.ones(3).expand(2, 3)
    with pytest.raises(BufferError, match="read-only view .*unversioned.*clone"):
        gn_dlpack.to_dlpack(t)
    if VERSIONED:  # NumPy asks for the versioned protocol: the array is marked read-only
        a = np.from_dlpack(t)
        assert a.shape == (2, 3) and not a.flags.writeable
    else:
        with pytest.raises(BufferError, match="read-only view .*NumPy < 2.1"):
            np.from_dlpack(t)


def test_stream_and_other_devices_are_refused():
    t = gn.ones(2)
    with pytest.raises(BufferError, match="stream must be None for a CPU tensor, got 1"):
        t.__dlpack__(stream=1)
    with pytest.raises(BufferError, match=r"device \(2, 0\) \(cuda\).*live on the CPU"):
        t.__dlpack__(dl_device=(2, 0))
    assert t.__dlpack__(dl_device=(1, 0), max_version=(1, 0)) is not None


class OnDevice:
    """A producer whose memory is elsewhere (what a CUDA tensor reports)."""

    def __init__(self, kind):
        self.kind = kind

    def __dlpack__(self, **kwargs):
        raise AssertionError("from_dlpack must refuse before asking for the capsule")

    def __dlpack_device__(self):
        return (self.kind, 0)


@pytest.mark.parametrize("kind, name", [(2, "cuda"), (8, "metal"), (99, "unknown type")])
def test_data_on_another_device_is_refused(kind, name):
    with pytest.raises(gn.DeviceError, match=f"on DLPack device .{kind}, 0. .{name}.*CPU only"):
        gn.from_dlpack(OnDevice(kind))


def test_from_dlpack_refuses_what_is_not_dlpack_and_other_devices():
    with pytest.raises(TypeError, match="expected an object with __dlpack__.*got list"):
        gn.from_dlpack([1.0, 2.0])
    with pytest.raises(gn.DeviceError, match="device 'cuda' is not available"):
        gn.from_dlpack(np.ones(2), device="cuda")
    assert gn.from_dlpack(np.ones(2), device="cpu").shape == (2,)
    with pytest.raises(TypeError, match="expected a glassnet Tensor, got ndarray"):
        gn_dlpack.to_dlpack(np.ones(2))
    with pytest.raises(BufferError, match="ndarray .dtype >f4.*native byte order"):
        gn.from_dlpack(np.arange(3, dtype=">f4"))


def test_dtypes_numpy_lacks_are_refused_naming_the_dtype(torch):
    for dtype in [torch.bfloat16, torch.float8_e4m3fn]:
        with pytest.raises(gn.DTypeError, match=f"dtype {dtype}.*NumPy has no equivalent"):
            gn.from_dlpack(torch.ones(3, dtype=dtype))
    with pytest.raises(BufferError, match="torch Tensor .*require gradient"):
        gn.from_dlpack(torch.ones(2, requires_grad=True))


def test_the_howto_page_runs(torch, tmp_path, monkeypatch, capsys):
    """docs/howto/interop.md's code cells, run in order as the docs build runs them."""
    import pathlib
    import re

    page = pathlib.Path(__file__).resolve().parents[1] / "docs" / "howto" / "interop.md"
    cells = re.findall(r"```\{code-cell\} python\n(.*?)```", page.read_text(), re.S)
    assert len(cells) == 6
    monkeypatch.chdir(tmp_path)
    exec(compile("\n".join(cells), str(page), "exec"), {"__name__": "howto"})
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[:2] == [
        "100.0",
        "tensor([ 0.    , -1.    ,  0.6667,  1.    ], dtype=float64) float64 True",
    ]
    assert lines[2:5] == ["7.0", "[42, 1, 2, 3] int64", "True"]
    assert "requires grad: Tensor.__dlpack__: cannot export a tensor that requires grad" in out
    assert "same outputs: True" in lines and "[0.0, 0.0, 0.0, 0.0]" in lines
    assert lines[-1].startswith("cut.safetensors: not a valid safetensors file: ")
