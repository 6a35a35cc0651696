"""explain's second derivative: ∂²L/∂w² of one weight written out term by
term (gn.explain.second_derivative, `glassnet explain --second-derivative`):
the formula's number equals autograd's grad-of-grad, PyTorch's and a finite
difference, and the Chinese text has no English sentence."""

import re

import numpy as np
import pytest

import glassnet as gn
from glassnet.cli.main import main
from glassnet.explain import examples
from glassnet.explain.trace.second import TABLE, second_derivative

SQUARE_NAMES = ["w11", "w21", "b1", "b2", "w_out1", "w_out2", "b_out"]
HOUSE_NAMES = ["w11", "w12", "w21", "w22", "b1", "b2", "w_out1", "w_out2", "b_out"]


def _square(activation=None):
    ex = examples.square()
    if activation is None:
        return ex
    model = gn.nn.Sequential(ex.model[0], activation, ex.model[2])
    return ex._replace(model=model)


def _torch_second(torch, ex, weight):
    """∂²L/∂w² by PyTorch on a copy of the example's weights."""
    lin1, act, lin2 = ex.model
    w1 = torch.tensor(lin1.weight.detach().numpy(), requires_grad=True)
    b1 = torch.tensor(lin1.bias.detach().numpy(), requires_grad=True)
    w2 = torch.tensor(lin2.weight.detach().numpy(), requires_grad=True)
    b2 = torch.tensor(lin2.bias.detach().numpy(), requires_grad=True)
    f = {gn.nn.ReLU: torch.relu, gn.nn.Sigmoid: torch.sigmoid, gn.nn.Tanh: torch.tanh}[type(act)]
    x, y = torch.tensor(ex.x.numpy()), torch.tensor(ex.y.numpy())
    yhat = f(x @ w1.T + b1) @ w2.T + b2
    loss = 0.5 * ((y - yhat) ** 2).sum()
    if weight.startswith("w_out"):
        p, idx = w2, (0, int(weight[-1]) - 1)
    elif weight == "b_out":
        p, idx = b2, (0,)
    elif weight.startswith("w"):
        p, idx = w1, (int(weight[1]) - 1, int(weight[2]) - 1)
    else:
        p, idx = b1, (int(weight[1]) - 1,)
    (g,) = torch.autograd.grad(loss, p, create_graph=True)
    if not g.requires_grad:  # no second-order path at all
        return 0.0
    (h,) = torch.autograd.grad(g[idx], p, allow_unused=True)
    return 0.0 if h is None else float(h[idx])


def test_square_w11_is_written_out_as_the_article_would(capsys):
    ex = examples.square()
    r = second_derivative(ex.model, ex.x, ex.y, ex.loss_fn, "w11", lang="en")
    # ∂ŷ/∂w11 = w_out1·relu'(z1)·x = 0.7 × 1 × 1.5 = 1.05; relu'' = 0 leaves (∂ŷ/∂w11)²
    assert r.value == pytest.approx(1.05**2, abs=1e-12)
    assert r.term2 == 0
    assert r.gradient == pytest.approx(-1.35 * 1.05, abs=1e-12)
    text = re.sub(r" +", " ", r.to_text())
    assert "∂ŷ/∂w11 = w_out1 · relu'(z1) · x = 0.7000 × 1.0000 × 1.5000 = 1.0500" in text
    assert "∂²L/∂w11² = ∂δ_out/∂w11 · ∂ŷ/∂w11 + δ_out · ∂²ŷ/∂w11²" in text
    assert "∂²ŷ/∂w11² = w_out1 · relu''(z1) · x² = 0.7000 × 0 × 1.5000² = 0" in text
    assert "= 1.0500 × 1.0500 + (-1.3500) × 0 = 1.1025" in text
    assert "The three values agree." in text


@pytest.mark.parametrize(
    "make, names",
    [
        (lambda: examples.square(), SQUARE_NAMES),
        (lambda: _square(gn.nn.Tanh()), SQUARE_NAMES),
        (lambda: _square(gn.nn.Sigmoid()), SQUARE_NAMES),
        (lambda: examples.house(), HOUSE_NAMES),
    ],
    ids=["square", "square-tanh", "square-sigmoid", "house"],
)
def test_every_weight_equals_autograd_pytorch_and_finite_differences(torch, make, names):
    for name in names:
        ex = make()
        r = second_derivative(ex.model, ex.x, ex.y, ex.loss_fn, name)
        theirs = _torch_second(torch, ex, name)
        assert r.value == pytest.approx(r.autograd, rel=1e-10, abs=1e-12), name
        assert r.value == pytest.approx(theirs, rel=1e-10, abs=1e-12), name
        assert r.value == pytest.approx(r.finite_difference, rel=1e-5, abs=1e-7), name
        assert r.value == pytest.approx(r.term1 + r.term2, abs=1e-12)


def test_a_smooth_activation_has_a_second_term():
    ex = _square(gn.nn.Tanh())
    r = second_derivative(ex.model, ex.x, ex.y, ex.loss_fn, "w11")
    assert abs(r.term2) > 0.1  # δ_out·w_out1·tanh''(z1)·x² with tanh''(1) ≈ −0.64
    assert "tanh''(z) = −2·tanh(z)·(1 − tanh²(z))" in r.to_text(lang="en")
    out = second_derivative(ex.model, ex.x, ex.y, ex.loss_fn, "w_out1")
    assert out.term2 == 0 and out.value == pytest.approx(np.tanh(1.0) ** 2)


