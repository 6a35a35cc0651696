"""The article's figures (glassnet.explain.plots*, figures.write_figures):
the numbers behind each plot, the images written, and both languages."""

import io
import math
import os
import sys
import warnings
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from conftest import need

import glassnet as gn
from glassnet import nn
from glassnet.explain import plots
from glassnet.explain.plots import common as plots_common
from glassnet.explain.report.figures import dead_relu_runs, write_figures

need("matplotlib")  # every test here draws: the file skips without glassnet[viz]
FIGURES = (
    "activations",
    "descent_1d",
    "descent_2d",
    "loss_curves",
    "decision_boundary",
    "gradient_norms",
    "dead_relus",
)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def assert_png(path):
    with open(path, "rb") as f:
        assert f.read(8) == PNG_SIGNATURE
    from matplotlib.image import imread

    image = imread(path)
    assert image.ndim == 3 and image.shape[0] > 200 and image.shape[1] > 300
    assert image[..., :3].std() > 0.05  # not a blank canvas


def assert_svg(path, min_elements=50):
    root = ET.parse(path).getroot()
    assert root.tag.endswith("svg")
    assert len(list(root.iter())) > min_elements
    return root


def has_chinese(s):
    return any("\u4e00" <= ch <= "\u9fff" for ch in s)


@pytest.fixture(autouse=True)
def _close_pyplot():
    yield
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")


@pytest.fixture(scope="module")
def quick_figures(tmp_path_factory):
    out = tmp_path_factory.mktemp("figures")
    gn.manual_seed(0)
    return out, write_figures(out, lang="en", quick=True)


# ---- the numbers behind the figures ------------------------------------------


def test_activation_derivatives_from_autograd_equal_the_formulas():
    z = np.linspace(-4, 4, 81)
    c = plots.activation_curves(z=z)
    assert list(c) == list(plots.ACTIVATIONS)
    s = 1 / (1 + np.exp(-z))
    phi = np.array([0.5 * (1 + math.erf(v / math.sqrt(2))) for v in z])
    pdf = np.exp(-z * z / 2) / math.sqrt(2 * math.pi)
    expected = {
        "sigmoid": (s, s * (1 - s)),
        "tanh": (np.tanh(z), 1 - np.tanh(z) ** 2),
        "relu": (np.maximum(z, 0), (z > 0).astype(float)),
        "leaky_relu": (np.where(z > 0, z, 0.1 * z), np.where(z > 0, 1.0, 0.1)),
        "elu": (np.where(z > 0, z, np.expm1(z)), np.where(z > 0, 1.0, np.exp(z))),
        "gelu": (z * phi, phi + z * pdf),
    }
    for name, (a, da) in expected.items():
        np.testing.assert_allclose(c[name]["a"], a, atol=1e-12, err_msg=name)
        np.testing.assert_allclose(c[name]["da"], da, atol=1e-12, err_msg=name)
    assert c["sigmoid"]["da"].max() == pytest.approx(0.25)  # the vanishing-gradient bound


def test_activation_curves_rejects_unknown_names():
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        plots.activation_curves(["swish"])


