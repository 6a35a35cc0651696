"""Reductions against PyTorch and finite differences: sum, mean, var, std
(any dims, keepdim, correction), amax/amin over several dims, max/min (full,
and along a dim with indices), logsumexp, argmax/argmin; and the tie rules
PyTorch documents for max/min."""

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from opcheck import DTYPES, FEW, SETTINGS, compare, distinct, normal, seeds, shapes, verify

import glassnet as gn

pytestmark = pytest.mark.torch


@st.composite
def shape_and_dims(draw, min_dims=0, max_dims=3):
    """A shape and a dim argument for it: None, one dim, or a tuple of
    distinct dims, any of them possibly negative."""
    shape = draw(shapes(min_dims=min_dims, max_dims=max_dims))
    nd = len(shape)
    kind = draw(st.sampled_from(["none", "one", "tuple"]))
    if nd == 0 or kind == "none":
        return shape, None
    dims = draw(st.lists(st.integers(0, nd - 1), unique=True, min_size=1, max_size=nd))
    dims = [d - nd if draw(st.booleans()) else d for d in dims]
    return shape, (dims[0] if kind == "one" else tuple(dims))


def _count(shape, dims):
    if dims is None:
        return int(np.prod(shape))
    dims = (dims,) if isinstance(dims, int) else dims
    return int(np.prod([shape[d] for d in dims]))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ["sum", "mean"])
@SETTINGS
@given(sd=shape_and_dims(), keepdim=st.booleans(), seed=seeds)
def test_sum_mean(torch, name, dtype, sd, keepdim, seed):
    shape, dims = sd
    x = normal(seed, shape, dtype)
    if dims is None:
        (out,) = verify(torch, lambda t: getattr(t, name)(), lambda t: getattr(t, name)(), x)
    else:
        (out,) = verify(
            torch,
            lambda t: getattr(gn, name)(t, dims, keepdim),
            lambda t: getattr(t, name)(dims, keepdim),
            x,
        )
    assert out.dtype == dtype


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ["var", "std"])
@SETTINGS
@given(
    sd=shape_and_dims(), keepdim=st.booleans(), correction=st.sampled_from([0, 1, 2]), seed=seeds
)
def test_var_std(torch, name, dtype, sd, keepdim, correction, seed):
    shape, dims = sd
    # the std of one element is 0, where √ has no derivative
    assume(not (name == "std" and _count(shape, dims) == 1))
    if _count(shape, dims) <= correction:  # N − correction ≤ 0 divides by ≤ 0
        correction = 0
    x = normal(seed, shape, dtype) + 0.5
    (out,) = verify(
        torch,
        lambda t: getattr(t, name)(dim=dims, keepdim=keepdim, correction=correction),
        lambda t: getattr(t, name)(dim=dims, keepdim=keepdim, correction=correction),
        x,
    )
    assert out.dtype == dtype


@pytest.mark.parametrize("dtype", DTYPES)
def test_var_std_defaults_and_aliases(torch, dtype):
    x = normal(3, (3, 4), dtype)
    for name in ("var", "std"):
        verify(torch, lambda t: getattr(t, name)(), lambda t: getattr(t, name)(), x)
        verify(
            torch,
            lambda t: getattr(t, name)(1, unbiased=False),
            lambda t: getattr(t, name)(1, unbiased=False),
            x,
        )
        verify(
            torch,
            lambda t: getattr(gn, name)(t, axis=0, ddof=0, keepdims=True),
            lambda t: getattr(t, name)(0, correction=0, keepdim=True),
            x,
        )


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ["amax", "amin"])
@SETTINGS
@given(sd=shape_and_dims(), keepdim=st.booleans(), seed=seeds)
def test_amax_amin(torch, name, dtype, sd, keepdim, seed):
    shape, dims = sd
    x = distinct(seed, shape, dtype)
    tdims = () if dims is None else dims  # torch.amax(dim=()) reduces all dims
    verify(
        torch,
        lambda t: getattr(gn, name)(t, dims, keepdim),
        lambda t: getattr(t, name)(tdims, keepdim),
        x,
    )


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ["max", "min"])
@SETTINGS
@given(shape=shapes(min_dims=0), keepdim=st.booleans(), seed=seeds, data=st.data())
def test_max_min_full_and_along_dim(torch, name, dtype, shape, keepdim, seed, data):
    x = distinct(seed, shape, dtype)
    verify(torch, lambda t: getattr(t, name)(), lambda t: getattr(t, name)(), x)
    dim = data.draw(st.integers(-max(len(shape), 1), max(len(shape), 1) - 1))
    values, indices = verify(
        torch,
        lambda t: getattr(gn, name)(t, dim, keepdim),
        lambda t: getattr(t, name)(dim, keepdim),
        x,
    )
    assert indices.dtype == np.int64 and not indices.requires_grad
    named = getattr(gn.tensor(x), name)(dim=dim, keepdim=keepdim)
    assert named.values.shape == values.shape and named.indices.shape == indices.shape


