"""A saved model describes itself: the card in the safetensors metadata,
``gn.load_model`` and its ``predict``, ``gn.load``'s PyTorch semantics kept,
clear errors for a damaged card, and the playground's export."""

import json

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn
from glassnet.io.safetensors import FormatError, read_file, save_file
from glassnet.train import ModelCard, load_model, save_model
from glassnet.train.card import KEY, describe_layers


def _regression(tmp_path):
    gn.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1))
    card = ModelCard(
        task="regression",
        layers=describe_layers(model),
        columns=["a", "b"],
        target_name="t",
        x_mean=[10.0, -2.0],
        x_std=[2.0, 4.0],
        y_mean=[100.0],
        y_std=[5.0],
        loss="mse",
    )
    path = str(tmp_path / "m.safetensors")
    save_model(model, path, card)
    return model, card, path


def test_predict_standardizes_the_inputs_and_maps_the_output_back(tmp_path):
    model, card, path = _regression(tmp_path)
    loaded = gn.load_model(path)
    assert loaded.card == card and loaded.task == "regression" and loaded.columns == ["a", "b"]
    rows = np.array([[12.0, 2.0], [8.0, -6.0]])
    by_hand = model(gn.tensor(((rows - [10, -2]) / [2, 4]).astype(np.float32))).detach().numpy()
    want = by_hand * 5 + 100
    np.testing.assert_allclose(loaded.predict(rows), want, rtol=1e-6)
    np.testing.assert_allclose(loaded.predict({"b": [2.0, -6.0], "a": [12, 8]}), want, rtol=1e-6)
    np.testing.assert_allclose(loaded.outputs(rows), by_hand, rtol=1e-6)
    assert "regression: a, b → 't'" in repr(loaded)
    with pytest.raises(ValueError, match=r"no values for column\(s\) 'b'; the model takes a, b"):
        loaded.predict({"a": [1.0]})
    with pytest.raises(ValueError, match=r"rows of 2 values \(a, b\), got shape \(1, 3\)"):
        loaded.predict([[1.0, 2.0, 3.0]])
    with pytest.raises(ValueError, match="is a regression; use predict"):
        loaded.predict_proba(rows)


def test_the_file_stays_a_state_dict_for_gn_load(tmp_path):
    model, card, path = _regression(tmp_path)
    state = gn.load(path)
    assert sorted(state) == ["0.bias", "0.weight", "2.bias", "2.weight"]
    twin = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1))
    twin.load_state_dict(state)
    assert np.array_equal(np.asarray(twin[0].weight), np.asarray(model[0].weight))
    _, metadata = read_file(path)
    assert metadata["format"] == "pt" and json.loads(metadata[KEY])["version"] == 1


def test_a_classifier_answers_with_class_names(tmp_path):
    gn.manual_seed(1)
    model = nn.Sequential(nn.Linear(1, 3))
    model[0].weight._data[:] = [[-1.0], [0.0], [1.0]]
    model[0].bias._data[:] = 0
    card = ModelCard(
        task="classification",
        layers=describe_layers(model),
        columns=["v"],
        target_name="kind",
        classes=["low", "mid", "high"],
    )
    path = str(tmp_path / "c.safetensors")
    save_model(model, path, card)
    loaded = load_model(path)
    assert list(loaded.predict([[-5.0], [5.0]])) == ["low", "high"]
    p = loaded.predict_proba([[0.0]])
    np.testing.assert_allclose(p, [[1 / 3, 1 / 3, 1 / 3]], rtol=1e-6)


def _rewrite(path, change):
    tensors, metadata = read_file(path)
    doc = json.loads(metadata[KEY])
    change(doc)
    metadata[KEY] = json.dumps(doc)
    save_file(tensors, path, metadata=metadata)


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: d.update(task="clustering"), "field 'task' must be 'classification' or"),
        (lambda d: d.update(version=9), "has version 9; this glassnet reads up to 1"),
        (lambda d: d["inputs"].update(mean=[1.0]), "field 'inputs.mean' must be 2 numbers"),
        (lambda d: d["inputs"].update(std=[1.0, 0.0]), "field 'inputs.std' must be positive"),
        (lambda d: d["inputs"].update(columns=[]), "'inputs.columns' must be a non-empty list"),
        (lambda d: d["layers"][1].update(name="swish"), "field 'layers[1]' must be a valid"),
        (lambda d: d["layers"][0].update(type="lstm"), "'layers[0].type' must be linear, act"),
        (lambda d: d["layers"][0].update({"in": 2.5}), "field 'layers[0]' must be a valid linear"),
        (lambda d: d["inputs"].update(features=[[["x"]]]), "'inputs.features[0]' must be"),
        (lambda d: d["layers"][0].update(out=4), "weights do not fit the layers"),
        (lambda d: d["target"].update(std=None), "'target' must be both mean and std"),
        (lambda d: d.update(loss="hinge"), "field 'loss' must be a loss name"),
        (lambda d: d["inputs"].update(features=[["cos", "a"]]), "'inputs.features[0]' must be"),
    ],
)
def test_a_damaged_card_is_refused_naming_the_field(tmp_path, change, message):
    _, _, path = _regression(tmp_path)
    _rewrite(path, change)
    with pytest.raises(FormatError, match=f"^{path}: .*") as info:
        load_model(path)
    assert message in str(info.value)


