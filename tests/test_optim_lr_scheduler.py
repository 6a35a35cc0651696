"""Learning-rate schedulers: the lr (and momentum) sequences equal PyTorch's,
training with a schedule gives PyTorch's weights, state_dict resumes."""

import copy
import math
import warnings

import numpy as np
import pytest
from test_optim import INIT, gn_loss, gn_params, torch_loss

import glassnet as gn
from glassnet import optim
from glassnet.optim import lr_scheduler as S

STEPS = 30

SCHEDULES = {
    "StepLR": lambda m, o: m.StepLR(o, step_size=4, gamma=0.5),
    "MultiStepLR": lambda m, o: m.MultiStepLR(o, milestones=[3, 8, 8, 20], gamma=0.3),
    "ExponentialLR": lambda m, o: m.ExponentialLR(o, gamma=0.9),
    "CosineAnnealingLR": lambda m, o: m.CosineAnnealingLR(o, T_max=10, eta_min=0.001),
    "CosineAnnealingLR-past-T_max": lambda m, o: m.CosineAnnealingLR(o, T_max=7),
    "LambdaLR": lambda m, o: m.LambdaLR(o, lr_lambda=lambda e: 1.0 / (1 + e) + 0.01 * (e % 3)),
    "LambdaLR-per-group": lambda m, o: m.LambdaLR(
        o, lr_lambda=[lambda e: 0.95**e, lambda e: min(1.0, (e + 1) / 10)]
    ),
    "OneCycleLR": lambda m, o: m.OneCycleLR(o, max_lr=0.5, total_steps=STEPS),
    "OneCycleLR-per-group": lambda m, o: m.OneCycleLR(
        o, max_lr=[0.5, 0.2], epochs=5, steps_per_epoch=6
    ),
    "OneCycleLR-three-phase-linear": lambda m, o: m.OneCycleLR(
        o,
        max_lr=0.3,
        total_steps=STEPS,
        pct_start=0.25,
        anneal_strategy="linear",
        three_phase=True,
        base_momentum=0.8,
        max_momentum=0.9,
        div_factor=10.0,
        final_div_factor=100.0,
    ),
}


def _groups(ps):
    return [{"params": ps[:2]}, {"params": ps[2:], "lr": 0.02}]


def _momentum(group):
    return group["betas"][0] if "betas" in group else group.get("momentum")


def lr_sequence(make_opt, module, make_sched, params, steps=STEPS, metrics=None):
    opt = make_opt(_groups(params))
    sched = make_sched(module, opt)
    seq = [(list(sched.get_last_lr()), [_momentum(g) for g in opt.param_groups])]
    for i in range(steps):
        opt.step()
        if metrics is None:
            sched.step()
        else:
            sched.step(metrics[i])
        seq.append((list(sched.get_last_lr()), [_momentum(g) for g in opt.param_groups]))
        assert seq[-1][0] == [g["lr"] for g in opt.param_groups]
    return seq


def assert_same_sequence(ours, theirs):
    assert len(ours) == len(theirs)
    for (lr_a, m_a), (lr_b, m_b) in zip(ours, theirs):
        assert lr_a == pytest.approx(lr_b, rel=1e-12, abs=1e-15)
        assert m_a == pytest.approx(m_b, rel=1e-12, abs=1e-15)


OPTIMIZERS = {
    "SGD": (lambda m: lambda g: m.SGD(g, lr=0.1, momentum=0.9)),
    "Adam": (lambda m: lambda g: m.Adam(g, lr=0.1)),
}


@pytest.mark.parametrize("opt_name", list(OPTIMIZERS))
@pytest.mark.parametrize("sched_name", list(SCHEDULES))
@pytest.mark.torch
def test_lr_sequence_matches_pytorch(torch, sched_name, opt_name):
    make = SCHEDULES[sched_name]
    ours = lr_sequence(OPTIMIZERS[opt_name](optim), S, make, gn_params())
    tparams = [torch.tensor(a) for a in INIT]
    theirs = lr_sequence(OPTIMIZERS[opt_name](torch.optim), torch.optim.lr_scheduler, make, tparams)
    assert_same_sequence(ours, theirs)
    assert len({round(lr[0], 12) for lr, _ in ours}) > 2  # the schedule does change lr


PLATEAU = {
    "min-rel": dict(patience=2),
    "min-abs-cooldown": dict(
        patience=1, threshold=0.05, threshold_mode="abs", cooldown=2, factor=0.5
    ),
    "max-rel-min_lr": dict(mode="max", patience=0, factor=0.5, min_lr=[0.01, 0.004]),
    "max-abs-eps": dict(
        mode="max",
        patience=1,
        threshold=0.1,
        threshold_mode="abs",
        factor=0.7,
        eps=1e-3,
        min_lr=0.05,
    ),
}
METRICS = [
    1.0,
    0.9,
    0.95,
    0.91,
    0.9,
    0.92,
    0.8,
    0.85,
    0.85,
    0.85,
    0.79,
    0.9,
    1.1,
    0.7,
    0.7,
    0.75,
    0.69,
    0.7,
    0.71,
    0.72,
    0.5,
    0.6,
    0.6,
    0.6,
    0.6,
    0.4,
    0.45,
    0.5,
    0.55,
    0.6,
]


