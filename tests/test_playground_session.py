"""A playground session without the server: data, network, training, the
traced step of the backward view, and the export, all with glassnet."""

import base64
import os
import subprocess
import sys

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn
from glassnet.cli.explain import model_from_state_dict
from glassnet.explain import trace_step
from glassnet.playground import export, heatmaps
from glassnet.playground.config import parse
from glassnet.playground.errors import ProtocolError
from glassnet.playground.protocol import dumps
from glassnet.playground.session import Session

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def make(**settings):
    return Session("test", parse(settings))


def state(session):
    return {k: np.asarray(v).copy() for k, v in session.network.sequential().state_dict().items()}


def test_the_same_seed_gives_the_same_points_split_and_weights():
    a, b = make(seed=7, noise=20), make(seed=7, noise=20)
    assert np.array_equal(a.data.train_x, b.data.train_x)
    assert np.array_equal(a.data.test_y, b.data.test_y)
    assert all(np.array_equal(state(a)[k], state(b)[k]) for k in state(a))
    c = make(seed=8, noise=20)
    assert not np.array_equal(a.data.train_x, c.data.train_x)
    assert len(a.data.train_x) == 250 and len(a.data.test_x) == 250


def test_circle_is_learned_tensorflow_playground_style():
    s = make(dataset="circle", learningRate=0.1)
    start = s.test_loss
    for _ in range(60):
        s.step()
    assert s.trainer.epoch == 60
    assert s.test_loss < 0.1 < start
    history = s.frame()["history"]
    epochs, test = history["epoch"], history["test"]
    assert epochs[0] == 0 and epochs[-1] == 60 and test[-1] == s.test_loss
    norms = s.frame()["gradNorms"]
    assert norms["epoch"] == list(range(1, 61)) and len(norms["layers"]) == 3
    assert all(v > 0 for col in norms["layers"] for v in col)


def test_regression_and_multiclass_have_the_right_outputs_and_losses():
    r = make(dataset="plane", layers=[3], learningRate=0.03)
    assert r.network.sizes == [2, 3, 1] and type(r.trainer.loss_fn) is nn.HalfSquaredError
    first = r.test_loss
    for _ in range(10):
        r.step()
    assert r.test_loss < first / 4
    m = make(dataset="spirals3")
    assert m.network.sizes[-1] == 3 and m.data.classes == ["1", "2", "3"]
    assert type(m.trainer.loss_fn) is nn.CrossEntropyLoss
    out = m.frame()["output"]
    assert out["mode"] == "classes"
    assert set(base64.b64decode(out["classes"])) <= {0, 1, 2}
    assert make(dataset="blobs4").network.sizes[-1] == 4


def test_activation_and_dropout_changes_keep_the_weights_but_a_new_shape_does_not():
    s = make(layers=[3, 3])
    s.step()
    before = state(s)
    s.set_config({"activations": ["relu", "sigmoid"], "learningRate": 0.3})
    assert [type(m).__name__ for m in s.network.sequential()] == [
        "Linear",
        "ReLU",
        "Linear",
        "Sigmoid",
        "Linear",
    ]
    assert all(np.array_equal(before[k], state(s)[k]) for k in before)
    assert s.trainer.optimizer.param_groups[0]["lr"] == 0.3 and s.trainer.epoch == 1
    s.set_config({"dropout": 0.5})
    assert [type(m).__name__ for m in s.network.sequential()].count("Dropout") == 2
    assert not any(isinstance(m, nn.Dropout) for m in s.network.sequential(dropout=False))
    s.set_config({"layers": [3, 4]})
    assert s.trainer.epoch == 0 and s.network.sizes == [2, 3, 4, 2]
    s.set_config({"features": ["x1", "x2", "x1x2"]})
    assert s.network.sizes[0] == 3 and s.train_x.shape[1] == 3
    x = s.data.train_x[:1].astype(np.float64)
    assert s.train_x[0, 2] == np.float32(x[0, 0] * x[0, 1])


def test_regularization_pulls_weights_toward_zero():
    plain, l1 = (
        make(seed=3, learningRate=0.1),
        make(seed=3, learningRate=0.1, regularization="l1", regularizationRate=0.3),
    )
    for _ in range(5):
        plain.step()
        l1.step()
    size = lambda s: sum(np.abs(np.asarray(lin.weight)).sum() for lin in s.network.linears)  # noqa: E731
    assert size(l1) < 0.7 * size(plain)


def test_a_bad_config_change_leaves_the_session_as_it_was():
    s = make()
    version, cfg = s.version, s.config
    with pytest.raises(ProtocolError, match="upload one first"):
        s.set_config({"dataset": "csv"})
    with pytest.raises(ProtocolError, match="layers"):
        s.set_config({"layers": [9]})
    assert s.config == cfg and s.version == version


