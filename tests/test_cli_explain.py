"""`glassnet explain` and `glassnet figures`."""

import re
import xml.etree.ElementTree as ET

import pytest
from conftest import need

import glassnet as gn
from glassnet.cli.main import main


def _squash(text):
    return re.sub(r"\s+", " ", text)


def test_explain_mazur_prints_the_published_numbers(capsys):
    assert main(["explain", "--example", "mazur", "--lang", "en"]) == 0
    out = _squash(capsys.readouterr().out)
    assert "= 0.3775" in out  # net_h1
    assert "∂L/∂w_out11 = δ_z_out1 · a1 = 0.1385 × 0.5933 = 0.0822" in out
    assert "w_out11 ← w_out11 − η·∂L/∂w_out11 = 0.4000 − 0.5 × 0.0822 = 0.3589" in out


@pytest.mark.parametrize("example", ["square", "house", "xor"])
def test_explain_examples_in_both_languages(example, capsys):
    assert main(["explain", "--example", example, "--lang", "zh"]) == 0
    assert "反向传播" in capsys.readouterr().out
    assert main(["explain", "--example", example, "--markdown", "--lang", "en"]) == 0
    assert "|" in capsys.readouterr().out


def test_explain_a_saved_model_matches_autograd(tmp_path, capsys):
    gn.manual_seed(0)
    model = gn.nn.Sequential(gn.nn.Linear(2, 3), gn.nn.Tanh(), gn.nn.Linear(3, 1))
    path = str(tmp_path / "m.safetensors")
    gn.save(model.state_dict(), path)
    html = tmp_path / "t.html"
    assert (
        main(
            [
                "explain",
                "--model",
                path,
                "--input",
                "0.5",
                "-1.0",
                "--target",
                "2.0",
                "--activation",
                "tanh",
                "--html",
                str(html),
                "--lang",
                "en",
            ]
        )
        == 0
    )
    out = _squash(capsys.readouterr().out)
    # the same step by hand with autograd
    x = gn.tensor([[0.5, -1.0]])
    loss = gn.nn.HalfSquaredError()(model(x), gn.tensor([[2.0]]))
    loss.backward()
    g = model[2].weight.grad.numpy()[0, 0]
    assert "∂L/∂w_out1 = δ_out · a1" in out
    assert re.search(rf"∂L/∂w_out1 = δ_out · a1 = \S+ × \S+ = {g:.4f}", out)
    assert "<svg" in html.read_text(encoding="utf-8")


def test_explain_bad_input(tmp_path, capsys):
    gn.save({"0.weight": gn.zeros(3, 2), "0.bias": gn.zeros(3)}, str(tmp_path / "m.safetensors"))
    model = str(tmp_path / "m.safetensors")
    assert main(["explain", "--model", model, "--input", "1", "--target", "0"]) == 2
    assert "takes 2 input features, --input gave 1" in capsys.readouterr().err
    assert main(["explain", "--model", model]) == 2
    assert "needs --input" in capsys.readouterr().err


def test_figures_writes_every_figure(tmp_path, capsys):
    need("matplotlib")
    assert main(["figures", "--out", str(tmp_path), "--quick", "--lang", "en"]) == 0
    paths = capsys.readouterr().out.split()
    names = {p.rsplit("/", 1)[-1] for p in paths}
    for stem in (
        "activations",
        "descent_1d",
        "descent_2d",
        "loss_curves",
        "decision_boundary",
        "gradient_norms",
        "dead_relus",
    ):
        assert f"{stem}.png" in names and f"{stem}.svg" in names
    for p in paths:
        data = open(p, "rb").read()
        assert len(data) > 500
        if p.endswith(".png"):
            assert data[:8] == b"\x89PNG\r\n\x1a\n"
        else:
            assert ET.fromstring(data).tag.endswith("svg")
