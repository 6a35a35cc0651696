"""Optimizers: PyTorch parity (float64, 1e-9), state_dict round trips,
float32 kept, in-place updates without extra allocation, clear errors."""

import copy
import json
import tracemalloc

import numpy as np
import pytest

import glassnet as gn
from glassnet import optim

# ---------------------------------------------------------------------------
# The problem: a 3-6-1 tanh network regressing sin(x1 + x2 + x3), float64
# ---------------------------------------------------------------------------
_rng = np.random.default_rng(1)
X = _rng.standard_normal((16, 3))
Y = np.sin(X.sum(axis=1, keepdims=True))
INIT = [
    _rng.standard_normal((3, 6)) * 0.5,
    _rng.standard_normal(6) * 0.1,
    _rng.standard_normal((6, 1)) * 0.5,
    _rng.standard_normal(1) * 0.1,
]


def gn_loss(params, x=gn.tensor(X), y=gn.tensor(Y)):
    w1, b1, w2, b2 = params
    return (((x @ w1 + b1).tanh() @ w2 + b2 - y) ** 2).mean()


def torch_loss(torch, params):
    w1, b1, w2, b2 = params
    x, y = torch.tensor(X), torch.tensor(Y)
    return (((x @ w1 + b1).tanh() @ w2 + b2 - y) ** 2).mean()


def gn_params(dtype=np.float64):
    return [gn.tensor(a.astype(dtype), requires_grad=True) for a in INIT]


def run_gn(name, kwargs, steps=20, groups=None, params=None, opt=None):
    params = gn_params() if params is None else params
    if opt is None:
        opt = getattr(optim, name)(groups(params) if groups else params, **kwargs)
    for _ in range(steps):
        opt.zero_grad()
        gn_loss(params).backward()
        opt.step()
    return [p.detach().numpy().copy() for p in params], opt


def run_torch(torch, name, kwargs, steps=20, groups=None):
    params = [torch.tensor(a, requires_grad=True) for a in INIT]
    opt = getattr(torch.optim, name)(groups(params) if groups else params, **kwargs)
    for _ in range(steps):
        opt.zero_grad()
        torch_loss(torch, params).backward()
        opt.step()
    return [p.detach().numpy().copy() for p in params], opt


CONFIGS = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.3)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True)),
    ("SGD", dict(lr=0.1, weight_decay=0.05)),
    ("SGD", dict(lr=0.02, momentum=0.8, dampening=0.1, weight_decay=0.05, maximize=True)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, amsgrad=True)),
    ("Adam", dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)),
    ("Adam", dict(lr=0.01, weight_decay=0.1, amsgrad=True, maximize=True)),
    ("Adam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.01, weight_decay=0.3, amsgrad=True)),
    ("AdamW", dict(lr=0.01, maximize=True)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, centered=True)),
    ("RMSprop", dict(lr=0.005, momentum=0.9)),
    ("RMSprop", dict(lr=0.005, alpha=0.9, centered=True, momentum=0.9, weight_decay=0.1)),
    ("RMSprop", dict(lr=0.01, maximize=True, eps=1e-4)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.05, weight_decay=0.1, initial_accumulator_value=0.5)),
    ("Adagrad", dict(lr=0.1, maximize=True, eps=1e-6)),
]


def _id(cfg):
    name, kw = cfg
    return name + "-" + "-".join(f"{k}={v}" for k, v in kw.items())


def assert_params_close(ours, theirs, tol=1e-9):
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


@pytest.mark.parametrize("cfg", CONFIGS, ids=[_id(c) for c in CONFIGS])
@pytest.mark.torch
def test_20_steps_match_pytorch(torch, cfg):
    name, kwargs = cfg
    ours, _ = run_gn(name, kwargs)
    theirs, _ = run_torch(torch, name, kwargs)
    assert_params_close(ours, theirs)
    moved = sum(np.abs(a - b).max() for a, b in zip(ours, INIT))
    assert moved > 1e-3  # the comparison is not between untouched weights


def two_groups(params):
    return [
        {"params": params[:2], "lr": 0.03, "momentum": 0.5},
        {"params": params[2:], "weight_decay": 0.1},
    ]


