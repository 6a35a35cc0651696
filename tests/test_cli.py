"""The `glassnet` command: demo and train."""

import re
import subprocess
import sys

import numpy as np
import pytest
from conftest import need

import glassnet as gn
from glassnet.cli.main import main


def _squash(text):
    return re.sub(r"\s+", " ", text)


def test_demo_shows_the_articles_step_with_autograds_numbers(capsys, tmp_path):
    report = tmp_path / "report.html"
    assert main(["demo", "--report", str(report), "--lang", "en"]) == 0
    out = _squash(capsys.readouterr().out)
    # x = 1.5, w11 = 0.6, b1 = 0.1 → z1 = 1.0; ŷ = 0.9; δ_out = ŷ − y = 0.9 − 2.25
    assert "z1 = w11·x + b1 = 0.6000 × 1.5000 + 0.1000 = 1.0000" in out
    assert "δ_out = ∂L/∂ŷ = ŷ − y = 0.9000 − 2.2500 = -1.3500" in out
    assert "∂L/∂w_out1 = δ_out · a1 = -1.3500 × 1.0000 = -1.3500" in out
    assert "∂L/∂w11 = δ_z1 · x = -0.9450 × 1.5000 = -1.4175" in out
    assert "w11 ← w11 − η·∂L/∂w11 = 0.6000 − 0.1 × (-1.4175) = 0.7418" in out
    small, wide = map(float, re.search(r"1-2-1 net ([0-9.]+), 1-16-1 net ([0-9.]+)", out).groups())
    assert wide < small < 0.01
    html = report.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and html.count("<svg") >= 4
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "")


def test_demo_in_chinese(capsys, tmp_path):
    assert main(["demo", "--lang", "zh", "--no-report"]) == 0
    out = capsys.readouterr().out
    assert "前向传播" in out and "反向传播" in out and "δ_out" in out


def test_console_script_runs_demo():
    r = subprocess.run(
        [sys.executable, "-m", "glassnet", "demo"], capture_output=True, text=True, timeout=120
    )
    assert r.returncode == 0 and "Backward pass" in r.stdout


def test_train_help_documents_every_option(capsys):
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    out = capsys.readouterr().out
    for opt in (
        "--data",
        "--target",
        "--task",
        "--hidden",
        "--activation",
        "--optimizer",
        "--lr",
        "--epochs",
        "--batch-size",
        "--seed",
        "--save",
        "--test-size",
    ):
        assert opt in out


