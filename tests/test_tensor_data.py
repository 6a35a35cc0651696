"""``Tensor.data`` and ``Tensor.numpy()`` as in PyTorch: ``.data`` is a
detached Tensor sharing the array, whose in-place changes autograd does not
see; ``t.data = other`` swaps the array; ``numpy()`` refuses a tensor that
requires grad. Each idiom runs in both libraries and is compared."""

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn
from glassnet.errors import DTypeError, GraphError
from glassnet.tensor import Tensor

START = [0.5, -2.0, 3.0]


def _leaf(lib):
    return lib.tensor(START, dtype=lib.float64, requires_grad=True)


IDIOMS = {
    "add_ alpha": lambda lib, p: p.data.add_(
        lib.tensor([1.0, 2.0, 4.0], dtype=lib.float64), alpha=-0.1
    ),
    "sub_ alpha": lambda lib, p: p.data.sub_(
        lib.tensor([1.0, 2.0, 4.0], dtype=lib.float64), alpha=0.5
    ),
    "zero_": lambda lib, p: p.data.zero_(),
    "copy_": lambda lib, p: p.data.copy_(lib.tensor([7.0, 8.0, 9.0], dtype=lib.float64)),
    "mul_": lambda lib, p: p.data.mul_(0.5),
    "clamp_": lambda lib, p: p.data.clamp_(-1, 1),
    "fill_": lambda lib, p: p.data.fill_(2.5),
    "setitem": lambda lib, p: p.data.__setitem__(0, 3),
    "setitem slice": lambda lib, p: p.data.__setitem__(
        slice(1, None), lib.tensor([4.0, 5.0], dtype=lib.float64)
    ),
    "iadd": lambda lib, p: p.data.__iadd__(1.0),
}


@pytest.mark.parametrize("name", IDIOMS)
def test_in_place_change_through_data_on_a_leaf_that_requires_grad(torch, name):
    def run(lib):
        p = _leaf(lib)
        IDIOMS[name](lib, p)  # outside no_grad, on a leaf that requires grad: allowed
        return p.detach().numpy().copy(), p.requires_grad, p.is_leaf, p.grad_fn, p._version

    ours, theirs = run(gn), run(torch)
    np.testing.assert_array_equal(ours[0], theirs[0])
    assert ours[1:] == theirs[1:] == (True, True, None, 0)


def test_normal_through_data_refills_a_parameter(torch):
    for lib in (gn, torch):
        lib.manual_seed(0)
        w = lib.nn.Linear(200, 100).weight
        w.data.normal_(0, 0.02)
        values = w.detach().numpy()
        assert w.requires_grad and w.is_leaf and w.grad_fn is None
        assert abs(values.std() - 0.02) < 0.001 and abs(values.mean()) < 0.001


def test_data_is_a_detached_tensor_sharing_memory(torch):
    for lib in (gn, torch):
        p = _leaf(lib)
        d = p.data
        assert type(d) is lib.Tensor and d is not p and p.data is not d  # a new alias each time
        assert not d.requires_grad and d.is_leaf and d.grad_fn is None
        assert np.shares_memory(d.numpy(), p.detach().numpy())
        y = p * 2
        assert y.data.grad_fn is None and not y.data.requires_grad
        np.testing.assert_array_equal(y.data.numpy(), [1.0, -4.0, 6.0])
        assert type(lib.nn.Parameter(lib.ones(2)).data) is lib.Tensor  # not a Parameter


def test_change_through_data_is_invisible_to_backward_as_in_torch(torch):
    """The documented danger of ``.data``: the graph saved p, p changes through
    ``.data``, and backward silently uses the changed values (no error)."""

    def run(lib):
        p = _leaf(lib)
        y = (p * p).sum()  # saves p for backward
        d = p.data
        d.mul_(2)
        y.backward()
        return p.grad.numpy().copy(), p._version, d._version

    (g_ours, v_ours, dv_ours), (g_theirs, v_theirs, dv_theirs) = run(gn), run(torch)
    np.testing.assert_array_equal(g_ours, g_theirs)
    np.testing.assert_array_equal(g_ours, 4 * np.array(START))  # 2·(2p): the new values
    assert (v_ours, dv_ours) == (v_theirs, dv_theirs) == (0, 1)


def test_change_through_detach_is_still_detected(torch):
    for lib, error in ((gn, GraphError), (torch, RuntimeError)):
        p = _leaf(lib)
        y = (p * p).sum()
        p.detach().mul_(2)
        with pytest.raises(error, match="modified by an inplace operation|modified by an in-place"):
            y.backward()