@pytest.mark.parametrize("lr", [0.05, 0.3, 0.95])
def test_descent_1d_follows_w_minus_lr_times_gradient_exactly(lr):
    run = plots.descent_path(plots.parabola, -1.0, lr, steps=15)
    w = [-1.0]
    for _ in range(15):
        w.append(w[-1] - lr * 2 * (w[-1] - 3))
    np.testing.assert_allclose(run["w"], w, rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(run["loss"], (np.array(w) - 3) ** 2 + 1, rtol=1e-13)


def test_descent_1d_too_large_rate_diverges_and_stops():
    run = plots.descent_path(plots.parabola, -1.0, 1.05, steps=12)
    gaps = np.abs(run["w"] - 3)
    np.testing.assert_allclose(gaps[1:] / gaps[:-1], 1.1, rtol=1e-12)  # |1 − 2η| = 1.1
    long = plots.descent_path(plots.parabola, -1.0, 1.05, steps=10_000)
    assert len(long["w"]) < 200 and np.abs(long["w"][-1]) > 1e6
    assert np.all(np.isfinite(long["loss"]))


def test_descent_2d_sgd_momentum_and_adam_paths():
    lr = 0.08
    run = plots.descent_path(plots.bowl, (-4.0, 2.0), lr, steps=10)
    k = np.arange(11)
    np.testing.assert_allclose(run["w"][:, 0], -4 * (1 - lr) ** k, rtol=1e-12)
    np.testing.assert_allclose(run["w"][:, 1], 2 * (1 - 10 * lr) ** k, rtol=1e-12, atol=1e-15)
    # momentum: b ← 0.9·b + g, w ← w − η·b (PyTorch's rule)
    mom = plots.descent_path(plots.bowl, (-4.0, 2.0), 0.02, steps=5, momentum=0.9)
    w, b = np.array([-4.0, 2.0]), np.zeros(2)
    for step in range(5):
        g = np.array([1.0, 10.0]) * w
        b = g if step == 0 else 0.9 * b + g
        w = w - 0.02 * b
        np.testing.assert_allclose(mom["w"][step + 1], w, rtol=1e-12)
    # Adam's first step moves every coordinate by about η, against the gradient's sign
    adam = plots.descent_path(plots.bowl, (-4.0, 2.0), 0.5, steps=1, optimizer="adam")
    np.testing.assert_allclose(adam["w"][1], [-3.5, 1.5], rtol=1e-6)
    with pytest.raises(ValueError, match="unknown optimizer"):
        plots.descent_path(plots.bowl, (0.0, 0.0), 0.1, optimizer="newton")


def test_loss_curves_take_a_history_or_a_dict():
    history = gn.History(
        {
            "loss": [1.0, 0.5, 0.25],
            "val_loss": [1.1, 0.4, 0.6],
            "accuracy": [0.5, 0.7, 0.9],
            "lr": [0.1] * 3,
        },
        [0, 1, 2],
    )
    assert plots.curves_of(history) == plots.curves_of(history.history)
    fig = plots.plot_loss_curves(history, lang="en")
    assert len(fig.axes) == 2  # loss, accuracy ('lr' is not plotted)
    text = plots.figure_text(fig)
    assert "best validation: epoch 2" in text and "validation loss" in text
    assert len(plots.plot_loss_curves({"loss": [3, 2, 1]}, metrics=False).axes) == 1
    with pytest.raises(ValueError, match="no 'loss'"):
        plots.plot_loss_curves({"accuracy": [1.0]})
    with pytest.raises(TypeError):
        plots.plot_loss_curves([1, 2, 3])


def _linear(weight, bias):
    layer = nn.Linear(len(weight[0]), len(weight)).double()
    with gn.no_grad():
        layer.weight.copy_(gn.tensor(weight, dtype=gn.float64))
        layer.bias.copy_(gn.tensor(bias, dtype=gn.float64))
    return layer


def test_decision_scores_are_the_model_probabilities():
    X = np.array([[-2.0, 0.0], [0.0, 5.0], [3.0, -1.0]])
    one = _linear([[1.0, 0.0]], [0.0])  # a single logit: sigmoid(x1)
    np.testing.assert_allclose(plots.model_scores(one, X), 1 / (1 + np.exp(-X[:, 0])))
    np.testing.assert_allclose(plots.model_scores(one, X, output="raw"), X[:, 0])
    two = _linear([[0.0, 0.0], [1.0, 1.0]], [0.0, 0.0])  # softmax P(class 1) = σ(x1 + x2)
    np.testing.assert_allclose(plots.model_scores(two, X), 1 / (1 + np.exp(-X.sum(1))))
    three = _linear([[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]], [0.0, 0.0, 0.0])
    np.testing.assert_array_equal(plots.model_scores(three, X), [2, 1, 0])
    xx, yy, scores = plots.decision_grid(one, X, resolution=7, margin=0.5)
    assert xx.shape == yy.shape == scores.shape == (7, 7)
    assert xx.min() == -2.5 and yy.max() == 5.5
    np.testing.assert_allclose(scores, 1 / (1 + np.exp(-xx)))
    with pytest.raises(ValueError, match="2 features"):
        plots.plot_decision_boundary(one, (np.zeros((3, 3)), np.zeros(3)))


def test_decision_boundary_title_reports_accuracy():
    model = _linear([[1.0, 0.0]], [0.0])
    X = np.array([[-1.0, 0.0], [2.0, 1.0], [1.0, -1.0], [-3.0, 2.0]])
    y = np.array([0, 1, 0, 0])  # the third point is on the wrong side
    fig = plots.plot_decision_boundary(model, (X, y), test=(X[:2], y[:2]), resolution=20)
    assert "accuracy: train 75.0%, test 100.0%" in plots.figure_text(fig)


def _circle(n=64):
    X, y = gn.datasets.circle(n=n, labels="float").tensors
    return X / 5, y


def test_vanishing_gradients_sigmoid_shrinks_towards_the_input():
    X, y = _circle()
    runs = plots.vanishing_gradient_runs(
        X, y, configs=(("sigmoid", None), ("relu", "he")), depth=8, width=16, epochs=1
    )
    sig = runs[("sigmoid", None)]["norms"][0]
    relu = runs[("relu", "he")]["norms"][0]
    assert len(sig) == len(relu) == 8
    assert np.all(np.diff(sig) > 0)  # each layer back gets a smaller gradient
    assert sig[0] / sig[-1] < 1e-3
    assert relu.max() / relu.min() < 50 and relu[0] / relu[-1] > 1e-2


def test_gradient_norms_are_the_norms_of_autograd_grads():
    X, y = _circle(16)
    model = plots.deep_mlp("tanh", "xavier", depth=3, width=4)
    run = plots.gradient_norms_per_layer(model, X, y, loss="mse", epochs=1, lr=0.0)
    assert run["layers"] == ["0", "2", "4"]
    model.zero_grad()
    nn.MSELoss()(model(X), y.reshape(-1, 1)).backward()
    expected = [np.linalg.norm(model[i].weight.grad.numpy()) for i in (0, 2, 4)]
    np.testing.assert_allclose(run["norms"][0], expected, rtol=1e-6)
    assert run["loss"].shape == (1,)
    made = plots.gradient_norms_per_layer(lambda: plots.deep_mlp("relu", depth=2), X, y, epochs=3)
    assert made["norms"].shape == (3, 2)


def test_deep_mlp_inits_and_errors():
    he = plots.deep_mlp("relu", "he", depth=3, width=400)
    std = he[2].weight.detach().numpy().std()
    assert std == pytest.approx(math.sqrt(2 / 400), rel=0.05)
    assert np.all(he[0].bias.detach().numpy() == 0)
    xavier = plots.deep_mlp("sigmoid", "xavier", depth=3, width=400)
    assert xavier[2].weight.detach().numpy().std() == pytest.approx(math.sqrt(2 / 800), rel=0.05)
    with pytest.raises(ValueError, match="init"):
        plots.deep_mlp("relu", "lecun")
    with pytest.raises(ValueError, match="activation"):
        plots.deep_mlp("swish")


def test_dead_relu_fraction_on_a_hand_made_net():
    first = _linear([[1.0], [-1.0], [2.0], [0.0], [1.0]], [0.0, -10.0, 1.0, -1.0, -2.0])
    second = _linear([[-1.0, 0.0, -1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0, 0.0]], [0.0, 0.0])
    model = nn.Sequential(first, nn.ReLU(), second, nn.ReLU(), nn.Linear(2, 1).double())
    X = gn.tensor([[1.0], [2.0], [3.0]], dtype=gn.float64)
    # layer 1: units 2 (always −x−10) and 4 (always −1) are dead; unit 5 (x − 2) is 0 for
    # x = 1, 2 but alive for x = 3. Layer 2: unit 1 = relu(−a1 − a3) is always 0.
    masks = plots.dead_relu_mask(model, X)
    np.testing.assert_array_equal(masks[0], [False, True, False, True, False])
    np.testing.assert_array_equal(masks[1], [True, False])
    assert plots.dead_relu_fraction(model, X) == [0.4, 0.5]
    assert plots.dead_relu_fraction(model, X[:2]) == [0.6, 0.5]  # unit 5 is dead on these
    assert not any(m._forward_hooks for m in model.modules())  # hooks removed
    with pytest.raises(ValueError, match="no nn.ReLU"):
        plots.dead_relu_fraction(nn.Sequential(nn.Linear(1, 1)), X)


def test_dead_relu_history_records_every_epoch():
    X, y = _circle(32)
    model = plots.deep_mlp("relu", "he", depth=3, width=6)
    before = plots.dead_relu_fraction(model, X)
    run = plots.dead_relu_history(
        model, X, y, lr=0.01, epochs=3, loss="bce_with_logits", optimizer="adam", batch_size=8
    )
    assert run["fraction"].shape == (4, 2) and run["loss"].shape == (3,)
    assert list(run["fraction"][0]) == before
    assert list(run["fraction"][-1]) == plots.dead_relu_fraction(model, X)
    np.testing.assert_allclose(run["overall"], run["fraction"].mean(axis=1))  # equal widths
    assert not run["diverged"] and run["optimizer"] == "adam" and run["lr"] == 0.01


def test_dead_relu_history_stops_when_training_diverges():
    X, y = _circle(32)
    model = plots.deep_mlp("relu", "he", depth=3, width=6)
    run = plots.dead_relu_history(model, X, y * 1e3, lr=1e3, epochs=5)
    assert run["diverged"] and len(run["loss"]) < 5
    assert len(run["fraction"]) == len(run["loss"]) + 1
    fig = plots.plot_dead_relus([run], lang="en")
    assert "SGD η = 1000 (diverged)" in plots.figure_text(fig)


def test_too_large_learning_rate_kills_relus():
    sensible, _, too_large = dead_relu_runs(quick=True)
    assert too_large["overall"][-1] >= 0.3
    assert too_large["overall"][-1] > 3 * sensible["overall"][-1]


# ---- images ------------------------------------------------------------------


def test_write_figures_quick_writes_every_figure(quick_figures):
    out, paths = quick_figures
    names = {os.path.basename(p) for p in paths}
    assert names >= {f"{n}.{ext}" for n in FIGURES for ext in ("png", "svg")}
    for path in paths:
        assert os.path.dirname(path) == str(out) and os.path.getsize(path) > 1000
        if path.endswith(".png"):
            assert_png(path)
        else:
            assert_svg(path, 50 if os.path.basename(path)[:-4] in FIGURES else 5)
    for module, name in (("draw.diagram", "network.svg"), ("draw.graph", "graph.svg")):
        try:
            __import__(f"glassnet.explain.{module}")
        except ImportError:
            continue
        assert name in names


@pytest.mark.parametrize("name", FIGURES)
def test_each_figure_is_a_valid_png_and_svg(quick_figures, name):
    out, _ = quick_figures
    assert_png(out / f"{name}.png")
    root = assert_svg(out / f"{name}.svg")
    assert root.get("width") and root.get("height")


def test_svg_files_are_reproducible(tmp_path):
    for name in ("a.svg", "b.svg"):
        plots.plot_descent_1d(tmp_path / name, steps=3)
    assert (tmp_path / "a.svg").read_bytes() == (tmp_path / "b.svg").read_bytes()


def test_write_figures_checks_formats(tmp_path):
    with pytest.raises(ValueError, match="formats"):
        write_figures(tmp_path, formats=("jpg",))


def test_save_checks_the_extension(tmp_path):
    fig = plots.plot_activations(tmp_path / "a.svg", names=("relu",))
    assert_svg(tmp_path / "a.svg")
    with pytest.raises(ValueError, match=r"\.png or \.svg"):
        plots.save(fig, tmp_path / "a.jpg")


# ---- languages and fonts -----------------------------------------------------


def _all_figures(lang):
    history = {"loss": [1.0, 0.5], "val_loss": [1.2, 0.7]}
    model = _linear([[1.0, 0.0]], [0.0])
    data = (np.array([[-1.0, 0.0], [1.0, 1.0]]), np.array([0, 1]))
    X, y = _circle(16)
    grads = plots.vanishing_gradient_runs(
        X, y, configs=(("sigmoid", None),), depth=3, width=4, epochs=2
    )
    dead = [
        plots.dead_relu_history(
            plots.deep_mlp("relu", "he", depth=2, width=4), X, y, epochs=1, loss="bce_with_logits"
        )
    ]
    return [
        plots.plot_activations(lang=lang),
        plots.plot_descent_1d(lang=lang, steps=3),
        plots.plot_descent_2d(lang=lang, steps=3),
        plots.plot_loss_curves(history, lang=lang),
        plots.plot_decision_boundary(model, data, lang=lang, resolution=10),
        plots.plot_gradient_norms(grads, lang=lang),
        plots.plot_dead_relus(dead, lang=lang),
    ]


def test_titles_in_chinese_and_english():
    for fig in _all_figures("zh"):
        assert has_chinese(fig._suptitle.get_text() if fig._suptitle else fig.axes[0].get_title())
    for fig in _all_figures("en"):
        assert not has_chinese(plots.figure_text(fig))


def test_language_from_the_locale(monkeypatch):
    for var in ("LC_ALL", "LC_MESSAGES", "LANGUAGE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert "损失" in plots.figure_text(plots.plot_loss_curves({"loss": [1.0]}))
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    assert "loss" in plots.figure_text(plots.plot_loss_curves({"loss": [1.0]}))


def test_chinese_text_uses_an_installed_cjk_font(tmp_path):
    font = plots.cjk_font()
    if font is None:
        msg = f"needs a CJK font: {plots_common.INSTALL_HINT}"
        if os.environ.get("GLASSNET_REQUIRE_ALL") == "1":
            pytest.fail(msg)
        pytest.skip(msg)
    fig = plots.plot_loss_curves({"loss": [1.0, 0.5]}, tmp_path / "zh.png", lang="zh")
    title = fig._suptitle
    assert font in title.get_fontfamily()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "Glyph ... missing from font" when drawing
        fig.savefig(io.BytesIO(), format="png")
    assert_png(tmp_path / "zh.png")


def test_missing_cjk_font_warns_once_and_still_draws(tmp_path, monkeypatch):
    monkeypatch.setattr(plots_common, "_state", {"font": None, "warned": False})
    with pytest.warns(UserWarning, match="fonts-wqy-microhei"):
        plots.plot_loss_curves({"loss": [1.0, 0.5]}, tmp_path / "a.png", lang="zh")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plots.plot_loss_curves({"loss": [1.0, 0.5]}, tmp_path / "b.svg", lang="zh")
    assert_png(tmp_path / "a.png")
    assert_svg(tmp_path / "b.svg")


def test_without_matplotlib_the_error_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match=r"pip install 'glassnet\[viz\]'"):
        plots.plot_loss_curves({"loss": [1.0]})


def test_figures_with_a_path_are_not_left_in_pyplot(tmp_path):
    import matplotlib.pyplot as plt

    plt.close("all")
    plots.plot_descent_1d(tmp_path / "d.png", steps=2)
    assert plt.get_fignums() == []
    plots.plot_descent_1d(steps=2)
    assert len(plt.get_fignums()) == 1
