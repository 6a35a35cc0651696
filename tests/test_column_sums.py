"""Sums over rows as a product with a row of ones (glassnet.ops._util.column_sums,
used for a bias gradient and by ``unbroadcast`` for sums over leading axes):
the same sums as NumPy to float rounding, the dtype kept, a fresh array
(never a view of the gradient), integer and other dtypes by NumPy; and
``unbroadcast`` over every kind of broadcast against summing it out."""

import numpy as np
import pytest

from glassnet.ops._util import column_sums, unbroadcast


@pytest.mark.parametrize("shape", [(1, 5), (2, 3), (100, 16), (1000, 16), (3, 1), (700, 600)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_column_sums_are_numpys_sums(shape, dtype):
    rows = np.random.default_rng(0).standard_normal(shape).astype(dtype)
    out = column_sums(rows)
    exact = rows.astype(np.float64).sum(axis=0)
    assert out.shape == (shape[1],) and out.dtype == dtype
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(out, exact, rtol=tol, atol=tol * shape[0])
    assert not np.shares_memory(out, rows)


def test_column_sums_of_other_dtypes_and_layouts():
    ints = np.arange(12, dtype=np.int64).reshape(4, 3)
    np.testing.assert_array_equal(column_sums(ints), ints.sum(axis=0))
    assert column_sums(ints).dtype == np.int64
    t = np.random.default_rng(1).standard_normal((30, 20)).astype(np.float32).T
    np.testing.assert_allclose(column_sums(t), t.sum(axis=0), rtol=1e-5, atol=1e-5)
    special = np.array([[1.0, np.inf, np.nan], [2.0, 1.0, 0.0]], np.float32)
    np.testing.assert_array_equal(column_sums(special), [3.0, np.inf, np.nan])


@pytest.mark.parametrize(
    "grown, shape",
    [
        ((100, 16), (16,)),
        ((100, 16), (1, 16)),
        ((4, 100, 16), (16,)),
        ((4, 100, 16), (100, 16)),
        ((4, 100, 16), (100, 1)),
        ((4, 100, 16), (4, 1, 16)),
        ((5, 3), ()),
        ((5, 3), (5, 3)),
        ((0, 3), (3,)),
    ],
)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_unbroadcast_sums_what_broadcasting_copied(grown, shape, dtype):
    grad = np.random.default_rng(2).standard_normal(grown).astype(dtype)
    out = unbroadcast(grad, shape)
    # what broadcasting added or stretched, summed out the plain way
    lead = len(grown) - len(shape)
    expected = grad.astype(np.float64).sum(axis=tuple(range(lead)))
    for i, n in enumerate(shape):
        if n == 1 and expected.shape[i] != 1:
            expected = expected.sum(axis=i, keepdims=True)
    assert out.shape == shape and out.dtype == dtype
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(out, expected.reshape(shape), rtol=tol, atol=tol * 400)
