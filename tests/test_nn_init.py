"""nn.init: gains and fans equal PyTorch's; each initializer's samples have
the distribution PyTorch's has (bounds, mean, std, compared with the formula
and with torch's own samples); fills happen in place, under no_grad, from
the seeded generator."""

import math

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn
from glassnet.nn import init

SHAPE = (300, 200)  # fan_in 200, fan_out 300: 60,000 samples
N = SHAPE[0] * SHAPE[1]


def test_calculate_gain_equals_torch(torch):
    names = [
        "linear",
        "conv1d",
        "conv2d",
        "conv3d",
        "conv_transpose1d",
        "conv_transpose2d",
        "conv_transpose3d",
        "sigmoid",
        "tanh",
        "relu",
        "leaky_relu",
        "selu",
    ]
    for name in names:
        assert init.calculate_gain(name) == torch.nn.init.calculate_gain(name), name
    for slope in (0, 0.2, 1, math.sqrt(5)):
        assert init.calculate_gain("leaky_relu", slope) == torch.nn.init.calculate_gain(
            "leaky_relu", slope
        )
    with pytest.raises(ValueError, match="unsupported nonlinearity 'swish'"):
        init.calculate_gain("swish")
    with pytest.raises(ValueError, match="not a valid number"):
        init.calculate_gain("leaky_relu", "big")


def test_fan_in_and_fan_out_equal_torch(torch):
    for shape in [(3, 5), (4, 3, 2, 2), (6, 2, 3)]:
        assert init._calculate_fan_in_and_fan_out(
            gn.zeros(*shape)
        ) == torch.nn.init._calculate_fan_in_and_fan_out(torch.zeros(shape))
    with pytest.raises(ValueError, match=r"fewer than 2 dimensions \(got shape \(5,\)\)"):
        init.xavier_uniform_(gn.zeros(5))
    with pytest.raises(ValueError, match="mode 'fan_avg' not supported"):
        init.kaiming_normal_(gn.zeros(2, 2), mode="fan_avg")


def _uniform_cases():
    fan_in, fan_out = SHAPE[1], SHAPE[0]
    return [
        ("uniform_", dict(a=-0.3, b=0.7), -0.3, 0.7),
        ("xavier_uniform_", dict(), *(s * math.sqrt(6 / (fan_in + fan_out)) for s in (-1, 1))),
        (
            "xavier_uniform_",
            dict(gain=2.0),
            *(s * 2 * math.sqrt(6 / (fan_in + fan_out)) for s in (-1, 1)),
        ),
        ("kaiming_uniform_", dict(), *(s * math.sqrt(2) * math.sqrt(3 / fan_in) for s in (-1, 1))),
        ("kaiming_uniform_", dict(a=math.sqrt(5)), -1 / math.sqrt(fan_in), 1 / math.sqrt(fan_in)),
        (
            "kaiming_uniform_",
            dict(mode="fan_out", nonlinearity="relu"),
            *(s * math.sqrt(2) * math.sqrt(3 / fan_out) for s in (-1, 1)),
        ),
    ]


@pytest.mark.parametrize("name,kwargs,lo,hi", _uniform_cases())
def test_uniform_initializers_bounds_and_moments_match_torch(torch, name, kwargs, lo, hi):
    t = getattr(init, name)(gn.empty(*SHAPE), **kwargs).numpy()
    ref = getattr(torch.nn.init, name)(torch.empty(SHAPE), **kwargs).numpy()
    assert t.dtype == np.float32
    for sample in (t, ref):
        assert lo <= sample.min() and sample.max() <= hi
        assert sample.min() < lo + 0.01 * (hi - lo) and sample.max() > hi - 0.01 * (hi - lo)
    std = (hi - lo) / math.sqrt(12)
    se_mean = std / math.sqrt(N)
    assert abs(t.mean() - (lo + hi) / 2) < 5 * se_mean
    assert abs(t.std() - std) < 0.01 * std
    assert abs(t.std() - ref.std()) < 0.02 * std