def test_weights_alone_say_how_to_load_them(tmp_path):
    path = str(tmp_path / "w.safetensors")
    gn.save({"0.weight": gn.zeros(1, 2)}, path)
    with pytest.raises(FormatError, match="holds weights but no model card"):
        gn.load_model(path)
    with pytest.raises(FileNotFoundError, match="no such file"):
        gn.load_model(str(tmp_path / "nope.safetensors"))
    with pytest.raises(TypeError, match="layer 0 is a Embedding; a card describes"):
        describe_layers(nn.Sequential(nn.Embedding(3, 2)))


def test_derived_features_and_images_are_rebuilt(tmp_path):
    card = ModelCard(
        task="regression",
        layers=[{"type": "linear", "in": 3, "out": 1}],
        columns=["u", "v"],
        features=[["col", "v"], ["mul", "u", "v"], ["sin", "u"]],
    )
    x = card.inputs([[2.0, 3.0]])
    np.testing.assert_allclose(x, [[3.0, 6.0, np.sin(2.0)]], rtol=1e-6)
    gn.manual_seed(0)
    cnn = nn.Sequential(
        nn.Conv2d(1, 2, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(8, 2)
    )
    card = ModelCard(
        task="classification",
        layers=describe_layers(cnn),
        columns=[f"p{i}" for i in range(16)],
        classes=["a", "b"],
        input_shape=[1, 4, 4],
    )
    path = str(tmp_path / "cnn.safetensors")
    save_model(cnn, path, card)
    loaded = load_model(path)
    image = np.arange(16.0).reshape(1, 16)
    want = cnn(gn.tensor(image.reshape(1, 1, 4, 4).astype(np.float32))).detach().numpy()
    np.testing.assert_allclose(loaded.outputs(image), want, rtol=1e-6)


def test_the_playgrounds_export_carries_the_card(tmp_path):
    from glassnet.playground import export
    from glassnet.playground.config import parse
    from glassnet.playground.session import Session

    s = Session("t", parse({"dataset": "xor", "features": ["x1", "x2", "x1x2"], "seed": 3}))
    for _ in range(20):
        s.step()
    path = tmp_path / export.WEIGHTS_FILE
    path.write_bytes(export.weights_bytes(s.network, s.config, s.data, s.upload))
    loaded = gn.load_model(str(path))
    card = loaded.card
    assert card.columns == ["x1", "x2"] and card.task == "classification"
    assert card.features == [["col", "x1"], ["col", "x2"], ["mul", "x1", "x2"]]
    assert card.classes == [str(c) for c in s.data.classes] and card.loss == "cross_entropy"
    assert card.activations == s.network.activation_names
    points = s.data.test_x[:20]
    with gn.no_grad():
        page = s.network.sequential(dropout=False)(
            gn.tensor(np.c_[points, points[:, 0] * points[:, 1]].astype(np.float32))
        )
    best = page.numpy().argmax(axis=1)
    assert list(loaded.predict(points)) == [card.classes[k] for k in best]
    # without the session: weights alone, as before
    plain = tmp_path / "plain.safetensors"
    plain.write_bytes(export.weights_bytes(s.network))
    assert KEY not in read_file(str(plain))[1]


def test_a_card_that_does_not_describe_the_model_is_refused(tmp_path):
    model = nn.Sequential(nn.Linear(2, 3))
    card = ModelCard(
        task="regression", layers=[{"type": "linear", "in": 2, "out": 1}], columns=["a", "b"]
    )
    with pytest.raises(ValueError, match="do not match the layers its card describes"):
        save_model(model, str(tmp_path / "m.safetensors"), card)
    assert not (tmp_path / "m.safetensors").exists()
