"""Matrix products and the fused neural-network ops against PyTorch and
finite differences: matmul (1-D, 2-D, batched with broadcasting, 1-D × N-D),
linear, softmax, log_softmax and the fused cross-entropy
(glassnet.ops.softmax.CrossEntropyIndices) with class weights, ignore_index,
label smoothing and every reduction. The other families live in
test_ops_elementwise.py, test_ops_reduce.py, test_ops_shape.py and
test_ops_index.py; the shared checker is tests/opcheck.py."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from opcheck import DTYPES, SETTINGS, check_grad, compare, normal, seeds, shapes, verify

import glassnet as gn
from glassnet.ops.softmax import CrossEntropyIndices

pytestmark = pytest.mark.torch


# ---- matmul ---------------------------------------------------------------------------
@st.composite
def matmul_shapes(draw):
    """Shapes of a and b that matmul accepts: 1-D or ≥ 2-D on either side,
    batch dims that broadcast."""
    m, k, n = (draw(st.integers(1, 4)) for _ in range(3))
    batch = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=2, max_side=3))
    ba, bb = batch.input_shapes
    a_vec, b_vec = draw(st.booleans()), draw(st.booleans())
    sa = (k,) if a_vec else ba + (m, k)
    sb = (k,) if b_vec else bb + (k, n)
    return sa, sb


@pytest.mark.parametrize("dtype", DTYPES)
@SETTINGS
@given(sab=matmul_shapes(), seed=seeds)
def test_matmul(torch, dtype, sab, seed):
    sa, sb = sab
    a, b = normal(seed, sa, dtype), normal(seed + 1, sb, dtype)
    (out,) = verify(torch, gn.matmul, torch.matmul, a, b)
    verify(torch, lambda x, y: x @ y, lambda x, y: x @ y, a, b)
    assert out.dtype == dtype


def test_matmul_named_cases(torch):
    cases = [
        ((3,), (3,)),
        ((2, 3), (3, 4)),
        ((3,), (3, 4)),
        ((2, 3), (3,)),
        ((3,), (5, 3, 2)),
        ((5, 2, 3), (3,)),
        ((2, 1, 2, 3), (4, 3, 2)),
        ((1, 2, 3), (4, 3, 2)),
    ]
    for sa, sb in cases:
        verify(torch, gn.matmul, torch.matmul, normal(1, sa), normal(2, sb))
    verify(torch, gn.mm, torch.mm, normal(1, (2, 3)), normal(2, (3, 4)))
    # one side a constant (ndarray), the other requiring grad
    verify(
        torch, gn.matmul, torch.matmul, normal(1, (4, 2, 3)), normal(2, (3, 2)), grads=[False, True]
    )


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("m, k, n", [(2, 3, 4), (1, 1, 1), (5, 1, 3), (40, 50, 30)])
def test_matmul_2d_with_a_constant_left_operand(torch, dtype, m, k, n):
    """A @ B with A (m, k) a constant: the 2-D path (MKL's GEMM from 40·50·30
    on, where in use) computes only ∂L/∂B = Aᵀ · ∂L/∂out. Values and B's
    gradient against PyTorch, A given as a Tensor that does not require
    grad, as an ndarray (gn.matmul and the @ operator) and as a list."""
    a, b = normal(1, (m, k), dtype), normal(2, (k, n), dtype)
    (out,) = verify(torch, gn.matmul, torch.matmul, a, b, grads=[False, True])
    assert out.shape == (m, n) and out.dtype == dtype
    theirs = lambda tb: torch.matmul(torch.from_numpy(a), tb)  # noqa: E731
    for ours in (lambda tb: gn.matmul(a, tb), lambda tb: a @ tb, lambda tb: a.tolist() @ tb):
        (out,) = verify(torch, ours, theirs, b)
        assert out.dtype == dtype
    left = gn.tensor(a)
    right = gn.tensor(b, requires_grad=True)
    (left @ right).sum().backward()
    assert left.grad is None
    np.testing.assert_allclose(
        np.asarray(right.grad),
        a.T @ np.ones((m, n), dtype),
        rtol=1e-5 if dtype == np.float32 else 1e-12,
    )


# ---- linear ---------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@SETTINGS
@given(
    lead=shapes(min_dims=0, max_dims=2),
    n_in=st.integers(1, 4),
    n_out=st.integers(1, 4),
    bias=st.booleans(),
    seed=seeds,
)
def test_linear(torch, dtype, lead, n_in, n_out, bias, seed):
    x = normal(seed, lead + (n_in,), dtype)
    w = normal(seed + 1, (n_out, n_in), dtype)
    F = torch.nn.functional
    if bias:
        b = normal(seed + 2, (n_out,), dtype)
        (out,) = verify(torch, gn.linear, F.linear, x, w, b)
        verify(torch, gn.linear, F.linear, x, w, b, grads=[False, True, True])
    else:
        (out,) = verify(torch, gn.linear, F.linear, x, w)
    assert out.dtype == dtype


def test_linear_with_a_scalar_bias(torch):
    F = torch.nn.functional
    verify(torch, gn.linear, F.linear, normal(1, (2, 3)), normal(2, (4, 3)), normal(3, ()))


# ---- softmax / log_softmax ---------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@SETTINGS
@given(
    shape=shapes(min_dims=1, max_dims=3),
    seed=seeds,
    data=st.data(),
    scale=st.sampled_from([1.0, 20.0]),
)
def test_softmax_log_softmax(torch, name, dtype, shape, seed, data, scale):
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    x = normal(seed, shape, dtype, scale=scale)
    (out,) = verify(
        torch, lambda t: getattr(gn, name)(t, dim), lambda t: getattr(torch, name)(t, dim), x
    )
    verify(torch, lambda t: getattr(t, name)(dim=dim), lambda t: getattr(t, name)(dim=dim), x)
    assert out.dtype == dtype


@pytest.mark.parametrize("dtype", DTYPES)
def test_softmax_is_stable_for_huge_logits(torch, dtype):
    x = np.array([[1000.0, 0.0, -1000.0], [5e3, 5e3, 5e3]], dtype=dtype)
    for name in ("softmax", "log_softmax"):
        (out,) = compare(torch, lambda t: getattr(t, name)(1), lambda t: getattr(t, name)(1), x)
        assert not np.isnan(out.detach().numpy()).any()


# ---- fused cross-entropy ------------------------------------------------------------------
@st.composite
def cross_entropy_case(draw):
    n = draw(st.integers(1, 4))
    c = draw(st.integers(2, 5))
    extra = tuple(draw(st.lists(st.integers(1, 3), max_size=2)))
    return dict(
        n=n,
        c=c,
        extra=extra,
        weighted=draw(st.booleans()),
        ignore=draw(st.sampled_from([None, -100, 1])),
        reduction=draw(st.sampled_from(["mean", "sum", "none"])),
        smoothing=draw(st.sampled_from([0.0, 0.1, 0.35])),
    )


@pytest.mark.parametrize("dtype", DTYPES)
@SETTINGS
@given(case=cross_entropy_case(), seed=seeds)
def test_cross_entropy_indices(torch, dtype, case, seed):
    r = np.random.default_rng(seed)
    n, c, extra = case["n"], case["c"], case["extra"]
    logits = normal(seed, (n, c) + extra, dtype, scale=2)
    target = r.integers(0, c, (n,) + extra)
    ignore = case["ignore"]
    if ignore is not None:
        drop = r.random(target.shape) < 0.3
        drop.flat[0] = False  # keep one target, so that 'mean' divides by a non-zero total
        target = np.where(drop, ignore, target)
    ignore_index = -100 if ignore is None else ignore
    weight = r.uniform(0.2, 2.0, c).astype(dtype) if case["weighted"] else None
    reduction, eps = case["reduction"], case["smoothing"]

    def ours(x):
        return CrossEntropyIndices.apply(x, target, weight, ignore_index, reduction, eps)

    def theirs(x):
        return torch.nn.functional.cross_entropy(
            x,
            torch.from_numpy(target),
            weight=None if weight is None else torch.from_numpy(weight),
            ignore_index=ignore_index,
            reduction=reduction,
            label_smoothing=eps,
        )

    (out,) = verify(torch, ours, theirs, logits)
    assert out.dtype == dtype


@pytest.mark.parametrize("smoothing", [0.0, 0.2])
def test_cross_entropy_with_every_target_ignored(torch, smoothing):
    # 'mean' divides 0 by a total weight of 0: NaN, as in PyTorch, but a zero gradient
    target = np.array([2, 2])
    (out,) = compare(
        torch,
        lambda x: CrossEntropyIndices.apply(x, target, None, 2, "mean", smoothing),
        lambda x: torch.nn.functional.cross_entropy(
            x, torch.from_numpy(target), ignore_index=2, label_smoothing=smoothing
        ),
        normal(1, (2, 3)),
    )
    assert np.isnan(out.item())


def test_cross_entropy_is_stable_for_huge_logits(torch):
    logits = np.array([[1000.0, -1000.0, 0.0], [0.0, 0.0, 3e4]], dtype=np.float32)
    target = np.array([1, 0])
    for reduction in ("mean", "sum", "none"):
        (out,) = compare(
            torch,
            lambda x: CrossEntropyIndices.apply(x, target, None, -100, reduction, 0.1),
            lambda x: torch.nn.functional.cross_entropy(
                x, torch.from_numpy(target), reduction=reduction, label_smoothing=0.1
            ),
            logits,
        )
        assert np.isfinite(out.detach().numpy()).all()


# ---- the checker itself can fail -------------------------------------------------------
class _WrongSquare(gn.autograd.Op):
    """x² with a backward that is off by 10% (what a slip in an op looks like)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 2.2 * x


def test_checker_catches_a_wrong_gradient(torch):
    x = normal(1, (2, 3))
    compare(torch, lambda t: t * t, lambda t: t * t, x)  # the right op passes
    with pytest.raises(AssertionError, match="gradient of input 0"):
        compare(torch, _WrongSquare.apply, lambda t: t * t, x)
    with pytest.raises(gn.GradcheckError, match="input 0"):
        check_grad(_WrongSquare.apply, x)
    with pytest.raises(AssertionError, match="output 0 value"):
        compare(torch, lambda t: t * t, lambda t: t * t + 1e-8, x)
    with pytest.raises(AssertionError, match="dtype"):  # a float32 op that returns float64
        compare(torch, lambda t: t.double(), lambda t: t, x.astype(np.float32))
