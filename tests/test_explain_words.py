"""The words of a step trace: a cross-entropy target written as the article
would (y numbered as the outputs are, its class index and name, p_y and
L = −ln p_y), "dead" ReLUs only over a batch, and every line in Chinese."""

import re

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn
from glassnet.cli.main import main
from glassnet.explain import trace_step
from glassnet.explain.trace.step import TABLE
from glassnet.nn.activation_registry import ACTIVATIONS

F64 = np.float64


def _classifier(k=3, hidden=3):
    gn.manual_seed(0)
    return nn.Sequential(
        nn.Linear(2, hidden, dtype=F64), nn.ReLU(), nn.Linear(hidden, k, dtype=F64)
    )


def test_cross_entropy_names_the_target_and_writes_minus_ln_p_y():
    model = _classifier()
    x = gn.tensor([[0.5, -1.0]], dtype=F64)
    logits = model(x).detach().numpy()[0]
    t = trace_step(model, x, np.array([2]), nn.CrossEntropyLoss(), classes=["a", "b", "c"])
    p = np.exp(logits) / np.exp(logits).sum()
    y = t.row("y", "loss")
    assert y.value == 3 and y.params == {"index": 2, "out": "ŷ3", "name": "c"}
    assert y.label(TABLE, "en") == (
        "y, the number of the target's output ŷ3 (class “c”, index 2 counting from 0)"
    )
    p3 = t.row("p3", "loss")
    assert p3.formula == "exp(ŷ3) / (exp(ŷ1) + exp(ŷ2) + exp(ŷ3))"
    assert p3.value == pytest.approx(p[2], rel=1e-12)
    loss = t.row("L", "loss")
    assert loss.formula == "−ln p3" and loss.numbers() == f"−ln {p[2]:.4f}"
    assert loss.value == pytest.approx(-np.log(p[2]), rel=1e-12)
    text = t.to_text()
    assert f"L  = −ln p3 = −ln {p[2]:.4f}" in re.sub(r" {2,}", " ", text).replace("L =", "L  =")
    assert t.row("δ_out3").formula == "∂L/∂ŷ3 = p3 − 1"
    assert t.row("δ_out1").numbers() == f"{p[0]:.4f}"
    # no names: the index alone; the same numbering for NLL (L = −ŷ_y)
    t = trace_step(model, x, np.array([0]), nn.CrossEntropyLoss())
    assert t.row("y", "loss").key == "target_class" and t.row("y", "loss").value == 1
    t = trace_step(model, x, np.array([1]), nn.NLLLoss())
    assert t.row("L").formula == "−ŷ2"


def test_a_batch_numbers_the_targets_as_the_outputs_and_ten_classes_use_indices():
    model = _classifier()
    x = gn.tensor(np.random.default_rng(0).normal(size=(4, 2)), dtype=F64)
    t = trace_step(model, x, np.array([0, 2, 1, 2]), nn.CrossEntropyLoss())
    assert list(t.row("y", "loss").value) == [1, 3, 2, 3]
    assert t.row("L").formula == "(1/4)·Σₙ −ln pₙ,yₙ"
    assert t.row("δ_out2").formula == "∂L/∂ŷ2 = (p2ₙ − [yₙ = 2]) / 4"
    wide = _classifier(k=10, hidden=12)
    t = trace_step(wide, x[:1], np.array([7]), nn.CrossEntropyLoss())
    assert t.row("L").formula == "−ln p[8]" and t.row("p[8]").formula == "exp(ŷ[8]) / Σₖ exp(ŷₖ)"


def test_dead_means_inactive_for_every_sample_of_a_batch():
    gn.manual_seed(2)
    model = nn.Sequential(nn.Linear(3, 40, dtype=F64), nn.ReLU(), nn.Linear(40, 1, dtype=F64))
    x = gn.tensor(np.random.default_rng(1).normal(size=(6, 3)), dtype=F64)
    batch = trace_step(model, x, np.zeros((6, 1)), nn.MSELoss(), apply=False)
    one = trace_step(model, x[:1], np.zeros((1, 1)), nn.MSELoss(), apply=False)
    z = x.numpy() @ model[0].weight.detach().numpy().T + model[0].bias.detach().numpy()
    dead, inactive = int(np.all(z <= 0, axis=0).sum()), int((z[0] <= 0).sum())
    assert dead < inactive  # one sample silences more neurons than all six do
    text = batch.to_text()
    assert f"dead ReLUs in layer 1: {dead} of 40 (a = 0 for all 6 samples of this batch" in text
    text = one.to_text()
    assert "dead ReLUs" not in text
    assert f"ReLUs of layer 1 inactive for this sample: {inactive} of 40" in text
    assert "a ReLU is dead only if a = 0 for all the data" in text
    assert "只有对全部数据都 a = 0 才算“死”ReLU" in one.to_text(lang="zh")


# English words in a Chinese line: two words of two letters or more in a row
# (formulas have single letters and function names: relu, exp, ln, tanh)
ENGLISH = re.compile(r"[A-Za-z]{2,}[ ,.;:'’()-]+[A-Za-z]{2,}")
NAMES = re.compile(r"CrossEntropyLoss|MSELoss|HalfSquaredError|approximate='tanh'|along dim")


def _english(text):
    return [line for line in text.splitlines() if ENGLISH.search(NAMES.sub("", line))]


@pytest.mark.parametrize("example", ["square", "house", "xor", "mazur"])
def test_every_line_of_an_example_is_chinese(example, capsys):
    assert main(["explain", "--example", example, "--lang", "zh"]) == 0
    out = capsys.readouterr().out
    assert "前向传播" in out and _english(out) == []


@pytest.mark.parametrize("activation", [a for a in ACTIVATIONS.names() if a != "linear"])
def test_every_activations_rule_is_chinese(activation):
    gn.manual_seed(0)
    model = nn.Sequential(
        nn.Linear(2, 2, dtype=F64), ACTIVATIONS[activation].layer(), nn.Linear(2, 1, dtype=F64)
    )
    t = trace_step(model, gn.tensor([[0.3, -0.2]], dtype=F64), [[1.0]], nn.MSELoss())
    zh = t.to_text(lang="zh")
    assert _english(zh) == [], activation
    rule = [r for r in t.backward if r.kind == "rule"]
    assert len(rule) == 1 and rule[0].formula in t.to_text(lang="en")


def test_explaining_a_saved_model_in_chinese_has_no_english_line(tmp_path, capsys):
    from owndata_tables import fruit, houses

    data = houses(tmp_path / "houses.csv", n=120)
    model = str(tmp_path / "h.safetensors")
    assert (
        main(["train", "--data", data, "--target", "price", "--verbose", "0", "--save", model]) == 0
    )
    fruits = fruit(tmp_path / "fruit.csv", n=60)
    classes = str(tmp_path / "f.safetensors")
    args = ["train", "--data", fruits, "--target", "kind", "--hidden", "4", "--verbose", "0"]
    assert main(args + ["--save", classes]) == 0
    capsys.readouterr()
    runs = [
        ["--model", model, "--input", "120", "3", "20", "--target", "400"],
        ["--model", classes, "--input", "60", "5", "--target", "plum"],
    ]
    for run in runs:
        assert main(["explain", *run, "--lang", "zh"]) == 0
        out = capsys.readouterr().out.replace(run[1], "PATH")
        assert "与训练时一样标准化" in out and "这一步之前网络" in out
        assert _english(out) == [], out