@pytest.mark.parametrize("name", ["SGD", "Adam", "RMSprop"])
@pytest.mark.torch
def test_per_group_hyperparameters_match_pytorch(torch, name):
    kwargs = dict(lr=0.01, momentum=0.9) if name != "Adam" else dict(lr=0.01)
    groups = (
        two_groups
        if name != "Adam"
        else (
            lambda ps: [
                {"params": ps[:2], "lr": 0.03, "betas": (0.5, 0.9)},
                {"params": ps[2:], "amsgrad": True},
            ]
        )
    )
    ours, opt = run_gn(name, kwargs, groups=groups)
    theirs, _ = run_torch(torch, name, kwargs, groups=groups)
    assert_params_close(ours, theirs)
    assert opt.param_groups[0]["lr"] == 0.03 and opt.param_groups[1]["lr"] == 0.01


@pytest.mark.torch
def test_add_param_group_later_matches_pytorch(torch):
    ours_p = gn_params()
    opt = optim.SGD(ours_p[:2], lr=0.1, momentum=0.9)
    run_gn(None, None, steps=5, params=ours_p, opt=opt)
    opt.add_param_group({"params": ours_p[2:], "lr": 0.02})
    ours, _ = run_gn(None, None, steps=5, params=ours_p, opt=opt)

    tp = [torch.tensor(a, requires_grad=True) for a in INIT]
    topt = torch.optim.SGD(tp[:2], lr=0.1, momentum=0.9)
    for i in range(10):
        if i == 5:
            topt.add_param_group({"params": tp[2:], "lr": 0.02})
        topt.zero_grad()
        torch_loss(torch, tp).backward()
        topt.step()
    assert_params_close(ours, [p.detach().numpy() for p in tp])


def test_plain_sgd_is_the_articles_rule():
    """w ← w − η·∂L/∂w, checked by hand (no torch needed)."""
    w = gn.tensor([1.0, -2.0], dtype=gn.float64, requires_grad=True)
    opt = optim.SGD([w], lr=0.1)
    (w**2).sum().backward()  # ∂L/∂w = 2w
    opt.step()
    np.testing.assert_allclose(
        w.detach().numpy(), [1.0 - 0.1 * 2.0, -2.0 + 0.1 * 4.0], rtol=0, atol=1e-15
    )


def test_adam_first_step_by_hand():
    """At t=1, m̂ = g and v̂ = g², so the step is lr·g/(|g| + eps) ≈ lr·sign(g)."""
    w = gn.tensor([3.0, -0.5, 0.0], dtype=gn.float64, requires_grad=True)
    w.grad = gn.tensor(np.array([2.0, -4.0, 0.0]))
    optim.Adam([w], lr=0.1, eps=1e-8).step()
    g = np.array([2.0, -4.0, 0.0])
    np.testing.assert_allclose(
        w.detach().numpy(), [3.0, -0.5, 0.0] - 0.1 * g / (np.abs(g) + 1e-8), rtol=0, atol=1e-15
    )


# ---------------------------------------------------------------------------
# state_dict
# ---------------------------------------------------------------------------
ROUND_TRIP = [
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01)),
    ("Adam", dict(lr=0.01, amsgrad=True, weight_decay=0.1)),
    ("AdamW", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.005, centered=True, momentum=0.9)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.05, initial_accumulator_value=0.1)),
]


@pytest.mark.parametrize("cfg", ROUND_TRIP, ids=[c[0] for c in ROUND_TRIP])
def test_state_dict_round_trip_continues_exactly(cfg):
    name, kwargs = cfg
    straight, _ = run_gn(name, kwargs, groups=two_groups)

    params = gn_params()
    _, opt = run_gn(name, kwargs, steps=10, groups=two_groups, params=params)
    saved = copy.deepcopy(opt.state_dict())
    resumed = [gn.tensor(p.detach().numpy().copy(), requires_grad=True) for p in params]
    fresh = getattr(optim, name)(two_groups(resumed), lr=0.5)  # lr comes back from the dict
    fresh.load_state_dict(saved)
    assert fresh.param_groups[0]["lr"] == 0.03 and fresh.param_groups[1]["lr"] == kwargs["lr"]
    after, _ = run_gn(name, kwargs, steps=10, params=resumed, opt=fresh)
    for a, b in zip(after, straight):
        np.testing.assert_array_equal(a, b)


