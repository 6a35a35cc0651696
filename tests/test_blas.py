"""glassnet.backends.blas: MKL's GEMM for the big 2-D products, NumPy for the rest,
the same answers (to float rounding) for every memory layout."""

import os
import subprocess
import sys

import numpy as np
import pytest
from conftest import need, skip_or_fail

import glassnet as gn
from glassnet.backends import blas, onednn, wheel_libs
from glassnet.backends.cblas import layout
from glassnet.backends.onednn import sgemm


def _mkl_or_skip():
    if not blas.load().startswith("mkl"):
        skip_or_fail(f"MKL not in use: {blas.status}")


class _Recording:
    """Stands in for an MKL function: keeps its argtypes (prepared calls read
    them), records each call's arguments as plain numbers, then calls it."""

    def __init__(self, fn, calls):
        self.fn, self.argtypes, self.calls = fn, fn.argtypes, calls

    def __call__(self, *args):
        self.calls.append(tuple(getattr(a, "value", a) for a in args))
        return self.fn(*args)


def _record(monkeypatch, table, dtype):
    """The calls made from now on to ``table``'s (``blas._gemm`` or
    ``blas._gemm_batch``) MKL function for ``dtype`` (none without MKL)."""
    calls = []
    blas.load()
    key = np.dtype(dtype)
    if key in table:  # (MKL in use and doing this dtype on this CPU)
        monkeypatch.setitem(table, key, _Recording(table[key], calls))
    return calls


def _layouts(rng, shape, dtype):
    """The same matrix as a C array, an F array, a transposed view, a
    row-strided slice of a wider array and a read-only array."""
    m = rng.standard_normal(shape).astype(dtype)
    wide = np.zeros((shape[0], shape[1] + 5), dtype)
    wide[:, 2 : 2 + shape[1]] = m
    frozen = m.copy()
    frozen.setflags(write=False)
    return {
        "C": m,
        "F": np.asfortranarray(m),
        "T-view": np.ascontiguousarray(m.T).T,
        "slice": wide[:, 2 : 2 + shape[1]],
        "read-only": frozen,
    }


@pytest.mark.parametrize("dtype, rtol", [(np.float32, 2e-5), (np.float64, 1e-12)])
def test_dot_matches_numpy_for_every_layout(dtype, rtol):
    rng = np.random.default_rng(0)
    a_forms = _layouts(rng, (70, 90), dtype)
    b_forms = _layouts(rng, (90, 60), dtype)
    expect = np.dot(a_forms["C"].astype(np.float64), b_forms["C"].astype(np.float64))
    for a_name, a in a_forms.items():
        for b_name, b in b_forms.items():
            got = blas.dot(a, b)
            assert got.dtype == dtype and got.shape == (70, 60), (a_name, b_name)
            assert got.flags.c_contiguous
            np.testing.assert_allclose(
                got, expect, rtol=rtol, atol=rtol * 30, err_msg=f"a {a_name}, b {b_name}"
            )


def test_the_chosen_gemm_does_the_big_float32_products(monkeypatch):
    """MKL's GEMM on an Intel CPU, oneDNN's on another (``load`` chooses)."""
    _mkl_or_skip()
    calls = []
    real = blas._product[np.dtype(np.float32)]

    def recording(*args):
        calls.append(args[:5])  # transa, transb, m, n, k
        return real(*args)

    monkeypatch.setitem(blas._product, np.dtype(np.float32), recording)
    rng = np.random.default_rng(1)
    x = rng.standard_normal((128, 784)).astype(np.float32)
    w = rng.standard_normal((512, 784)).astype(np.float32)
    out = blas.dot(x, w.T)
    assert calls == [(111, 112, 128, 512, 784)]  # x as is, w transposed
    np.testing.assert_allclose(
        out, x.astype(np.float64) @ w.T.astype(np.float64), rtol=1e-4, atol=1e-3
    )
    blas.dot(np.ones((4, 4), np.float32), np.ones((4, 4), np.float32))  # tiny: np.dot
    blas.dot(x[:, ::2], w[:, ::2].T)  # no unit stride: np.dot
    assert len(calls) == 1


