"""The playground in a real browser (Debian's Chromium driven by
Playwright), against a server started in this process on 127.0.0.1: train
on circle, change the network, step through the backward view and compare
its δ with `glassnet explain`, upload a CSV, export and reload the model,
share the state through the URL, see errors on the page. Screenshots go to
out/screenshots/."""

import os
import re
import subprocess
import sys

import numpy as np
import pytest
from conftest import SCREENSHOTS

import glassnet as gn
from glassnet import nn
from glassnet.cli.explain import model_from_state_dict
from glassnet.explain import trace_step
from glassnet.playground import start

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENV = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))


@pytest.fixture(scope="module")
def server():
    s = start("127.0.0.1", 0)
    yield s
    s.stop()


# Chromium logs every 4xx reply; the page shows the server's reason instead
EXPECTED_REFUSAL = re.compile(
    r"Failed to load resource: the server responded with a status of "
    r"4\d\d"
)


@pytest.fixture
def open_page(browser, server):
    """open_page(hash) -> a loaded page; fails the test on any page error."""
    pages, errors = [], []

    def open_(hash_=""):
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on(
            "console",
            lambda m: (
                errors.append(m.text)
                if m.type == "error" and not EXPECTED_REFUSAL.match(m.text)
                else None
            ),
        )
        page.goto(server.url + hash_)
        page.wait_for_selector("body[data-epoch]", timeout=15000)
        pages.append(page)
        return page

    yield open_
    for p in pages:
        p.close()
    assert errors == []


def session_of(server, page):
    return server.store.get(page.get_attribute("body", "data-session"))


def screenshot(page, name):
    os.makedirs(SCREENSHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SCREENSHOTS, name), full_page=True)


def wait_epoch(page, n):
    page.wait_for_function(f"() => Number(document.body.dataset.epoch) === {n}", timeout=15000)


def test_play_trains_circle_until_the_test_loss_is_small(open_page, server):
    page = open_page("#dataset=circle&learningRate=0.1")
    assert float(page.text_content("#test-loss")) > 0.3
    page.click("#play")
    page.wait_for_function(
        "() => Number(document.getElementById('test-loss').textContent) < 0.08", timeout=40000
    )
    page.click("#play")
    page.wait_for_selector("#play:not(.playing)")
    s = session_of(server, page)
    assert not s.playing and s.trainer.epoch > 0 and s.test_loss < 0.08
    assert int(page.text_content("#epoch")) == s.trainer.epoch
    # the heatmaps are drawn: the output is mostly blue inside the ring, orange outside
    pixel = page.evaluate("""() => {
        const c = document.getElementById('output-map').getContext('2d');
        return [Array.from(c.getImageData(150, 150, 1, 1).data),
                Array.from(c.getImageData(8, 8, 1, 1).data)]; }""")
    assert pixel[0][2] > pixel[0][0] and pixel[1][0] > pixel[1][2]
    assert page.locator(".neuron canvas").count() == 7 + 4 + 2 + 2
    assert page.locator("svg.links path.link").count() == 2 * 4 + 4 * 2 + 2 * 2
    page.check("#show-test")
    assert "showTest=true" in page.url
    screenshot(page, "playground.png")