def test_train_digits_end_to_end(tmp_path, capsys):
    need("sklearn")  # the digits ship inside scikit-learn
    path = tmp_path / "model.safetensors"
    assert (
        main(
            [
                "train",
                "--data",
                "digits",
                "--hidden",
                "128",
                "--activation",
                "relu",
                "--optimizer",
                "adam",
                "--lr",
                "1e-3",
                "--epochs",
                "30",
                "--batch-size",
                "32",
                "--seed",
                "0",
                "--save",
                str(path),
                "--verbose",
                "2",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "Epoch 30/30" in out
    acc = float(re.search(r"test: loss [0-9.]+, accuracy ([0-9.]+)", out).group(1))
    assert acc >= 0.95
    weights = gn.load(str(path))
    assert weights["0.weight"].shape == (128, 64) and weights["2.weight"].shape == (10, 128)


def _write_csv(path, n=200, classification=False, seed=0):
    g = np.random.default_rng(seed)
    x = g.uniform(-1, 1, (n, 2))
    lines = ["a,b,label"]
    for a, b in x:
        target = ("pos" if a + b > 0 else "neg") if classification else f"{3 * a - 2 * b + 1:.6f}"
        lines.append(f"{a:.6f},{b:.6f},{target}")
    path.write_text("\n".join(lines) + "\n")


def test_train_on_a_csv_regression_and_classification(tmp_path, capsys):
    reg = tmp_path / "reg.csv"
    _write_csv(reg)
    assert (
        main(
            [
                "train",
                "--data",
                str(reg),
                "--target",
                "label",
                "--hidden",
                "16",
                "--epochs",
                "40",
                "--lr",
                "0.01",
                "--verbose",
                "0",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    r2 = float(re.search(r"r2 ([-0-9.]+)", out).group(1))
    assert r2 > 0.95
    cls = tmp_path / "cls.csv"
    _write_csv(cls, classification=True)
    assert (
        main(
            [
                "train",
                "--data",
                str(cls),
                "--target",
                "label",
                "--hidden",
                "16",
                "--epochs",
                "40",
                "--lr",
                "0.01",
                "--verbose",
                "0",
            ]
        )
        == 0
    )
    acc = float(re.search(r"accuracy ([0-9.]+)", capsys.readouterr().out).group(1))
    assert acc > 0.9


def _refused(argv, capsys, words):
    """``main(argv)`` ends with status 2 and one line on stderr holding ``words``."""
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and words in err and "Traceback" not in err, err
    return err


def test_train_reports_bad_input(tmp_path, capsys):
    _refused(["train", "--data", "digitz"], capsys, "unknown data set 'digitz'")
    csv = tmp_path / "d.csv"
    _write_csv(csv)
    _refused(["train", "--data", str(csv)], capsys, "--target is required")
    _refused(["train", "--data", str(csv), "--target", "nope", "--verbose", "0"], capsys, "nope")


def test_train_a_cnn_on_digits(capsys):
    need("sklearn")
    assert (
        main(
            [
                "train",
                "--data",
                "digits",
                "--model",
                "cnn",
                "--hidden",
                "32",
                "--epochs",
                "3",
                "--lr",
                "2e-3",
                "--batch-size",
                "32",
                "--verbose",
                "0",
            ]
        )
        == 0
    )
    acc = float(re.search(r"accuracy ([0-9.]+)", capsys.readouterr().out).group(1))
    assert acc > 0.9
    _refused(
        ["train", "--data", "wine", "--model", "cnn", "--verbose", "0"],
        capsys,
        "needs square images",
    )


@pytest.mark.parametrize(
    "option, message",
    [
        (["--epochs", "-5"], "argument --epochs: must be at least 1, got -5"),
        (["--epochs", "0"], "argument --epochs: must be at least 1, got 0"),
        (["--epochs", "2.5"], "argument --epochs: expected a whole number ≥ 1, got '2.5'"),
        (["--hidden", "8", "0"], "argument --hidden: must be at least 1, got 0"),
        (["--batch-size", "0"], "argument --batch-size: must be at least 1, got 0"),
        (["--lr", "-1"], "argument --lr: must be greater than 0, got -1"),
        (["--lr", "inf"], "argument --lr: expected a finite number, got inf"),
        (["--test-size", "1"], "argument --test-size: must be between 0 and 1"),
        (["--validation", "-0.1"], "argument --validation: must be 0 .none. or between 0 and 1"),
    ],
)
def test_train_refuses_impossible_numbers_naming_the_option(option, message, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["train", "--data", "xor", "--verbose", "0", *option])
    assert exit_.value.code == 2
    assert re.search(message, capsys.readouterr().err)


def test_output_paths_are_checked_before_any_work(tmp_path, capsys):
    (tmp_path / "file.txt").write_text("x")
    cases = [
        (
            ["train", "--data", "xor", "--save", str(tmp_path / "no" / "w.st")],
            "glassnet train: --save: cannot write .*no/w.st: directory .* does not exist",
        ),
        (
            ["train", "--data", "xor", "--save", str(tmp_path)],
            "glassnet train: --save: cannot write .*: it is a folder",
        ),
        (
            ["train", "--data", "xor", "--save", str(tmp_path / "file.txt" / "w.st")],
            "file.txt is a file, not a folder",
        ),
        (
            ["demo", "--report", str(tmp_path / "no" / "r.html")],
            "glassnet demo: --report: cannot write",
        ),
        (
            ["explain", "--example", "square", "--html", str(tmp_path / "no" / "t.html")],
            "glassnet explain: --html: cannot write",
        ),
        (
            ["figures", "--out", str(tmp_path / "file.txt")],
            "glassnet figures: --out .*file.txt is a file; expected a folder",
        ),
    ]
    for argv, message in cases:
        with pytest.raises(SystemExit, match=message):
            main(argv)
        assert capsys.readouterr().out == ""  # nothing ran: no banner, no epoch, no step
    assert main(["demo", "--no-report", "--report", str(tmp_path / "no" / "r.html")]) == 0


def test_train_divergence_is_a_message_not_a_traceback(tmp_path, capsys):
    path = tmp_path / "w.st"
    message = _refused(
        [
            "train",
            "--data",
            "square",
            "--optimizer",
            "sgd",
            "--lr",
            "1e4",
            "--epochs",
            "5",
            "--verbose",
            "0",
            "--save",
            str(path),
        ],
        capsys,
        "training diverged",
    )
    assert re.match(
        r"glassnet train: training diverged: fit: the loss is (nan|inf) at batch "
        r"\d+ of epoch \d+; the update was not applied",
        message,
    )
    assert f"nothing was written to {path}" in message and "--skip-nonfinite" in message
    assert not path.exists()
    # (one line on stderr, _refused checks: no NumPy RuntimeWarning either)
    assert (
        main(
            [
                "train",
                "--data",
                "square",
                "--optimizer",
                "sgd",
                "--lr",
                "1e4",
                "--epochs",
                "2",
                "--verbose",
                "0",
                "--skip-nonfinite",
                "--save",
                str(path),
            ]
        )
        == 0
    )
    assert path.exists()


@pytest.mark.parametrize(
    "csv, target, words",
    [
        (None, "price", "no such file"),
        ("a,b,price\n1,2,3\n4,5,6\n", "prise", "no column named 'prise'"),
        ("a,b,price\n1,2,3\n4,x,6\n", "price", "line 3, column 'b': expected a finite number"),
    ],
)
def test_a_users_data_error_is_one_line_and_status_2(tmp_path, capsys, csv, target, words):
    path = tmp_path / "houses.csv"
    if csv is not None:
        path.write_text(csv)
    assert main(["train", "--data", str(path), "--target", target]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("glassnet train: ") and words in err
    assert "Traceback" not in err and "--debug" in err


def test_debug_shows_the_traceback(tmp_path):
    path = tmp_path / "houses.csv"
    path.write_text("a,b,price\n1,2,3\n4,x,6\n")
    with pytest.raises(ValueError, match="expected a finite number"):
        main(["--debug", "train", "--data", str(path), "--target", "price"])


def test_a_commands_own_message_is_status_2(capsys):
    assert main(["train", "--data", "nosuchset"]) == 2
    assert capsys.readouterr().err.startswith("glassnet train: unknown data set 'nosuchset'")


@pytest.mark.parametrize(
    "labels, chosen",
    [
        ([0, 1] * 20, "classification ('y' holds 2 classes)"),
        ([1, 2, 3, 4, 5] * 8, "classification ('y' holds 5 classes)"),
        (list(range(200, 240)), "regression ('y' holds numbers)"),
        ([0.5, 1.5] * 20, "regression ('y' holds numbers)"),
    ],
)
def test_task_auto_chooses_as_type_of_target_and_says_so(tmp_path, capsys, labels, chosen):
    rng = np.random.default_rng(0)
    path = tmp_path / "t.csv"
    rows = [f"{a:.3f},{b:.3f},{v}" for (a, b), v in zip(rng.standard_normal((40, 2)), labels)]
    path.write_text("a,b,y\n" + "\n".join(rows) + "\n")
    assert main(["train", "--data", str(path), "--target", "y", "--epochs", "1"]) == 0
    assert f"--task auto: {chosen}" in capsys.readouterr().out
