"""Normalization: F.batch_norm, F.layer_norm (glassnet.ops.norm's fused ops),
nn.BatchNorm1d, nn.BatchNorm2d and nn.LayerNorm against PyTorch and finite
differences — outputs and gradients (input, weight, bias), running
statistics over several training steps (momentum, momentum=None,
affine=False, bias=False, track_running_stats=False), train/eval
behaviour, state_dict round trips in both directions, and the errors."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from opcheck import DTYPES, FEW, SETTINGS, assert_close, check_grad, compare, normal, seeds

import glassnet as gn
from glassnet import nn
from glassnet.errors import DTypeError, ShapeError
from glassnet.nn import functional as F

pytestmark = pytest.mark.torch

TOL = {np.dtype(np.float64): 1e-9, np.dtype(np.float32): 1e-4}


def _tol(dtype):
    return TOL[np.dtype(dtype)]


def _tdtype(torch, dtype):
    return torch.float64 if np.dtype(dtype) == np.float64 else torch.float32


# ---- F.batch_norm ----------------------------------------------------------------------
@st.composite
def bn_shapes(draw):
    """(N, C, *) with 0 to 2 trailing dims and more than one value per channel."""
    trailing = tuple(draw(st.lists(st.integers(1, 4), max_size=2)))
    n = draw(st.integers(1, 5))
    if n * int(np.prod(trailing)) == 1:
        n = 2
    return (n, draw(st.integers(1, 4))) + trailing


@pytest.mark.parametrize("dtype", DTYPES)
@SETTINGS
@given(
    shape=bn_shapes(),
    training=st.booleans(),
    affine=st.booleans(),
    running=st.booleans(),
    momentum=st.sampled_from([0.1, 0.5, 1.0]),
    seed=seeds,
)
def test_batch_norm_functional(torch, dtype, shape, training, affine, running, momentum, seed):
    running = running or not training  # evaluation needs the running statistics
    c = shape[1]
    x = normal(seed, shape, dtype, scale=3.0) + 1.5
    w, b = normal(seed + 1, (c,), dtype), normal(seed + 2, (c,), dtype)
    rm = normal(seed + 3, (c,), dtype)
    rv = np.abs(normal(seed + 4, (c,), dtype)) + np.asarray(0.5, dtype)
    g_stats = [gn.tensor(rm.copy()), gn.tensor(rv.copy())] if running else [None, None]
    t_stats = [torch.tensor(rm), torch.tensor(rv)] if running else [None, None]

    def gn_fn(x, *wb):
        return F.batch_norm(x, *g_stats, *wb, training=training, momentum=momentum, eps=1e-3)

    def t_fn(x, *wb):
        return torch.nn.functional.batch_norm(
            x, *t_stats, *wb, training=training, momentum=momentum, eps=1e-3
        )

    arrays = (x, w, b) if affine else (x,)
    (out,) = compare(torch, gn_fn, t_fn, *arrays, rtol=_tol(dtype))
    assert out.dtype == dtype
    if running:
        for g, t, name in zip(g_stats, t_stats, ("running_mean", "running_var")):
            assert g.dtype == dtype
            assert_close(g.numpy(), t.numpy(), _tol(dtype), name)


def test_batch_norm_functional_weight_only_or_bias_only(torch):
    x, w, b = normal(1, (6, 3, 2)), normal(2, (3,)), normal(3, (3,))
    tf = torch.nn.functional
    compare(
        torch,
        lambda x, w: F.batch_norm(x, None, None, w, None, True),
        lambda x, w: tf.batch_norm(x, None, None, w, None, True),
        x,
        w,
        rtol=1e-9,
    )
    compare(
        torch,
        lambda x, b: F.batch_norm(x, None, None, None, b, True),
        lambda x, b: tf.batch_norm(x, None, None, None, b, True),
        x,
        b,
        rtol=1e-9,
    )
    # gradients of weight and bias alone (the input a constant)
    compare(
        torch,
        lambda x, w, b: F.batch_norm(x, None, None, w, b, True),
        lambda x, w, b: tf.batch_norm(x, None, None, w, b, True),
        x,
        w,
        b,
        grads=[False, True, True],
        rtol=1e-9,
    )


@pytest.mark.parametrize("shape", [(4, 3), (3, 2, 3), (2, 2, 2, 2)])
def test_batch_norm_gradcheck(shape):
    c = shape[1]
    x, w, b = normal(5, shape), normal(6, (c,)), normal(7, (c,))
    check_grad(lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True), x, w, b)
    check_grad(lambda x: F.batch_norm(x, None, None, training=True), x)
    rm, rv = gn.tensor(normal(8, (c,))), gn.tensor(np.full(c, 0.7))
    check_grad(lambda x, w, b: F.batch_norm(x, rm, rv, w, b, training=False), x, w, b)


def test_batch_norm_updates_running_stats_in_place_even_without_grad(torch):
    x = normal(1, (5, 3))
    rm, rv = gn.zeros(3, dtype=np.float64), gn.ones(3, dtype=np.float64)
    before = rm.numpy()
    with gn.no_grad():
        F.batch_norm(gn.tensor(x), rm, rv, training=True, momentum=0.25)
    trm, trv = torch.zeros(3, dtype=torch.float64), torch.ones(3, dtype=torch.float64)
    with torch.no_grad():
        torch.nn.functional.batch_norm(torch.tensor(x), trm, trv, training=True, momentum=0.25)
    assert rm.numpy() is before  # the same array, updated in place
    np.testing.assert_allclose(rm.numpy(), trm.numpy(), rtol=1e-12)
    np.testing.assert_allclose(rv.numpy(), trv.numpy(), rtol=1e-12)
    # unbiased variance in the running update: var·M/(M − 1)
    np.testing.assert_allclose(rv.numpy(), 0.75 + 0.25 * x.var(axis=0, ddof=1), rtol=1e-12)


# ---- F.layer_norm ----------------------------------------------------------------------
@st.composite
def ln_shapes(draw):
    lead = tuple(draw(st.lists(st.integers(1, 4), max_size=2)))
    norm = tuple(draw(st.lists(st.integers(1, 5), min_size=1, max_size=2)))
    return lead, norm


@pytest.mark.parametrize("dtype", DTYPES)
@SETTINGS
@given(shapes=ln_shapes(), affine=st.sampled_from(["both", "weight", "none"]), seed=seeds)
def test_layer_norm_functional(torch, dtype, shapes, affine, seed):
    lead, norm = shapes
    x = normal(seed, lead + norm, dtype, scale=2.0) - 0.5
    w, b = normal(seed + 1, norm, dtype), normal(seed + 2, norm, dtype)
    arrays = {"both": (x, w, b), "weight": (x, w), "none": (x,)}[affine]
    (out,) = compare(
        torch,
        lambda *a: F.layer_norm(a[0], norm, *a[1:], eps=1e-4),
        lambda *a: torch.nn.functional.layer_norm(a[0], norm, *a[1:], eps=1e-4),
        *arrays,
        rtol=_tol(dtype),
    )
    assert out.dtype == dtype


@pytest.mark.parametrize("norm", [(3,), (2, 3)])
def test_layer_norm_gradcheck(norm):
    x, w, b = normal(1, (2,) + norm), normal(2, norm), normal(3, norm)
    check_grad(lambda x, w, b: F.layer_norm(x, norm, w, b), x, w, b)
    check_grad(lambda x: F.layer_norm(x, norm[-1]), x)


# ---- the modules against torch.nn ----------------------------------------------------------
def _randomize(torch, t_module, seed):
    """Give the torch module random γ, β and running statistics (not 1, 0, 0, 1)."""
    r = np.random.default_rng(seed)
    with torch.no_grad():
        for name, p in t_module.named_parameters():
            p.copy_(torch.from_numpy(r.standard_normal(tuple(p.shape))))
        for name, buf in t_module.named_buffers():
            if name == "running_mean":
                buf.copy_(torch.from_numpy(r.standard_normal(tuple(buf.shape))))
            elif name == "running_var":
                buf.copy_(torch.from_numpy(r.uniform(0.5, 2.0, tuple(buf.shape))))


def _load_from_torch(gn_module, t_module):
    gn_module.load_state_dict({k: v.detach().numpy() for k, v in t_module.state_dict().items()})


def _step(torch, g, t, x, seed, dtype):
    """One forward and backward with the same input and upstream gradient in
    both; compare output, input gradient and parameter gradients."""
    tol = _tol(dtype)
    gx = gn.tensor(x, requires_grad=True)
    tx = torch.tensor(x, requires_grad=True)
    out, t_out = g(gx), t(tx)
    assert out.dtype == dtype
    assert_close(out.detach().numpy(), t_out.detach().numpy(), tol, "output")
    up = np.random.default_rng(seed).standard_normal(out.shape).astype(dtype)
    out.backward(up)
    t_out.backward(torch.from_numpy(up))
    assert gx.grad.dtype == dtype
    assert_close(gx.grad.numpy(), tx.grad.numpy(), tol, "input gradient")
    t_params = dict(t.named_parameters())
    assert set(t_params) == {n for n, _ in g.named_parameters()}
    for name, p in g.named_parameters():
        assert p.grad.dtype == dtype, name
        assert_close(p.grad.numpy(), t_params[name].grad.numpy(), tol, name + " gradient")
        p.grad = None
        t_params[name].grad = None


def _same_state(g, t, dtype):
    tsd = t.state_dict()
    gsd = g.state_dict()
    assert list(gsd) == list(tsd)
    for key, value in tsd.items():
        if key == "num_batches_tracked":
            assert gsd[key].dtype == np.int64 and gsd[key].shape == ()
            assert int(gsd[key].item()) == int(value.item())
        else:
            assert gsd[key].dtype == dtype, key
            assert_close(gsd[key].numpy(), value.numpy(), _tol(dtype), key)


BN_CONFIGS = [
    {},
    {"momentum": None},
    {"momentum": 0.3, "eps": 1e-3},
    {"affine": False},
    {"bias": False},
    {"track_running_stats": False},
    {"affine": False, "track_running_stats": False, "momentum": None},
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("config", BN_CONFIGS, ids=lambda c: ",".join(map(str, c.items())))
@FEW
@given(
    kind=st.sampled_from(["1d", "1d-L", "2d"]),
    n=st.integers(2, 5),
    c=st.integers(1, 4),
    side=st.integers(1, 3),
    seed=seeds,
)
def test_batch_norm_module_steps(torch, dtype, config, kind, n, c, side, seed):
    """Three training steps on different batches (running stats updated each
    time), then evaluation: outputs, gradients and state equal PyTorch's."""
    g_cls, t_cls, shape = {
        "1d": (nn.BatchNorm1d, torch.nn.BatchNorm1d, (n, c)),
        "1d-L": (nn.BatchNorm1d, torch.nn.BatchNorm1d, (n, c, side)),
        "2d": (nn.BatchNorm2d, torch.nn.BatchNorm2d, (n, c, side, side + 1)),
    }[kind]
    t = t_cls(c, dtype=_tdtype(torch, dtype), **config)
    _randomize(torch, t, seed)
    g = g_cls(c, dtype=dtype, **config)
    _load_from_torch(g, t)
    _same_state(g, t, dtype)
    for step in range(3):
        x = normal(seed + step, shape, dtype, scale=1.0 + step) + step
        _step(torch, g, t, x, seed + 10 + step, dtype)
        _same_state(g, t, dtype)
    g.eval()
    t.eval()
    for step in range(2):  # evaluation changes nothing
        _step(torch, g, t, normal(seed + 20 + step, shape, dtype), seed + 30, dtype)
        _same_state(g, t, dtype)


