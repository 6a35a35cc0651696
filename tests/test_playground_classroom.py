"""The playground in a classroom (issue #25), in a real browser (Debian's
Chromium driven by Playwright): a shared link after a CSV upload, a long
run's curves, a diverging run as a teaching moment, points visible on the
output, the speed control and a pause in the background, a frozen tab that
is never evicted, a phone and a projector, labels that agree, the exported
script finding its weights, the URL followed in an open tab, the keyboard,
hover-to-enlarge, click-to-edit, hidden controls and lesson links.
Screenshots go to out/screenshots/."""

import os
import re
import subprocess
import sys
import time

import numpy as np
import pytest
from conftest import SCREENSHOTS

from glassnet.playground import limits, start

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENV = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
EXPECTED_REFUSAL = re.compile(
    r"Failed to load resource: the server responded with a status of 4\d\d"
)


@pytest.fixture(scope="module")
def server():
    s = start("127.0.0.1", 0)
    yield s
    s.stop()


@pytest.fixture
def open_page(browser, server):
    """open_page(hash, **page options) -> a loaded page; fails the test on any page error."""
    pages, errors = [], []

    def open_(hash_="", wait=True, url=None, **options):
        options.setdefault("viewport", {"width": 1400, "height": 900})
        page = browser.new_page(accept_downloads=True, **options)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on(
            "console",
            lambda m: (
                errors.append(m.text)
                if m.type == "error" and not EXPECTED_REFUSAL.match(m.text)
                else None
            ),
        )
        page.goto((url or server.url) + hash_)
        if wait:
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
    page.wait_for_function(f"() => Number(document.body.dataset.epoch) >= {n}", timeout=30000)


def no_internal_error(page):
    assert "internal error" not in (page.text_content("#error-text") or "")


# -- 1. a link copied after a CSV upload -------------------------------------------------------
def test_a_link_made_after_a_csv_upload_opens_with_its_other_settings(open_page, server):
    page = open_page("#dataset=csv&layers=3&learningRate=0.1&seed=4")
    page.wait_for_selector("#notice:not([hidden])")
    assert "upload the file again" in page.text_content("#notice").lower()
    assert page.is_hidden("#error")
    s = session_of(server, page)
    assert (s.config.dataset, s.config.layers, s.config.learningRate) == ("circle", (3,), 0.1)
    assert page.input_value("#learningRate") == "0.1" and page.input_value("#optimizer") == "sgd"
    assert page.locator(".neuron canvas").count() == 7 + 3 + 2


# -- 2. a long run keeps its beginning ---------------------------------------------------------
def test_a_long_run_keeps_evenly_spaced_curves_from_its_first_epoch(open_page, server, monkeypatch):
    monkeypatch.setattr(limits, "HISTORY_POINTS", 20)  # a long run, in a short test
    page = open_page("#points=50&batchSize=64&trainRatio=50&layers=2")
    page.click("#play")
    wait_epoch(page, 300)
    page.click("#play")
    page.wait_for_selector("#play:not(.playing)")
    s = session_of(server, page)
    with s.lock:
        frame = s.frame()
    for epochs in (frame["history"]["epoch"], frame["gradNorms"]["epoch"]):
        gaps = np.diff(epochs[:-1])  # the last row is the latest epoch, kept besides
        assert epochs[0] <= gaps.max() and gaps.min() == gaps.max(), epochs
        assert len(epochs) <= 20 and epochs[-1] == s.trainer.epoch


# -- 3. a diverging run ------------------------------------------------------------------------
def test_a_diverging_run_pauses_says_why_and_shows_where(open_page, server):
    page = open_page("#dataset=plane&learningRate=10")
    page.click("#play")
    page.wait_for_selector("#diverged:not([hidden])", timeout=20000)
    text = page.text_content("#diverged-text")
    assert "diverged at epoch" in text and "smaller learning rate" in text
    s = session_of(server, page)
    assert not s.playing and s.divergence is not None and not s.diverged  # finite weights kept
    epoch = s.trainer.epoch
    page.wait_for_timeout(500)
    assert s.trainer.epoch == epoch and page.is_visible("#play:not(.playing)")
    # the backward view opens on the worst point, the blown-up numbers marked
    page.wait_for_selector("#bw-stage[data-stage='forward']")
    assert page.locator("#bw-rows tr.blown").count() > 0
    assert "blow up" in page.text_content("#bw-stage")
    assert page.locator(".bw-value.blown").count() > 0
    screenshot(page, "playground_diverged.png")
    page.click("#bw-trace")  # tracing another point is no internal error either
    page.wait_for_selector("#bw-stage[data-stage='forward']")
    no_internal_error(page)
    for _ in range(6):
        if page.get_attribute("#bw-stage", "data-stage") == "update":
            break
        page.click("#bw-next")
        page.wait_for_timeout(100)
    no_internal_error(page)
    page.click("#diverged-rate")  # "Use learning rate 3"
    page.wait_for_selector("#diverged", state="hidden")
    assert session_of(server, page).config.learningRate == 3


