"""The playground under load, on 127.0.0.1: 100 clients connecting at once,
while 20 tabs train with their live streams open and a few clients send
their request headers byte by byte. Every request is answered (no reset,
no 5xx), every tab keeps its session and its frames keep coming. Bounded by
the number of requests, not by time; the generous join timeouts only keep a
hang from stalling the suite (nothing here asserts on speed)."""

import http.client
import json
import threading
import time

import pytest
from playground_ws import LiveStream

from glassnet.playground import limits, start

CLIENTS, TABS, SLOW_CLIENTS = 100, 20, 5
HANG_GUARD_S = 600


@pytest.fixture
def server(monkeypatch):
    monkeypatch.setattr(limits, "TRAIN_SLICE_SECONDS", 0.02)  # less CPU on a shared machine
    s = start("127.0.0.1", 0)
    yield s
    s.stop()


def call(server, method, path, body=None):
    """(status, body bytes) on a new connection."""
    conn = http.client.HTTPConnection(*server.server_address, timeout=HANG_GUARD_S)
    try:
        conn.request(method, path, body=None if body is None else json.dumps(body).encode())
        res = conn.getresponse()
        return res.status, res.read()
    finally:
        conn.close()


class Tab(threading.Thread):
    """A page: its session, its live stream (acknowledged), playing until told to stop."""

    def __init__(self, server, stop):
        super().__init__(daemon=True)
        self.server, self.stop, self.error = server, stop, None
        self.frames, self.epochs = 0, []
        status, body = call(server, "POST", "/api/session", {"config": {"points": 100}})
        assert status == 200, body
        self.sid = json.loads(body)["session"]

    def run(self):
        try:
            with LiveStream(self.server.server_address, self.sid, timeout=HANG_GUARD_S) as s:
                s.until(lambda ev: ev[-1][0] == "frame")
                self.command("play", playing=True)
                while not (self.stop.is_set() and self.frames >= 3):
                    name, data = s.next()
                    assert name in ("frame", "data", "ping"), (name, data)
                    if name == "frame" and data["playing"]:
                        self.frames += 1
                        self.epochs.append(data["epoch"])
                self.command("play", playing=False)
        except BaseException as exc:  # noqa: BLE001 (reported by the test)
            self.error = exc

    def command(self, kind, **args):
        status, body = call(
            self.server, "POST", "/api/command", {"session": self.sid, "type": kind, **args}
        )
        assert status == 200, body


def client(server, tabs, i, start_line, results):
    """One visitor: the page, its files, the options, a tab's export, a session
    of its own (or 429: the per-client cap) and a step of it."""
    got = []
    try:
        start_line.wait()
        for path in (
            "/",
            "/static/js/main.js",
            "/static/js/api.js",
            "/api/options",
            f"/api/export/weights?session={tabs[i % len(tabs)].sid}",
        ):
            got.append(call(server, "GET", path)[0])
        status, body = call(server, "POST", "/api/session", {"config": {"points": 50}})
        got.append(status)
        if status == 200:
            sid = json.loads(body)["session"]
            got.append(call(server, "POST", "/api/command", {"session": sid, "type": "step"})[0])
    except BaseException as exc:  # noqa: BLE001 (a reset or timeout: reported by the test)
        got.append(exc)
    results[i] = got


def slow_client(server, i, results):
    """Sends a request's headers a byte at a time (well within HEADER_SECONDS)."""
    import socket

    port = server.server_address[1]
    data = f"GET /api/options HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    try:
        with socket.create_connection(server.server_address, timeout=HANG_GUARD_S) as s:
            for b in data.encode():
                s.sendall(bytes([b]))
                time.sleep(0.02)
            reply = b""
            while chunk := s.recv(65536):
                reply += chunk
        results[i] = int(reply.split(b" ", 2)[1])
    except BaseException as exc:  # noqa: BLE001
        results[i] = exc


def test_100_clients_20_training_tabs_and_slow_clients(server):
    stop = threading.Event()
    tabs = [Tab(server, stop) for _ in range(TABS)]
    for t in tabs:
        t.start()
    start_line = threading.Barrier(CLIENTS)
    results, slow = [None] * CLIENTS, [None] * SLOW_CLIENTS
    threads = [
        threading.Thread(target=client, args=(server, tabs, i, start_line, results), daemon=True)
        for i in range(CLIENTS)
    ]
    threads += [
        threading.Thread(target=slow_client, args=(server, i, slow), daemon=True)
        for i in range(SLOW_CLIENTS)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(HANG_GUARD_S)
    stop.set()
    for t in tabs:
        t.join(HANG_GUARD_S)

    assert not any(t.is_alive() for t in threads + tabs), "a client or tab hung"
    failures = [r for r in results if any(not isinstance(s, int) for s in r)]
    assert failures == [], failures[:3]
    statuses = [s for r in results for s in r]
    assert all(s < 500 for s in statuses), sorted(set(statuses))
    assert all(r[:5] == [200] * 5 for r in results)
    created = sum(r[5] == 200 for r in results)
    assert created == limits.MAX_SESSIONS_PER_CLIENT - TABS  # the rest: 429
    assert sum(r[5] == 429 for r in results) == CLIENTS - created
    assert all(r[6] == 200 for r in results if r[5] == 200)  # each stepped its own
    assert slow == [200] * SLOW_CLIENTS
    for t in tabs:  # no open tab was evicted, and each kept training
        assert t.error is None, repr(t.error)
        assert server.store.alive(server.store.get(t.sid))
        assert t.frames >= 3 and t.epochs == sorted(t.epochs) and t.epochs[-1] > t.epochs[0]