def test_batch_norm_momentum_none_is_the_cumulative_average():
    bn = nn.BatchNorm1d(2, momentum=None).double()
    batches = [normal(s, (4, 2)) * (s + 1) + s for s in range(4)]
    for x in batches:
        bn(gn.tensor(x))
    np.testing.assert_allclose(
        bn.running_mean.numpy(), np.mean([x.mean(0) for x in batches], 0), rtol=1e-12
    )
    np.testing.assert_allclose(
        bn.running_var.numpy(), np.mean([x.var(0, ddof=1) for x in batches], 0), rtol=1e-12
    )
    assert bn.num_batches_tracked.item() == 4


def test_batch_norm_train_and_eval_behaviour():
    x = gn.tensor(normal(1, (6, 3)) * 4 + 2)
    bn = nn.BatchNorm1d(3).double()
    y = bn(x)  # training: batch statistics, so each channel has mean 0, variance 1
    np.testing.assert_allclose(y.detach().numpy().mean(0), 0, atol=1e-12)
    np.testing.assert_allclose(y.detach().numpy().var(0), 1, rtol=1e-4)
    bn.eval()  # evaluation: the running statistics, and no update
    state = {k: v.numpy().copy() for k, v in bn.state_dict().items()}
    rm, rv = bn.running_mean.numpy(), bn.running_var.numpy()
    np.testing.assert_allclose(
        bn(x).detach().numpy(), (x.detach().numpy() - rm) / np.sqrt(rv + 1e-5), rtol=1e-12
    )
    for k, v in bn.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), state[k])
    # a layer that does not track statistics uses the batch's in evaluation too
    free = nn.BatchNorm1d(3, track_running_stats=False).double().eval()
    assert free.running_mean is None and free.num_batches_tracked is None
    np.testing.assert_allclose(free(x).detach().numpy(), y.detach().numpy(), rtol=1e-12)
    assert list(free.state_dict()) == ["weight", "bias"]
    # tracking switched off after construction: training updates nothing, eval uses them
    bn.train()
    bn.track_running_stats = False
    bn(x)
    np.testing.assert_array_equal(bn.running_mean.numpy(), state["running_mean"])
    assert bn.num_batches_tracked.item() == 1


