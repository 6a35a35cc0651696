"""Shape ops against PyTorch and finite differences: reshape/view, flatten,
transpose/permute/.T, squeeze/unsqueeze, expand, cat, stack, split/chunk,
pad. Their gradients only move elements, so each check also confirms that
no gradient is lost or counted twice."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from opcheck import DTYPES, SETTINGS, normal, seeds, shapes, verify

import glassnet as gn

pytestmark = pytest.mark.torch


def _divisors(n):
    return [d for d in range(1, n + 1) if n % d == 0]


@pytest.mark.parametrize("dtype", DTYPES)
@SETTINGS
@given(shape=shapes(), seed=seeds, data=st.data())
def test_reshape_view(torch, dtype, shape, seed, data):
    n = int(np.prod(shape))
    d = data.draw(st.sampled_from(_divisors(n)))
    target = data.draw(
        st.sampled_from([(n,), (-1,), (d, n // d), (d, -1), (-1, d, 1), tuple(reversed(shape))])
    )
    x = normal(seed, shape, dtype)
    verify(torch, lambda t: t.reshape(target), lambda t: t.reshape(target), x)
    verify(torch, lambda t: t.view(*target), lambda t: t.view(target), x)
    verify(torch, lambda t: gn.reshape(t, target), lambda t: t.reshape(target), x)


@pytest.mark.parametrize("dtype", DTYPES)
@SETTINGS
@given(shape=shapes(min_dims=1, max_dims=4, max_side=3), seed=seeds, data=st.data())
def test_flatten(torch, dtype, shape, seed, data):
    nd = len(shape)
    start = data.draw(st.integers(-nd, nd - 1))
    end = data.draw(st.integers(start % nd, nd - 1))
    x = normal(seed, shape, dtype)
    verify(torch, lambda t: t.flatten(start, end), lambda t: t.flatten(start, end), x)
    verify(torch, lambda t: gn.flatten(t), lambda t: t.flatten(), x)


@pytest.mark.parametrize("dtype", DTYPES)
@SETTINGS
@given(shape=shapes(min_dims=1, max_dims=4, max_side=3), seed=seeds, data=st.data())
def test_permute_transpose(torch, dtype, shape, seed, data):
    nd = len(shape)
    order = data.draw(st.permutations(range(nd)))
    d0, d1 = data.draw(st.integers(-nd, nd - 1)), data.draw(st.integers(-nd, nd - 1))
    x = normal(seed, shape, dtype)
    verify(torch, lambda t: t.permute(*order), lambda t: t.permute(*order), x)
    verify(torch, lambda t: gn.permute(t, order), lambda t: t.permute(order), x)
    verify(torch, lambda t: t.transpose(d0, d1), lambda t: t.transpose(d0, d1), x)
    if nd <= 2:
        verify(torch, lambda t: t.t(), lambda t: t.t(), x)
    if nd == 2:  # PyTorch deprecates .T on other ranks
        verify(torch, lambda t: t.T, lambda t: t.T, x)
    if nd >= 2:
        verify(torch, lambda t: t.mT, lambda t: t.mT, x)


@pytest.mark.parametrize("dtype", DTYPES)
@SETTINGS
@given(shape=shapes(min_dims=0, max_dims=4, max_side=3), seed=seeds, data=st.data())
def test_squeeze_unsqueeze(torch, dtype, shape, seed, data):
    nd = len(shape)
    x = normal(seed, shape, dtype)
    verify(torch, lambda t: t.squeeze(), lambda t: t.squeeze(), x)
    if nd:
        d = data.draw(st.integers(-nd, nd - 1))  # squeezing a dim that is not 1 does nothing
        verify(torch, lambda t: t.squeeze(d), lambda t: t.squeeze(d), x)
        dims = tuple(data.draw(st.lists(st.integers(0, nd - 1), unique=True, min_size=1)))
        verify(torch, lambda t: t.squeeze(dims), lambda t: t.squeeze(dims), x)
    u = data.draw(st.integers(-nd - 1, nd))
    verify(torch, lambda t: t.unsqueeze(u), lambda t: t.unsqueeze(u), x)
    verify(torch, lambda t: gn.unsqueeze(t, u), lambda t: t.unsqueeze(u), x)


@st.composite
def expand_case(draw):
    """A shape with some dims of size 1 and a shape it can be expanded to
    (size-1 dims grown, new leading dims, -1 meaning 'keep')."""
    shape = draw(shapes(min_dims=0, max_dims=3, max_side=3))
    shape = tuple(1 if draw(st.booleans()) else n for n in shape)
    lead = tuple(draw(st.lists(st.integers(1, 3), max_size=2)))
    grown = tuple(
        (draw(st.integers(1, 3)) if n == 1 else n) if not draw(st.booleans()) else -1 for n in shape
    )
    return shape, lead + grown


@pytest.mark.parametrize("dtype", DTYPES)
@SETTINGS
@given(case=expand_case(), seed=seeds)
def test_expand(torch, dtype, case, seed):
    shape, target = case
    x = normal(seed, shape, dtype)
    verify(torch, lambda t: t.expand(*target), lambda t: t.expand(target), x)
    verify(torch, lambda t: gn.expand(t, target), lambda t: t.expand(target), x)
    full = gn.tensor(x).expand(*target).shape
    y = normal(seed + 1, full, dtype)
    verify(torch, lambda t, o: t.expand_as(o) * o, lambda t, o: t.expand_as(o) * o, x, y)


@pytest.mark.parametrize("dtype", DTYPES)
@SETTINGS
@given(shape=shapes(min_dims=1, max_dims=3, max_side=3), seed=seeds, data=st.data())
def test_cat(torch, dtype, shape, seed, data):
    nd = len(shape)
    dim = data.draw(st.integers(-nd, nd - 1))
    sizes = data.draw(st.lists(st.integers(0, 3), min_size=1, max_size=3))
    arrays = []
    for i, n in enumerate(sizes):
        s = list(shape)
        s[dim] = n
        arrays.append(normal(seed + i, tuple(s), dtype))
    verify(torch, lambda *ts: gn.cat(ts, dim), lambda *ts: torch.cat(ts, dim), *arrays)
    verify(torch, lambda *ts: gn.cat(list(ts), axis=dim), lambda *ts: torch.cat(ts, dim), *arrays)


@pytest.mark.parametrize("dtype", DTYPES)
@SETTINGS
@given(
    shape=shapes(min_dims=0, max_dims=3, max_side=3),
    n=st.integers(1, 3),
    seed=seeds,
    data=st.data(),
)
def test_stack(torch, dtype, shape, n, seed, data):
    nd = len(shape)
    dim = data.draw(st.integers(-nd - 1, nd))
    arrays = [normal(seed + i, shape, dtype) for i in range(n)]
    verify(torch, lambda *ts: gn.stack(ts, dim), lambda *ts: torch.stack(ts, dim), *arrays)


@pytest.mark.parametrize("dtype", DTYPES)
@SETTINGS
@given(shape=shapes(min_dims=1, max_dims=3, max_side=5), seed=seeds, data=st.data())
def test_split_chunk(torch, dtype, shape, seed, data):
    nd = len(shape)
    dim = data.draw(st.integers(-nd, nd - 1))
    n = shape[dim]
    size = data.draw(st.integers(1, n + 1))
    sections = data.draw(
        st.lists(st.integers(0, n), min_size=1, max_size=3).filter(lambda s: sum(s) <= n)
    )
    sections = sections + [n - sum(sections)]
    chunks = data.draw(st.integers(1, n + 1))
    x = normal(seed, shape, dtype)
    verify(torch, lambda t: t.split(size, dim), lambda t: t.split(size, dim), x)
    verify(torch, lambda t: gn.split(t, sections, dim), lambda t: t.split(sections, dim), x)
    verify(torch, lambda t: t.chunk(chunks, dim), lambda t: t.chunk(chunks, dim), x)


def test_split_pieces_used_unequally(torch):
    """Only some pieces reach the loss, and one of them twice."""
    x = normal(4, (5, 3))
    verify(
        torch,
        lambda t: (lambda p: p[0] * 2 + p[2].sum())(t.split(2)),
        lambda t: (lambda p: p[0] * 2 + p[2].sum())(t.split(2)),
        x,
    )


@pytest.mark.parametrize("dtype", DTYPES)
@SETTINGS
@given(
    shape=shapes(min_dims=1, max_dims=3, max_side=3),
    seed=seeds,
    data=st.data(),
    value=st.sampled_from([0.0, -1.5]),
)
def test_pad(torch, dtype, shape, seed, data, value):
    k = data.draw(st.integers(1, len(shape)))
    pad = tuple(data.draw(st.lists(st.integers(0, 2), min_size=2 * k, max_size=2 * k)))
    x = normal(seed, shape, dtype)
    F = torch.nn.functional
    verify(torch, lambda t: gn.pad(t, pad, value=value), lambda t: F.pad(t, pad, value=value), x)
