"""Indexing against PyTorch and finite differences: basic indices (ints,
slices with steps, None, Ellipsis), advanced ones (integer arrays with
repeated entries, several arrays broadcast together, boolean masks),
setitem on a non-leaf (differentiable in both the tensor and the value),
gather and index_select. Backward must scatter-add: a position picked
twice gets both gradients."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from opcheck import DTYPES, SETTINGS, normal, seeds, shapes, verify

import glassnet as gn

pytestmark = pytest.mark.torch


def _torch_index(torch, idx):
    """The same index for PyTorch: arrays become tensors."""
    if isinstance(idx, tuple):
        return tuple(_torch_index(torch, i) for i in idx)
    if isinstance(idx, np.ndarray):
        return torch.from_numpy(idx)
    return idx


@st.composite
def basic_index(draw, shape):
    """Ints (possibly negative), slices (with steps, possibly empty), None and
    at most one Ellipsis standing for a run of full slices."""
    items = []
    for n in shape:
        kind = draw(st.sampled_from(["int", "slice", "full"]))
        if kind == "int":
            items.append(draw(st.integers(-n, n - 1)))
        elif kind == "slice":
            start = draw(st.none() | st.integers(-n - 1, n + 1))
            stop = draw(st.none() | st.integers(-n - 1, n + 1))
            step = draw(st.none() | st.integers(1, 3))  # PyTorch has no negative steps
            items.append(slice(start, stop, step))
        else:
            items.append(slice(None))
    cut = draw(st.integers(0, len(items)))
    items = items[:cut]  # trailing dims left out are taken whole
    if items and draw(st.booleans()):  # replace a run of items with ...
        i = draw(st.integers(0, len(items) - 1))
        j = draw(st.integers(i, len(items)))
        items = items[:i] + [Ellipsis] + items[j:]
    for _ in range(draw(st.integers(0, 2))):
        items.insert(draw(st.integers(0, len(items))), None)
    return tuple(items)


@pytest.mark.parametrize("dtype", DTYPES)
@SETTINGS
@given(shape=shapes(min_dims=1, max_dims=3), seed=seeds, data=st.data())
def test_basic_indexing(torch, dtype, shape, seed, data):
    idx = data.draw(basic_index(shape))
    x = normal(seed, shape, dtype)
    verify(torch, lambda t: t[idx], lambda t: t[idx], x)
    # a single int or slice, not wrapped in a tuple
    verify(torch, lambda t: t[-1], lambda t: t[-1], x)
    verify(torch, lambda t: t[1:], lambda t: t[1:], x)


@pytest.mark.parametrize("dtype", DTYPES)
@SETTINGS
@given(shape=shapes(min_dims=1, max_dims=3), seed=seeds, data=st.data())
def test_integer_array_indexing_with_repeats(torch, dtype, shape, seed, data):
    r = np.random.default_rng(seed)
    x = normal(seed, shape, dtype)
    n0 = shape[0]
    # repeated entries (and negative ones) must add their gradients
    idx = r.integers(-n0, n0, size=data.draw(st.sampled_from([(5,), (2, 3), ()])))
    verify(torch, lambda t: t[idx], lambda t: t[_torch_index(torch, idx)], x)
    verify(torch, lambda t: t[gn.tensor(idx)], lambda t: t[_torch_index(torch, idx)], x)
    if idx.ndim == 1:  # a list (PyTorch reads a nested list as a tuple of indices)
        verify(torch, lambda t: t[idx.tolist()], lambda t: t[torch.tensor(idx.tolist())], x)
    if len(shape) >= 2:
        # two arrays broadcast together, and an array after a slice
        i0 = r.integers(0, shape[0], size=(4, 1))
        i1 = r.integers(0, shape[1], size=(3,))
        both = (i0, i1)
        verify(torch, lambda t: t[both], lambda t: t[_torch_index(torch, both)], x)
        after = (slice(None), i1)
        verify(torch, lambda t: t[after], lambda t: t[_torch_index(torch, after)], x)
        mixed = (i0[:, 0], Ellipsis, None)
        verify(torch, lambda t: t[mixed], lambda t: t[_torch_index(torch, mixed)], x)
    if len(shape) >= 3:
        # arrays separated by a slice: the indexed dims move to the front
        split = (r.integers(0, shape[0], 2), slice(None), r.integers(0, shape[2], 2))
        verify(torch, lambda t: t[split], lambda t: t[_torch_index(torch, split)], x)


@pytest.mark.parametrize("dtype", DTYPES)
@SETTINGS
@given(shape=shapes(min_dims=1, max_dims=3), seed=seeds)
def test_boolean_mask_indexing(torch, dtype, shape, seed):
    r = np.random.default_rng(seed)
    x = normal(seed, shape, dtype)
    full = r.random(shape) < 0.5
    verify(torch, lambda t: t[full], lambda t: t[torch.from_numpy(full)], x)
    verify(torch, lambda t: t[gn.tensor(x) > 0], lambda t: t[t.detach() > 0], x)
    rows = r.random(shape[:1]) < 0.5
    verify(torch, lambda t: t[rows], lambda t: t[torch.from_numpy(rows)], x)
    if len(shape) >= 2:
        cols = r.random(shape[1:2]) < 0.5
        idx = (slice(None), cols)
        verify(torch, lambda t: t[idx], lambda t: t[_torch_index(torch, idx)], x)


def test_index_select(torch):
    for dtype in DTYPES:
        x = normal(5, (3, 4, 2), dtype)
        idx = np.array([3, 0, 3, 1])
        verify(
            torch,
            lambda t: t.index_select(1, gn.tensor(idx)),
            lambda t: t.index_select(1, torch.from_numpy(idx)),
            x,
        )
        verify(
            torch,
            lambda t: gn.index_select(t, -1, idx % 2),
            lambda t: t.index_select(-1, torch.from_numpy(idx % 2)),
            x,
        )


# ---- setitem on a non-leaf ---------------------------------------------------------------
def _setitem_fn(idx, tidx=None, scalar=None):
    """y = 2x (a non-leaf); y[idx] = v; return y·y (so the gradient depends on v)."""
    tidx = idx if tidx is None else tidx

    def make(index):
        def fn(x, v=None):
            y = x * 2
            y[index] = v if scalar is None else scalar
            return y * y

        return fn

    return make(idx), make(tidx)


@pytest.mark.parametrize("dtype", DTYPES)
@SETTINGS
@given(shape=shapes(min_dims=1, max_dims=3), seed=seeds, data=st.data())
def test_setitem_on_non_leaf(torch, dtype, shape, seed, data):
    r = np.random.default_rng(seed)
    x = normal(seed, shape, dtype)
    # basic index; the value broadcast from a smaller shape
    idx = data.draw(basic_index(shape))
    target = np.empty(shape)[idx].shape
    vshape = target[data.draw(st.integers(0, len(target))) :]
    v = normal(seed + 1, vshape, dtype)
    g, t = _setitem_fn(idx)
    verify(torch, g, t, x, v)
    g, t = _setitem_fn(idx, scalar=0.25)
    verify(torch, g, t, x)
    # integer array (no repeats: which write wins is unspecified in PyTorch)
    rows = r.permutation(shape[0])[: max(1, shape[0] - 1)]
    v = normal(seed + 2, (len(rows),) + shape[1:], dtype)
    g, t = _setitem_fn(rows, torch.from_numpy(rows))
    verify(torch, g, t, x, v)
    # boolean mask, with one value broadcast to every selected element
    mask = r.random(shape) < 0.5
    g, t = _setitem_fn(mask, torch.from_numpy(mask))
    verify(torch, g, t, x, normal(seed + 3, (), dtype))


def test_setitem_on_non_leaf_keeps_earlier_uses_intact(torch):
    """y is used before the assignment: that use must see the old values."""

    def fn(x, v):
        y = x * 1.5
        before = y.sum(0)
        y[0] = v
        return before * y[0] + y[1:].sum(0)

    verify(torch, fn, fn, normal(1, (3, 2)), normal(2, (2,)))


def test_setitem_turning_a_constant_into_a_graph_node(torch):
    """y needs no grad when cat uses it; assigning a value that needs grad
    afterwards must not send cat's gradient for y into that value."""

    def fn(w, v):
        y = w.detach() * 0  # a constant
        out = gn.cat([y, w]) if isinstance(w, gn.Tensor) else torch.cat([y, w])
        y[0] = v
        return out.sum() + (y * y).sum()

    verify(torch, fn, fn, normal(1, (3,)), normal(2, ()))


# ---- gather --------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@SETTINGS
@given(shape=shapes(min_dims=1, max_dims=3), seed=seeds, data=st.data())
def test_gather(torch, dtype, shape, seed, data):
    nd = len(shape)
    dim = data.draw(st.integers(-nd, nd - 1))
    # the index may be smaller than the input in every dim but ``dim``, and
    # larger along it; entries repeat
    ishape = tuple(
        data.draw(st.integers(1, 5)) if d == dim % nd else data.draw(st.integers(1, n))
        for d, n in enumerate(shape)
    )
    index = np.random.default_rng(seed).integers(0, shape[dim], ishape)
    x = normal(seed, shape, dtype)
    verify(torch, lambda t, i: t.gather(dim, i), lambda t, i: t.gather(dim, i), x, index)
    verify(torch, lambda t, i: gn.gather(t, dim, i), lambda t, i: torch.gather(t, dim, i), x, index)