def test_batch_norm_empty_batch_as_torch(torch):
    g, t = nn.BatchNorm1d(3), torch.nn.BatchNorm1d(3)
    gx = gn.zeros(0, 3, requires_grad=True)
    out, t_out = g(gx), t(torch.zeros(0, 3))
    assert out.shape == tuple(t_out.shape) == (0, 3)
    out.sum().backward()
    assert gx.grad.shape == (0, 3)
    _same_state(g, t, np.float32)


@pytest.mark.parametrize("dtype", DTYPES)
@FEW
@given(
    lead=st.lists(st.integers(1, 3), max_size=2),
    norm=st.lists(st.integers(1, 4), min_size=1, max_size=2),
    config=st.sampled_from([{}, {"bias": False}, {"elementwise_affine": False}, {"eps": 1e-3}]),
    seed=seeds,
)
def test_layer_norm_module(torch, dtype, lead, norm, config, seed):
    norm = tuple(norm)
    t = torch.nn.LayerNorm(norm, dtype=_tdtype(torch, dtype), **config)
    _randomize(torch, t, seed)
    g = nn.LayerNorm(norm, dtype=dtype, **config)
    _load_from_torch(g, t)
    shape = tuple(lead) + norm
    _step(torch, g, t, normal(seed, shape, dtype, scale=2.0), seed + 1, dtype)
    g.eval()
    t.eval()  # the same in evaluation
    _step(torch, g, t, normal(seed + 2, shape, dtype), seed + 3, dtype)
    assert repr(g) == repr(t)