def test_the_newton_step_in_one_weight_lands_on_the_target():
    # with relu on, L is exactly a parabola in w11: one Newton step makes ŷ = y
    ex = examples.square()
    r = second_derivative(ex.model, ex.x, ex.y, ex.loss_fn, "w11")
    step = -r.gradient / r.value
    assert f"{step:.4f}" in r.to_text(lang="en")
    ex.model[0].weight._data[0, 0] += step
    assert ex.model(ex.x).item() == pytest.approx(ex.y.item(), abs=1e-12)


def test_the_model_is_left_unchanged():
    ex = examples.house()
    before = [p.detach().numpy().copy() for p in ex.model.parameters()]
    second_derivative(ex.model, ex.x, ex.y, ex.loss_fn, "w12")
    for a, p in zip(before, ex.model.parameters()):
        np.testing.assert_array_equal(a, p.detach().numpy())


def _english_sentences(text):
    """Runs of two or more English words (function names like relu, tanh are single words)."""
    return re.findall(r"\b[A-Za-z]{2,}(?:[ ,]+[A-Za-z]{2,})+\b", text)


@pytest.mark.parametrize("weight", ["w11", "b1", "w_out1", "b_out"])
def test_chinese_has_no_english_sentence(weight):
    for ex in (examples.square(), examples.house(), _square(gn.nn.Tanh())):
        r = second_derivative(ex.model, ex.x, ex.y, ex.loss_fn, weight, lang="zh")
        zh = r.to_text()
        assert _english_sentences(zh) == [], _english_sentences(zh)
        assert "二阶导数" in zh and "核对" in zh
        en = r.to_text(lang="en")
        assert _english_sentences(en)  # the test can fail: English has sentences
    ex = examples.square()
    r = second_derivative(ex.model, ex.x, ex.y, ex.loss_fn, "w21", lang="zh")
    assert _english_sentences(r.to_text()) == []  # the 'not curved upwards' line too


def test_every_line_exists_in_both_languages():
    for key, entry in TABLE.items():
        assert set(entry) == {"en", "zh"}, key
        assert entry["en"] and entry["zh"], key


def test_bad_input_is_named():
    ex = examples.square()
    with pytest.raises(ValueError, match="no weight named 'w31'.*w11, b1, w21, b2"):
        second_derivative(ex.model, ex.x, ex.y, ex.loss_fn, "w31")
    with pytest.raises(TypeError, match="HalfSquaredError"):
        second_derivative(ex.model, ex.x, ex.y, gn.nn.MSELoss(), "w11")
    with pytest.raises(ValueError, match="one sample"):
        second_derivative(ex.model, [[1.0], [2.0]], ex.y, ex.loss_fn, "w11")
    deep = examples.xor()
    with pytest.raises(TypeError, match="one hidden layer with an activation and a linear output"):
        second_derivative(deep.model, deep.x[:1], deep.y[:1], gn.nn.HalfSquaredError(), "w11")
    with pytest.raises(TypeError, match="not an nn.Sequential"):
        second_derivative(gn.nn.Linear(1, 1), ex.x, ex.y, ex.loss_fn, "w1")


def test_cli_prints_the_second_derivative(tmp_path, capsys):
    assert main(["explain", "--second-derivative", "w11", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "∂²L/∂w11²" in out and "1.1025" in out and "relu''(z1)" in out
    assert main(["explain", "--second-derivative", "w11", "--activation", "tanh"]) == 0
    assert "tanh''(z1)" in capsys.readouterr().out
    page = tmp_path / "second.html"
    args = ["explain", "--second-derivative", "b1", "--lang", "zh", "--html", str(page)]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "二阶导数" in out and _english_sentences(out.split("wrote")[0]) == []
    assert "∂²L/∂b1²" in page.read_text(encoding="utf-8")
    assert main(["explain", "--second-derivative", "w11", "--markdown", "--lang", "en"]) == 0
    assert "|" in capsys.readouterr().out


def test_cli_names_a_bad_weight(capsys):
    assert main(["explain", "--second-derivative", "w9"]) == 2
    err = capsys.readouterr().err
    assert "no weight named 'w9'" in err and "w_out1" in err


def test_relu_first_derivative_can_be_differentiated_again(torch):
    # core difference from PyTorch (branch higher): grad(relu(x).sum(), x,
    # create_graph=True) returns a tensor without a graph (requires_grad False),
    # so differentiating it again raises GraphError "an output of shape () does
    # not require grad"; PyTorch's requires grad and its gradient is 0 (the same
    # for abs). second_derivative reads such a constant f' as f'' = 0.
    x = gn.tensor(np.array([0.3, -0.5]), requires_grad=True)
    (g,) = gn.autograd.grad(x.relu().sum(), x, create_graph=True)
    xt = torch.tensor([0.3, -0.5], dtype=torch.float64, requires_grad=True)
    (gt,) = torch.autograd.grad(xt.relu().sum(), xt, create_graph=True)
    assert g.requires_grad == gt.requires_grad
    (h,) = gn.autograd.grad(g.sum(), x, allow_unused=True)
    assert h is None or not np.asarray(h).any()
