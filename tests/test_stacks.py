"""glassnet.backends.stacks.matmul: stacks of matrices in one grouped GEMM
(MKL's cblas_?gemm_batch) where MKL does the dtype, NumPy's matmul
otherwise; the same answers as np.matmul for broadcast batch dims and
strided views, and NumPy's own errors."""

import numpy as np
import pytest
from conftest import skip_or_fail

from glassnet.backends import blas, stacks


def _recorded(monkeypatch, dtype):
    """The calls made from now on to MKL's grouped GEMM for ``dtype`` (none
    when MKL does not do that dtype here)."""
    calls = []
    blas.load()
    key = np.dtype(dtype)
    real = blas.gemm_groups.get(key)
    if real is not None:

        def recording(*args):
            calls.append(args[-1][0])  # the group's size: the number of products
            return real(*args)

        monkeypatch.setitem(blas.gemm_groups, key, recording)
    return calls


def _cases(rng, dtype):
    qkv = rng.standard_normal((6, 32, 3 * 64)).astype(dtype)
    heads = qkv[:, :, :64].reshape(6, 32, 4, 16).transpose(0, 2, 1, 3)  # (6, 4, 32, 16) strided
    keys = qkv[:, :, 64:128].reshape(6, 32, 4, 16).transpose(0, 2, 1, 3)
    return {
        "heads @ keysᵀ (views)": (heads, np.swapaxes(keys, -1, -2)),
        "stack @ matrix": (
            rng.standard_normal((5, 40, 30)).astype(dtype),
            rng.standard_normal((30, 20)).astype(dtype),
        ),
        "matrix @ stack": (
            rng.standard_normal((40, 30)).astype(dtype),
            rng.standard_normal((3, 30, 20)).astype(dtype),
        ),
        "broadcast batch dims": (
            rng.standard_normal((2, 1, 32, 16)).astype(dtype),
            rng.standard_normal((1, 3, 16, 32)).astype(dtype),
        ),
        "transposed matrices": (
            np.swapaxes(rng.standard_normal((4, 40, 20)).astype(dtype), -1, -2),
            rng.standard_normal((4, 40, 25)).astype(dtype),
        ),
        "reversed batch": (
            rng.standard_normal((4, 20, 40)).astype(dtype)[::-1],
            rng.standard_normal((4, 40, 25)).astype(dtype),
        ),
    }


@pytest.mark.parametrize("dtype, rtol", [(np.float32, 2e-5), (np.float64, 1e-12)])
def test_matmul_matches_numpy(dtype, rtol, monkeypatch):
    rng = np.random.default_rng(0)
    calls = _recorded(monkeypatch, dtype)
    for name, (a, b) in _cases(rng, dtype).items():
        calls.clear()
        got = stacks.matmul(a, b)
        want = np.matmul(a.astype(np.float64), b.astype(np.float64))
        assert got.shape == want.shape and got.dtype == dtype, name
        np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol * 30, err_msg=name)
        if np.dtype(dtype) in blas.gemm_groups:  # one grouped call for the whole stack
            assert calls == [int(np.prod(want.shape[:-2]))], name


def test_what_stays_with_numpy(monkeypatch):
    rng = np.random.default_rng(1)
    a = rng.standard_normal((4, 20, 30)).astype(np.float32)
    b = rng.standard_normal((4, 30, 25)).astype(np.float32)
    calls = _recorded(monkeypatch, np.float32)
    out = np.empty((4, 20, 25), np.float32)
    assert stacks.matmul(a, b, out=out) is out  # an out: NumPy writes it
    np.testing.assert_allclose(out, a @ b, rtol=1e-5)
    for x, y in (
        (a[:, :2, :3], b[:, :3, :2]),  # small
        (a.astype(np.float64), b),  # mixed dtypes promote, as NumPy
        (a.astype(np.int64), b.astype(np.int64)),  # integers
        (np.zeros((0, 20, 30), np.float32), b[:1]),  # empty
        (a[:, :, ::2], b[:, ::2]),  # no unit stride in the matrices
        (a[0], b[0]),  # plain matrices: blas.dot's work
    ):
        got = stacks.matmul(x, y)
        want = np.matmul(x, y)
        assert got.dtype == want.dtype and got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-5)
    assert calls == []
    with pytest.raises(ValueError):
        stacks.matmul(a, b[:, :29])  # NumPy's own error names the shapes
    with pytest.raises(ValueError):
        stacks.matmul(a[:3], b)  # batch dims that do not broadcast


def test_attention_uses_one_grouped_product_per_matmul(monkeypatch):
    """The attention op hands its stacks to stacks.matmul (MKL's pool, not OpenBLAS's)."""
    import glassnet as gn

    blas.load()
    if np.dtype(np.float32) not in blas.gemm_groups:
        skip_or_fail(f"MKL's grouped GEMM not in use for float32: {blas.status}")
    calls = _recorded(monkeypatch, np.float32)
    rng = np.random.default_rng(2)
    q, k, v = (
        gn.tensor(rng.standard_normal((8, 4, 32, 16)).astype(np.float32), requires_grad=True)
        for _ in range(3)
    )
    out = gn.nn.functional.scaled_dot_product_attention(q, k, v)
    assert calls == [32, 32]  # Q Kᵀ and P V
    out.sum().backward()
    assert len(calls) == 6  # and ∂L/∂V, ∂L/∂P, ∂L/∂Q, ∂L/∂K