# -- 4. the points stay visible on the output --------------------------------------------------
def test_correctly_classified_points_stay_visible_on_the_output(open_page, server):
    page = open_page("#dataset=circle&learningRate=0.1")
    page.click("#play")
    page.wait_for_function(
        "() => Number(document.getElementById('test-loss').textContent) < 0.1", timeout=40000
    )
    page.click("#play")
    s = session_of(server, page)
    x = s.data.train_x
    dist = np.linalg.norm(x[:, None] - x[None], axis=2) + np.eye(len(x)) * 99
    lonely = [k for k in range(len(x)) if dist[k].min() > 0.6 and np.abs(x[k]).max() < 5]
    assert lonely
    size = page.evaluate("() => document.getElementById('output-map').width")
    contrast = []
    for k in lonely[:5]:
        px, py = (x[k][0] + 6) / 12 * size, (6 - x[k][1]) / 12 * size
        dot, ground = page.evaluate(
            """([x, y]) => { const c = document.getElementById('output-map').getContext('2d');
                return [Array.from(c.getImageData(x, y, 1, 1).data),
                        Array.from(c.getImageData(x, y + 8, 1, 1).data)]; }""",
            [float(px), float(py)],
        )
        contrast.append(np.linalg.norm(np.subtract(dot[:3], ground[:3])))
    assert min(contrast) > 50, contrast  # a point differs from the map around it


# -- 5. speed, background tabs, no eviction ----------------------------------------------------
def test_the_speed_control_slows_play_and_steps_one_batch(open_page, server):
    page = open_page("#speed=3")
    assert page.input_value("#speed") == "3"
    s = session_of(server, page)
    page.click("#play")
    page.wait_for_timeout(2000)
    page.click("#play")
    page.wait_for_selector("#play:not(.playing)")
    assert 2 <= s.trainer.epoch <= 9, s.trainer.epoch  # about 3 epochs a second
    assert "speed=3" in page.url
    page.select_option("#speed", "step")
    page.wait_for_function("() => location.hash.includes('speed=step')")
    epoch = s.trainer.epoch
    page.click("#step")  # one mini-batch, one gradient step
    page.wait_for_function(
        "() => document.getElementById('batch-of').textContent.startsWith('batch 1 of 25')"
    )
    assert s.trainer.epoch == epoch


def test_a_hidden_tab_pauses_and_resumes_when_shown(open_page, server):
    page = open_page("#speed=10")
    s = session_of(server, page)
    page.click("#play")
    page.wait_for_selector("#play.playing")
    visibility = """(state) => {
        Object.defineProperty(document, 'visibilityState', {value: state, configurable: true});
        Object.defineProperty(document, 'hidden', {value: state === 'hidden', configurable: true});
        document.dispatchEvent(new Event('visibilitychange')); }"""
    page.evaluate(visibility, "hidden")
    page.wait_for_selector("#play:not(.playing)")
    epoch = s.trainer.epoch
    page.wait_for_timeout(600)
    assert not s.playing and s.trainer.epoch == epoch
    page.evaluate(visibility, "visible")
    page.wait_for_selector("#play.playing")
    wait_epoch(page, epoch + 2)
    page.click("#play")


def test_a_frozen_background_tab_is_never_evicted(open_page, monkeypatch):
    monkeypatch.setattr(limits, "STREAM_ACK_SECONDS", 1.0)
    monkeypatch.setattr(limits, "STREAM_PING_SECONDS", 0.2)
    own = start("127.0.0.1", 0)
    try:
        own.store.per_client, own.store.evict_idle = 1, 0.0
        page = open_page(url=own.url)
        s = session_of(own, page)
        cdp = page.context.new_cdp_session(page)
        cdp.send("Debugger.enable")
        cdp.send("Debugger.pause")  # as a frozen tab: its script runs no more
        deadline = time.monotonic() + 15
        while s.stream_owner is not None and time.monotonic() < deadline:
            time.sleep(0.1)  # the frozen page answers nothing: the server ends its stream
        assert s.stream_owner is None
        other = open_page(url=own.url, wait=False)
        other.wait_for_selector("#error:not([hidden])")
        assert "open playground tabs" in other.text_content("#error-text")
        cdp.send("Debugger.resume")
        deadline = time.monotonic() + 15
        while s.stream_owner is None and time.monotonic() < deadline:
            time.sleep(0.1)  # it woke and reconnected
        page.click("#step")
        wait_epoch(page, 1)
        assert page.is_hidden("#error") and own.store.alive(s)
    finally:
        own.stop()