def test_manual_sgd_with_data_matches_torch(torch):
    def run(lib):
        lib.manual_seed(0)
        x = lib.tensor(np.linspace(-1, 1, 12).reshape(6, 2), dtype=lib.float64)
        y = lib.tensor(np.arange(6.0).reshape(6, 1), dtype=lib.float64)
        w = lib.tensor([[0.3], [-0.2]], dtype=lib.float64, requires_grad=True)
        b = lib.tensor([0.1], dtype=lib.float64, requires_grad=True)
        for _ in range(5):
            loss = ((x @ w + b - y) ** 2).mean()
            loss.backward()
            for p in (w, b):
                p.data.add_(p.grad, alpha=-0.1)
                p.grad.data.zero_()
        return w.detach().numpy().copy(), b.detach().numpy().copy(), loss.item()

    for ours, theirs in zip(run(gn), run(torch)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_setting_data_swaps_the_array(torch):
    for lib in (gn, torch):
        p = _leaf(lib)
        new = lib.zeros(2, 2, dtype=lib.float64)
        p.data = new  # a new shape is allowed
        assert p.shape == (2, 2) and p.requires_grad and p.is_leaf and p._version == 0
        new.add_(1)  # shared, not copied
        np.testing.assert_array_equal(p.detach().numpy(), np.ones((2, 2)))
        p.data = lib.zeros(3, dtype=lib.float32)  # another float dtype is allowed
        assert p.dtype == lib.float32
        q = lib.zeros(3)
        q.data = lib.arange(4)  # any dtype when no grad is required
        assert q.dtype == lib.int64


def test_setting_data_rejects_what_torch_rejects(torch):
    with pytest.raises(RuntimeError, match="must be floating point"):
        _leaf(torch).data = torch.arange(3)
    with pytest.raises(DTypeError, match="must be floating point"):
        _leaf(gn).data = gn.arange(3)
    with pytest.raises(TypeError, match="has to be a tensor"):
        _leaf(torch).data = [1.0, 2.0]
    with pytest.raises(TypeError, match="expected a Tensor"):
        _leaf(gn).data = [1.0, 2.0]


def test_setting_data_to_an_ndarray_is_accepted():
    p = _leaf(gn)
    arr = np.ones(4)
    p.data = arr
    assert p.detach().numpy() is arr


def test_setting_data_under_a_graph_that_saved_the_old_values():
    """PyTorch would backpropagate with the new values; glassnet's graph kept
    the old array, so its backward raises instead of giving another gradient."""
    p = _leaf(gn)
    y = (p * p).sum()
    p.data = gn.full((3,), 5.0, dtype=gn.float64)
    with pytest.raises(GraphError, match="modified by an in-place"):
        y.backward()
    # a graph recorded after the swap is fine, and so is re-setting the same array
    z = (p * p).sum()
    p.data = p.data
    z.backward()
    np.testing.assert_array_equal(p.grad.numpy(), np.full(3, 10.0))


def test_numpy_of_a_tensor_that_requires_grad(torch):
    message = (
        "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead."
    )
    for lib in (gn, torch):
        p = _leaf(lib)
        for t in (p, p * 2):
            with pytest.raises(RuntimeError) as info:
                t.numpy()
            assert str(info.value) == message
        with lib.no_grad():
            np.testing.assert_array_equal(p.numpy(), START)  # allowed without grad mode
        forced = p.numpy(force=True)
        forced[0] = 9.0  # still the same memory
        assert p[0].item() == 9.0
        np.testing.assert_array_equal(p.detach().numpy(), [9.0, -2.0, 3.0])


def test_numpy_shares_memory_and_asarray_always_works():
    t = gn.tensor([1.0, 2.0])
    t.numpy()[1] = 5.0
    assert t[1].item() == 5.0
    p = _leaf(gn)
    assert np.asarray(p) is p.detach().numpy()  # glassnet: no error from np.asarray


def test_the_library_never_reads_the_public_data(monkeypatch):
    """The package reads the array from the slot (``_data``), never through
    the ``.data`` property: a forward, backward and optimizer step, a trace
    and a state_dict round trip run with the property made to fail."""
    import glassnet.explain as explain

    def fail(self):
        raise AssertionError("the library read Tensor.data (use the _data slot)")

    gn.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    conv = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.BatchNorm2d(2), nn.MaxPool2d(2))
    lstm = nn.LSTM(3, 4, batch_first=True)
    x, y = gn.randn(5, 3), gn.tensor([0, 1, 1, 0, 1])
    monkeypatch.setattr(Tensor, "data", property(fail))
    opt = gn.optim.Adam([*model.parameters(), *conv.parameters(), *lstm.parameters()])
    loss = (
        nn.functional.cross_entropy(model(x), y)
        + conv(gn.randn(2, 1, 4, 4)).sum()
        + lstm(gn.randn(2, 4, 3))[0].mean()
    )
    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    opt.zero_grad()
    model.load_state_dict(model.state_dict())
    str(explain.trace_step(model, x[:1], y[:1], nn.CrossEntropyLoss(), lr=0.1))
    with explain.record() as tape:
        nn.functional.mse_loss(model(x), gn.zeros(5, 2)).backward()
    str(tape)
    explain.graph_svg(model(x).sum())


def test_numpy_array_protocol_copies_when_asked():
    t = gn.tensor([1.0, 2.0])
    shared, copied = np.asarray(t), np.array(t, copy=True)
    copied[0] = 9.0
    assert t.numpy()[0] == 1.0 and np.shares_memory(shared, t.numpy())
    assert not np.shares_memory(copied, t.numpy())
    assert np.array(t, dtype=np.float64, copy=True).dtype == np.float64
    with pytest.raises(ValueError, match="without a copy"):
        np.array(t, dtype=np.float64, copy=False)