def test_layer_norm_int_shape_and_defaults(torch):
    g, t = nn.LayerNorm(4), torch.nn.LayerNorm(4)
    assert g.normalized_shape == t.normalized_shape == (4,)
    assert list(g.state_dict()) == list(t.state_dict()) == ["weight", "bias"]
    np.testing.assert_array_equal(g.weight.detach().numpy(), np.ones(4, np.float32))
    np.testing.assert_array_equal(g.bias.detach().numpy(), np.zeros(4, np.float32))


# ---- state_dict, repr, dtype --------------------------------------------------------------
@pytest.mark.parametrize("cls", ["BatchNorm1d", "BatchNorm2d"])
def test_batch_norm_state_dict_round_trip_with_torch(torch, cls):
    shape = (4, 3) if cls == "BatchNorm1d" else (4, 3, 2, 2)
    t = getattr(torch.nn, cls)(3)
    _randomize(torch, t, 3)
    for s in range(2):  # torch trains: running stats and num_batches_tracked move
        t(torch.from_numpy(normal(s, shape, np.float32)))
    g = getattr(nn, cls)(3)
    result = g.load_state_dict(t.state_dict())  # torch tensors straight in
    assert not result.missing_keys and not result.unexpected_keys
    _same_state(g, t, np.float32)
    assert g.num_batches_tracked.item() == 2
    g.eval()
    t.eval()
    x = normal(9, shape, np.float32)
    assert_close(
        g(gn.tensor(x)).detach().numpy(), t(torch.from_numpy(x)).detach().numpy(), 1e-4, "eval"
    )
    # and back: glassnet trains a step, torch loads glassnet's state
    g.train()
    g(gn.tensor(normal(10, shape, np.float32)))
    t2 = getattr(torch.nn, cls)(3)
    t2.load_state_dict(
        {k: torch.from_numpy(np.array(v.numpy())) for k, v in g.state_dict().items()}
    )
    _same_state(g, t2, np.float32)
    assert int(t2.num_batches_tracked) == 3