def test_layers_neurons_and_activations_change_the_network(open_page, server):
    page = open_page("#layers=4,2")
    page.click("#add-layer")
    page.wait_for_selector(".layer.hidden[data-layer='3']")
    assert page.text_content("#layer-count") == "3 hidden layers"
    page.click(".layer.hidden[data-layer='1'] .add-neuron")
    page.wait_for_function(
        "() => document.querySelectorAll('.layer.hidden[data-layer=\"1\"] .neuron').length === 5"
    )
    page.select_option(".layer.hidden[data-layer='2'] select.layer-activation", "relu")
    page.wait_for_function("() => location.hash.includes('activations=tanh,relu,tanh')")
    s = session_of(server, page)
    assert s.config.layers == (5, 2, 2) and s.config.activations == ("tanh", "relu", "tanh")
    assert page.input_value("#activation") == "mixed"
    page.select_option("#activation", "sigmoid")
    page.wait_for_function("() => location.hash.includes('activations=sigmoid,sigmoid,sigmoid')")
    assert [type(m).__name__ for m in s.network.sequential()][1::2] == ["Sigmoid"] * 3
    page.click(".neuron.input[data-feature='x1sq']")
    page.wait_for_function("() => location.hash.includes('features=x1,x2,x1sq')")
    assert page.locator("svg.links path.link").count() == 3 * 5 + 5 * 2 + 2 * 2 + 2 * 2
    page.click("#remove-layer")
    page.wait_for_function("() => location.hash.includes('layers=5,2&')")
    # switching every input off is refused, with the reason on the page in plain words
    for f in ("x1", "x2", "x1sq"):
        page.click(f".neuron.input[data-feature='{f}']")
        page.wait_for_timeout(150)
    page.wait_for_selector("#error:not([hidden])")
    assert "At least one input must stay on" in page.text_content("#error-text")
    assert session_of(server, page).config.features == ("x1sq",)
    page.click("#step")
    wait_epoch(page, 1)


def cli_row(text, name):
    """The value (last '= ...' field) of the row called ``name`` in `glassnet explain` text."""
    for line in text.splitlines():
        if re.match(rf"\s*{re.escape(name)}\s+[=←]", line):
            return line.rsplit("=", 1)[1].strip()
    raise AssertionError(f"no row {name!r} in:\n{text}")


def test_the_backward_view_shows_glassnet_explains_delta(open_page, server, tmp_path):
    page = open_page("#layers=3&activations=tanh&learningRate=0.1&seed=5")
    for k in (1, 2, 3):
        page.click("#step")
        wait_epoch(page, k)
    with page.expect_download() as d:
        page.click("#export-weights")
    weights = tmp_path / "w.safetensors"
    d.value.save_as(weights)
    s = session_of(server, page)
    index = 4
    x, y = s.data.train_x[index], int(s.data.train_y[index])
    page.fill("#bw-index", str(index))
    page.click("#bw-trace")
    page.wait_for_selector("#bw-stage[data-stage='forward']")
    assert page.locator("#bw-rows tr").count() > 5
    page.click("#bw-next")
    page.wait_for_selector("#bw-stage[data-stage='loss']")
    page.click("#bw-next")
    page.wait_for_selector("#bw-stage[data-stage='backward:2']")
    page.click("#bw-next")
    page.wait_for_selector("#bw-stage[data-stage='backward:1']")
    tag = page.locator(".neuron[data-layer='1'][data-index='0'] .bw-value.delta")
    name, value, text = (
        tag.get_attribute("data-name"),
        float(tag.get_attribute("data-value")),
        tag.text_content(),
    )
    assert name == "δ_z1" and text.startswith("δ ")
    screenshot(page, "playground_backward.png")

    # `glassnet explain` on the exported weights and the same point prints the same δ
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "glassnet",
            "explain",
            "--model",
            str(weights),
            "--input",
            repr(float(x[0])),
            repr(float(x[1])),
            "--target",
            str(y),
            "--activation",
            "tanh",
            "--loss",
            "cross_entropy",
            "--lr",
            "0.1",
            "--lang",
            "en",
        ],
        capture_output=True,
        text=True,
        env=ENV,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert text == "δ " + cli_row(out.stdout, name)
    row = page.locator(f"#bw-rows tr[data-name='{name}'] td.value")
    assert row.text_content() == "= " + cli_row(out.stdout, name)
    # ... and, to the last bit, the δ of trace_step on those weights
    with s.lock:
        model = model_from_state_dict(gn.load(str(weights)), "tanh")
        t = trace_step(
            model,
            gn.tensor(x[None]),
            gn.tensor(np.array([y])),
            nn.CrossEntropyLoss(),
            lr=0.1,
            apply=False,
        )
    assert value == t.row(name).value
    # the update is written into the network
    page.click("#bw-next")
    page.wait_for_selector("#bw-stage[data-stage='update']")
    new_w = t.row("w11", "updates").value
    assert float(np.asarray(s.network.linears[0].weight)[0, 0]) == new_w
    page.click("#bw-close")
    assert page.locator(".bw-value").count() == 0