@pytest.mark.parametrize("case", list(PLATEAU))
@pytest.mark.torch
def test_reduce_lr_on_plateau_matches_pytorch(torch, case):
    kwargs = PLATEAU[case]
    metrics = METRICS if kwargs.get("mode") != "max" else [-m for m in METRICS]

    def make(m, o):
        return m.ReduceLROnPlateau(o, **kwargs)

    ours = lr_sequence(
        OPTIMIZERS["SGD"](optim),
        S,
        make,
        gn_params(),
        metrics=[gn.tensor(v, dtype=gn.float64) for v in metrics],
    )
    theirs = lr_sequence(
        OPTIMIZERS["SGD"](torch.optim),
        torch.optim.lr_scheduler,
        make,
        [torch.tensor(a) for a in INIT],
        metrics=metrics,
    )
    assert_same_sequence(ours, theirs)
    assert ours[-1][0] != ours[0][0]


TRAINING = [
    ("SGD", dict(lr=0.1, momentum=0.9), "OneCycleLR"),
    ("Adam", dict(lr=0.01), "OneCycleLR"),
    ("SGD", dict(lr=0.2, momentum=0.5, nesterov=True), "StepLR"),
    ("Adam", dict(lr=0.05, amsgrad=True), "CosineAnnealingLR"),
    ("RMSprop", dict(lr=0.01, momentum=0.5), "OneCycleLR-three-phase-linear"),
    ("AdamW", dict(lr=0.05), "ExponentialLR"),
    ("Adagrad", dict(lr=0.3), "MultiStepLR"),
]


def train(module, opt, sched, params, loss_fn, steps=20):
    for _ in range(steps):
        opt.zero_grad()
        loss_fn(params).backward()
        opt.step()
        sched.step()