@pytest.mark.parametrize("accumulate", [False, True])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dot_into_out_and_accumulating(dtype, accumulate):
    rng = np.random.default_rng(6)
    a = rng.standard_normal((64, 96)).astype(dtype)
    b = rng.standard_normal((96, 48)).astype(dtype)
    start = rng.standard_normal((64, 48)).astype(dtype)
    expect = a.astype(np.float64) @ b.astype(np.float64) + (start if accumulate else 0)
    rtol = 2e-5 if dtype == np.float32 else 1e-12
    wide = np.zeros((64, 60), dtype)
    for out in (start.copy(), wide[:, 5:53]):  # contiguous, and a slice with a longer row
        out[...] = start
        got = blas.dot(a, b, out=out, accumulate=accumulate)
        assert got is out
        np.testing.assert_allclose(out, expect, rtol=rtol, atol=rtol * 30)
    assert not wide[:, :5].any() and not wide[:, 53:].any()  # nothing outside the slice
    out = np.asfortranarray(start)  # no unit stride along rows: NumPy writes it
    blas.dot(a, b, out=out, accumulate=accumulate)
    np.testing.assert_allclose(out, expect, rtol=rtol, atol=rtol * 30)


def test_dot_into_an_operand_is_left_to_numpy():
    rng = np.random.default_rng(7)
    a = rng.standard_normal((64, 64))
    b = rng.standard_normal((64, 64))
    expect = a @ b
    blas.dot(a, b, out=a)  # MKL would read a while writing it; np.matmul buffers
    np.testing.assert_allclose(a, expect, rtol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_stacked_product_matches_numpy_on_every_row(dtype, monkeypatch):
    """out[j] = a @ b[i] for the rows of two stacks: a plain stack, a stack of
    row slices (the δ part of an LSTM's work buffer), ``a`` transposed, β = 1;
    with MKL each call is exactly one GEMM, with the addresses of row i and j."""
    rng = np.random.default_rng(8)
    rtol = 2e-5 if dtype == np.float32 else 1e-12
    a = rng.standard_normal((96, 40)).astype(dtype)
    wide = rng.standard_normal((5, 3, 40, 24)).astype(dtype)
    b = wide[:, 1:].reshape(5, 80, 24)[:, 20:60]  # rows of a bigger block: (5, 40, 24) views
    start = rng.standard_normal((5, 2, 96, 24)).astype(dtype)
    out = start.copy()
    calls = _record(monkeypatch, blas._gemm, dtype)
    product = blas.StackedProduct(a, b, out[:, 1])
    for i, j, add in ((0, 4, False), (3, 3, True), (4, 0, False)):
        got = product(i, j, accumulate=add)
        assert got.shape == (96, 24) and np.shares_memory(got, out[j, 1])
        expect = a.astype(np.float64) @ b[i].astype(np.float64) + (start[j, 1] if add else 0)
        np.testing.assert_allclose(
            out[j, 1], expect, rtol=rtol, atol=rtol * 30, err_msg=f"b[{i}] into out[{j}]"
        )
    np.testing.assert_array_equal(out[:, 0], start[:, 0])  # nothing outside the stack's rows
    np.testing.assert_array_equal(out[1:3, 1], start[1:3, 1])
    if np.dtype(dtype) in blas._gemm:
        assert len(calls) == 3 and calls[0][11] == 0.0 and calls[1][11] == 1.0  # β
    back = blas.StackedProduct(
        a.T, rng.standard_normal((3, 96, 24)).astype(dtype), np.empty((3, 40, 24), dtype)
    )
    np.testing.assert_allclose(back(2, 1), a.T @ back.b[2], rtol=rtol, atol=rtol * 30)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_stacked_product_in_row_halves(dtype, monkeypatch):
    """halves=True with MKL on 2+ threads: each call is one batched GEMM of the
    top and bottom half of the rows (a as stored and transposed, β 0 and 1, a
    row-sliced b), the same answers as NumPy, nothing written outside the
    stack's rows; an odd row count or one thread keeps the one-GEMM path (and
    no MKL, NumPy)."""
    rng = np.random.default_rng(11)
    rtol = 2e-5 if dtype == np.float32 else 1e-12
    w = rng.standard_normal((96, 40)).astype(dtype)
    wide = rng.standard_normal((4, 2, 96, 24)).astype(dtype)
    monkeypatch.setattr(blas, "_max_threads", lambda: 2)  # the halves are for 2+ threads
    calls = _record(monkeypatch, blas._gemm_batch, dtype)
    for a, b in ((w, wide[:, 1, 10:50]), (w.T, wide[:, 0])):  # (96, 40)·(40, 24), (40, 96)·(96, 24)
        start = rng.standard_normal((4, a.shape[0] + 6, 24)).astype(dtype)
        out = start.copy()
        calls.clear()
        product = blas.StackedProduct(a, b, out[:, 3:-3], halves=True)
        for i, j, add in ((0, 3, False), (2, 2, True), (3, 0, False)):
            product(i, j, accumulate=add)
            expect = a.astype(np.float64) @ b[i].astype(np.float64) + (start[j, 3:-3] if add else 0)
            np.testing.assert_allclose(
                out[j, 3:-3],
                expect,
                rtol=rtol,
                atol=rtol * 30,
                err_msg=f"{a.shape} b[{i}] into out[{j}]",
            )
        np.testing.assert_array_equal(out[:, :3], start[:, :3])
        np.testing.assert_array_equal(out[:, -3:], start[:, -3:])
        np.testing.assert_array_equal(out[1], start[1])
        if np.dtype(dtype) in blas._gemm_batch:
            assert [c[3] for c in calls] == [a.shape[0] // 2] * 3  # rows per half
            assert [c[-1] for c in calls] == [2] * 3 and [c[13] for c in calls] == [0.0, 1.0, 0.0]
    if np.dtype(dtype) in blas._gemm_batch:
        assert (
            blas.StackedProduct(
                w, wide[:, 1, :40], np.empty((4, 96, 24), dtype), halves=True
            )._call.fn
            is blas._gemm_batch[np.dtype(dtype)]
        )
        odd = blas.StackedProduct(
            w[:95], wide[:, 1, :40], np.empty((4, 95, 24), dtype), halves=True
        )
        assert odd._call.fn is blas._gemm[np.dtype(dtype)]  # one GEMM
        monkeypatch.setattr(blas, "_max_threads", lambda: 1)  # one thread: one GEMM
        one = blas.StackedProduct(w, wide[:, 1, :40], np.empty((4, 96, 24), dtype), halves=True)
        assert one._call.fn is blas._gemm[np.dtype(dtype)]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_stacked_product_all_rows_at_once(dtype, monkeypatch):
    """all(): out[t] = a @ b[t] for every t — with MKL one batched GEMM over
    all the rows (a plain stack and a stack of row slices), small stacks
    by NumPy; the same answers either way, nothing written outside."""
    rng = np.random.default_rng(12)
    rtol = 2e-5 if dtype == np.float32 else 1e-12
    a = rng.standard_normal((96, 33)).astype(dtype)
    wide = rng.standard_normal((5, 2, 40, 24)).astype(dtype)
    calls = _record(monkeypatch, blas._gemm_batch, dtype)
    for b in (np.ascontiguousarray(wide[:, 0, :33]), wide[:, 1, 4:37]):
        out = np.full((5, 2, 96, 24), 7.0, dtype)
        calls.clear()
        got = blas.StackedProduct(a, b, out[:, 1]).all()
        assert np.shares_memory(got, out[:, 1])
        expect = np.matmul(a.astype(np.float64), b.astype(np.float64))
        np.testing.assert_allclose(out[:, 1], expect, rtol=rtol, atol=rtol * 30)
        assert (out[:, 0] == 7).all()
        if np.dtype(dtype) in blas._gemm_batch:
            assert len(calls) == 1 and calls[0][-1] == 5 and calls[0][3:6] == (96, 24, 33)
    small = blas.StackedProduct(a[:4, :4], wide[:, 0, :4, :3], np.empty((5, 4, 3), dtype))
    calls.clear()
    np.testing.assert_allclose(small.all(), np.matmul(a[:4, :4], wide[:, 0, :4, :3]), rtol=rtol)
    assert calls == []


def _assert_product(got, a, b):
    """got = a @ b to float rounding. MKL and NumPy's OpenBLAS sum the k terms
    in different orders; each result is within γ_k·Σ|a_il·b_lj| of the exact
    sum (γ_k ≈ k·ε), so they differ by at most twice that: a bound relative to
    the terms, not to the result, which cancellation can make far smaller."""
    want = a @ b
    bound = 2 * a.shape[1] * np.finfo(a.dtype).eps * (np.abs(a) @ np.abs(b))
    excess = np.abs(got - want) - bound
    assert (excess <= 0).all(), f"off by up to {excess.max():.3g} beyond {bound.max():.3g}"


def test_stacked_product_into_its_own_stack():
    """A plain RNN computes each state in the row after its input's: out may
    be b itself (the same view or another view of the same rows); a call
    with i = j is left to NumPy, which buffers."""
    rng = np.random.default_rng(9)
    a = rng.standard_normal((64, 64)) * 0.1
    states = rng.standard_normal((4, 64, 32))
    original = states.copy()
    product = blas.StackedProduct(a, states, states[:])
    for t in range(3):
        before = states[t].copy()
        product(t, t + 1)
        _assert_product(states[t + 1], a, before)
        np.testing.assert_array_equal(states[0], original[0])  # nothing else written
        np.testing.assert_array_equal(states[t + 2 :], original[t + 2 :])
    before = states[2].copy()
    product(2, 2)
    _assert_product(states[2], a, before)
    big = rng.standard_normal((5, 64, 32))
    shifted = blas.StackedProduct(a, big[:4], big[1:])  # out[j] is b[j + 1]
    first = big[0].copy()
    shifted(0, 0)
    _assert_product(big[1], a, first)


def test_the_bound_sees_a_wrong_product():
    rng = np.random.default_rng(3)
    a, b = rng.standard_normal((64, 64)), rng.standard_normal((64, 32))
    wrong = a @ b
    wrong[5, 7] *= 1 + 1e-12
    with pytest.raises(AssertionError, match="off by"):
        _assert_product(wrong, a, b)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("halves", [False, True])
def test_stacked_product_refuses_indices_outside_its_stacks(dtype, halves):
    rng = np.random.default_rng(11)
    a = rng.standard_normal((64, 64)).astype(dtype)
    b = rng.standard_normal((3, 64, 32)).astype(dtype)
    out = np.zeros((2, 64, 32), dtype)
    guard = np.zeros((4, 64, 32), dtype)  # (an out with room around it: nothing may land there)
    guard_out = guard[1:3]
    for target in (out, guard_out):
        product = blas.StackedProduct(a, b, target, halves=halves)
        for i, j in ((3, 0), (0, 2), (-1, 0), (0, -1), (10**6, 0)):
            with pytest.raises(IndexError, match=f"i={i}.*j={j}.*outside"):
                product(i, j)
        product(2, 1)
        _assert_product(target[1], a, b[2])
    np.testing.assert_array_equal(guard[[0, 3]], 0)


def test_stacked_product_refuses_stacks_that_do_not_fit():
    a = np.ones((8, 6))
    with pytest.raises(ValueError, match=r"3-D stacks.*b \(6, 4\)"):
        blas.StackedProduct(a, np.ones((6, 4)), np.ones((2, 8, 4)))
    with pytest.raises(ValueError, match=r"slices 6 × n.*b \(2, 5, 4\)"):
        blas.StackedProduct(a, np.ones((2, 5, 4)), np.ones((2, 8, 4)))
    with pytest.raises(ValueError, match=r"out's 8 × n.*out \(2, 8, 3\)"):
        blas.StackedProduct(a, np.ones((2, 6, 4)), np.ones((2, 8, 3)))


def test_a_stacked_products_arrays_cannot_be_swapped_under_its_plan():
    product = blas.StackedProduct(np.ones((64, 64)), np.ones((2, 64, 32)), np.ones((2, 64, 32)))
    with pytest.raises(AttributeError):
        product.out = np.ones((1, 64, 32))  # the plan holds the old array's address


def test_stacked_product_plans_once_or_leaves_it_to_dot():
    _mkl_or_skip()
    rng = np.random.default_rng(10)  # (float32: MKL's on every CPU)
    a = rng.standard_normal((64, 64)).astype(np.float32)
    big = rng.standard_normal((5, 64, 32)).astype(np.float32)
    assert blas.StackedProduct(a, big, np.empty((5, 64, 32), np.float32))._args is not None
    assert blas.StackedProduct(a, big, big[:])._args is not None  # the same rows: planned
    assert blas.StackedProduct(a, big[:4], big[1:])._args is None  # overlapping otherwise
    assert blas.StackedProduct(a, big, big[:, ::-1].copy()[:, ::-1])._args is None  # rows reversed
    tiny = np.empty((5, 8, 4), np.float32)
    assert blas.StackedProduct(a[:8, :8], big[:, :8, :4], tiny)._args is None
    assert blas.StackedProduct(a.astype(np.float64), big, np.empty((5, 64, 32)))._args is None


def test_what_mkl_leaves_to_numpy():
    rng = np.random.default_rng(2)
    a = rng.standard_normal((64, 64))
    cases = [
        (a.astype(np.float32), a),  # mixed dtypes promote, as np.dot
        (a.astype(np.int64), a.astype(np.int64)),  # integers
        (a[::-1], a),  # a negative stride
        (np.zeros((0, 64)), a),  # empty
    ]
    for x, y in cases:
        got = blas.dot(x, y)
        want = np.dot(x, y)
        assert got.dtype == want.dtype and got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-6)
    with pytest.raises(ValueError):
        blas.dot(np.ones((64, 65)), np.ones((64, 64)))  # np.dot's own error


def test_opting_out_keeps_numpy():
    code = (
        "import numpy as np; from glassnet.backends import blas; print(blas.load()); "
        "a = np.random.default_rng(0).standard_normal((300, 300)).astype(np.float32); "
        "print(np.array_equal(blas.dot(a, a.T), np.dot(a, a.T))); print(blas.mkl_threads())"
    )
    env = dict(os.environ, GLASSNET_BLAS="numpy")
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.split("\n")
    assert out[0] == "numpy (GLASSNET_BLAS=numpy)"
    assert out[1] == "True"
    assert out[2] == "0"  # no MKL threads: StackedProduct never splits in halves


def test_mkl_threads_follow_the_thread_limit():
    """``mkl_threads`` (what StackedProduct's halves are decided by) reads MKL's
    own count, which MKL_NUM_THREADS sets."""
    _mkl_or_skip()
    code = "from glassnet.backends import blas; print(blas.mkl_threads())"
    for n in ("1", "2"):
        env = dict(os.environ, MKL_NUM_THREADS=n)
        out = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        ).stdout.strip()
        assert out == n


