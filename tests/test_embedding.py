"""Embedding: F.embedding (glassnet.ops.embedding's op and its scatter-add
backward) and nn.Embedding against PyTorch and finite differences — index
shapes, repeated indices, padding_idx (also negative), scale_grad_by_freq,
max_norm's in-place renormalization, from_pretrained/freeze, state_dict
round trips, and the errors."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from opcheck import DTYPES, FEW, SETTINGS, assert_close, check_grad, compare, normal, seeds

import glassnet as gn
from glassnet import nn
from glassnet.errors import DTypeError, ShapeError
from glassnet.nn import functional as F
from glassnet.ops.embedding import scatter_add_rows

pytestmark = pytest.mark.torch

TOL = {np.dtype(np.float64): 1e-9, np.dtype(np.float32): 1e-4}


def _indices(seed, shape, rows):
    """Integer indices with plenty of repeats (a small range of a small table)."""
    return np.random.default_rng(seed).integers(0, rows, shape)


# ---- the scatter-add ------------------------------------------------------------------------
@SETTINGS
@given(n=st.integers(0, 300), rows=st.integers(1, 40), dim=st.integers(1, 6), seed=seeds)
def test_scatter_add_rows_equals_add_at(n, rows, dim, seed):
    index = _indices(seed, n, rows)
    src = normal(seed, (n, dim))
    expected = np.zeros((rows, dim))
    np.add.at(expected, index, src)
    out = scatter_add_rows(index, src, rows)
    assert out.shape == (rows, dim) and out.dtype == np.float64
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)


def test_scatter_add_rows_keeps_float32_and_int32_indices():
    index = np.array([3, 0, 3, 3], dtype=np.int32)
    src = np.ones((4, 2), np.float32)
    out = scatter_add_rows(index, src, 5)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, [[1, 1], [0, 0], [0, 0], [3, 3], [0, 0]])


# ---- F.embedding against torch -----------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@SETTINGS
@given(
    shape=st.lists(st.integers(1, 4), max_size=3),
    rows=st.integers(1, 6),
    dim=st.integers(1, 4),
    padding=st.one_of(st.none(), st.integers(-6, 5)),
    by_freq=st.booleans(),
    seed=seeds,
)
def test_embedding_functional(torch, dtype, shape, rows, dim, padding, by_freq, seed):
    if padding is not None and not -rows <= padding < rows:
        padding = None
    index = _indices(seed, tuple(shape), rows)
    weight = normal(seed + 1, (rows, dim), dtype)
    (out,) = compare(
        torch,
        lambda i, w: F.embedding(i, w, padding_idx=padding, scale_grad_by_freq=by_freq),
        lambda i, w: torch.nn.functional.embedding(
            i, w, padding_idx=padding, scale_grad_by_freq=by_freq
        ),
        index,
        weight,
        rtol=TOL[np.dtype(dtype)],
    )
    assert out.shape == tuple(shape) + (dim,) and out.dtype == dtype


def test_embedding_padding_row_gets_no_gradient():
    w = gn.tensor(normal(1, (4, 3)), requires_grad=True)
    F.embedding(gn.tensor([[2, 0, 2], [0, 1, 2]]), w, padding_idx=2).sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), [[2, 2, 2], [1, 1, 1], [0, 0, 0], [0, 0, 0]])
    w.grad = None
    F.embedding(gn.tensor([3, 3, 1]), w, padding_idx=-1).sum().backward()  # -1: the last row
    np.testing.assert_array_equal(w.grad.numpy()[3], [0, 0, 0])
    np.testing.assert_array_equal(w.grad.numpy()[1], [1, 1, 1])


def test_embedding_gradcheck():
    w = normal(1, (5, 3))
    index = np.array([[0, 4, 4], [2, 0, 4]])
    check_grad(lambda i, w: F.embedding(i, w), index, w, grads=[False, True])
    check_grad(
        lambda i, w: F.embedding(i, w) * F.embedding(i[::-1], w), index, w, grads=[False, True]
    )
    # padding_idx and scale_grad_by_freq change the gradient on purpose (it is no longer
    # the derivative); they are checked against PyTorch above


def test_embedding_large_batch_matches_torch(torch):
    """A large batch over a large table, float32: the flat scatter-add path."""
    index = _indices(3, (64, 50), 1000)
    weight = normal(4, (1000, 32), np.float32)
    compare(torch, F.embedding, torch.nn.functional.embedding, index, weight, rtol=1e-4)


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0])
def test_embedding_max_norm_renormalizes_in_place_as_torch(torch, norm_type):
    weight = normal(2, (6, 4)) * 2
    index = np.array([[0, 1, 1], [4, 0, 5]])  # rows 2 and 3 are not looked up
    gw = gn.tensor(weight.copy(), requires_grad=True)
    tw = torch.tensor(weight.copy(), requires_grad=True)
    out = F.embedding(gn.tensor(index), gw, max_norm=1.5, norm_type=norm_type)
    t_out = torch.nn.functional.embedding(
        torch.tensor(index), tw, max_norm=1.5, norm_type=norm_type
    )
    assert_close(gw.detach().numpy(), tw.detach().numpy(), 1e-9, "renormalized weight")
    np.testing.assert_array_equal(gw.detach().numpy()[2:4], weight[2:4])  # unused rows untouched
    norms = np.linalg.norm(gw.detach().numpy()[[0, 1, 4, 5]], ord=norm_type, axis=1)
    assert np.all(norms <= 1.5 + 1e-6)
    assert_close(out.detach().numpy(), t_out.detach().numpy(), 1e-9, "output")
    up = normal(3, out.shape)
    out.backward(up)
    t_out.backward(torch.tensor(up))
    assert_close(gw.grad.numpy(), tw.grad.numpy(), 1e-9, "weight gradient")


# ---- nn.Embedding ------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@FEW
@given(
    rows=st.integers(2, 8),
    dim=st.integers(1, 5),
    padding=st.one_of(st.none(), st.integers(0, 1)),
    seed=seeds,
)
def test_embedding_module_with_torch_weights(torch, dtype, rows, dim, padding, seed):
    tdtype = torch.float64 if np.dtype(dtype) == np.float64 else torch.float32
    t = torch.nn.Embedding(rows, dim, padding_idx=padding, dtype=tdtype)
    g = nn.Embedding(rows, dim, padding_idx=padding, dtype=dtype)
    g.load_state_dict({k: v.detach().numpy() for k, v in t.state_dict().items()})
    index = _indices(seed, (3, 4), rows)
    out, t_out = g(gn.tensor(index)), t(torch.tensor(index))
    assert out.dtype == dtype
    assert_close(out.detach().numpy(), t_out.detach().numpy(), TOL[np.dtype(dtype)], "output")
    up = normal(seed, out.shape, dtype)
    out.backward(up)
    t_out.backward(torch.from_numpy(up))
    assert g.weight.grad.dtype == dtype
    assert_close(g.weight.grad.numpy(), t.weight.grad.numpy(), TOL[np.dtype(dtype)], "gradient")
    assert repr(g) == repr(t)


def test_embedding_init_padding_and_repr(torch):
    gn.manual_seed(0)
    e = nn.Embedding(1000, 16, padding_idx=-2)
    assert e.padding_idx == 998
    np.testing.assert_array_equal(e.weight.detach().numpy()[998], np.zeros(16, np.float32))
    w = np.delete(e.weight.detach().numpy(), 998, axis=0)
    assert w.dtype == np.float32 and abs(w.mean()) < 0.02 and abs(w.std() - 1) < 0.02  # N(0, 1)
    assert e.weight.requires_grad
    for kw in [
        {},
        {"padding_idx": 3},
        {"max_norm": 1.0, "norm_type": 1.0},
        {"scale_grad_by_freq": True},
    ]:
        assert repr(nn.Embedding(10, 3, **kw)) == repr(torch.nn.Embedding(10, 3, **kw))


def test_embedding_from_pretrained(torch):
    table = gn.tensor(normal(1, (4, 3), np.float32))
    e = nn.Embedding.from_pretrained(table)
    assert not e.weight.requires_grad and e.weight.numpy() is table.numpy()  # shared, frozen
    out = e(gn.tensor([1, 1, 3]))
    assert not out.requires_grad
    np.testing.assert_array_equal(out.numpy(), table.numpy()[[1, 1, 3]])
    learn = nn.Embedding.from_pretrained(table, freeze=False, padding_idx=0)
    assert learn.weight.requires_grad
    np.testing.assert_array_equal(
        learn.weight.detach().numpy()[0], table.detach().numpy()[0]
    )  # not zeroed
    learn(gn.tensor([0, 2])).sum().backward()
    np.testing.assert_array_equal(learn.weight.grad.numpy(), [[0] * 3, [0] * 3, [1] * 3, [0] * 3])
    t = torch.nn.Embedding.from_pretrained(torch.from_numpy(table.numpy().copy()))
    assert repr(e) == repr(t) and t.weight.requires_grad == e.weight.requires_grad
    frozen = nn.Embedding(4, 3, _weight=table, _freeze=True)
    assert not frozen.weight.requires_grad


def test_embedding_state_dict_round_trip_with_torch(torch):
    t = torch.nn.Embedding(7, 3, padding_idx=1)
    g = nn.Embedding(7, 3, padding_idx=1)
    g.load_state_dict(t.state_dict())
    assert list(g.state_dict()) == list(t.state_dict()) == ["weight"]
    index = np.array([[6, 1, 0]])
    np.testing.assert_array_equal(
        g(gn.tensor(index)).detach().numpy(), t(torch.tensor(index)).detach().numpy()
    )
    t2 = torch.nn.Embedding(7, 3)
    t2.load_state_dict({k: torch.from_numpy(v.numpy().copy()) for k, v in g.state_dict().items()})
    np.testing.assert_array_equal(t2.weight.detach().numpy(), g.weight.detach().numpy())


def test_embedding_learns_with_sgd():
    """Only the rows that are looked up move; the padding row never does."""
    e = nn.Embedding(5, 2, padding_idx=0)
    before = e.weight.detach().numpy().copy()
    opt = gn.optim.SGD(e.parameters(), lr=0.5)
    for _ in range(3):
        opt.zero_grad()
        e(gn.tensor([[1, 0, 1], [3, 0, 0]])).square().sum().backward()
        opt.step()
    moved = np.any(e.weight.detach().numpy() != before, axis=1)
    np.testing.assert_array_equal(moved, [False, True, False, True, False])


# ---- errors --------------------------------------------------------------------------------
def test_embedding_errors():
    e = nn.Embedding(5, 2)
    with pytest.raises(
        IndexError,
        match=r"Embedding\(5, 2\): index 5 is out of range for a "
        r"table of 5 rows \(expected 0 to 4\)",
    ):
        e(gn.tensor([[0, 5]]))
    with pytest.raises(IndexError, match=r"Embedding\(5, 2\): index -1 is out of range"):
        e(gn.tensor([-1]))
    with pytest.raises(
        DTypeError,
        match=r"Embedding\(5, 2\): indices must be an integer "
        r"tensor.*got float32",
    ):
        e(gn.tensor([1.0]))
    with pytest.raises(TypeError, match=r"Embedding\(5, 2\): expected an integer Tensor"):
        e([1, 2])
    with pytest.raises(
        ValueError,
        match=r"Embedding: padding_idx 5 must be within "
        "num_embeddings",
    ):
        nn.Embedding(5, 2, padding_idx=5)
    with pytest.raises(ValueError, match="padding_idx -6 must be within"):
        nn.Embedding(5, 2, padding_idx=-6)
    with pytest.raises(NotImplementedError, match="sparse=True is not supported"):
        nn.Embedding(5, 2, sparse=True)
    with pytest.raises(ShapeError, match=r"_weight has shape \(4, 2\), expected \(5, 2\)"):
        nn.Embedding(5, 2, _weight=gn.zeros(4, 2))
    with pytest.raises(ShapeError, match="from_pretrained: embeddings must be 2-D"):
        nn.Embedding.from_pretrained(gn.zeros(4))
    with pytest.raises(ShapeError, match="embedding: weight must be a 2-D Tensor"):
        F.embedding(gn.tensor([0]), gn.zeros(3))
    with pytest.raises(IndexError, match="embedding: index 3 is out of range"):
        F.embedding(gn.tensor([3]), gn.zeros(3, 2))
    with pytest.raises(ValueError, match="embedding: padding_idx 3 must be within"):
        F.embedding(gn.tensor([0]), gn.zeros(3, 2), padding_idx=3)


def test_lazy_names_resolve():
    assert nn.Embedding.__module__ == "glassnet.nn.embedding"
    assert F.embedding.__module__ == "glassnet.nn.functional.norm"
    assert gn.tensor([[1, 2]]).dtype == np.int64  # indices default to int64, as in torch