# -- 6. a phone and a projector ----------------------------------------------------------------
def test_on_a_phone_nothing_is_off_screen_and_a_tap_shows_the_values(open_page, server):
    page = open_page(
        "#layers=4,2", viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True
    )
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    for sel in ("#network", "#output-map", "#play"):
        box = page.locator(sel).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, (sel, box)
    page.tap(".neuron[data-layer='1'][data-index='0']")
    page.wait_for_selector("#hovercard:not([hidden])")
    assert "bias b = " in page.text_content("#hovercard")
    screenshot(page, "playground_phone.png")


def test_on_a_wide_screen_the_backward_view_is_beside_the_network(open_page, server):
    page = open_page("#layers=4,2")
    page.fill("#bw-index", "3")
    page.click("#bw-trace")
    page.wait_for_selector("#bw-stage[data-stage='forward']")
    for _ in range(3):
        page.click("#bw-next")
    page.wait_for_selector("#bw-stage[data-stage='backward:2']")
    net, bw = page.locator("#network").bounding_box(), page.locator("#backward").bounding_box()
    assert bw["x"] >= net["x"] + net["width"] - 1  # to its right
    assert bw["y"] < net["y"] + net["height"] and net["y"] < bw["y"] + bw["height"]
    first_row = page.locator("#bw-rows tr").first.bounding_box()
    assert first_row["y"] + first_row["height"] <= 900  # above the fold, with the network
    fits = page.evaluate(
        "() => { const t = document.getElementById('bw-table'); "
        "return [t.scrollWidth, t.clientWidth, document.documentElement.scrollWidth]; }"
    )
    assert fits[0] <= fits[1] + 1 and fits[2] <= 1400, fits
    screenshot(page, "playground_wide_backward.png")


# -- 7. labels that agree ----------------------------------------------------------------------
def test_the_trace_names_the_class_as_the_legend_and_the_output_it_picks(open_page, server):
    page = open_page("#dataset=spirals3&layers=4")
    s = session_of(server, page)
    index = int(np.flatnonzero(s.data.train_y == 2)[0])
    page.fill("#bw-index", str(index))
    page.click("#bw-trace")
    page.wait_for_selector("#bw-stage[data-stage='forward']")
    note = page.text_content("#bw-stage .note")
    assert "class 3" in note and "ŷ[3]" in note, note
    assert "class 3" in page.text_content("#legend")
    assert page.text_content(".neuron.output-neuron[data-index='2'] .label") == "3"
    page.click("#bw-close")
    page.click("#step")
    wait_epoch(page, 1)
    page.hover(".neuron[data-layer='1'][data-index='1']")
    page.wait_for_selector("#hovercard:not([hidden])")
    numbers = re.findall(r"-?\d+\.\d+", page.text_content("#hovercard"))
    assert numbers and all(len(n.split(".")[1]) <= 4 for n in numbers)
    other = open_page("#dataset=circle")
    t = session_of(server, other)
    index = int(np.flatnonzero(t.data.train_y == 0)[0])
    other.fill("#bw-index", str(index))
    other.click("#bw-trace")
    other.wait_for_selector("#bw-stage[data-stage='forward']")
    assert "class -1" in other.text_content("#bw-stage .note")
    assert "class -1" in other.text_content("#legend")


# -- 8. the exported script finds its weights --------------------------------------------------
def test_the_exported_script_finds_its_weights_next_to_itself(open_page, server, tmp_path):
    page = open_page("#dataset=gauss&layers=3")
    page.click("#step")
    wait_epoch(page, 1)
    folder = tmp_path / "Downloads"
    folder.mkdir()
    for anchor, name in (
        ("#export-weights", "playground_model (1).safetensors"),
        ("#export-script", "playground_model (1).py"),
    ):
        with page.expect_download() as d:
            page.click(anchor)
        d.value.save_as(folder / name)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    run = [sys.executable, str(folder / "playground_model (1).py"), "1"]
    out = subprocess.run(run, cwd=elsewhere, env=ENV, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[-1].startswith("epoch 1: train loss")
    # a script saved under its own name finds a renamed download of the weights too
    (folder / "playground_model (1).py").rename(folder / "playground_model.py")
    run[1] = str(folder / "playground_model.py")
    out = subprocess.run(run, cwd=elsewhere, env=ENV, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    (folder / "playground_model (1).safetensors").unlink()
    out = subprocess.run(run, cwd=elsewhere, env=ENV, capture_output=True, text=True, timeout=120)
    assert out.returncode != 0 and "no weights found" in out.stderr


# -- 9. the URL, the keyboard, the words -------------------------------------------------------
def test_editing_the_url_of_an_open_tab_changes_the_network(open_page, server):
    page = open_page("#layers=4,2")
    s = session_of(server, page)
    page.evaluate("() => { location.hash = '#layers=3&learningRate=0.3&showTest=true'; }")
    page.wait_for_function("() => document.querySelectorAll('.layer.hidden').length === 1")
    assert s.config.layers == (3,) and s.config.learningRate == 0.3
    assert page.is_checked("#show-test")


def test_the_keyboard_reaches_the_features_and_the_points_with_a_visible_focus(open_page, server):
    page = open_page()

    def tab_to(selector):
        for _ in range(80):
            page.keyboard.press("Tab")
            if page.evaluate(f"() => document.activeElement.matches({selector!r})"):
                return
        raise AssertionError(f"Tab never reached {selector}")

    tab_to(".neuron.input[data-feature='x1sq']")
    ring = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement); "
        "return [s.outlineStyle, parseFloat(s.outlineWidth)]; }"
    )
    assert ring[0] == "solid" and ring[1] >= 3, ring
    page.keyboard.press("Space")
    page.wait_for_function("() => location.hash.includes('features=x1,x2,x1sq')")
    tab_to("#output-map")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert page.text_content("#point-info").startswith("training point #1:")
    page.keyboard.press("Enter")
    page.wait_for_selector("#bw-stage[data-stage='forward']")
    assert page.input_value("#bw-index") == "1"