@pytest.mark.torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_linear_and_matmul_on_the_gemm_path_match_torch(dtype):
    """Shapes big enough for MKL: forward and every gradient against PyTorch."""
    torch = need("torch")
    rng = np.random.default_rng(3)
    x0 = rng.standard_normal((96, 200)).astype(dtype)
    w0 = rng.standard_normal((150, 200)).astype(dtype) * 0.1
    b0 = rng.standard_normal(150).astype(dtype)
    g0 = rng.standard_normal((96, 150)).astype(dtype)
    tol = dict(rtol=1e-4, atol=1e-4) if dtype == np.float32 else dict(rtol=1e-10, atol=1e-10)

    x, w, b = (gn.tensor(v, requires_grad=True) for v in (x0, w0, b0))
    tx, tw, tb = (torch.tensor(v, requires_grad=True) for v in (x0, w0, b0))
    for ours, theirs in (
        (gn.linear(x, w, b), torch.nn.functional.linear(tx, tw, tb)),
        (x @ w.T, tx @ tw.T),
    ):
        np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), **tol)
        ours.backward(gn.tensor(g0))
        theirs.backward(torch.tensor(g0))
        for p, tp in ((x, tx), (w, tw)):
            np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), **tol)
            p.grad = None
            tp.grad = None
    np.testing.assert_allclose(b.grad.numpy(), tb.grad.numpy(), **tol)