def test_state_dict_layout_is_pytorchs():
    params = gn_params()
    _, opt = run_gn("Adam", dict(lr=0.01, amsgrad=True), steps=3, groups=two_groups, params=params)
    sd = opt.state_dict()
    assert set(sd) == {"state", "param_groups"}
    assert [g["params"] for g in sd["param_groups"]] == [[0, 1], [2, 3]]
    assert sd["param_groups"][0]["lr"] == 0.03 and sd["param_groups"][0]["betas"] == (0.9, 0.999)
    assert sorted(sd["state"]) == [0, 1, 2, 3]
    s = sd["state"][2]
    assert set(s) == {"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"}
    assert isinstance(s["step"], np.ndarray) and float(s["step"]) == 3.0
    assert s["exp_avg"].shape == params[2].shape
    assert s["exp_avg"] is opt.state[params[2]]["exp_avg"]  # live buffers, as in PyTorch


def test_state_dict_survives_json_metadata_and_string_keys():
    """As a safetensors checkpoint stores it: groups as JSON (tuples become
    lists), state keys as strings."""
    straight, _ = run_gn("Adam", dict(lr=0.01, amsgrad=True), steps=8)
    params = gn_params()
    _, opt = run_gn("Adam", dict(lr=0.01, amsgrad=True), steps=4, params=params)
    sd = opt.state_dict()
    flat = {
        "state": {str(k): {kk: np.array(v) for kk, v in s.items()} for k, s in sd["state"].items()},
        "param_groups": json.loads(json.dumps(sd["param_groups"])),
    }
    resumed = [gn.tensor(p.detach().numpy().copy(), requires_grad=True) for p in params]
    fresh = optim.Adam(resumed)
    fresh.load_state_dict(flat)
    after, _ = run_gn("Adam", {}, steps=4, params=resumed, opt=fresh)
    for a, b in zip(after, straight):
        np.testing.assert_array_equal(a, b)


def test_sgd_without_momentum_keeps_no_state():
    _, opt = run_gn("SGD", dict(lr=0.1), steps=2)
    assert opt.state_dict()["state"] == {}


def test_load_state_dict_copies_arrays():
    params = gn_params()
    _, opt = run_gn("SGD", dict(lr=0.05, momentum=0.9), steps=2, params=params)
    sd = opt.state_dict()
    other = optim.SGD(params, lr=0.05, momentum=0.9)
    other.load_state_dict(sd)
    buf = other.state[params[0]]["momentum_buffer"]
    assert buf is not sd["state"][0]["momentum_buffer"]
    before = buf.copy()
    sd["state"][0]["momentum_buffer"][...] = 123.0
    np.testing.assert_array_equal(buf, before)


def _to_torch(torch, sd):
    def conv(v):
        return torch.from_numpy(np.array(v)) if isinstance(v, np.ndarray) else v

    return {
        "state": {k: {kk: conv(vv) for kk, vv in s.items()} for k, s in sd["state"].items()},
        "param_groups": copy.deepcopy(sd["param_groups"]),
    }


@pytest.mark.parametrize("cfg", ROUND_TRIP, ids=[c[0] for c in ROUND_TRIP])
@pytest.mark.torch
def test_state_dict_moves_between_glassnet_and_pytorch(torch, cfg):
    """Ours → torch and torch → ours, both continuing to the same weights."""
    name, kwargs = cfg
    straight, _ = run_torch(torch, name, kwargs, steps=12)

    # glassnet for 6 steps, then PyTorch for 6
    params = gn_params()
    _, opt = run_gn(name, kwargs, steps=6, params=params)
    tp = [torch.tensor(p.detach().numpy().copy(), requires_grad=True) for p in params]
    topt = getattr(torch.optim, name)(tp, **kwargs)
    topt.load_state_dict(_to_torch(torch, opt.state_dict()))
    for _ in range(6):
        topt.zero_grad()
        torch_loss(torch, tp).backward()
        topt.step()
    assert_params_close([p.detach().numpy() for p in tp], straight)

    # PyTorch for 6 steps, then glassnet for 6
    _, topt = run_torch(torch, name, kwargs, steps=6)
    tparams = topt.param_groups[0]["params"]
    ours = [gn.tensor(p.detach().numpy().copy(), requires_grad=True) for p in tparams]
    opt = getattr(optim, name)(ours, **kwargs)
    opt.load_state_dict(topt.state_dict())
    after, _ = run_gn(name, kwargs, steps=6, params=ours, opt=opt)
    assert_params_close(after, straight)


