"""The server's side of the playground in a classroom (issue #25): the speed
of play, fair turns between the playing tabs, a blow-up paused at the last
finite weights, the edit and speed commands, a frozen tab kept, a CSV link
refused clearly, and a long history evenly spaced. (The page's side is
tests/test_playground_classroom.py.)"""

import json
import threading
import time

import numpy as np
import pytest
from playground_http import api, command, new_session
from playground_ws import LiveStream

from glassnet.playground import config as cfg
from glassnet.playground import limits, pace, start
from glassnet.playground.divergence import smaller_rate
from glassnet.playground.errors import ProtocolError
from glassnet.playground.protocol import dumps
from glassnet.playground.session import Session
from glassnet.playground.sessions import SessionStore
from glassnet.playground.turns import Turns
from glassnet.train.history import History


@pytest.fixture(scope="module")
def server():
    s = start("127.0.0.1", 0)
    yield s
    s.stop()


def make(**settings):
    return Session("test", cfg.parse(settings))


def play_for(server, sids, seconds):
    """Play the sessions ``sids`` for ``seconds``, reading (and so acknowledging) their streams."""
    streams = [LiveStream(server.server_address, sid) for sid in sids]
    try:
        for ws in streams:
            ws.until(lambda got: got[-1][0] == "frame")
        for sid in sids:
            command(server, sid, "play", playing=True)
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            for ws in streams:
                ws.next()
        for sid in sids:
            command(server, sid, "play", playing=False)
    finally:
        for ws in streams:
            ws.close()


# -- the history of a long run ----------------------------------------------------------------
def test_a_long_history_stays_evenly_spaced_from_its_first_row():
    h = History(limit=400)
    for e in range(6600):
        h.append(e, {"loss": float(e)})
    gaps = np.diff(h.epoch[:-1])
    assert len(h) <= 400 and h.epoch[0] == 0 and h.epoch[-1] == 6599
    assert gaps.min() == gaps.max() == 32  # not epochs 1 to 4,856 in one point
    assert h["loss"] == [float(e) for e in h.epoch]


# -- the speed of play ------------------------------------------------------------------------
def test_pace_owes_whole_units_at_its_rate(monkeypatch):
    now = [100.0]
    monkeypatch.setattr(pace.time, "monotonic", lambda: now[0])
    p = pace.Pace("10")
    p.restart()
    assert p.due() == 1 and p.unit == "epoch"
    p.paid(1)
    assert p.due() == 0 and p.wait() == pytest.approx(0.1)
    now[0] += 0.25
    assert p.due() == 2
    now[0] += 60  # a long pause is not caught up in a burst
    assert p.due() == 5
    assert pace.Pace("step").unit == "batch" and pace.Pace("max").due() == 1
    with pytest.raises(ProtocolError, match="speed must be one of step, 1, 3, 10, 30, 100, max"):
        pace.Pace("fast")


def test_the_step_command_at_speed_step_trains_one_mini_batch(server):
    sid = new_session(server, points=100, trainRatio=50, batchSize=10)
    assert command(server, sid, "speed", speed="step")[1]["speed"] == "step"
    command(server, sid, "step")
    s = server.store.get(sid)
    assert s.trainer.epoch == 0 and s.frame()["batch"] == 1 and s.frame()["batches"] == 5
    status, reply = command(server, sid, "speed", speed="warp")
    assert status == 400 and reply["field"] == "speed" and "max" in reply["error"]
    status, reply = command(server, sid, "speed", speed=3)
    assert status == 400 and "'speed' must be a speed" in reply["error"]


def test_playing_at_three_epochs_a_second_trains_about_three(server):
    sid = new_session(server)
    command(server, sid, "speed", speed="3")
    play_for(server, [sid], 2.0)
    assert 3 <= server.store.get(sid).trainer.epoch <= 9


# -- fair turns -------------------------------------------------------------------------------
def test_turns_are_first_come_first_served_within_the_slots():
    turns = Turns(1)
    order, inside, most = [], [0], [0]
    hold = threading.Event()

    def work(name):
        with turns.turn(name):
            inside[0] += 1
            most[0] = max(most[0], inside[0])
            order.append(name)
            if name == "first":
                hold.wait(5)
            inside[0] -= 1

    threads = [threading.Thread(target=work, args=("first",))]
    threads[0].start()
    time.sleep(0.1)
    for name in ("a", "b", "c", "d"):  # they queue up in this order while "first" works
        t = threading.Thread(target=work, args=(name,))
        t.start()
        threads.append(t)
        time.sleep(0.05)
    hold.set()
    for t in threads:
        t.join(10)
    assert order == ["first", "a", "b", "c", "d"] and most[0] == 1
    with pytest.raises(ValueError, match="slots"):
        Turns(0)


