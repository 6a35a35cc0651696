"""Your own data end to end, on the command line: `glassnet train` with no
flags fits an ordinary table, `--save` keeps the preprocessing with the
weights, and `explain --model` and `predict` answer in the data's units."""

import csv
import re

import numpy as np
import pytest
from owndata_tables import fruit, houses

import glassnet as gn
from glassnet.cli.main import main


def _rows(path):
    with open(path, encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def house_model(tmp_path_factory):
    """houses.csv and the model `glassnet train` saves from it with no flags."""
    folder = tmp_path_factory.mktemp("houses")
    data = houses(folder / "houses.csv")
    model = str(folder / "houses.safetensors")
    return data, model


def test_train_with_no_flags_fits_the_house_table_and_says_what_it_chose(house_model, capsys):
    data, model = house_model
    assert main(["train", "--data", data, "--target", "price", "--save", model]) == 0
    out = capsys.readouterr().out
    assert "--task auto: regression ('price' holds numbers)" in out
    settings = re.search(r"settings: adam, lr (\S+), (\d+) epochs of batch 64 \((\d+) steps\)", out)
    assert settings and float(settings.group(1)) == 0.01 and int(settings.group(3)) >= 800
    assert "features and target standardized" in out and "--lr and --epochs change them" in out
    test = re.search(r"test \(in price's units\): mse (\S+), mae (\S+), r2 (\S+)", out)
    mse, mae, r2 = map(float, test.groups())
    assert r2 > 0.9 and mae < 25  # prices are 200-700: an error of a few percent
    assert "hint:" not in out
    assert f"saved the model (weights, layers, columns, standardization) to {model}" in out


def test_predict_writes_prices_in_the_datas_units(house_model, tmp_path, capsys):
    data, model = house_model
    out = tmp_path / "predictions.csv"
    assert main(["predict", "--model", model, "--data", data, "--out", str(out)]) == 0
    said = capsys.readouterr().out
    assert f"wrote 300 predictions (price_predicted) to {out}" in said
    r2 = float(re.search(r"compared with the 'price' column: mae \S+, r2 (\S+)", said).group(1))
    assert r2 > 0.9
    rows = _rows(out)
    assert list(rows[0]) == ["size", "rooms", "age", "price", "price_predicted"]
    price = np.array([float(r["price"]) for r in rows])
    predicted = np.array([float(r["price_predicted"]) for r in rows])
    assert 200 < predicted.min() and predicted.max() < 720
    assert np.abs(predicted - price).mean() < 25
    # the same numbers from Python, and to stdout without the target column
    loaded = gn.load_model(model)
    first = {k: [float(rows[0][k])] for k in ("size", "rooms", "age")}
    assert loaded.predict(first)[0, 0] == pytest.approx(predicted[0], rel=1e-5)
    new = tmp_path / "new.csv"
    new.write_text("age,size,rooms,note\n10,200,5,corner\n", encoding="utf-8")
    assert main(["predict", "--model", model, "--data", str(new)]) == 0
    out = capsys.readouterr()
    header, line = out.out.splitlines()
    assert header == "age,size,rooms,note,price_predicted" and line.startswith("10,200,5,corner,")
    expected = loaded.predict([[200, 5, 10]])[0, 0]
    assert float(line.rsplit(",", 1)[1]) == pytest.approx(expected, rel=1e-5)
    assert 500 < expected < 650 and out.err == ""


def test_explain_takes_a_row_in_the_datas_units(house_model, capsys):
    data, model = house_model
    row = _rows(data)[0]
    inputs = [row["size"], row["rooms"], row["age"]]
    args = ["explain", "--model", model, "--input", *inputs, "--target", row["price"]]
    assert main(args + ["--lang", "en"]) == 0
    out = capsys.readouterr().out
    card = gn.load_model(model).card
    x = (float(row["size"]) - card.x_mean[0]) / card.x_std[0]
    assert f"x[1] = ({row['size']} − {card.x_mean[0]:.4f}) / {card.x_std[0]:.4f} = {x:.4f}" in out
    assert f"size = {row['size']} standardized as in training" in out
    y = (float(row["price"]) - card.y_mean[0]) / card.y_std[0]
    assert f"y = ({row['price']} − {card.y_mean[0]:.4f}) / {card.y_std[0]:.4f} = {y:.4f}" in out
    said = re.search(r"price = ŷ·\S+ \+ \S+ = (\S+) in the data's units", out)
    predicted = gn.load_model(model).predict([[float(v) for v in inputs]])[0, 0]
    assert float(said.group(1)) == pytest.approx(predicted, rel=1e-4)
    assert abs(predicted - float(row["price"])) < 40
    assert "Network 3 → 64 relu → 1; loss MSELoss" in out


def test_a_classification_table_predicts_its_class_names(tmp_path, capsys):
    data = fruit(tmp_path / "fruit.csv")
    model = str(tmp_path / "fruit.safetensors")
    assert main(["train", "--data", data, "--target", "kind", "--save", model]) == 0
    out = capsys.readouterr().out
    assert "--task auto: classification ('kind' holds 3 classes)" in out
    assert float(re.search(r"accuracy (\S+)", out.split("test:")[1]).group(1)) > 0.9
    assert main(["predict", "--model", model, "--data", data]) == 0
    out = capsys.readouterr()
    rows = list(csv.DictReader(out.out.splitlines()))
    assert {r["kind_predicted"] for r in rows} == {"cherry", "plum", "melon"}
    hits = sum(r["kind"] == r["kind_predicted"] for r in rows)
    assert hits / len(rows) > 0.9 and all(0 < float(r["kind_probability"]) <= 1 for r in rows)
    assert re.search(r"compared with the 'kind' column: accuracy \S+ \(\d+ of 240\)", out.err)
    args = ["explain", "--model", model, "--input", "850", "14", "--target", "melon"]
    assert main(args + ["--lang", "en"]) == 0
    out = capsys.readouterr().out
    # classes sorted by name: cherry, melon, plum; melon is index 1, output ŷ2
    assert "y, the number of the target's output ŷ[2] (class “melon”, index 1" in out
    assert re.search(r"L += −ln p\[2\] += −ln \S+ += \S+", out)
    assert "before this step the network predicts melon (p = " in out


def test_a_run_far_from_a_good_fit_ends_with_a_hint(house_model, capsys):
    data, _ = house_model
    args = ["train", "--data", data, "--target", "price", "--verbose", "0"]
    assert main(args + ["--epochs", "2", "--lr", "0.001"]) == 0
    out = capsys.readouterr().out
    hint = [line for line in out.splitlines() if line.startswith("hint:")]
    assert len(hint) == 1
    assert "validation R² is only" in hint[0] and "try more epochs (--epochs 4)" in hint[0]
    assert main(args + ["--epochs", "40", "--lr", "3"]) == 0
    out = capsys.readouterr().out
    assert "hint:" in out and "try a smaller learning rate (--lr 1)" in out


def test_mistakes_are_one_line_on_stderr(house_model, tmp_path, capsys):
    data, model = house_model
    plain = str(tmp_path / "plain.safetensors")
    gn.save({"0.weight": gn.zeros(1, 3), "0.bias": gn.zeros(1)}, plain)
    missing = tmp_path / "missing.csv"
    missing.write_text("size,age\n100,3\n", encoding="utf-8")
    garbled = tmp_path / "garbled.csv"
    garbled.write_text("size,rooms,age\n100,three,3\n", encoding="utf-8")
    cases = [
        (["predict", "--model", model, "--data", str(missing)], "no column named 'rooms'"),
        (["predict", "--model", model, "--data", str(garbled)], "line 2, column 'rooms'"),
        (["predict", "--model", model, "--data", str(tmp_path / "nope.csv")], "no such file"),
        (["predict", "--model", plain, "--data", data], "holds weights but no model card"),
        (["predict", "--model", data, "--data", data], "not a valid safetensors file"),
        (
            ["explain", "--model", model, "--input", "100", "3", "--target", "300"],
            "the model takes 3 values (size, rooms, age), --input gave 2",
        ),
        (
            ["explain", "--model", model, "--input", "1", "2", "3", "--target", "x"],
            "--target expects numbers, got 'x'",
        ),
        (
            ["explain", "--model", model, "--input", "1", "2", "3", "--target", "1", "-A", "tanh"],
            "says its network uses relu",
        ),
    ]
    for argv, message in cases:
        argv = [a if a != "-A" else "--activation" for a in argv]
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1 and "Traceback" not in err, err


def test_weights_alone_are_explained_as_they_are_and_say_so(tmp_path, capsys):
    path = str(tmp_path / "w.safetensors")
    gn.manual_seed(0)
    gn.save(
        gn.nn.Sequential(gn.nn.Linear(2, 2), gn.nn.ReLU(), gn.nn.Linear(2, 1)).state_dict(), path
    )
    assert main(["explain", "--model", path, "--input", "3", "4", "--target", "1"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"note: {path} holds weights only (no model card)")
    assert "x1 = 3.0000" in out


@pytest.mark.parametrize("data, score", [("spiral", "accuracy"), ("plane", "r2")])
def test_built_in_data_sets_fit_with_no_flags(data, score, capsys):
    assert main(["train", "--data", data, "--verbose", "0"]) == 0
    out = capsys.readouterr().out
    assert float(re.search(rf"{score} (\S+)", out.split("test")[1]).group(1)) > 0.9
    assert "hint:" not in out


def test_the_playgrounds_export_is_predicted_and_explained_from_a_csv(tmp_path, capsys):
    from glassnet.playground import export
    from glassnet.playground.config import parse
    from glassnet.playground.session import Session

    s = Session("t", parse({"dataset": "xor", "features": ["x1", "x2", "x1x2"], "seed": 1}))
    for _ in range(40):
        s.step()
    model = tmp_path / export.WEIGHTS_FILE
    model.write_bytes(export.weights_bytes(s.network, s.config, s.data, s.upload))
    table = tmp_path / "points.csv"
    names = s.data.classes
    lines = ["x1,x2,label"] + [
        f"{a:.4f},{b:.4f},{names[int(c)]}" for (a, b), c in zip(s.data.test_x, s.data.test_y)
    ]
    table.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["predict", "--model", str(model), "--data", str(table)]) == 0
    out = capsys.readouterr()
    hits = int(re.search(r"accuracy \S+ \((\d+) of", out.err).group(1))
    assert hits / len(s.data.test_x) > 0.9
    assert main(["explain", "--model", str(model), "--input", "2", "-3", "--target", "+1"]) == 0
    out = capsys.readouterr().out
    assert "x[1] = x1 = 2.0000: made from the row's x1, x2 as in training" in out
    assert "x[3] = x1·x2 = 2 × -3 = -6.0000: made from the row's x1, x2 as in training" in out
    assert "(class “+1”, index 1 counting from 0)" in out


def test_the_default_settings_follow_the_optimizer_and_the_data_size():
    from glassnet.cli.fitting import default_epochs, default_lr

    assert [default_lr(o) for o in ("adam", "rmsprop", "sgd", "momentum", "sgd_momentum")] == [
        0.01,
        0.01,
        0.1,
        0.03,
        0.03,
    ]
    assert default_epochs(216, 64) == 200  # 4 batches an epoch: capped at 200
    assert default_epochs(1293, 64) == 39  # 21 batches: about 800 steps
    assert default_epochs(100_000, 64) == 20 and default_epochs(1293, 64, "cnn") == 12