def test_load_state_dict_errors():
    params = gn_params()
    _, opt = run_gn("Adam", dict(lr=0.01), steps=1, params=params)
    sd = opt.state_dict()
    with pytest.raises(
        ValueError,
        match="Adam.load_state_dict: the state dict has 1 param groups, this optimizer has 2",
    ):
        optim.Adam(two_groups(gn_params())).load_state_dict(sd)
    with pytest.raises(
        ValueError, match="param group 0 of the state dict has 4 parameters, this optimizer's has 2"
    ):
        optim.Adam(gn_params()[:2]).load_state_dict(sd)
    swapped = gn_params()[::-1]
    with pytest.raises(gn.ShapeError, match="state 'exp_avg' of parameter 0 has shape"):
        optim.Adam(swapped).load_state_dict(sd)
    with pytest.raises(ValueError, match="expected a dict with 'state' and 'param_groups'"):
        opt.load_state_dict({"state": {}})
    bad = copy.deepcopy(sd)
    bad["param_groups"][0]["lr"] = -1.0
    with pytest.raises(ValueError, match="Adam: lr must be >= 0, got -1.0"):
        optim.Adam(gn_params()).load_state_dict(bad)


# ---------------------------------------------------------------------------
# dtypes, in-place updates, shared gradients, allocation
# ---------------------------------------------------------------------------
EVERYTHING_ON = [
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01, maximize=True)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.5, weight_decay=0.01)),
    ("Adam", dict(lr=0.01, amsgrad=True, weight_decay=0.1, maximize=True)),
    ("AdamW", dict(lr=0.01, amsgrad=True)),
    ("RMSprop", dict(lr=0.005, centered=True, momentum=0.9, weight_decay=0.1, maximize=True)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.05, weight_decay=0.1, maximize=True)),
]