def test_the_traced_step_is_glassnet_explains_for_the_same_weights_and_point():
    s = make(layers=[3], learningRate=0.05, seed=4)
    for _ in range(3):
        s.step()
    payload = s.trace(5)
    # what `glassnet explain --model` builds from the saved weights
    model = model_from_state_dict(gn.load(export_weights(s)), "tanh")
    x = gn.tensor(s.data.train_x[5:6])
    y = gn.tensor(s.data.train_y[5:6])
    expected = trace_step(model, x, y, nn.CrossEntropyLoss(), lr=0.05, apply=False)
    got = {(r["section"], r["name"]): r["value"] for r in payload["rows"]}
    for sec, rows in expected.sections.items():
        for r in rows:
            if r.name:
                want = r.value.tolist() if hasattr(r.value, "tolist") else r.value
                assert got[(sec, r.name)] == want, r.name
    deltas = [r for r in payload["rows"] if r["kind"] == "delta_z"]
    assert len(deltas) == 3 and payload["rows"][0]["valueText"]


def export_weights(session, folder=None):
    import tempfile

    folder = folder or tempfile.mkdtemp()
    path = os.path.join(folder, export.WEIGHTS_FILE)
    with open(path, "wb") as f:
        f.write(export.weights_bytes(session.network))
    return path


def test_applying_the_traced_step_is_one_sgd_step_on_that_point():
    s = make(layers=[4], learningRate=0.1, optimizer="adam", seed=5)
    s.step()
    twin = model_from_state_dict(gn.load(export_weights(s)), "tanh")
    s.trace(7)
    s.apply_trace()
    opt = gn.optim.SGD(twin.parameters(), lr=0.1)
    opt.zero_grad()
    nn.CrossEntropyLoss()(
        twin(gn.tensor(s.data.train_x[7:8])), gn.tensor(s.data.train_y[7:8])
    ).backward()
    opt.step()
    for k, v in twin.state_dict().items():
        assert np.array_equal(state(s)[k], np.asarray(v)), k
    with pytest.raises(ProtocolError, match="no traced step"):
        s.apply_trace()
    with pytest.raises(ProtocolError, match="from 0 to 249"):
        s.trace(250)


def test_a_diverging_network_still_sends_valid_json():
    s = make(learningRate=10, layers=[8, 8], activations=["relu", "relu"], dataset="plane")
    for _ in range(3):
        s.step()
    frame = s.frame()
    dumps(frame)  # NaN would raise
    dumps(s.data_message())


def test_heatmap_bytes_and_grid_orientation():
    assert list(base64.b64decode(heatmaps.encode([-1, 0, 1, np.nan, 5, -7]))) == [
        0,
        128,
        255,
        128,
        255,
        0,
    ]
    g = heatmaps.grid((-6, 6, -6, 6), 4)
    assert g[0].tolist() == [-4.5, 4.5] and g[-1].tolist() == [4.5, -4.5]
    s = make(features=["x1", "x2", "sinx1"], layers=[2])
    maps = s.frame()["neurons"]
    assert [len(m) for m in maps] == [3, 2, 2]
    first = np.frombuffer(base64.b64decode(maps[0][0]), np.uint8).reshape(20, 20)
    assert first[0, 0] == 0 and first[0, -1] == 255  # x1 runs from orange (left) to blue


def test_the_exported_script_rebuilds_the_data_and_network_and_trains(tmp_path):
    s = make(
        layers=[3],
        features=["x1", "x2", "x1sq"],
        dropout=0.1,
        regularization="l2",
        regularizationRate=0.001,
        optimizer="momentum",
        seed=11,
        noise=10,
    )
    for _ in range(5):
        s.step()
    export_weights(s, str(tmp_path))
    script = tmp_path / export.SCRIPT_FILE
    script.write_text(export.script(s.config, s.network, s.data))
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = subprocess.run(
        [sys.executable, str(script), "3"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    lines = out.stdout.strip().splitlines()
    assert lines[0] == "epoch 0: train loss %.4f, test loss %.4f" % (s.train_loss, s.test_loss)
    assert lines[-1].startswith("epoch 3: ")
    assert (tmp_path / "playground_model_continued.safetensors").exists()


def test_the_script_for_a_multiclass_set_runs(tmp_path):
    s = make(dataset="blobs4", layers=[2], seed=2)
    export_weights(s, str(tmp_path))
    script = tmp_path / export.SCRIPT_FILE
    script.write_text(export.script(s.config, s.network, s.data))
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = subprocess.run(
        [sys.executable, str(script), "1"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("epoch 0: train loss %.4f" % s.train_loss)
