"""The playground's settings: every value is checked, with a message naming
the setting and what is allowed."""

import math

import pytest

from glassnet.playground import limits
from glassnet.playground.config import Config, changed, parse
from glassnet.playground.errors import ProtocolError
from glassnet.playground.protocol import dumps, parse_command, parse_json, parse_session_request


def refused(message, base=None):
    with pytest.raises(ProtocolError) as info:
        parse(message, base)
    return info.value


def test_defaults_are_tensorflow_playgrounds():
    c = parse({})
    assert (c.dataset, c.layers, c.activations, c.learningRate, c.batchSize, c.trainRatio) == (
        "circle",
        (4, 2),
        ("tanh", "tanh"),
        0.03,
        10,
        50,
    )
    assert c.features == ("x1", "x2") and c.regularization == "none"


def test_a_partial_message_changes_only_its_keys():
    c = parse({"learningRate": 0.1, "optimizer": "adam"}, parse({"noise": 20}))
    assert (c.learningRate, c.optimizer, c.noise) == (0.1, "adam", 20)
    assert changed(parse({"noise": 20}), c) == {"learningRate", "optimizer"}


@pytest.mark.parametrize(
    "message, field, words",
    [
        ({"layers": [4] * (limits.MAX_LAYERS + 1)}, "layers", "0 to 6 entries"),
        ({"layers": [limits.MAX_NEURONS + 1]}, "layers", "from 1 to 8"),
        ({"layers": [0]}, "layers", "from 1 to 8"),
        ({"layers": [2.5]}, "layers", "whole number"),
        ({"layers": "4,2"}, "layers", "must be a list"),
        ({"learningRate": 100}, "learningRate", "from 1e-06 to 10"),
        ({"learningRate": 0}, "learningRate", "from 1e-06 to 10"),
        ({"learningRate": "0.1"}, "learningRate", "must be a number"),
        ({"learningRate": math.nan}, "learningRate", "must be a number"),
        ({"regularizationRate": -1}, "regularizationRate", "from 0 to 10"),
        ({"noise": 51}, "noise", "from 0 to 50"),
        ({"noise": True}, "noise", "whole number"),
        ({"points": 10**9}, "points", "from 50 to 2000"),
        ({"trainRatio": 95}, "trainRatio", "from 10 to 90"),
        ({"batchSize": 0}, "batchSize", "from 1 to 64"),
        ({"dropout": 0.95}, "dropout", "from 0 to 0.9"),
        ({"seed": -1}, "seed", "from 0 to"),
        ({"dataset": "mnist"}, "dataset", "one of circle, xor"),
        (
            {"activations": ["swish", "tanh"]},
            "activations",
            "one of elu, gelu, identity, leaky_relu",
        ),
        ({"activations": ["tanh"]}, "activations", "one activation per hidden layer"),
        ({"optimizer": "lbfgs"}, "optimizer", "one of adagrad, adam, adamw, momentum"),
        ({"regularization": "l3"}, "regularization", "one of none, l1, l2"),
        ({"features": []}, "features", "1 to 7 entries"),
        ({"features": ["x1", "x1"]}, "features", "twice"),
        ({"features": ["x3"]}, "features", "one of x1, x2"),
        ({"learning_rate": 0.1}, "learning_rate", "unknown setting"),
    ],
)
def test_out_of_range_and_malformed_settings_are_refused_by_name(message, field, words):
    err = refused(message)
    assert err.field == field and err.status == 400
    assert words in err.message, err.message


def test_more_layers_take_the_last_activation_and_fewer_drop_theirs():
    c = parse({"activations": ["relu", "sigmoid"]})
    assert parse({"layers": [4, 2, 3]}, c).activations == ("relu", "sigmoid", "sigmoid")
    assert parse({"layers": [5]}, c).activations == ("relu",)
    assert parse({"layers": []}, c).activations == ()
    assert parse({"layers": [1]}, parse({"layers": []})).activations == ("tanh",)


def test_config_round_trips_through_json_lists():
    c = parse({"layers": [8, 8, 8], "features": ["x1sq", "x2sq"]})
    assert parse(c.to_dict()) == c
    assert isinstance(c.to_dict()["layers"], list)
    assert Config() == parse(Config().to_dict())


@pytest.mark.parametrize(
    "body, words",
    [
        (b"{", "not valid JSON"),
        (b"[1, 2]", "must be a JSON object"),
        (b"\xff\xfe", "not UTF-8"),
        (b'{"x": NaN}', "not valid JSON"),
        (b"[" * 100000 + b"]" * 100000, "nested too deeply"),
    ],
)
def test_malformed_bodies_are_refused(body, words):
    with pytest.raises(ProtocolError) as info:
        parse_json(body)
    assert words in info.value.message


@pytest.mark.parametrize(
    "msg, words",
    [
        ({"type": "explode"}, "type must be one of"),
        ({"type": "play"}, "needs 'playing'"),
        ({"type": "play", "playing": "yes"}, "must be true or false"),
        ({"type": "trace", "index": True}, "must be the number of a training point"),
        ({"type": "step", "extra": 1}, "unexpected key 'extra'"),
        ({"type": "config", "config": [1]}, "must be an object of settings"),
    ],
)
def test_commands_are_checked(msg, words):
    with pytest.raises(ProtocolError) as info:
        parse_command(msg)
    assert words in info.value.message


def test_good_commands_and_session_requests_parse():
    assert parse_command({"session": "s", "type": "trace", "index": 3}) == (
        "s",
        "trace",
        {"index": 3},
    )
    assert parse_session_request({"config": {"noise": 5}}) == {"noise": 5}
    with pytest.raises(ProtocolError):
        parse_session_request({"config": {}, "admin": True})


def test_replies_never_hold_nan():
    with pytest.raises(ValueError):
        dumps({"loss": math.nan})
    assert dumps({"loss": None}) == b'{"loss":null}'