def test_dropout_is_translated(open_page, server):
    page = open_page("#lang=zh")
    assert "随机失活" in page.text_content("label:has(#dropout) span")


# -- hover-to-enlarge, click-to-edit, hidden controls, lessons ---------------------------------
def test_hovering_a_neuron_enlarges_its_map(open_page, server):
    page = open_page("#layers=3")
    page.hover(".neuron[data-layer='1'][data-index='0']")
    page.wait_for_selector("#hovercard canvas.enlarged:not([hidden])")
    box = page.locator("#hovercard canvas.enlarged").bounding_box()
    assert box["width"] >= 150
    painted = page.evaluate(
        "() => { const c = document.querySelector('#hovercard canvas.enlarged'); "
        "return Array.from(c.getContext('2d').getImageData(80, 80, 1, 1).data); }"
    )
    assert painted[3] == 255


def test_clicking_a_link_edits_its_weight_and_traces_the_edited_network(open_page, server):
    page = open_page("#layers=2&seed=3")
    s = session_of(server, page)
    page.fill("#bw-index", "5")
    hit = page.locator("svg.links path.hit").nth(0)
    box = hit.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_selector("#editor:not([hidden])")
    assert "weight from" in page.text_content("#editor-label")
    page.fill("#editor-value", "1.5")
    page.keyboard.press("Enter")
    page.wait_for_selector("#bw-stage[data-stage='forward']")
    assert 1.5 in np.asarray(s.network.linears[0].weight)
    assert page.input_value("#bw-index") == "5" and page.is_hidden("#editor")
    page.click(".neuron[data-layer='1'][data-index='1']")
    page.fill("#editor-value", "1e9")
    page.keyboard.press("Enter")
    page.wait_for_selector("#error:not([hidden])")
    assert "Enter a number" in page.text_content("#error-text")
    page.fill("#editor-value", "-0.25")
    page.click("#editor-ok")
    page.wait_for_selector("#editor", state="hidden")
    assert float(np.asarray(s.network.linears[0].bias)[1]) == -0.25


def test_a_link_can_hide_controls_a_lesson_does_not_need(open_page, server):
    page = open_page("#hide=regularization,dropout,data,features")
    for sel in ("#regularization", "#regularizationRate", "#dropout", "#data-col"):
        assert page.is_hidden(sel), sel
    assert page.is_visible("#learningRate") and page.is_visible("#network")
    assert page.locator(".neuron.input:visible").count() == 2  # only the inputs that are on
    assert "hide=regularization,dropout,data,features" in page.url
    bad = open_page("#hide=everything")
    bad.wait_for_selector("#notice:not([hidden])")
    assert "“everything”" in bad.text_content("#notice") and "dropout" in bad.text_content(
        "#notice"
    )


def test_a_lesson_link_opens_the_backward_view_on_its_point(open_page, server):
    page = open_page("#layers=3&seed=2&trace=4&stage=backward:1")
    page.wait_for_selector("#bw-stage[data-stage='backward:1']")
    assert page.input_value("#bw-index") == "4"
    assert page.locator(".bw-value.delta").count() > 0
    page.wait_for_function("() => location.hash.includes('trace=4&stage=backward:1')")
    page.click("#bw-prev")
    page.wait_for_function("() => location.hash.includes('stage=backward:2')")
    bad = open_page("#trace=99999")
    bad.wait_for_selector("#notice:not([hidden])")
    assert "numbered 0 to" in bad.text_content("#notice")