def test_batch_norm_repr_and_dtype(torch):
    for kw in BN_CONFIGS:
        assert repr(nn.BatchNorm2d(5, **kw)) == repr(torch.nn.BatchNorm2d(5, **kw))
    bn = nn.BatchNorm1d(3)
    assert bn.weight.dtype == bn.running_mean.dtype == np.float32
    bn.double()
    assert bn.weight.dtype == bn.running_var.dtype == np.float64
    assert bn.num_batches_tracked.dtype == np.int64  # counts are not cast
    y = bn(gn.tensor(normal(1, (4, 3))))
    assert y.dtype == np.float64
    # float32 in, float32 out: no upcast from Python or NumPy scalars
    y = F.batch_norm(
        gn.tensor(normal(1, (4, 3), np.float32)),
        None,
        None,
        training=True,
        momentum=np.float64(0.1),
        eps=np.float64(1e-5),
    )
    assert y.dtype == np.float32
    y = F.layer_norm(gn.tensor(normal(1, (4, 3), np.float32)), 3, eps=np.float64(1e-5))
    assert y.dtype == np.float32


def test_reset_parameters_and_running_stats():
    bn = nn.BatchNorm1d(2)
    bn(gn.tensor(normal(1, (4, 2), np.float32)))
    bn.weight.data[:] = 3
    bn.reset_parameters()
    np.testing.assert_array_equal(bn.running_mean.numpy(), [0, 0])
    np.testing.assert_array_equal(bn.running_var.numpy(), [1, 1])
    np.testing.assert_array_equal(bn.weight.detach().numpy(), [1, 1])
    assert bn.num_batches_tracked.item() == 0


# ---- errors --------------------------------------------------------------------------------
def test_batch_norm_errors():
    bn = nn.BatchNorm1d(3)
    with pytest.raises(
        ShapeError,
        match=r"BatchNorm1d\(3\): input of shape \(4, 2\) does "
        r"not fit; expected \(N, 3\) or \(N, 3, L\)",
    ):
        bn(gn.zeros(4, 2))
    with pytest.raises(ShapeError, match=r"BatchNorm1d\(3\).*\(2, 3, 4, 5\)"):
        bn(gn.zeros(2, 3, 4, 5))
    with pytest.raises(ShapeError, match=r"BatchNorm2d\(3\): .*\(4, 3\).*\(N, 3, H, W\)"):
        nn.BatchNorm2d(3)(gn.zeros(4, 3))
    with pytest.raises(
        ValueError,
        match=r"BatchNorm1d\(3\): expected more than 1 value per "
        r"channel when training, got input of shape \(1, 3\)",
    ):
        bn(gn.zeros(1, 3))
    bn.eval()
    assert bn(gn.zeros(1, 3)).shape == (1, 3)  # fine in evaluation
    with pytest.raises(
        DTypeError,
        match=r"BatchNorm1d\(3\): input is float64 but the layer's "
        "tensors are float32",
    ):
        bn(gn.zeros(2, 3, dtype=np.float64))
    with pytest.raises(TypeError, match="expected a Tensor"):
        bn(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="num_features must be a positive int"):
        nn.BatchNorm1d(0)
    with pytest.raises(TypeError, match="momentum must be a number or None"):
        nn.BatchNorm1d(3, momentum="0.1")