@pytest.mark.parametrize(
    "name, kwargs, sched_name", TRAINING, ids=[f"{n}-{s}" for n, _, s in TRAINING]
)
@pytest.mark.torch
def test_training_with_a_schedule_matches_pytorch(torch, name, kwargs, sched_name):
    make = SCHEDULES[sched_name]
    params = gn_params()
    opt = getattr(optim, name)(params, **kwargs)
    train(S, opt, make(S, opt), params, gn_loss)
    tparams = [torch.tensor(a, requires_grad=True) for a in INIT]
    topt = getattr(torch.optim, name)(tparams, **kwargs)
    train(
        torch.optim.lr_scheduler,
        topt,
        make(torch.optim.lr_scheduler, topt),
        tparams,
        lambda ps: torch_loss(torch, ps),
    )
    for p, t in zip(params, tparams):
        np.testing.assert_allclose(p.detach().numpy(), t.detach().numpy(), rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize(
    "sched_name",
    ["StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR", "OneCycleLR", "LambdaLR"],
)
def test_state_dict_resumes_the_schedule(sched_name):
    make = SCHEDULES[sched_name]
    straight = lr_sequence(OPTIMIZERS["SGD"](optim), S, make, gn_params())

    params = gn_params()
    opt = optim.SGD(_groups(params), lr=0.1, momentum=0.9)
    sched = make(S, opt)
    for _ in range(12):
        opt.step()
        sched.step()
    opt_sd, sched_sd = copy.deepcopy(opt.state_dict()), copy.deepcopy(sched.state_dict())

    opt2 = optim.SGD(_groups(params), lr=0.1, momentum=0.9)
    sched2 = make(S, opt2)  # build the scheduler, then load (as in PyTorch)
    opt2.load_state_dict(opt_sd)
    sched2.load_state_dict(sched_sd)
    rest = [(sched2.get_last_lr(), [_momentum(g) for g in opt2.param_groups])]
    for _ in range(STEPS - 12):
        opt2.step()
        sched2.step()
        rest.append((sched2.get_last_lr(), [_momentum(g) for g in opt2.param_groups]))
    assert_same_sequence(rest, straight[12:])


def test_reduce_lr_on_plateau_state_dict_resumes():
    def run(metrics, sched):
        out = []
        for m in metrics:
            sched.step(m)
            out.append(sched.get_last_lr())
        return out

    opt = optim.SGD(gn_params(), lr=0.1)
    straight = run(METRICS, S.ReduceLROnPlateau(opt, patience=1, cooldown=1))
    opt = optim.SGD(gn_params(), lr=0.1)
    sched = S.ReduceLROnPlateau(opt, patience=1, cooldown=1)
    first = run(METRICS[:13], sched)
    opt2 = optim.SGD(gn_params(), lr=0.1)
    opt2.load_state_dict(copy.deepcopy(opt.state_dict()))
    sched2 = S.ReduceLROnPlateau(opt2, patience=1, cooldown=1)
    sched2.load_state_dict(copy.deepcopy(sched.state_dict()))
    assert first + run(METRICS[13:], sched2) == straight


def test_step_lr_by_hand():
    opt = optim.SGD(gn_params(), lr=1.0)
    sched = S.StepLR(opt, step_size=3, gamma=0.1)
    lrs = []
    for _ in range(7):
        lrs.append(sched.get_last_lr()[0])
        opt.step()
        sched.step()
    assert lrs == pytest.approx([1, 1, 1, 0.1, 0.1, 0.1, 0.01])
    assert sched.last_epoch == 7 and opt.param_groups[0]["initial_lr"] == 1.0


def test_cosine_annealing_follows_the_closed_form():
    opt = optim.SGD(gn_params(), lr=0.1)
    sched = S.CosineAnnealingLR(opt, T_max=10, eta_min=0.01)
    for t in range(1, 11):
        opt.step()
        sched.step()
        expected = 0.01 + (0.1 - 0.01) * (1 + math.cos(math.pi * t / 10)) / 2
        assert sched.get_last_lr()[0] == pytest.approx(expected, rel=1e-12)


def test_scheduler_step_before_optimizer_step_warns():
    opt = optim.SGD(gn_params(), lr=0.1)
    sched = S.ExponentialLR(opt, gamma=0.5)
    with pytest.warns(UserWarning, match="before optimizer.step"):
        sched.step()
    opt = optim.SGD(gn_params(), lr=0.1)
    sched = S.ExponentialLR(opt, gamma=0.5)
    opt.step()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sched.step()


@pytest.mark.parametrize(
    "make, exc, match",
    [
        (
            lambda o: S.StepLR([1], step_size=2),
            TypeError,
            r"StepLR: expected a glassnet Optimizer \(e.g. optim.SGD\(...\)\), got list",
        ),
        (
            lambda o: S.StepLR(o, step_size=0),
            ValueError,
            r"StepLR: step_size must be a positive int",
        ),
        (lambda o: S.CosineAnnealingLR(o, T_max=0), ValueError, r"T_max must be a positive int"),
        (lambda o: S.MultiStepLR(o, milestones=[2, -1]), ValueError, r"milestones must be"),
        (
            lambda o: S.LambdaLR(o, lr_lambda=[lambda e: 1.0] * 3),
            ValueError,
            r"LambdaLR: lr_lambda has 3 values, but the optimizer has 1 param groups",
        ),
        (
            lambda o: S.LambdaLR(o, lr_lambda=0.5),
            TypeError,
            r"LambdaLR: lr_lambda must be callable",
        ),
        (
            lambda o: S.ReduceLROnPlateau(o, factor=1.5),
            ValueError,
            r"ReduceLROnPlateau: factor must be in \[0, 1\)",
        ),
        (lambda o: S.ReduceLROnPlateau(o, mode="up"), ValueError, r"mode must be 'min' or 'max'"),
        (lambda o: S.ReduceLROnPlateau(o, threshold_mode="x"), ValueError, r"threshold_mode must"),
        (
            lambda o: S.OneCycleLR(o, max_lr=0.1),
            ValueError,
            r"OneCycleLR: give total_steps, or both epochs and steps_per_epoch",
        ),
        (
            lambda o: S.OneCycleLR(o, max_lr=0.1, total_steps=10, pct_start=1.5),
            ValueError,
            r"pct_start must be a float in \[0, 1\]",
        ),
        (
            lambda o: S.OneCycleLR(o, max_lr=0.1, total_steps=10, anneal_strategy="exp"),
            ValueError,
            r"anneal_strategy must be 'cos' or 'linear'",
        ),
        (
            lambda o: S.OneCycleLR(optim.Adagrad(gn_params()), max_lr=0.1, total_steps=10),
            ValueError,
            r"cycle_momentum=True needs an optimizer with 'momentum' or 'betas' "
            r"\(Adagrad has neither\)",
        ),
        (lambda o: S.StepLR(o, step_size=2, last_epoch=4), KeyError, r"has no 'initial_lr'"),
    ],
)
def test_bad_scheduler_arguments_give_clear_errors(make, exc, match):
    opt = optim.SGD(gn_params(), lr=0.1, momentum=0.9)
    with pytest.raises(exc, match=match):
        make(opt)


def test_one_cycle_past_total_steps_is_an_error():
    opt = optim.SGD(gn_params(), lr=0.1, momentum=0.9)
    sched = S.OneCycleLR(opt, max_lr=0.1, total_steps=3)
    for _ in range(3):
        opt.step()
        sched.step()
    opt.step()
    with pytest.raises(ValueError, match="OneCycleLR: stepped 4 times, but total_steps is 3"):
        sched.step()