@pytest.mark.parametrize("dtype", DTYPES)
@SETTINGS
@given(sd=shape_and_dims(), keepdim=st.booleans(), seed=seeds, scale=st.sampled_from([1.0, 30.0]))
def test_logsumexp(torch, dtype, sd, keepdim, seed, scale):
    shape, dims = sd
    x = normal(seed, shape, dtype, scale=scale)
    tdims = tuple(range(len(shape))) if dims is None else dims
    (out,) = verify(
        torch, lambda t: gn.logsumexp(t, dims, keepdim), lambda t: t.logsumexp(tdims, keepdim), x
    )
    assert out.dtype == dtype


@pytest.mark.parametrize("dtype", DTYPES)
def test_logsumexp_does_not_overflow(torch, dtype):
    x = np.array([[1000.0, 999.0, -1000.0], [-1e4, -1e4, -1e4]], dtype=dtype)
    (out,) = compare(torch, lambda t: t.logsumexp(1), lambda t: t.logsumexp(1), x)
    assert np.isfinite(out.detach().numpy()).all()


# ---- tie conventions ------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
def test_full_max_min_share_the_gradient_equally_among_ties(torch, dtype):
    x = np.array([[1.0, 3.0, 3.0], [3.0, -2.0, -2.0]], dtype=dtype)
    for fn in (
        lambda t: t.max(),
        lambda t: t.min(),
        lambda t: t.amax((0, 1)),
        lambda t: t.amax(1),
        lambda t: t.amin(0, keepdim=True),
    ):
        compare(torch, fn, fn, x)
    t = gn.tensor(x, requires_grad=True)
    t.max().backward()
    np.testing.assert_array_equal(
        t.grad.numpy(), np.array([[0, 1, 1], [1, 0, 0]], dtype) / dtype(3)
    )


def test_max_along_dim_sends_the_gradient_to_the_returned_index_only():
    x = gn.tensor([[2.0, 2.0, 1.0]], requires_grad=True)
    values, indices = x.max(dim=1)
    values.sum().backward()
    grad = np.zeros((1, 3), dtype=np.float32)
    grad[0, indices.item()] = 1
    np.testing.assert_array_equal(x.grad.numpy(), grad)


# ---- argmax / argmin: no gradient -----------------------------------------------------
@pytest.mark.parametrize("name", ["argmax", "argmin"])
@SETTINGS
@given(shape=shapes(min_dims=1), keepdim=st.booleans(), seed=seeds, data=st.data())
def test_argmax_argmin(torch, name, shape, keepdim, seed, data):
    x = distinct(seed, shape, np.float32)
    dim = data.draw(st.none() | st.integers(-len(shape), len(shape) - 1))
    (out,) = compare(
        torch,
        lambda t: getattr(t, name)(dim=dim, keepdim=keepdim),
        lambda t: getattr(t, name)(dim=dim, keepdim=keepdim),
        x,
    )
    assert out.dtype == np.int64 and not out.requires_grad


@pytest.mark.parametrize("dtype", DTYPES)
@FEW
@given(shape=shapes(min_dims=2, max_dims=3), seed=seeds)
def test_reduction_aliases_axis_keepdims(torch, dtype, shape, seed):
    x = normal(seed, shape, dtype)
    verify(
        torch,
        lambda t: gn.sum(t, axis=(0, -1), keepdims=True),
        lambda t: t.sum((0, -1), keepdim=True),
        x,
    )
    verify(torch, lambda t: t.mean(axis=1), lambda t: t.mean(1), x)