@pytest.mark.parametrize("cfg", EVERYTHING_ON, ids=[_id(c) for c in EVERYTHING_ON])
@pytest.mark.torch
def test_float32_stays_float32_and_matches_pytorch(torch, cfg):
    name, kwargs = cfg
    params = gn_params(np.float32)
    x, y = gn.tensor(X.astype(np.float32)), gn.tensor(Y.astype(np.float32))
    opt = getattr(optim, name)(params, **kwargs)
    arrays = [p.detach().numpy() for p in params]
    for _ in range(5):
        opt.zero_grad()
        gn_loss(params, x, y).backward()
        opt.step()
    for p, a in zip(params, arrays):
        assert p.detach().numpy() is a and p.dtype == np.float32  # updated in place
        assert p._version == 5
        for key, v in opt.state[p].items():
            assert key == "step" or v.dtype == np.float32, key

    tp = [torch.tensor(a.astype(np.float32), requires_grad=True) for a in INIT]
    topt = getattr(torch.optim, name)(tp, **kwargs)
    tx, ty = torch.tensor(X.astype(np.float32)), torch.tensor(Y.astype(np.float32))
    for _ in range(5):
        topt.zero_grad()
        w1, b1, w2, b2 = tp
        (((tx @ w1 + b1).tanh() @ w2 + b2 - ty) ** 2).mean().backward()
        topt.step()
    for p, t in zip(params, tp):
        np.testing.assert_allclose(p.detach().numpy(), t.detach().numpy(), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("cfg", EVERYTHING_ON, ids=[_id(c) for c in EVERYTHING_ON])
def test_shared_gradient_buffer_is_never_written(cfg):
    name, kwargs = cfg
    g = np.linspace(-1.0, 1.0, 12).reshape(3, 4)
    shared = gn.tensor(g.copy())
    a = gn.tensor(np.ones((3, 4)), requires_grad=True)
    b = gn.tensor(np.full((3, 4), 2.0), requires_grad=True)
    opt = getattr(optim, name)([a, b], **kwargs)
    for _ in range(3):
        a.grad = shared
        b.grad = shared
        opt.step()
    np.testing.assert_array_equal(shared.numpy(), g)

    # the same steps with private copies of the gradient give the same weights
    a2 = gn.tensor(np.ones((3, 4)), requires_grad=True)
    b2 = gn.tensor(np.full((3, 4), 2.0), requires_grad=True)
    opt2 = getattr(optim, name)([a2, b2], **kwargs)
    for _ in range(3):
        a2.grad = gn.tensor(g.copy())
        b2.grad = gn.tensor(g.copy())
        opt2.step()
    np.testing.assert_array_equal(a.detach().numpy(), a2.detach().numpy())
    np.testing.assert_array_equal(b.detach().numpy(), b2.detach().numpy())


@pytest.mark.parametrize("cfg", EVERYTHING_ON, ids=[_id(c) for c in EVERYTHING_ON])
def test_steady_state_step_allocates_almost_nothing(cfg):
    """After the first step (state and scratch buffers made), a step on a
    720 kB parameter allocates less than 1/20 of it."""
    name, kwargs = cfg
    rng = np.random.default_rng(0)
    p = gn.tensor(rng.standard_normal((300, 300)), requires_grad=True)
    p.grad = gn.tensor(rng.standard_normal((300, 300)))
    opt = getattr(optim, name)([p], **kwargs)
    opt.step()
    tracemalloc.start()
    try:
        for _ in range(3):
            opt.step()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < p.detach().numpy().nbytes / 20, peak


def test_params_without_grad_are_skipped():
    a = gn.tensor([1.0, 2.0], requires_grad=True)
    b = gn.tensor([3.0], requires_grad=True)
    opt = optim.Adam([a, b], lr=0.1)
    (a * a).sum().backward()
    opt.step()
    assert b.detach().numpy().tolist() == [3.0] and b not in opt.state and a in opt.state


# ---------------------------------------------------------------------------
# zero_grad and closures
# ---------------------------------------------------------------------------
def test_zero_grad_sets_none_by_default():
    params = gn_params()
    opt = optim.SGD(params, lr=0.1)
    gn_loss(params).backward()
    opt.zero_grad()
    assert all(p.grad is None for p in params)


def test_zero_grad_set_to_none_false_zeroes_buffers_in_place():
    params = gn_params()
    opt = optim.SGD(params, lr=0.1)
    gn_loss(params).backward()
    first = [p.grad.numpy().copy() for p in params]
    buffers = [p.grad.numpy() for p in params]
    opt.zero_grad(set_to_none=False)
    for p, buf in zip(params, buffers):
        assert p.grad.numpy() is buf and not buf.any()
    gn_loss(params).backward()  # accumulates into the same zeroed buffers
    for p, buf, g in zip(params, buffers, first):
        assert p.grad.numpy() is buf
        np.testing.assert_allclose(buf, g, rtol=0, atol=1e-15)


def test_step_with_closure_returns_its_loss_and_records_the_graph():
    params = gn_params()
    opt = optim.SGD(params, lr=0.1)
    calls = []

    def closure():
        opt.zero_grad()
        loss = gn_loss(params)
        loss.backward()
        calls.append(loss.item())
        return loss

    with gn.no_grad():
        loss = opt.step(closure)
    assert calls and loss.item() == calls[0]
    assert gn_loss(params).item() < calls[0]


def test_repr_lists_groups():
    text = repr(optim.SGD(two_groups(gn_params()), lr=0.1))
    assert text.startswith("SGD (\nParameter Group 0\n") and "    lr: 0.03" in text
    assert "Parameter Group 1" in text and text.endswith(")")


# ---------------------------------------------------------------------------
# errors
# ---------------------------------------------------------------------------
def w():
    return gn.tensor([1.0, 2.0], requires_grad=True)


@pytest.mark.parametrize(
    "make, exc, match",
    [
        (lambda: optim.SGD([w()], lr=-0.1), ValueError, r"SGD: lr must be >= 0, got -0.1"),
        (lambda: optim.SGD([w()], lr="0.1"), TypeError, r"SGD: lr must be a number, got str"),
        (lambda: optim.SGD([w()], lr=0.1, momentum=-1), ValueError, r"SGD: momentum must be >= 0"),
        (
            lambda: optim.SGD([w()], lr=0.1, nesterov=True),
            ValueError,
            r"SGD: nesterov=True needs momentum > 0 and dampening = 0",
        ),
        (
            lambda: optim.SGD([w()], lr=0.1, momentum=0.9, dampening=0.1, nesterov=True),
            ValueError,
            r"dampening = 0",
        ),
        (
            lambda: optim.SGD([w()], lr=0.1, weight_decay=-1e-4),
            ValueError,
            r"SGD: weight_decay must be >= 0",
        ),
        (
            lambda: optim.Adam([w()], betas=(1.0, 0.999)),
            ValueError,
            r"Adam: betas\[0\] must be in \[0, 1\), got 1.0",
        ),
        (lambda: optim.Adam([w()], betas=(0.9, -0.1)), ValueError, r"Adam: betas\[1\] must be in"),
        (lambda: optim.Adam([w()], betas=0.9), ValueError, r"Adam: betas must be a pair"),
        (lambda: optim.AdamW([w()], eps=-1e-8), ValueError, r"AdamW: eps must be >= 0"),
        (
            lambda: optim.RMSprop([w()], alpha=1.5),
            ValueError,
            r"RMSprop: alpha must be in \[0, 1\]",
        ),
        (lambda: optim.Adagrad([w()], lr_decay=-1), ValueError, r"Adagrad: lr_decay must be >= 0"),
        (
            lambda: optim.Adagrad([w()], initial_accumulator_value=-1),
            ValueError,
            r"Adagrad: initial_accumulator_value must be >= 0",
        ),
        (
            lambda: optim.SGD([{"params": [w()]}, {"params": [w()], "lr": -2}], lr=0.1),
            ValueError,
            r"SGD: lr must be >= 0, got -2 \(param group 1\)",
        ),
        (
            lambda: optim.SGD(w(), lr=0.1),
            TypeError,
            r"SGD: params must be an iterable of Tensors or dicts, got a single Tensor",
        ),
        (lambda: optim.SGD([], lr=0.1), ValueError, r"SGD: got an empty parameter list"),
        (lambda: optim.SGD({w()}, lr=0.1), TypeError, r"SGD: params must be an ordered collection"),
        (
            lambda: optim.SGD([np.zeros(2)], lr=0.1),
            TypeError,
            r"SGD: param 0 of param group 0 is a ndarray; an optimizer can only optimize Tensors",
        ),
        (
            lambda: optim.Adam([w(), gn.tensor([1, 2])]),
            gn.DTypeError,
            r"Adam: param 1 of param group 0 is a int64 tensor of shape \(2,\); "
            r"only floating-point",
        ),
        (
            lambda: optim.SGD([w() * 2], lr=0.1),
            ValueError,
            r"SGD: param 0 of param group 0 \(shape \(2,\)\) is not a leaf tensor",
        ),
        (lambda: optim.SGD([{"lr": 0.1}], lr=0.1), ValueError, r"param group 0 has no 'params'"),
        (lambda: optim.SGD([0.5], lr=0.1), TypeError, r"is a float; an optimizer can only"),
    ],
)
def test_bad_arguments_give_clear_errors(make, exc, match):
    with pytest.raises(exc, match=match):
        make()


def test_same_param_twice_is_an_error():
    a, b = w(), w()
    with pytest.raises(
        ValueError, match="SGD: some parameters of param group 1 are already in another param group"
    ):
        optim.SGD([{"params": [a, b]}, {"params": [b]}], lr=0.1)
    opt = optim.SGD([a], lr=0.1)
    with pytest.raises(ValueError, match="already in another param group"):
        opt.add_param_group({"params": [a]})
    with pytest.raises(ValueError, match="SGD: param group 0 lists the same parameter twice"):
        optim.SGD([a, a], lr=0.1)


def test_gradient_of_the_wrong_shape_is_an_error():
    a = w()
    a.grad = gn.tensor([1.0, 2.0, 3.0])
    with pytest.raises(
        gn.ShapeError,
        match=r"SGD.step: a parameter of shape \(2,\) has a "
        r"gradient of shape \(3,\)",
    ):
        optim.SGD([a], lr=0.1).step()