def test_a_csv_upload_is_used_and_a_bad_one_explained(open_page, server, tmp_path):
    page = open_page()
    g = np.random.default_rng(1)
    pts = g.uniform(-5, 5, (150, 2))
    good = tmp_path / "rings.csv"
    good.write_text(
        "u,v,kind\n"
        + "\n".join(f"{a:.3f},{b:.3f},{'inner' if a * a + b * b < 9 else 'outer'}" for a, b in pts)
    )
    page.set_input_files("#upload", str(good))
    page.wait_for_function(
        "() => document.getElementById('upload-info').textContent.includes('rings.csv')"
    )
    page.wait_for_selector(".dataset[data-name='csv'].active")
    s = session_of(server, page)
    assert s.config.dataset == "csv" and s.data.classes == ["inner", "outer"]
    assert page.text_content("#legend") == "class innerclass outer"
    page.click("#step")
    wait_epoch(page, 1)
    bad = tmp_path / "bad.csv"
    bad.write_text("u,v,kind\n1,2,a\n3,oops,b\n")
    page.set_input_files("#upload", str(bad))
    page.wait_for_selector("#error:not([hidden])")
    assert "bad.csv: line 3, column 'v': expected a finite number, got 'oops'" in page.text_content(
        "#error-text"
    )
    assert session_of(server, page).upload_name == "rings.csv"


def test_a_late_reply_does_not_hide_a_newer_error(open_page, server, tmp_path):
    """A step's reply that arrives after a refused upload (the page's fetch of
    /api/command held back 1.5 s) leaves the upload's error on the page."""
    page = open_page()
    page.evaluate(
        """() => {
        const fetch0 = window.fetch;
        window.fetch = async (url, opts) => {
          const reply = await fetch0(url, opts);
          if (String(url).startsWith("/api/command")) await new Promise((r) => setTimeout(r, 1500));
          return reply;
        };
      }"""
    )
    page.click("#step")  # its reply now comes 1.5 s late
    bad = tmp_path / "bad.csv"
    bad.write_text("u,v,kind\n1,2,a\n3,oops,b\n")
    page.set_input_files("#upload", str(bad))
    page.wait_for_selector("#error:not([hidden])")
    wait_epoch(page, 1)
    page.wait_for_timeout(2000)  # the step's reply has come by now
    assert page.is_visible("#error")
    assert "bad.csv: line 3" in page.text_content("#error-text")


