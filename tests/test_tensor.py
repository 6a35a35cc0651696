"""Tensor creation, dtypes, conversion, printing and seeding."""

import numpy as np
import pytest

import glassnet as gn


def test_default_dtypes_follow_pytorch():
    assert gn.tensor([1.0, 2.0]).dtype == np.float32
    assert gn.tensor(3.5).dtype == np.float32
    assert gn.tensor([1, 2]).dtype == np.int64
    assert gn.tensor([True, False]).dtype == np.bool_
    assert gn.tensor(np.zeros(2)).dtype == np.float64  # an ndarray keeps its dtype
    assert gn.tensor([1.0], dtype=gn.float64).dtype == np.float64
    assert gn.zeros(2, 3).dtype == np.float32 and gn.zeros(2, 3).shape == (2, 3)
    assert gn.ones((2, 3)).shape == (2, 3)
    assert gn.arange(5).dtype == np.int64
    assert gn.arange(0, 1, 0.25).dtype == np.float32


def test_tensor_copies_its_data_and_from_numpy_shares():
    a = np.array([1.0, 2.0])
    t = gn.tensor(a)
    a[0] = 9
    assert t.numpy()[0] == 1.0
    s = gn.from_numpy(a)
    a[1] = 7
    assert s.numpy()[1] == 7


def test_python_scalars_never_upcast_float32():
    x = gn.ones(3)
    for y in (
        x * 2.5,
        x + 1e-300,
        x / 3,
        2.0 - x,
        x**0.5,
        np.float64(2.0) * x,
        x * np.float64(3.0),
        gn.where(x > 0, x, 0.0),
        x.clamp(0.1, 0.5),
    ):
        assert y.dtype == np.float32, y


def test_integer_times_float_gives_default_float():
    assert (gn.tensor([1, 2]) * 0.5).dtype == np.float32
    assert (gn.tensor([1, 2]) / gn.tensor([2, 4])).dtype == np.float32


def test_factories():
    assert np.all(gn.full((2, 2), 7.0).numpy() == 7.0)
    np.testing.assert_allclose(gn.linspace(0, 1, 5).numpy(), [0, 0.25, 0.5, 0.75, 1])
    np.testing.assert_array_equal(gn.eye(3).numpy(), np.eye(3))
    x = gn.randn(2, 3, dtype=gn.float64)
    assert gn.zeros_like(x).dtype == np.float64 and gn.ones_like(x).shape == (2, 3)
    assert gn.full_like(x, 2.0).numpy().sum() == 12
    assert gn.rand(100).numpy().min() >= 0 and gn.rand(100).numpy().max() < 1
    r = gn.randint(0, 5, (50,))
    assert r.dtype == np.int64 and r.numpy().min() >= 0 and r.numpy().max() < 5


def test_manual_seed_reproduces_random_draws():
    gn.manual_seed(42)
    a = gn.randn(5).numpy().copy(), gn.rand(3).numpy().copy()
    gn.manual_seed(42)
    b = gn.randn(5).numpy().copy(), gn.rand(3).numpy().copy()
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    gn.manual_seed(43)
    assert not np.array_equal(gn.randn(5).numpy(), a[0])


def test_explicit_generator():
    g1, g2 = np.random.default_rng(1), np.random.default_rng(1)
    np.testing.assert_array_equal(
        gn.randn(4, generator=g1).numpy(), gn.randn(4, generator=g2).numpy()
    )


def test_conversions():
    t = gn.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert t.tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert np.asarray(t) is t.numpy()  # the tensor's own array, no copy
    assert t.numpy() is t.numpy()
    assert gn.tensor(2.5).item() == 2.5
    assert float(gn.tensor([3.0])) == 3.0
    with pytest.raises(ValueError, match="one element"):
        t.item()
    assert t.T.shape == (2, 2) and t.T.numpy()[0, 1] == 3.0
    assert len(t) == 2 and [r.tolist() for r in t] == [[1.0, 2.0], [3.0, 4.0]]
    assert t.size() == (2, 2) and t.size(1) == 2 and t.numel() == 4 and t.dim() == 2
    assert t.double().dtype == np.float64 and t.long().dtype == np.int64
    assert t.to(gn.float64).dtype == np.float64
    t.numpy()[0, 0] = 5.0
    assert t[0, 0].item() == 5.0  # shared memory, as torch


def test_detach_and_requires_grad():
    x = gn.tensor([1.0], requires_grad=True)
    y = x * 2
    d = y.detach()
    assert d.grad_fn is None and not d.requires_grad and d.numpy() is y.detach().numpy()
    assert x.is_leaf and not y.is_leaf
    z = gn.tensor([1.0]).requires_grad_()
    assert z.requires_grad


def test_repr_is_readable():
    x = gn.tensor([[1.0, 2.0]], requires_grad=True)
    assert repr(x) == "tensor([[1., 2.]], requires_grad=True)"
    assert repr(gn.tensor([1, 2])) == "tensor([1, 2])"
    assert "dtype=float64" in repr(gn.tensor([1.0], dtype=gn.float64))
    assert repr(x * 2).endswith("grad_fn=<MulBackward0>)")


def test_bad_data_is_reported():
    with pytest.raises(gn.DTypeError, match="expected numbers"):
        gn.tensor(["a", "b"])
    with pytest.raises(ValueError, match="ambiguous"):
        bool(gn.tensor([1.0, 2.0]))


@pytest.mark.parametrize(
    "arr",
    [
        np.array([1, 2], dtype=object),
        np.array([1, "a"], dtype=object),
        np.array(["a", "b"]),
        np.array([b"x"]),
    ],
)
def test_object_and_text_arrays_are_refused_as_torch_does(arr):
    with pytest.raises(gn.DTypeError, match=f"array of numbers .*ndarray of dtype {arr.dtype}"):
        gn.tensor(arr)
    with pytest.raises(gn.DTypeError, match="array of numbers"):
        gn.Tensor(arr)


def test_comparisons_and_argmax_have_no_gradient():
    x = gn.tensor([1.0, 3.0, 2.0], requires_grad=True)
    for r in (x > 1, x == 3, x <= 2, x.argmax()):
        assert not r.requires_grad
    assert x.argmax().item() == 1
    assert (x > 1).dtype == np.bool_


def test_tensor_is_hashable_by_identity():
    a, b = gn.tensor([1.0]), gn.tensor([1.0])
    assert len({a, b}) == 2