def test_batch_norm_functional_errors():
    x = gn.zeros(4, 3)
    with pytest.raises(ShapeError, match=r"batch_norm: expected an input of shape \(N, C, \*\)"):
        F.batch_norm(gn.zeros(3), None, None, training=True)
    with pytest.raises(
        ShapeError,
        match=r"batch_norm: running_mean has shape \(4,\), "
        r"expected \(3,\)",
    ):
        F.batch_norm(x, gn.zeros(4), gn.ones(4))
    with pytest.raises(ShapeError, match=r"batch_norm: weight has shape \(2,\)"):
        F.batch_norm(x, None, None, gn.ones(2), training=True)
    with pytest.raises(DTypeError, match="batch_norm: bias is float64 but the input is float32"):
        F.batch_norm(x, None, None, None, gn.zeros(3, dtype=np.float64), training=True)
    with pytest.raises(ValueError, match="training=False normalizes with running_mean"):
        F.batch_norm(x, None, None, training=False)
    with pytest.raises(ValueError, match="pass both running_mean and running_var"):
        F.batch_norm(x, gn.zeros(3), None, training=True)
    with pytest.raises(ValueError, match="eps must be positive during training"):
        F.batch_norm(x, None, None, training=True, eps=0)
    with pytest.raises(DTypeError, match="batch_norm: expected a floating-point input"):
        F.batch_norm(gn.tensor([[1, 2], [3, 4]]), None, None, training=True)


def test_layer_norm_errors():
    ln = nn.LayerNorm((2, 3))
    with pytest.raises(
        ShapeError,
        match=r"LayerNorm\(\(2, 3\)\): input of shape \(4, 3, 2\) "
        r"does not fit; expected \(\*, 2, 3\)",
    ):
        ln(gn.zeros(4, 3, 2))
    with pytest.raises(ShapeError, match=r"LayerNorm.*input of shape \(3,\)"):
        ln(gn.zeros(3))
    with pytest.raises(DTypeError, match=r"LayerNorm\(\(2, 3\)\): input is float64"):
        ln(gn.zeros(2, 3, dtype=np.float64))
    with pytest.raises(
        ShapeError,
        match=r"layer_norm: input of shape \(2, 4\) does not end in "
        r"the normalized shape \(3,\)",
    ):
        F.layer_norm(gn.zeros(2, 4), 3)
    with pytest.raises(ShapeError, match=r"layer_norm: weight has shape \(4,\), expected \(3,\)"):
        F.layer_norm(gn.zeros(2, 3), [3], gn.ones(4))
    with pytest.raises(ValueError, match="normalized_shape must hold positive ints"):
        nn.LayerNorm((2, 0))
    with pytest.raises(TypeError, match="normalized_shape must be an int or a sequence"):
        nn.LayerNorm(2.5)


def test_lazy_names_resolve():
    assert nn.BatchNorm1d.__module__ == "glassnet.nn.normalization"
    assert nn.LayerNorm.__module__ == "glassnet.nn.normalization"
    assert F.batch_norm.__module__ == "glassnet.nn.functional.norm"
    assert F.layer_norm.__module__ == "glassnet.nn.functional.norm"


def test_summary_leaves_batchnorm_statistics_alone():
    import glassnet as gn

    model = gn.nn.Sequential(gn.nn.Linear(3, 4), gn.nn.BatchNorm1d(4))
    before = {k: v.numpy().copy() for k, v in model.state_dict().items()}
    model.summary((8, 3))
    assert model.training
    for k, v in model.state_dict().items():
        assert (v.numpy() == before[k]).all(), k
