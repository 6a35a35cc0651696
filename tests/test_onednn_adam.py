"""Adam's update of big float32 weights through oneDNN (glassnet.backends.onednn.adam,
used by glassnet.optim.Adam and AdamW) against glassnet's own NumPy passes
(``onednn.disabled()``) and against torch.optim: 20 steps with changing
gradients and a learning rate changed halfway, default and other betas/eps,
maximize, AdamW's decay; which path runs (AMSGrad, Adam's L2 decay, float64,
small or non-contiguous weights, oneDNN off keep NumPy's); updates in place;
state_dict round trips; the cache."""

import contextlib

import numpy as np
import pytest

import glassnet as gn
from glassnet import optim
from glassnet.backends import onednn
from glassnet.optim import adam as adam_module

pytestmark = pytest.mark.usefixtures("needs_onednn")

SHAPES = [(96, 100), (20_011,), (3, 64, 51)]  # each at least FUSED_MIN values
CONFIGS = [
    ("Adam", dict(lr=1e-3)),
    ("Adam", dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6)),
    ("Adam", dict(lr=0.01, maximize=True)),
    ("Adam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("AdamW", dict(lr=0.01, weight_decay=0.3)),
    ("AdamW", dict(lr=0.003, maximize=True, eps=1e-4)),
]
STEPS = 20


def _id(cfg):
    return cfg[0] + "-" + "-".join(f"{k}={v}" for k, v in cfg[1].items())


def _problem(seed=0):
    """Initial weights and, per step, a gradient for each (of growing and
    shrinking size, some entries exactly zero, so ε and √v matter)."""
    rng = np.random.default_rng(seed)
    init = [rng.standard_normal(s).astype(np.float32) for s in SHAPES]
    grads = []
    for t in range(STEPS):
        step = []
        for s in SHAPES:
            g = rng.standard_normal(s) * (10.0 ** rng.uniform(-4, 1))
            g.reshape(-1)[:: 7 + t] = 0.0
            step.append(g.astype(np.float32))
        grads.append(step)
    return init, grads


def _run_glassnet(name, kwargs, fused, dtype=np.float32):
    init, grads = _problem()
    params = [gn.nn.Parameter(gn.tensor(a.astype(dtype))) for a in init]
    opt = getattr(optim, name)(params, **kwargs)
    with contextlib.nullcontext() if fused else onednn.disabled():
        for t, step in enumerate(grads):
            if t == STEPS // 2:
                for group in opt.param_groups:
                    group["lr"] *= 0.5
            for p, g in zip(params, step):
                p.grad = gn.tensor(g.astype(dtype))
            opt.step()
    return [p.detach().numpy().copy() for p in params], opt, params


def _run_torch(torch, name, kwargs):
    init, grads = _problem()
    params = [torch.tensor(a, requires_grad=True) for a in init]
    opt = getattr(torch.optim, name)(params, **kwargs)
    for t, step in enumerate(grads):
        if t == STEPS // 2:
            for group in opt.param_groups:
                group["lr"] *= 0.5
        for p, g in zip(params, step):
            p.grad = torch.tensor(g)
        opt.step()
    return [p.detach().numpy().copy() for p in params]


def _assert_close(ours, theirs, lr):
    """Weights agree to float32 rounding of the weights and of the 20 steps
    (each at most lr in size)."""
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=2e-6, atol=STEPS * lr * 1e-5)


@pytest.mark.parametrize("cfg", CONFIGS, ids=[_id(c) for c in CONFIGS])
def test_onednn_adam_equals_the_numpy_path(cfg):
    name, kwargs = cfg
    onednn.clear_caches()
    fused, _, _ = _run_glassnet(name, kwargs, fused=True)
    assert len(onednn.cached("adam")) == len(SHAPES)  # every weight went through oneDNN
    onednn.clear_caches()
    plain, _, _ = _run_glassnet(name, kwargs, fused=False)
    assert not onednn.cached("adam")
    _assert_close(fused, plain, kwargs["lr"])
    init, _ = _problem()
    assert all(np.abs(a - b).max() > 3 * kwargs["lr"] for a, b in zip(fused, init))  # they moved