def _normal_cases():
    fan_in, fan_out = SHAPE[1], SHAPE[0]
    return [
        ("normal_", dict(mean=0.5, std=2.0), 0.5, 2.0),
        ("xavier_normal_", dict(), 0.0, math.sqrt(2 / (fan_in + fan_out))),
        (
            "xavier_normal_",
            dict(gain=init.calculate_gain("tanh")),
            0.0,
            5 / 3 * math.sqrt(2 / (fan_in + fan_out)),
        ),
        ("kaiming_normal_", dict(nonlinearity="relu"), 0.0, math.sqrt(2 / fan_in)),
        (
            "kaiming_normal_",
            dict(a=0.2, mode="fan_out"),
            0.0,
            math.sqrt(2 / (1 + 0.04)) / math.sqrt(fan_out),
        ),
    ]


@pytest.mark.parametrize("name,kwargs,mean,std", _normal_cases())
def test_normal_initializers_moments_match_torch(torch, name, kwargs, mean, std):
    t = getattr(init, name)(gn.empty(*SHAPE), **kwargs).numpy()
    ref = getattr(torch.nn.init, name)(torch.empty(SHAPE), **kwargs).numpy()
    assert t.dtype == np.float32
    assert abs(t.mean() - mean) < 5 * std / math.sqrt(N)
    assert abs(t.std() - std) < 0.015 * std
    assert abs(t.std() - ref.std()) < 0.03 * std
    # normal, not uniform: about 4.55% of samples lie beyond 2σ
    beyond = np.mean(np.abs(t - mean) > 2 * std)
    assert abs(beyond - 0.0455) < 0.005


def test_constant_fills_and_in_place_on_parameters():
    p = nn.Parameter(gn.empty(3, 4))
    data = p.detach().numpy()
    assert init.zeros_(p) is p and not p.detach().numpy().any()
    assert init.ones_(p) is p and (p.detach().numpy() == 1).all()
    assert init.constant_(p, 0.25) is p and (p.detach().numpy() == 0.25).all()
    assert p.detach().numpy() is data and p.requires_grad and p.grad_fn is None
    v = p._version
    init.xavier_uniform_(p)  # works on a Parameter while grad mode is on
    assert p.detach().numpy() is data and p._version > v
    assert gn.is_grad_enabled()
    d = gn.empty(4, 4, dtype=np.float64)
    init.kaiming_normal_(d)
    assert d.dtype == np.float64
    with pytest.raises(TypeError, match="floating-point"):
        init.normal_(gn.zeros(2, 2, dtype=np.int64))
    with pytest.raises(TypeError, match="expected a Tensor"):
        init.normal_(np.zeros((2, 2)))
    with pytest.warns(UserWarning, match="zero-element"):
        init.kaiming_uniform_(gn.empty(0, 3))


def test_initializers_draw_from_the_seeded_or_given_generator():
    gn.manual_seed(11)
    a = init.xavier_normal_(gn.empty(5, 6)).numpy().copy()
    gn.manual_seed(11)
    b = init.xavier_normal_(gn.empty(5, 6)).numpy().copy()
    np.testing.assert_array_equal(a, b)
    c = init.kaiming_uniform_(gn.empty(5, 6), generator=np.random.default_rng(1)).numpy()
    d = init.kaiming_uniform_(gn.empty(5, 6), generator=np.random.default_rng(1)).numpy()
    np.testing.assert_array_equal(c, d)
    gn.manual_seed(11)
    state = gn.get_rng_state()
    init.uniform_(gn.empty(3), generator=np.random.default_rng(2))
    assert gn.get_rng_state() == state  # an explicit generator leaves the default alone


def test_reinitializing_a_model_with_apply():
    def init_weights(m):
        if isinstance(m, nn.Linear):
            init.xavier_uniform_(m.weight)
            init.zeros_(m.bias)

    model = nn.Sequential(nn.Linear(2, 4), nn.Sigmoid(), nn.Linear(4, 1))
    model.apply(init_weights)
    bound = math.sqrt(6 / (2 + 4))
    assert np.abs(model[0].weight.detach().numpy()).max() <= bound
    assert not model[0].bias.detach().numpy().any() and not model[2].bias.detach().numpy().any()
