"""The network diagram (glassnet.explain.draw.diagram): one element per neuron and
per link, Playground colours and widths, gradients equal to autograd's, the
model left as it was, both languages, large layers elided, clear errors."""

import copy

import numpy as np
import pytest
from svgcheck import SVG, by_class, parse  # noqa: E402,F401

import glassnet as gn
from glassnet import nn
from glassnet.explain.draw.diagram import BLUE, GREY, ORANGE, network_svg
from glassnet.explain.draw.svg import esc, save_svg


def links(root):
    return {(e.get("data-from"), e.get("data-to")): e for e in by_class(root, "link")}


def net(*sizes, act=nn.Sigmoid):
    layers = []
    for i, (a, b) in enumerate(zip(sizes, sizes[1:])):
        layers.append(nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(act())
    return nn.Sequential(*layers)


def test_one_element_per_neuron_and_link():
    model = net(2, 3, 2)
    root = parse(network_svg(model, x=[0.5, -1.0]))
    neurons = by_class(root, "neuron")
    assert len(neurons) == 2 + 3 + 2
    assert {(n.get("data-layer"), n.get("data-index")) for n in neurons} == {
        (str(li), str(i)) for li, n in enumerate((2, 3, 2)) for i in range(n)
    }
    found = links(root)
    assert len(by_class(root, "link")) == len(found) == 2 * 3 + 3 * 2
    assert set(found) == {(f"0:{i}", f"1:{j}") for i in range(2) for j in range(3)} | {
        (f"1:{i}", f"2:{j}") for i in range(3) for j in range(2)
    }
    for e in neurons + list(found.values()):
        assert e.find(SVG + "title") is not None


def test_plain_linear_and_nested_sequential():
    root = parse(network_svg(nn.Linear(3, 2)))
    assert len(by_class(root, "neuron")) == 5 and len(by_class(root, "link")) == 6
    nested = nn.Sequential(nn.Sequential(nn.Linear(2, 4), nn.ReLU()), nn.Linear(4, 1))
    root = parse(network_svg(nested))
    assert len(by_class(root, "neuron")) == 7 and len(by_class(root, "link")) == 12


def test_colours_follow_sign_and_widths_follow_magnitude():
    model = nn.Linear(3, 2)
    w = np.array([[-0.9, 0.2, 0.0], [0.5, -0.05, 1.3]], dtype=np.float32)
    model.weight.data[...] = w
    found = links(parse(network_svg(model)))
    widths = {}
    for (src, dst), e in found.items():
        i, j = int(src.split(":")[1]), int(dst.split(":")[1])
        assert float(e.get("data-weight")) == float(w[j, i])
        assert e.get("stroke") == (ORANGE if w[j, i] < 0 else BLUE if w[j, i] > 0 else GREY)
        widths[float(abs(w[j, i]))] = float(e.get("stroke-width"))
    mags = sorted(widths)
    assert [widths[m] for m in mags] == sorted(widths.values())
    assert len(set(widths.values())) == len(widths)  # strictly increasing here
    assert widths[mags[-1]] == max(widths.values()) and widths[0.0] < widths[mags[1]]


def _loss_case():
    gn.manual_seed(3)
    model = net(2, 3, 2)
    x = gn.tensor([[0.5, -1.0], [0.2, 0.3]])
    y = gn.tensor([[0.25, 1.0], [0.0, -0.5]])
    return model, x, y, nn.MSELoss()


def test_gradient_mode_equals_autograd():
    model, x, y, loss_fn = _loss_case()
    root = parse(network_svg(model, x, y, loss_fn, show="gradients"))
    assert root.get("data-show") == "gradients"
    loss_fn(model(x), y).backward()
    found = links(root)
    lins = [model[0], model[2]]
    by_mag = {}
    for (src, dst), e in found.items():
        li, i = map(int, src.split(":"))
        j = int(dst.split(":")[1])
        g = lins[li].weight.grad.numpy()[j, i]
        assert float(e.get("data-grad")) == float(g)
        assert float(e.get("data-weight")) == float(lins[li].weight.detach().numpy()[j, i])
        assert e.get("stroke") == (ORANGE if g < 0 else BLUE if g > 0 else GREY)
        by_mag[float(abs(g))] = float(e.get("stroke-width"))
    widths = [by_mag[m] for m in sorted(by_mag)]
    assert widths == sorted(widths) and widths[-1] > widths[0]
    for n in by_class(root, "neuron"):
        li, i = int(n.get("data-layer")), int(n.get("data-index"))
        if li:
            assert float(n.get("data-bias-grad")) == float(lins[li - 1].bias.grad.numpy()[i])


def test_article_deltas_on_neurons():
    # 1-2-1 ReLU net, L = (y − ŷ)²/2: δ_out = ŷ − y, δ_z1 = δ_out · w_out1 · relu'(z1)
    model = nn.Sequential(nn.Linear(1, 2), nn.ReLU(), nn.Linear(2, 1))
    model[0].weight.data[...] = [[0.8], [-0.4]]
    model[0].bias.data[...] = [0.1, 0.3]
    model[2].weight.data[...] = [[0.6, -0.7]]
    model[2].bias.data[...] = [0.05]
    x, y = 0.5, 0.25
    root = parse(network_svg(model, [x], [y], nn.HalfSquaredError(), show="gradients"))
    neurons = {(n.get("data-layer"), n.get("data-index")): n for n in by_class(root, "neuron")}
    z1 = np.float32([0.8 * x + 0.1, -0.4 * x + 0.3])
    a1 = np.maximum(z1, 0)
    out = float(np.float32(0.6) * a1[0] + np.float32(-0.7) * a1[1] + np.float32(0.05))
    assert float(neurons["0", "0"].get("data-value")) == x
    for j in range(2):
        assert float(neurons["1", str(j)].get("data-z")) == pytest.approx(z1[j], abs=1e-7)
        assert float(neurons["1", str(j)].get("data-value")) == pytest.approx(a1[j], abs=1e-7)
    d_out = out - y
    assert float(neurons["2", "0"].get("data-delta")) == pytest.approx(d_out, abs=1e-6)
    w_out = (0.6, -0.7)
    for j in range(2):
        want = d_out * w_out[j] * (1.0 if z1[j] > 0 else 0.0)
        assert float(neurons["1", str(j)].get("data-delta")) == pytest.approx(want, abs=1e-6)
    texts = "".join(neurons["2", "0"].itertext())
    assert "z=" in texts and "δ=" in texts
    assert "x=0.5" in "".join(neurons["0", "0"].itertext())


def test_model_weights_and_grads_unchanged():
    model, x, y, loss_fn = _loss_case()
    before = copy.deepcopy(model.state_dict())
    sentinel = model[0].weight.grad = gn.tensor(np.full((3, 2), 7.0, dtype=np.float32))
    with gn.no_grad():  # drawing must work (and build its own graph) even here
        network_svg(model, x, y, loss_fn, show="gradients")
    for k, v in model.state_dict().items():
        assert np.array_equal(v.numpy(), before[k].numpy())
    assert model[0].weight.grad is sentinel and np.all(sentinel.numpy() == 7.0)
    assert model[0].bias.grad is None and model[2].weight.grad is None


def test_values_auto_true_false():
    model = net(2, 3, 1)
    root = parse(network_svg(model, x=[1.0, 2.0]))  # small: auto shows values
    assert all(n.find(SVG + "text") is not None for n in by_class(root, "neuron"))
    root = parse(network_svg(model, x=[1.0, 2.0], values=False))
    assert all(n.find(SVG + "text") is None for n in by_class(root, "neuron"))
    assert all(n.get("data-value") for n in by_class(root, "neuron"))  # data still there
    root = parse(network_svg(net(2, 12, 1), x=[1.0, 2.0]))  # 12 > 10: auto hides
    assert all(n.find(SVG + "text") is None for n in by_class(root, "neuron"))
    root = parse(network_svg(net(2, 12, 1), x=[1.0, 2.0], values=True))
    assert all(n.find(SVG + "text") is not None for n in by_class(root, "neuron"))


def test_both_languages():
    model = net(2, 3, 3, 1)
    en = network_svg(model, lang="en")
    zh = network_svg(model, lang="zh")
    for word in ("input", "hidden 1", "hidden 2", "output", "Sigmoid"):
        assert word in en
    for word in ("输入层", "隐藏层 1", "隐藏层 2", "输出层"):
        assert word in zh and word not in en
    parse(en), parse(zh)


def test_large_layers_are_elided():
    model = nn.Sequential(nn.Linear(100, 30), nn.ReLU(), nn.Linear(30, 3))
    root = parse(network_svg(model))
    layers = {e.get("data-layer"): e for e in by_class(root, "layer")}
    assert [layers[k].get("data-size") for k in "012"] == ["100", "30", "3"]
    assert [layers[k].get("data-hidden-count") for k in "012"] == ["84", "14", "0"]
    marks = {e.get("data-layer"): e.get("data-hidden-count") for e in by_class(root, "ellipsis")}
    assert marks == {"0": "84", "1": "14"}
    assert len(by_class(root, "neuron")) == 16 + 16 + 3
    assert len(by_class(root, "link")) == 16 * 16 + 16 * 3
    drawn = {
        int(n.get("data-index")) for n in by_class(root, "neuron") if n.get("data-layer") == "0"
    }
    assert drawn == set(range(8)) | set(range(92, 100))


def test_size_scales_the_drawing():
    svg = network_svg(net(2, 3, 1), width=300)
    root = parse(svg)
    vw, vh = map(float, root.get("viewBox").split()[2:])
    assert float(root.get("width")) == 300
    assert float(root.get("height")) == pytest.approx(300 * vh / vw, abs=0.01)


def test_clear_errors():
    with pytest.raises(TypeError, match="Linear or a Sequential"):
        network_svg("not a model")
    with pytest.raises(TypeError, match="cannot draw a Dropout"):
        network_svg(nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.5)))
    with pytest.raises(ValueError, match="start with a Linear"):
        network_svg(nn.Sequential(nn.ReLU(), nn.Linear(2, 2)))
    with pytest.raises(ValueError, match="in_features=3"):
        network_svg(nn.Sequential(nn.Linear(2, 2), nn.Linear(3, 1)))
    with pytest.raises(ValueError, match="no Linear"):
        network_svg(nn.Sequential())
    model, x, y, loss_fn = _loss_case()
    with pytest.raises(ValueError, match="show must be"):
        network_svg(model, show="weight")
    with pytest.raises(ValueError, match="needs x, y and loss_fn"):
        network_svg(model, x, show="gradients")
    with pytest.raises(ValueError, match="go together"):
        network_svg(model, x, y)
    with pytest.raises(ValueError, match="x has shape"):
        network_svg(model, [[1.0, 2.0, 3.0]])
    with pytest.raises(ValueError, match="values=True needs"):
        network_svg(model, values=True)
    with pytest.raises(ValueError, match="width"):
        network_svg(model, width=-5)
    with pytest.raises(ValueError, match="scalar"):
        network_svg(model, x, y, lambda p, t: p - t, show="gradients")
    with pytest.raises(ValueError, match="unknown language"):
        network_svg(model, lang="fr")


def test_save_svg_writes_atomically(tmp_path):
    svg = network_svg(net(2, 2, 1), lang="zh")
    path = tmp_path / "net.svg"
    assert save_svg(svg, path) == path
    assert path.read_text(encoding="utf-8") == svg
    parse(path.read_bytes())
    with pytest.raises(TypeError, match="as a str"):
        save_svg(b"<svg/>", path)
    with pytest.raises(ValueError, match="does not start"):
        save_svg("hello", path)
    with pytest.raises(FileNotFoundError):
        save_svg(svg, tmp_path / "missing" / "net.svg")
    assert path.read_text(encoding="utf-8") == svg


def test_escaping():
    assert esc('<a href="x">&\x00\x1b') == "&lt;a href=&quot;x&quot;&gt;&amp;"
    attr, body = esc('q"<&'), esc("<&>" + chr(7))
    root = parse(
        "<svg xmlns='http://www.w3.org/2000/svg' width='1' height='1' "
        f'viewBox="0 0 1 1"><text title="{attr}">{body}</text></svg>'
    )
    text = root.find(SVG + "text")
    assert text.get("title") == 'q"<&' and text.text == "<&>"
