"""The playground server against hostile pages, careless binding, many tabs
and diverging networks: Host and Origin checked (scheme, host and port),
remote binding only on purpose, sessions bounded per client without
evicting an open tab, a lock per session, a clear "diverged" state, slow
clients cut off. All on 127.0.0.1."""

import json
import os
import socket
import subprocess
import sys
import threading

import numpy as np
import pytest
from playground_http import api, command, new_session, request
from playground_ws import LiveStream, Refused

from glassnet.cli import playground as playground_command
from glassnet.playground import limits, start
from glassnet.playground import server as server_module
from glassnet.playground.hosts import HostPolicy

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture
def server():
    s = start("127.0.0.1", 0)
    yield s
    s.stop()


# -- Host and Origin ------------------------------------------------------------------------
def test_host_must_name_this_server_with_its_port(server):
    port = server.server_address[1]
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"LOCALHOST:{port}"):
        assert request(server, "GET", "/", headers={"Host": host})[0] == 200, host
    for host in (
        "evil.example:8000",
        f"evil.example:{port}",
        "localhost:1",
        "127.0.0.1",
        f"127.0.0.1:{port}.evil.example",
        f"127.0.0.2:{port}",
        "",
    ):
        status, _, body = request(server, "GET", "/", headers={"Host": host})
        assert status == 403, host
        assert f"127.0.0.1:{port} or localhost:{port}" in json.loads(body)["error"]


def test_origin_must_be_this_server_scheme_host_and_port(server):
    port = server.server_address[1]
    for origin in (
        "https://evil.example",
        "null",
        f"http://127.0.0.1.evil.example:{port}",
        "http://127.0.0.1:1",
        f"http://localhost:{port + 1}",  # another local port
        f"https://127.0.0.1:{port}",
        f"ws://127.0.0.1:{port}",
        "http://127.0.0.1",
    ):
        status, reply = api(server, "/api/session", {"config": {}}, headers={"Origin": origin})
        assert status == 403 and "other web sites" in reply["error"], origin
    assert len(server.store) == 0
    for origin in (f"http://127.0.0.1:{port}", f"http://localhost:{port}"):
        assert api(server, "/api/session", {"config": {}}, headers={"Origin": origin})[0] == 200


def test_the_live_stream_checks_origin_and_host_too(server):
    sid = new_session(server)
    port = server.server_address[1]
    for kw in (
        {"origin": "http://127.0.0.1:1"},
        {"origin": "https://evil.example"},
        {"host": f"evil.example:{port}"},
    ):
        with pytest.raises(Refused) as refused:
            LiveStream(server.server_address, sid, **kw)
        assert refused.value.status == 403
    with LiveStream(server.server_address, sid, origin=f"http://localhost:{port}") as stream:
        assert stream.next()[0] == "data"


def test_two_host_headers_are_refused(server):
    port = server.server_address[1]
    with socket.create_connection(server.server_address, timeout=10) as s:
        s.sendall(
            f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nHost: evil.example\r\n\r\n".encode()
        )
        assert s.recv(4096).split(b"\r\n")[0].split()[1] in (b"400", b"403")


def test_a_server_on_every_interface_still_checks_host_and_origin():
    policy = HostPolicy("0.0.0.0", 8000)
    policy.check("127.0.0.1:8000", "http://localhost:8000")
    policy.check(f"{socket.gethostname()}:8000".lower(), None)
    for host, origin in (
        ("evil.example:8000", None),
        ("127.0.0.1:8001", None),
        ("127.0.0.1:8000", "http://evil.example:8000"),
        ("127.0.0.1:8000", "http://127.0.0.1:9000"),
    ):
        with pytest.raises(Exception, match="refused|addressed to this server"):
            policy.check(host, origin)
    named = HostPolicy("192.0.2.7", 80, extra=["playground.lan"])
    named.check("192.0.2.7", "http://192.0.2.7")
    named.check("playground.lan:80", "http://playground.lan")
    with pytest.raises(Exception, match="addressed to this server"):
        named.check("192.0.2.8", None)


# -- binding ----------------------------------------------------------------------------------
def test_binding_beyond_loopback_needs_allow_remote(capsys):
    with pytest.raises(server_module.RemoteRefused, match="--allow-remote"):
        start("0.0.0.0", 0)
    args = ["playground", "--host", "0.0.0.0", "--port", "0"]
    parser = __import__("argparse").ArgumentParser(prog="glassnet")
    playground_command.add_parser(parser.add_subparsers(dest="command"))
    assert playground_command.run(parser.parse_args(args)) == 2
    assert "add --allow-remote" in capsys.readouterr().err


@pytest.fixture
def loopback_socket(monkeypatch):
    """Whatever host a server is given, its socket is bound on 127.0.0.1 (tests stay on
    this machine); its Host/Origin policy is still the given host's."""
    real_listen = server_module.PlaygroundServer._listen
    monkeypatch.setattr(
        server_module.PlaygroundServer,
        "_listen",
        staticmethod(lambda host, port: real_listen("127.0.0.1", 0)),
    )


def test_a_server_for_every_interface_refuses_other_hosts_and_sites(loopback_socket):
    s = start("0.0.0.0", 0, allow_remote=True)
    try:
        port = s.server_address[1]
        assert request(s, "GET", "/", headers={"Host": f"127.0.0.1:{port}"})[0] == 200
        assert request(s, "GET", "/", headers={"Host": f"evil.example:{port}"})[0] == 403
        assert (
            api(s, "/api/session", {"config": {}}, headers={"Origin": "http://evil.example"})[0]
            == 403
        )
    finally:
        s.stop()