def test_matmul_2d_backward_computes_only_the_needed_grads():
    rng = np.random.default_rng(4)
    a = gn.tensor(rng.standard_normal((80, 90)), requires_grad=True)
    b = gn.tensor(rng.standard_normal((90, 70)))
    (a @ b).sum().backward()
    assert b.grad is None
    np.testing.assert_allclose(a.grad.numpy(), np.ones((80, 70)) @ b.numpy().T, rtol=1e-12)


def test_gemm_path_passes_finite_differences():
    rng = np.random.default_rng(5)
    a = gn.tensor(rng.standard_normal((40, 50)), requires_grad=True)
    b = gn.tensor(rng.standard_normal((50, 30)), requires_grad=True)
    assert 40 * 50 * 30 >= blas.MIN_FLOPS
    assert gn.gradcheck(lambda p, q: (p @ q).tanh(), (a, b))


@pytest.mark.torch
def test_sgd_on_a_big_weight_matches_torch():
    """SGD's update of a weight of ≥ VECTOR_MIN elements is MKL's ?axpby (when in use)."""
    torch = need("torch")
    rng = np.random.default_rng(10)
    w0 = rng.standard_normal((512, 784)).astype(np.float32)
    g0 = rng.standard_normal((512, 784)).astype(np.float32)
    w = gn.tensor(w0.copy(), requires_grad=True)
    w.grad = gn.tensor(g0)
    tw = torch.tensor(w0.copy(), requires_grad=True)
    tw.grad = torch.tensor(g0)
    gn.optim.SGD([w], lr=0.05).step()
    torch.optim.SGD([tw], lr=0.05).step()
    np.testing.assert_allclose(w.detach().numpy(), tw.detach().numpy(), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("dtype, rtol", [(np.float32, 3e-7), (np.float64, 1e-15)])
def test_vector_ops_match_numpy(dtype, rtol):
    _mkl_or_skip()
    rng = np.random.default_rng(11)
    x, y = (rng.random((200, 50)).astype(dtype) + 0.5 for _ in range(2))
    out = np.empty_like(x)
    ops = blas.VectorOps.over(x, y, out)
    if ("mul", np.dtype(dtype)) not in blas._vector:  # float64 on a CPU MKL is slower on
        assert ops is None  # (NumPy does that dtype's vector work: its BLAS's threads only)
        return
    assert ops is not None
    ops.mul(x, y, out)
    np.testing.assert_allclose(out, x * y, rtol=rtol)
    ops.sqrt(x, out)
    np.testing.assert_allclose(out, np.sqrt(x), rtol=rtol)
    np.copyto(out, y)
    ops.ratio(x, out, 0.25, out)  # in place: out = x / (out + 0.25)
    np.testing.assert_allclose(out, x / (y + dtype(0.25)), rtol=2 * rtol)
    np.copyto(out, y)
    ops.axpby(0.1, x, 0.9, out)
    np.testing.assert_allclose(out, dtype(0.1) * x + dtype(0.9) * y, rtol=2 * rtol)


def test_vector_ops_refuse_what_they_cannot_do():
    rng = np.random.default_rng(12)
    big = rng.random((200, 50)).astype(np.float32)
    frozen = big.copy()
    frozen.setflags(write=False)
    flat = big.ravel()
    assert blas.VectorOps.over(big[:10, :10], big[:10, :10]) is None  # small
    assert blas.VectorOps.over(big, big.astype(np.float64)) is None  # dtypes differ
    assert blas.VectorOps.over(big, big[:100]) is None  # shapes differ
    assert blas.VectorOps.over(big, np.asfortranarray(big)) is None  # not C order
    assert blas.VectorOps.over(big[:, :25], np.zeros((200, 25), np.float32)) is None  # strided
    assert blas.VectorOps.over(big, frozen) is None  # read-only
    assert blas.VectorOps.over(big.astype(np.int32)) is None  # integers
    assert blas.VectorOps.over(flat[:9000], flat[5:9005]) is None  # overlapping views


@pytest.mark.torch
@pytest.mark.parametrize(
    "options",
    [{}, {"amsgrad": True}, {"weight_decay": 0.1}, {"maximize": True}, {"decoupled": True}],
    ids=["plain", "amsgrad", "l2", "maximize", "adamw"],
)
def test_adam_on_a_big_weight_matches_torch(options):
    """Weights of ≥ VECTOR_MIN elements take MKL's vector path (when MKL is in use)."""
    torch = need("torch")
    options = dict(options)
    decoupled = options.pop("decoupled", False)
    rng = np.random.default_rng(13)
    w0 = rng.standard_normal((256, 300)).astype(np.float32)
    w = gn.tensor(w0.copy(), requires_grad=True)
    tw = torch.tensor(w0.copy(), requires_grad=True)
    if decoupled:
        ours, theirs = gn.optim.AdamW([w], lr=1e-2), torch.optim.AdamW([tw], lr=1e-2)
    else:
        ours, theirs = (
            gn.optim.Adam([w], lr=1e-2, **options),
            torch.optim.Adam([tw], lr=1e-2, **options),
        )
    for _ in range(4):
        g0 = rng.standard_normal(w0.shape).astype(np.float32)
        w.grad = gn.tensor(g0)
        tw.grad = torch.tensor(g0)
        ours.step()
        theirs.step()
    np.testing.assert_allclose(w.detach().numpy(), tw.detach().numpy(), rtol=1e-5, atol=1e-6)
    state = ours.state_dict()["state"][0]
    np.testing.assert_allclose(
        state["exp_avg_sq"], theirs.state[tw]["exp_avg_sq"].numpy(), rtol=1e-5, atol=1e-9
    )


def _load_as(vendor, **env):
    """``blas.load()``'s status and choices in a fresh process whose CPU is
    said to be ``vendor``'s: (status, dtypes MKL multiplies, dtypes with MKL
    vector work, the float32 product's library, MKL's threading layer)."""
    code = (
        "import numpy as np, glassnet.backends.cpu as cpu; "
        f"cpu.vendor = lambda: {vendor!r}; "
        "from glassnet.backends import blas; print(blas.load()); "
        "print(sorted(str(d) for d in blas._gemm)); "
        "print(sorted({str(d) for _, d in blas._vector})); "
        "p = blas._product.get(np.dtype(np.float32)); "
        "print(p.__module__ if p else None); "
        "import threadpoolctl; "
        "print([i.get('threading_layer') for i in threadpoolctl.threadpool_info() "
        "if i['internal_api'] == 'mkl'])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=dict(os.environ, **env),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\n")
    return out[0], eval(out[1]), eval(out[2]), out[3], eval(out[4])


def test_libraries_are_chosen_by_the_cpu():
    """Intel: MKL multiplies both dtypes and does the optimizers' vector work.
    Another CPU (MKL's generic path is slower there): oneDNN's GEMM for
    float32 (MKL still does float32's vector work, on the same GNU OpenMP
    threads), NumPy for everything float64 (one pool: OpenBLAS's).
    GLASSNET_BLAS=mkl asks for MKL everywhere."""
    _mkl_or_skip()
    need("threadpoolctl")
    both = ["float32", "float64"]
    status, gemm, vector, product, layer = _load_as("GenuineIntel")
    assert (gemm, vector, product, layer) == (both, both, "glassnet.backends.blas", ["gnu"])
    assert "float32 products: mkl; float64: mkl" in status and "GNU OpenMP" in status
    status, gemm, vector, product, layer = _load_as("AuthenticAMD")
    assert (gemm, vector, layer) == (["float32"], ["float32"], ["gnu"])
    assert "float64: numpy" in status
    if onednn.load().startswith("onednn"):
        assert product == "glassnet.backends.onednn.sgemm"
        assert "float32 products: onednn" in status and "AuthenticAMD" in status
    status, gemm, vector, product, _ = _load_as("AuthenticAMD", GLASSNET_BLAS="mkl")
    assert (gemm, vector, product) == (both, both, "glassnet.backends.blas")
    status, *_, layer = _load_as("AuthenticAMD", MKL_THREADING_LAYER="INTEL")
    assert layer == ["intel"] and "MKL_THREADING_LAYER=INTEL" in status


@pytest.mark.parametrize("beta", [0.0, 1.0])
def test_onednn_sgemm_on_every_layout(beta):
    """oneDNN's dnnl_sgemm as ``dot``'s product (chosen on non-Intel CPUs, so
    tested here on any): row-major, each operand as stored or transposed,
    leading dimensions past the row, β = 0 and 1."""
    path = wheel_libs.find("libdnnl.so.3*")
    if path is None:
        skip_or_fail("oneDNN not installed (pip install onednn-cpu-gomp)")
    product = sgemm.bind(path)
    rng = np.random.default_rng(13)
    a_forms = _layouts(rng, (70, 90), np.float32)
    b_forms = _layouts(rng, (90, 60), np.float32)
    exact = a_forms["C"].astype(np.float64) @ b_forms["C"].astype(np.float64)
    for a_name in ("C", "T-view", "slice"):
        for b_name in ("C", "T-view", "slice"):
            a, b = a_forms[a_name], b_forms[b_name]
            (ta, lda), (tb, ldb) = layout(a), layout(b)
            start = rng.standard_normal((70, 60)).astype(np.float32)
            out = start.copy()
            product(
                ta,
                tb,
                70,
                60,
                90,
                a.ctypes.data,
                lda,
                b.ctypes.data,
                ldb,
                beta,
                out.ctypes.data,
                60,
            )
            np.testing.assert_allclose(
                out, exact + beta * start, rtol=2e-5, atol=1e-3, err_msg=f"a {a_name}, b {b_name}"
            )
    with pytest.raises(RuntimeError, match="dnnl_sgemm failed.*70×90 by 90×60"):
        a, b = a_forms["C"], b_forms["C"]
        product(111, 111, 70, 60, 90, a.ctypes.data, 5, b.ctypes.data, 60, 0.0, out.ctypes.data, 60)