def test_export_downloads_weights_and_a_script_that_continues_training(open_page, server, tmp_path):
    page = open_page("#dataset=gauss&layers=3&optimizer=adam&learningRate=0.01")
    page.click("#step")
    wait_epoch(page, 1)
    for anchor, name in (
        ("#export-weights", "playground_model.safetensors"),
        ("#export-script", "playground_model.py"),
    ):
        with page.expect_download() as d:
            page.click(anchor)
        assert d.value.suggested_filename == name
        d.value.save_as(tmp_path / name)
    s = session_of(server, page)
    state = gn.load(str(tmp_path / "playground_model.safetensors"))
    model = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 2))
    model.load_state_dict(state)
    with s.lock, gn.no_grad():
        x = gn.tensor(s.data.test_x)
        ours = np.asarray(model(x))
        theirs = np.asarray(s.network.sequential(dropout=False)(x))
    assert np.array_equal(ours, theirs)
    out = subprocess.run(
        [sys.executable, "playground_model.py", "2"],
        cwd=tmp_path,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[-1].startswith("epoch 2: train loss")


def test_the_url_holds_the_state_and_the_page_speaks_chinese(open_page, server):
    page = open_page(
        "#dataset=xor&layers=5&activations=relu&noise=15&lang=zh&showTest=true"
        "&optimizer=momentum&regularization=l2&regularizationRate=0.01"
    )
    s = session_of(server, page)
    assert (s.config.dataset, s.config.layers, s.config.noise, s.config.optimizer) == (
        "xor",
        (5,),
        15,
        "momentum",
    )
    assert page.is_checked("#show-test") and page.input_value("#regularizationRate") == "0.01"
    assert page.text_content(".dataset.active") == "异或"
    assert page.text_content("#layer-count") == "1 个隐藏层"
    assert "反向传播视图" in page.text_content("#backward h2")
    page.fill("#bw-index", "0")
    page.click("#bw-trace")
    page.wait_for_selector("#bw-stage[data-stage='forward']")
    assert "前向传播" in page.text_content("#bw-stage")
    screenshot(page, "playground_zh.png")
    page.click("#lang-en")
    assert "Forward pass" in page.text_content("#bw-stage")
    assert "lang=en" in page.url
    # the same URL in another tab: the same settings, its own session
    other = open_page("#" + page.url.split("#", 1)[1])
    t = session_of(server, other)
    assert t is not s and t.config == s.config


def test_a_bad_url_setting_is_reported_and_the_defaults_used(open_page, server):
    page = open_page("#layers=4,99&learningRate=fast")
    page.wait_for_selector("#error:not([hidden])")
    message = page.text_content("#error-text")
    assert "refused" in message and ("layers" in message or "learningRate" in message)
    assert session_of(server, page).config.layers == (4, 2)


def test_hovering_a_link_shows_its_exact_weight(open_page, server):
    page = open_page("#layers=2")
    link = page.locator("svg.links path.hit").first
    box = link.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_selector("#hovercard:not([hidden])")
    card = page.text_content("#hovercard")
    s = session_of(server, page)
    weights = np.asarray(s.network.linears[0].weight).ravel()
    shown = re.search(r"weight w = (\S+)", card).group(1)
    assert re.fullmatch(r"-?\d\.\d{4}", shown), card  # 4 decimals, as the backward view
    assert np.abs(weights - float(shown)).min() <= 5e-5, (card, weights)


def test_the_problem_type_switches_to_regression(open_page, server):
    page = open_page()
    page.select_option("#problem", "regression")
    page.wait_for_selector(".dataset[data-name='plane'].active")
    assert page.locator(".dataset:not(.hidden)").count() == 2
    assert page.locator(".neuron.output-neuron").count() == 1
    page.click(".dataset[data-name='multigauss']")
    page.wait_for_selector(".dataset[data-name='multigauss'].active")
    s = session_of(server, page)
    assert s.data.task == "regression" and s.network.sizes == [2, 4, 2, 1]
    page.click("#step")
    wait_epoch(page, 1)
    page.hover(".neuron[data-layer='1'][data-index='2']")
    page.wait_for_selector("#hovercard:not([hidden])")
    bias = float(np.asarray(s.network.linears[0].bias)[2])
    shown = float(re.search(r"bias b = (\S+)", page.text_content("#hovercard")).group(1))
    assert abs(shown - bias) <= 5e-5


def test_a_diverged_network_is_shown_as_such_and_reset_clears_it(open_page, server):
    page = open_page("#layers=3")
    s = session_of(server, page)
    assert page.is_hidden("#diverged")
    with s.lock:
        np.asarray(s.network.linears[0].weight)[...] = np.nan
        s.set_playing(False)  # a new frame
    page.wait_for_selector("#diverged:not([hidden])")
    assert "Diverged" in page.text_content("#diverged")
    page.fill("#bw-index", "0")
    page.click("#bw-trace")
    page.wait_for_selector("#error:not([hidden])")
    assert "diverged" in page.text_content("#error-text")
    page.click("#reset")
    page.wait_for_selector("#diverged[hidden]", state="attached")
    assert not s.diverged