def test_allow_remote_prints_a_warning(loopback_socket, monkeypatch, capsys):

    def interrupted(self):
        raise KeyboardInterrupt

    monkeypatch.setattr(server_module.PlaygroundServer, "serve_forever", interrupted)
    out = []
    assert server_module.serve("0.0.0.0", 0, print_fn=out.append, allow_remote=True) == 0
    err = capsys.readouterr().err
    assert err.startswith("WARNING: the playground listens on 0.0.0.0") and "no password" in err
    assert out[0].startswith("glassnet playground: http://127.0.0.1:") and "stopped" in out[1]


# -- sessions ---------------------------------------------------------------------------------
def test_an_open_tab_is_never_evicted_a_new_session_is_refused_instead(server):
    server.store.per_client = 3
    ids = [new_session(server) for _ in range(3)]
    streams = [LiveStream(server.server_address, sid) for sid in ids]
    try:
        for s in streams:
            s.until(lambda ev: ev[-1][0] == "frame")
        for s in ids:  # long unseen, but each has its open tab
            server.store.get(s).last_seen -= 10 * limits.EVICT_IDLE_SECONDS
        status, reply = api(server, "/api/session", {"config": {}})
        assert status == 429 and "3 open playground tabs" in reply["error"]
        assert all(command(server, sid, "play", playing=False)[0] == 200 for sid in ids)
    finally:
        for s in streams:
            s.close()


def test_an_idle_session_without_a_tab_makes_room(server):
    server.store.per_client = 3
    ids = [new_session(server) for _ in range(3)]
    assert api(server, "/api/session", {"config": {}})[0] == 429  # all recently used
    server.store.get(ids[1]).last_seen -= limits.EVICT_IDLE_SECONDS + 1
    server.store.get(ids[2]).last_seen -= limits.EVICT_IDLE_SECONDS + 5
    new = new_session(server)
    assert command(server, ids[2], "step")[0] == 404  # the idlest one went
    assert all(command(server, sid, "step")[0] == 200 for sid in (ids[0], ids[1], new))
    # another client has its own count; the total is bounded as well
    config = server.store.get(new).config
    server.store.create(config, client="192.0.2.1")
    server.store.max_sessions = len(server.store)
    with pytest.raises(Exception, match="the most it serves at once"):
        server.store.create(config, client="192.0.2.2")


# -- a lock per session -----------------------------------------------------------------------
def test_a_busy_session_does_not_hold_up_another(server):
    a, b = new_session(server), new_session(server)
    sa = server.store.get(a)
    done = {}
    with sa.lock:  # a's training (here: the test) holds a's lock only
        assert command(server, b, "step")[0] == 200
        assert command(server, b, "trace", index=0)[0] == 200
        t = threading.Thread(target=lambda: done.setdefault("a", command(server, a, "step")))
        t.start()
        t.join(0.5)
        assert "a" not in done  # a's own command waits for a's lock
    t.join(60)
    assert done["a"][0] == 200 and sa.trainer.epoch == 1


# -- divergence -------------------------------------------------------------------------------
def test_a_diverged_network_is_a_clear_state_never_a_500(server):
    sid = new_session(server)
    s = server.store.get(sid)
    with s.lock:
        np.asarray(s.network.linears[0].weight)[...] = np.nan
    status, reply = command(server, sid, "trace", index=0)
    assert status == 409 and "diverged" in reply["error"] and reply["field"] == "diverged"
    assert command(server, sid, "apply")[0] == 400
    with LiveStream(server.server_address, sid) as stream:
        frame = stream.until(lambda ev: ev[-1][0] == "frame")[-1][1]
        assert frame["diverged"] is True and frame["weights"][0]["W"][0] == [None, None]
        assert command(server, sid, "play", playing=True)[0] == 200
        frame = stream.until(lambda ev: ev[-1][0] == "frame" and not ev[-1][1]["playing"])[-1][1]
        assert frame["diverged"] is True and not s.playing  # it stopped: nothing to learn
    assert command(server, sid, "reset")[0] == 200
    assert not s.diverged and command(server, sid, "trace", index=0)[0] == 200


def test_apply_never_writes_a_step_the_page_did_not_see(server):
    # finite weights whose traced step overflows: the trace is refused, and so is apply
    sid = new_session(server, dataset="plane", layers=[2], activations=["linear"])
    s = server.store.get(sid)
    with s.lock:
        for lin in s.network.linears:
            np.asarray(lin.weight)[...] = 1e20
        before = [np.asarray(lin.weight).copy() for lin in s.network.linears]
    assert not s.diverged
    status, reply = command(server, sid, "trace", index=0)
    assert status == 409 and "not finite" in reply["error"]
    assert command(server, sid, "apply")[0] == 400
    assert all(
        np.array_equal(np.asarray(lin.weight), w) for lin, w in zip(s.network.linears, before)
    )


# -- slow clients and the stack -----------------------------------------------------------------
def test_a_client_too_slow_with_its_headers_is_disconnected(server, monkeypatch):
    monkeypatch.setattr(limits, "HEADER_SECONDS", 0.5)
    with socket.create_connection(server.server_address, timeout=30) as s:
        s.sendall(b"GET / HTTP/1.1\r\nHo")  # and nothing more
        assert s.recv(4096) == b""  # closed by the server, no reply
    assert request(server, "GET", "/api/options")[0] == 200


def test_import_glassnet_loads_no_web_server():
    code = (
        "import sys, glassnet, glassnet.cli.main, glassnet.playground; "
        "print([m for m in ('starlette', 'uvicorn', 'anyio', 'wsproto') if m in sys.modules])"
    )
    env = {**os.environ, "PYTHONPATH": ROOT + os.pathsep + os.environ.get("PYTHONPATH", "")}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert out.returncode == 0 and out.stdout.strip() == "[]", out.stderr
