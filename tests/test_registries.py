"""One registry per kind of name (activations, losses, optimizers,
initializers): every consumer — fit, the command line, the playground, the
figures, the diagram — accepts exactly the registry's names, and an
unknown name is refused with the list of the known ones."""

import argparse

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn
from glassnet.cli.main import build_parser
from glassnet.nn.activation_registry import ACTIVATIONS
from glassnet.nn.init import INITIALIZERS
from glassnet.nn.loss_registry import LOSSES
from glassnet.nn.registry import Registry
from glassnet.optim.registry import OPTIMIZERS
from glassnet.train.loop import get_loss, get_optimizer

REGISTRIES = [ACTIVATIONS, LOSSES, OPTIMIZERS, INITIALIZERS]


def test_a_registry_maps_names_and_aliases_and_explains_an_unknown_name():
    r = Registry("colour")
    r.add("red", 1, aliases=("rot",))
    r.add("blue", 2)
    assert r["red"] == r["ROT"] == 1 and r.canonical("rot") == "red"
    assert r.names() == ("red", "blue") and r.accepted() == ("blue", "red", "rot")
    assert "Rot" in r and "green" not in r and 3 not in r and r.aliases("red") == ("rot",)
    with pytest.raises(ValueError, match="unknown colour 'green'; expected one of blue, red, rot"):
        r["green"]
    with pytest.raises(ValueError, match="the name 'rot' is taken"):
        r.add("rouge", 3, aliases=("rot",))


@pytest.mark.parametrize("registry", REGISTRIES, ids=lambda r: r.kind)
def test_every_registry_refuses_an_unknown_name_listing_the_known_ones(registry):
    with pytest.raises(
        ValueError,
        match=f"unknown {registry.kind} 'nope'; expected one of " + ", ".join(registry.accepted()),
    ):
        registry["nope"]


def test_the_aliases_people_type():
    assert (
        LOSSES["mae"].module is nn.L1Loss and LOSSES["crossentropy"].module is nn.CrossEntropyLoss
    )
    assert LOSSES["binary_cross_entropy_with_logits"].module is nn.BCEWithLogitsLoss
    assert ACTIVATIONS["identity"].module is nn.Identity
    assert INITIALIZERS["he"] is nn.init.kaiming_normal_
    assert INITIALIZERS["xavier"] is nn.init.xavier_normal_
    assert OPTIMIZERS["momentum"].settings == {"momentum": 0.9}


def _choices(command, option):
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    action = next(a for a in sub.choices[command]._actions if option in a.option_strings)
    return tuple(action.choices)


def test_the_command_line_offers_exactly_the_registry_names():
    assert _choices("train", "--activation") == ACTIVATIONS.accepted()
    assert _choices("train", "--optimizer") == OPTIMIZERS.accepted()
    assert _choices("explain", "--activation") == ACTIVATIONS.accepted()
    assert _choices("explain", "--loss") == LOSSES.accepted()


@pytest.mark.parametrize("name", ACTIVATIONS.accepted())
def test_every_activation_builds_the_command_lines_mlp_and_the_playgrounds_network(name):
    from glassnet.cli.train import build_mlp
    from glassnet.playground.config import parse
    from glassnet.playground.network import Network

    entry = ACTIVATIONS[name]
    assert isinstance(build_mlp(2, [3], 1, name)[1], entry.module)
    config = parse({"layers": [3], "activations": [name]})
    assert config.activations == (entry.name,)  # stored under its registered name
    net = Network([2, 3, 1], [name], 0.0, np.random.default_rng(0))
    assert isinstance(net.sequential()[1], entry.module)
    x = gn.tensor(np.linspace(-2, 2, 5))
    np.testing.assert_allclose(entry.function(x).numpy(), entry.layer()(x).numpy())
    code = entry.code()
    assert type(eval(code, {"nn": nn})) is entry.module


def test_the_playground_offers_exactly_the_registered_activations_and_optimizers():
    from glassnet.playground.config import parse
    from glassnet.playground.errors import ProtocolError
    from glassnet.playground.options import options

    o = options()
    assert o["activations"] == list(ACTIVATIONS.names())
    assert o["optimizers"] == list(OPTIMIZERS.names())
    for name in OPTIMIZERS.accepted():
        assert parse({"optimizer": name}).optimizer == OPTIMIZERS.canonical(name)
    with pytest.raises(
        ProtocolError, match="optimizer must be one of " + ", ".join(OPTIMIZERS.accepted())
    ):
        parse({"optimizer": "lbfgs"})


@pytest.mark.parametrize("name", OPTIMIZERS.accepted())
def test_every_optimizer_is_made_alike_by_fit_the_figures_and_the_exported_code(name):
    from glassnet.explain.plots.descent import bowl, descent_path

    spec = OPTIMIZERS[name]
    w = nn.Parameter(gn.tensor([1.0, 2.0]))
    made = get_optimizer(name, [w], lr=0.05)
    assert type(made) is spec.cls and made.param_groups[0]["lr"] == 0.05
    for key, value in spec.settings.items():
        assert made.param_groups[0][key] == value
    assert get_optimizer(name, [w]).param_groups[0]["lr"] == spec.lr
    model = nn.Linear(2, 1)
    exported = eval(spec.code(0.05), {"gn": gn, "model": model})
    assert type(exported) is spec.cls
    assert {k: exported.param_groups[0][k] for k in ("lr", *spec.settings)} == {
        "lr": 0.05,
        **spec.settings,
    }
    run = descent_path(bowl, (1.0, 1.0), 0.01, steps=3, optimizer=name)
    assert run["loss"][-1] < run["loss"][0]


@pytest.mark.parametrize("name", LOSSES.accepted())
def test_every_loss_name_gives_fit_its_layer_and_the_function_agrees(name):
    entry = LOSSES[name]
    layer = get_loss(name)
    assert type(layer) is entry.module and type(eval(entry.code(), {"nn": nn})) is entry.module
    if entry.name in ("cross_entropy", "nll"):
        x, y = gn.tensor([[0.2, -0.1, 0.4]]).log_softmax(1), gn.tensor([2])
    else:
        x, y = gn.tensor([[0.3, 0.6]]), gn.tensor([[0.0, 1.0]])
    np.testing.assert_allclose(layer(x, y).item(), entry.function(x, y).item())


def test_fit_explains_an_unknown_loss_or_optimizer_with_the_registry_names():
    with pytest.raises(
        ValueError, match="unknown loss 'msee'; expected one of " + ", ".join(LOSSES.accepted())
    ):
        get_loss("msee")
    with pytest.raises(
        ValueError,
        match="unknown optimizer 'sgdd'; expected one of " + ", ".join(OPTIMIZERS.accepted()),
    ):
        get_optimizer("sgdd", [])


@pytest.mark.parametrize("name", INITIALIZERS.accepted())
def test_every_initializer_fills_a_weight_and_the_figures_take_it(name):
    from glassnet.explain.plots.gradients import deep_mlp

    w = nn.Parameter(gn.zeros(4, 3) + 0.5)
    out = INITIALIZERS[name](w, generator=np.random.default_rng(0))
    assert out is w and w.shape == (4, 3)
    model = deep_mlp("relu", name, depth=2, width=3)
    assert np.all(model[0].bias.detach().numpy() == 0)


def test_the_diagram_draws_every_registered_activation():
    from glassnet.explain.draw.diagram import network_svg

    for name in ACTIVATIONS.names():
        svg = network_svg(
            nn.Sequential(nn.Linear(2, 2), ACTIVATIONS[name].layer(), nn.Linear(2, 1))
        )
        assert svg.startswith("<svg")
