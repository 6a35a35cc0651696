"""The playground's HTTP server on 127.0.0.1: the page and its files, the
JSON commands, the live stream (a WebSocket), uploads and exports — and
every malformed, oversized or hostile request refused with an error while
the server keeps serving the other sessions."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.parse

import numpy as np
import pytest
from playground_http import api, command, new_session, request
from playground_ws import LiveStream

import glassnet as gn
from glassnet.playground import limits, start

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope="module")
def server():
    s = start("127.0.0.1", 0)
    yield s
    s.stop()


def events(server, sid, wanted):
    """Read the session's live stream until ``wanted(events)`` is true, close
    it, and wait until the server has seen it go. (A stream's end stops the
    session's play, "the page has gone": seen after a following "play"
    command, it stopped that play, and the next stream only pinged.)"""
    with LiveStream(server.server_address, sid) as stream:
        got = stream.until(wanted)
    session, deadline = server.store.get(sid), time.monotonic() + 30
    while session.stream_owner is not None and time.monotonic() < deadline:
        time.sleep(0.005)
    assert session.stream_owner is None, "the server did not see the stream close in 30 s"
    return got


def upload(server, sid, text, name="mine.csv", problem="classification"):
    body = text.encode() if isinstance(text, str) else text
    q = urllib.parse.urlencode({"session": sid, "problem": problem, "name": name})
    return api(server, f"/api/upload?{q}", body, headers={"Content-Type": "text/csv"})


# -- the page ---------------------------------------------------------------------------------
def test_the_page_and_its_files_come_from_the_package(server):
    status, headers, body = request(server, "GET", "/")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert b'<script type="module" src="/static/js/main.js">' in body
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    for path in ("/static/js/main.js", "/static/js/network.js", "/static/style.css"):
        status, headers, body = request(server, "GET", path)
        assert status == 200 and len(body) > 100, path
    assert request(server, "GET", "/static/js/main.js")[1]["Content-Type"].startswith(
        "text/javascript"
    )
    # the page loads nothing from elsewhere
    static = os.path.join(ROOT, "glassnet", "playground", "static")
    for folder, _, names in os.walk(static):
        for n in names:
            text = open(os.path.join(folder, n), encoding="utf-8").read()
            assert (
                "http://" not in text.replace('"http://www.w3.org/2000/svg"', "")
                and "https://" not in text
            ), n


@pytest.mark.parametrize(
    "path",
    [
        "/static/../server.py",
        "/static/%2e%2e/server.py",
        "/static/..%2fserver.py",
        "/static/js/../../server.py",
        "/../../../../etc/passwd",
        "/static//etc/passwd",
        "/static/..\\server.py",
        "/static/js/main.js%00.html",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/static/",
        "/static/nothing.js",
        "/api/export/../../server.py",
        "/server.py",
        "/static/js/main.js/..",
        "/static/./index.html",
    ],
)
def test_path_traversal_and_unknown_paths_get_404(server, path):
    status, headers, body = request(server, "GET", path)
    assert status == 404, path
    assert json.loads(body)["error"].startswith("not found")


def test_options_list_the_bounds(server):
    status, _, body = request(server, "GET", "/api/options")
    o = json.loads(body)
    assert o["limits"]["maxLayers"] == 6 and o["limits"]["maxNeurons"] == 8
    assert {"circle", "xor", "gauss", "spiral", "plane", "multigauss"} <= {
        d["name"] for d in o["datasets"]
    }
    assert [f["name"] for f in o["features"]] == [
        "x1",
        "x2",
        "x1sq",
        "x2sq",
        "x1x2",
        "sinx1",
        "sinx2",
    ]


# -- sessions, commands, the stream ---------------------------------------------------------
def test_the_stream_sends_data_then_frames_and_plays(server):
    sid = new_session(server, learningRate=0.1)
    first = events(server, sid, lambda ev: len(ev) >= 2)
    assert [n for n, _ in first] == ["data", "frame"]
    data, frame = first[0][1], first[1][1]
    assert len(data["train"]["x"]) == 250 and data["classes"] == ["-1", "+1"]
    assert frame["epoch"] == 0 and frame["config"]["learningRate"] == 0.1
    assert [len(m) for m in frame["neurons"]] == [2, 4, 2, 2]
    assert command(server, sid, "play", playing=True)[0] == 200
    played = events(server, sid, lambda ev: ev[-1][0] == "frame" and ev[-1][1]["epoch"] >= 20)
    assert played[-1][1]["testLoss"] < frame["testLoss"]
    status, reply = command(server, sid, "play", playing=False)
    assert status == 200


def test_each_tab_has_its_own_session(server):
    a, b = new_session(server), new_session(server)
    assert a != b
    command(server, a, "config", config={"layers": [8, 8, 8]})
    command(server, a, "step")
    sa = server.store.get(a)
    sb = server.store.get(b)
    assert sa.config.layers == (8, 8, 8) and sb.config.layers == (4, 2)
    assert sa.trainer.epoch == 1 and sb.trainer.epoch == 0


def test_commands_change_the_session(server):
    sid = new_session(server)
    status, reply = command(server, sid, "config", config={"dataset": "xor", "noise": 25})
    assert status == 200 and reply["config"]["dataset"] == "xor"
    seed = reply["config"]["seed"]
    assert command(server, sid, "regenerate")[1]["config"]["seed"] != seed
    status, reply = command(server, sid, "trace", index=0)
    assert status == 200 and reply["trace"]["rows"][0]["section"] == "forward"
    assert command(server, sid, "apply")[0] == 200
    assert command(server, sid, "reset")[0] == 200
    assert server.store.get(sid).trainer.epoch == 0


# -- refusals -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "body, status, words",
    [
        (b"not json", 400, "not valid JSON"),
        (b"[]", 400, "must be a JSON object"),
        ({"session": "nope", "type": "step"}, 404, "unknown session"),
        ({"type": "step"}, 404, "unknown session"),
        ({"session": "x", "type": "rm -rf"}, 400, "type must be one of"),
    ],
)
def test_malformed_commands_are_refused_with_errors(server, body, status, words):
    got, reply = api(server, "/api/command", body)
    assert got == status and words in reply["error"]


def test_bad_settings_name_the_setting(server):
    sid = new_session(server)
    for config, field in [
        ({"layers": [4] * 7}, "layers"),
        ({"layers": [9]}, "layers"),
        ({"learningRate": 1e9}, "learningRate"),
        ({"points": 10**7}, "points"),
        ({"batchSize": -3}, "batchSize"),
        ({"x": 1}, "x"),
    ]:
        status, reply = command(server, sid, "config", config=config)
        assert status == 400 and reply["field"] == field, reply
    status, reply = api(server, "/api/session", {"config": {"layers": [100]}})
    assert status == 400 and "layers" in reply["error"]


def raw(server, data, timeout=10):
    """Send ``data`` on a new connection; the first line of the reply."""
    with socket.create_connection(server.server_address, timeout=timeout) as s:
        s.sendall(data)
        return s.recv(4096).split(b"\r\n")[0]


def test_oversized_and_unsized_bodies_are_refused(server):
    big = b'{"a": "' + b"x" * (limits.MAX_BODY_BYTES + 10) + b'"}'
    status, _, body = request(server, "POST", "/api/command", big)
    assert status == 413 and "at most 65536" in json.loads(body)["error"]
    host = f"Host: 127.0.0.1:{server.server_address[1]}".encode()
    assert b" 411 " in raw(server, b"POST /api/command HTTP/1.1\r\n" + host + b"\r\n\r\n")


@pytest.mark.parametrize(
    "length", ["\u00b2".encode(), b"9" * 5000, b"-1", b"1 2", b"0x10", b"12, 13"]
)
def test_a_bad_content_length_is_a_400(server, length):
    host = f"Host: 127.0.0.1:{server.server_address[1]}".encode()
    line = raw(
        server,
        b"POST /api/command HTTP/1.1\r\n" + host + b"\r\nContent-Length: " + length + b"\r\n\r\n{}",
    )
    assert b" 400 " in line, line
    assert request(server, "GET", "/api/options")[0] == 200


def test_uploads_are_validated(server):
    sid = new_session(server)
    rows = "\n".join(f"{i % 7 - 3},{i % 5 - 2},{'ab'[i % 2]}" for i in range(40))
    cases = [
        ("x1,x2,x3,label\n1,2,3,a\n", "header row has 4 columns"),
        ("", "the file is empty"),
        ("x1,x2,label\n" + rows + "\nabc,1,a\n", "line 42, column 'x1': expected a finite number"),
        ("x1,x2,label\n" + "\n".join(f"{i},1,a" for i in range(20)), "1 distinct label"),
        (
            "x1,x2,label\n" + "\n".join(f"{i % 9},1,{i}" for i in range(30)),
            "30 distinct labels; classification needs 2 to 8",
        ),
        ("x1,x2,label\n1,2,a\n3,4,b\n", "2 data rows; expected 10 to 2000"),
        (
            "x1,x2,label\n" + "\n".join(f"{i},1,{'ab'[i % 2]}" for i in range(2100)),
            "2100 data rows",
        ),
        ("x1,x2,label\n" + rows + "\n1e300,1,a\n", "within ±1e+06"),
        ("x1,x2,label\n1,2\n", "line 2 has 2 values but the header has 3"),
        (b"\xff\xfe\x00garbage", "not UTF-8"),
        (
            "x1,x2,y\n" + "\n".join(f"{i},1,{'ab'[i % 2]}" for i in range(20)),
            "expected a finite number",
        ),
    ]
    for text, words in cases:
        problem = "regression" if words == "expected a finite number" else "classification"
        status, reply = upload(server, sid, text, problem=problem)
        assert status == 400 and words in reply["error"], (words, reply)
        assert reply["field"] == "upload"
    status, reply = upload(server, sid, "x1,x2,label\n" + "1,1,a\n" * 50000)
    assert status == 413 and "at most 262144" in reply["error"]
    status, reply = upload(server, sid, "x1,x2,label\n" + rows, problem="both")
    assert status == 400 and "problem must be" in reply["error"]
    assert server.store.get(sid).config.dataset == "circle"  # nothing changed


def test_a_good_upload_trains_and_its_script_continues(server, tmp_path):
    sid = new_session(server, trainRatio=80)
    g = np.random.default_rng(0)
    x = g.uniform(-4, 4, (120, 2))
    label = np.where(x[:, 0] * x[:, 1] > 0, "same", "diff")
    text = "a,b,sign\n" + "\n".join(f"{u:.3f},{v:.3f},{c}" for (u, v), c in zip(x, label))
    status, reply = upload(server, sid, text, name="../../signs.csv")
    assert status == 200 and reply["rows"] == 120 and reply["config"]["dataset"] == "csv"
    s = server.store.get(sid)
    assert s.upload_name == "signs.csv" and s.data.classes == ["diff", "same"]
    assert len(s.data.train_x) == 96
    for _ in range(3):
        assert command(server, sid, "step")[0] == 200
    (tmp_path / "signs.csv").write_text(text)
    status, _, weights = request(server, "GET", f"/api/export/weights?session={sid}")
    (tmp_path / "playground_model.safetensors").write_bytes(weights)
    status, headers, script = request(server, "GET", f"/api/export/script?session={sid}")
    assert 'filename="playground_model.py"' in headers["Content-Disposition"]
    (tmp_path / "playground_model.py").write_bytes(script)
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = subprocess.run(
        [sys.executable, "playground_model.py", "2"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith(
        "epoch 0: train loss %.4f, test loss %.4f" % (s.train_loss, s.test_loss)
    )


def test_exported_weights_load_in_glassnet(server, tmp_path):
    sid = new_session(server, layers=[5])
    command(server, sid, "step")
    status, headers, body = request(server, "GET", f"/api/export/weights?session={sid}")
    assert status == 200 and "attachment" in headers["Content-Disposition"]
    path = tmp_path / "w.safetensors"
    path.write_bytes(body)
    state = gn.load(str(path))
    assert {k: tuple(v.shape) for k, v in state.items()} == {
        "0.weight": (5, 2),
        "0.bias": (5,),
        "2.weight": (2, 5),
        "2.bias": (2,),
    }
    lin = server.store.get(sid).network.linears[0]
    assert np.array_equal(np.asarray(state["0.weight"]), np.asarray(lin.weight))


def test_broken_clients_do_not_stop_the_server(server):
    sid = new_session(server)
    host, port = server.server_address[:2]
    with socket.create_connection((host, port), timeout=10) as s:  # not HTTP at all
        s.sendall(b"\x00\x01GARBAGE\r\n\r\n")
        assert b" 400 " in s.recv(1024)
    with socket.create_connection((host, port), timeout=10) as s:  # a body that never ends
        s.sendall(
            f"POST /api/command HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f'Content-Length: 500\r\n\r\n{{"session"'.encode()
        )
    stream = LiveStream(server.server_address, sid, ack=False)  # a stream left mid-way
    stream.next()
    stream.sock.close()
    status, reply = command(server, sid, "step")
    assert status == 200
    assert events(server, sid, lambda ev: ev and ev[-1][0] == "frame")[-1][1]["epoch"] == 1
    assert request(server, "GET", "/")[0] == 200


def test_an_unknown_session_closes_the_stream_with_the_reason(server):
    with LiveStream(server.server_address, "nope") as stream:
        name, data = stream.next()
        assert name == "failure" and "unknown session" in data["error"]
        with pytest.raises(ConnectionError, match="4404"):
            stream.next()


def test_the_event_stream_of_the_old_server_is_gone(server):
    sid = new_session(server)
    assert request(server, "GET", f"/api/events?session={sid}")[0] == 404


def test_a_bug_is_a_json_500_for_that_request_only(server, monkeypatch):
    from glassnet.playground import app

    def broken():
        raise KeyError("a bug")

    monkeypatch.setattr(app, "options", broken)
    status, _, body = request(server, "GET", "/api/options")
    assert status == 500 and json.loads(body)["error"] == "internal error: KeyError: 'a bug'"
    monkeypatch.undo()
    assert request(server, "GET", "/api/options")[0] == 200


def test_a_page_that_does_not_acknowledge_gets_no_more_frames_and_stops_training(server):
    sid = new_session(server)
    s = server.store.get(sid)
    stream = LiveStream(server.server_address, sid, ack=False)
    try:
        got = [stream.next() for _ in range(limits.STREAM_MAX_UNACKED)]  # data, frame
        assert [n for n, _ in got] == ["data", "frame"]
        assert command(server, sid, "play", playing=True)[0] == 200
        epoch = s.trainer.epoch
        stream.sock.settimeout(1.5)
        with pytest.raises(TimeoutError):  # nothing more is sent, and nothing trains
            stream.next()
        assert s.trainer.epoch == epoch and s.playing
        stream.sock.settimeout(20)
        stream.ack = True
        stream.send_ack()
        assert stream.until(lambda ev: ev[-1][1]["epoch"] > epoch)  # an answer: it goes on
    finally:
        stream.close()