@pytest.mark.torch
@pytest.mark.parametrize("cfg", CONFIGS, ids=[_id(c) for c in CONFIGS])
def test_onednn_adam_matches_pytorch(torch, cfg):
    name, kwargs = cfg
    ours, _, _ = _run_glassnet(name, kwargs, fused=True)
    theirs = _run_torch(torch, name, kwargs)
    _assert_close(ours, theirs, kwargs["lr"])


def test_onednn_adam_updates_in_place_and_its_state_round_trips():
    _, opt, params = _run_glassnet("Adam", dict(lr=0.01), fused=True)
    arrays = [p.detach().numpy() for p in params]
    saved = opt.state_dict()
    for p in params:
        state = opt.state[p]
        assert state["step"] == STEPS
        assert state["exp_avg"].dtype == state["exp_avg_sq"].dtype == np.float32
        assert (state["exp_avg_sq"] >= 0).all()
    # a second optimizer loaded from the first continues exactly as the first would
    twin_params = [gn.nn.Parameter(gn.tensor(a.copy())) for a in arrays]
    twin = optim.Adam(twin_params, lr=0.01)
    twin.load_state_dict(saved)
    rng = np.random.default_rng(5)
    for p, q in zip(params, twin_params):
        g = rng.standard_normal(p.shape).astype(np.float32)
        p.grad, q.grad = gn.tensor(g), gn.tensor(g.copy())
    opt.step()
    twin.step()
    for p, q, a in zip(params, twin_params, arrays):
        assert p.detach().numpy() is a  # updated in place
        np.testing.assert_array_equal(p.detach().numpy(), q.detach().numpy())


@pytest.mark.parametrize("case", ["amsgrad", "l2-decay", "float64", "small", "onednn-off"])
def test_these_updates_keep_the_numpy_path(case):
    kwargs, dtype, fused = dict(lr=0.01), np.float32, True
    if case == "amsgrad":
        kwargs["amsgrad"] = True
    elif case == "l2-decay":
        kwargs["weight_decay"] = 0.1
    elif case == "float64":
        dtype = np.float64
    elif case == "onednn-off":
        fused = False
    onednn.clear_caches()
    if case == "small":
        rng = np.random.default_rng(1)
        size = adam_module.FUSED_MIN - 1
        w = gn.nn.Parameter(gn.tensor(rng.standard_normal(size).astype(np.float32)))
        opt = optim.Adam([w], **kwargs)
        w.grad = gn.tensor(rng.standard_normal(size).astype(np.float32))
        opt.step()
    else:
        _run_glassnet("Adam", kwargs, fused=fused, dtype=dtype)
    assert not onednn.cached("adam")


def test_the_kernel_cache_keys_on_size_and_constants():
    onednn.clear_caches()
    a = onednn.adam_kernel(10_000, 0.9, 0.999, 1e-8)
    assert onednn.adam_kernel(10_000, 0.9, 0.999, 1e-8) is a
    assert onednn.adam_kernel(10_000, 0.9, 0.999, 1e-8, maximize=True) is not a
    assert onednn.adam_kernel(10_001, 0.9, 0.999, 1e-8) is not a
    assert onednn.adam_kernel(10_000, 0.8, 0.999, 1e-8) is not a
    assert len(onednn.cached("adam")) == 4


def test_arrays_the_kernel_cannot_take_are_refused():
    group = dict(betas=(0.9, 0.999), eps=1e-8, amsgrad=False, maximize=False)
    w = np.zeros((200, 100), np.float32)
    m, v, g = np.zeros_like(w), np.zeros_like(w), np.ones_like(w)
    assert adam_module._fused_kernel(w, g, m, v, group, 0.0) is not None
    assert adam_module._fused_kernel(w, np.ones((100, 200), np.float32).T, m, v, group, 0.0) is None
    assert adam_module._fused_kernel(w.T, g.T, m.T, v.T, group, 0.0) is None
    assert adam_module._fused_kernel(w, g.astype(np.float64), m, v, group, 0.0) is None
    assert adam_module._fused_kernel(w, w, m, v, group, 0.0) is None  # g is the weight itself
    w.flags.writeable = False
    assert adam_module._fused_kernel(w, g, m, v, group, 0.0) is None