def test_a_heavy_tab_does_not_crowd_out_a_light_one(server, monkeypatch):
    monkeypatch.setattr(server.store, "turns", Turns(1))  # one slot: the two must take turns
    heavy = new_session(server, points=2000, trainRatio=90, batchSize=1, layers=[8, 8, 8, 8])
    light = new_session(server, points=50, layers=[2])
    play_for(server, [heavy, light], 2.0)
    turns = [who for who in server.store.turns.granted if who in (heavy, light)]
    assert turns.count(heavy) >= 3 and turns.count(light) >= 3
    assert 0.35 <= turns.count(light) / len(turns) <= 0.65, turns  # about every other turn
    assert server.store.get(light).trainer.epoch > 20  # the light one kept training


# -- a blow-up --------------------------------------------------------------------------------
def test_a_blow_up_pauses_at_the_last_finite_weights_and_says_where():
    s = make(dataset="plane", learningRate=10)
    s.set_playing(True)
    for _ in range(50):
        s.train_for(0.05)
        if s.divergence:
            break
    assert s.divergence is not None and not s.playing and not s.diverged
    d = s.divergence.to_dict()
    assert d["epoch"] == s.trainer.epoch + 1 and d["batch"] >= 1 and d["suggestedRate"] == 3
    assert "the loss is" in d["what"] or "∂L/∂" in d["what"]
    frame = json.loads(dumps(s.frame()))
    assert frame["diverged"] and frame["divergence"]["point"] == d["point"]
    trace = json.loads(dumps(s.trace(d["point"])))  # JSON, however big the numbers
    blown = [r for r in trace["rows"] if r.get("blown")]
    assert blown and all(r["valueText"] for r in blown)
    if trace["updateFinite"]:
        s.apply_trace()
    else:
        with pytest.raises(ProtocolError, match="not applied"):
            s.apply_trace()
    s.set_config({"learningRate": 0.01})
    assert s.divergence is None
    assert smaller_rate(10) == 3 and smaller_rate(0.03) == 0.01


# -- editing a weight or a bias ---------------------------------------------------------------
def test_the_edit_command_sets_one_weight_or_bias_and_checks_every_field(server):
    sid = new_session(server, layers=[3])
    assert command(server, sid, "edit", layer=2, to=1, **{"from": 2}, value=0.75)[0] == 200
    assert command(server, sid, "edit", layer=1, to=0, **{"from": None}, value=-1)[0] == 200
    s = server.store.get(sid)
    assert float(np.asarray(s.network.linears[1].weight)[1, 2]) == 0.75
    assert float(np.asarray(s.network.linears[0].bias)[0]) == -1.0
    for args, field in (
        ({"layer": 3, "to": 0, "from": 0, "value": 1}, "layer"),
        ({"layer": 1, "to": 3, "from": 0, "value": 1}, "to"),
        ({"layer": 1, "to": 0, "from": 2, "value": 1}, "from"),
        ({"layer": 1, "to": 0, "from": 0, "value": 1e9}, "value"),
        ({"layer": 1, "to": 0, "from": 0, "value": True}, "value"),
        ({"layer": 1, "to": 0, "from": "x", "value": 1}, "from"),
    ):
        status, reply = command(server, sid, "edit", **args)
        assert status == 400 and reply["field"] == field, (args, reply)


# -- sessions ---------------------------------------------------------------------------------
def test_a_link_to_uploaded_data_is_refused_clearly_not_an_internal_error(server):
    status, reply = api(server, "/api/session", {"config": {"dataset": "csv"}})
    assert status == 400 and reply["field"] == "dataset"
    assert "upload the CSV file again" in reply["error"]


def test_a_tab_whose_stream_ended_for_silence_is_kept_one_that_closed_is_not():
    store = SessionStore(per_client=2, evict_idle=5)
    config = cfg.parse({"points": 50})
    frozen, closed = store.create(config), store.create(config)
    frozen.page_gone = False  # its stream ended, but the page never said goodbye
    frozen.last_seen = closed.last_seen = time.monotonic() - 10
    store.create(config)
    assert store.alive(frozen) and not store.alive(closed)
    with pytest.raises(ProtocolError, match="open playground tabs") as refused:
        store.create(config)
    assert refused.value.status == 429


def test_a_silent_stream_is_closed_as_such_and_its_session_kept(server, monkeypatch):
    monkeypatch.setattr(limits, "STREAM_ACK_SECONDS", 0.5)
    monkeypatch.setattr(limits, "STREAM_PING_SECONDS", 0.1)
    sid = new_session(server)
    ws = LiveStream(server.server_address, sid, ack=False)
    try:
        with pytest.raises(ConnectionError, match="4408"):
            for _ in range(100):
                ws.next()
    finally:
        ws.close()
    s = server.store.get(sid)
    assert s.stream_owner is None and not s.page_gone
