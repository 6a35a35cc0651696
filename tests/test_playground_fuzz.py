"""A fuzz test of the playground's HTTP surface (hypothesis): random
methods, paths, query strings, headers and bodies — JSON shaped like the
page's messages with wrong values, any JSON, raw bytes — against a server on
127.0.0.1. Whatever comes, the answer is a reply below 500 (a refusal is a
clear 4xx), and the server goes on serving."""

import http.client
import json
import re
import socket
import string
import urllib.parse

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glassnet.playground import config, start
from glassnet.playground.protocol import COMMANDS

ROUTES = [
    "/",
    "/index.html",
    "/static/js/main.js",
    "/static/style.css",
    "/api/options",
    "/api/export/weights",
    "/api/export/script",
    "/api/session",
    "/api/command",
    "/api/upload",
    "/api/stream",
    "/api/events",
    "/static/",
    "/api/",
]
SETTINGS = [
    "dataset",
    "layers",
    "activations",
    "learningRate",
    "batchSize",
    "noise",
    "points",
    "trainRatio",
    "features",
    "optimizer",
    "regularization",
    "regularizationRate",
    "dropout",
    "seed",
    "problem",
]


@pytest.fixture(scope="module")
def server():
    s = start("127.0.0.1", 0)
    s.sid = s.store.create(config.parse({}), client="fuzz").id
    yield s
    s.stop()


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=10), inner, max_size=5)
    ),
    max_leaves=15,
)


@st.composite
def bodies(draw, sid):
    kind = draw(st.sampled_from(["command", "session", "json", "bytes", "none"]))
    if kind == "command":
        msg = {
            "session": draw(st.sampled_from([sid, "nope", None, 7])),
            "type": draw(st.sampled_from([*COMMANDS, "bogus"])),
        }
        settings_ = draw(st.dictionaries(st.sampled_from(SETTINGS), json_values, max_size=4))
        extra = {"config": settings_, "playing": draw(json_values), "index": draw(json_values)}
        for key in draw(st.sets(st.sampled_from(sorted(extra)))):
            msg[key] = extra[key]
        return json.dumps(msg).encode()
    if kind == "session":
        return json.dumps(
            {"config": draw(st.dictionaries(st.sampled_from(SETTINGS), json_values, max_size=4))}
        ).encode()
    if kind == "json":
        return json.dumps(draw(json_values)).encode()
    if kind == "bytes":
        return draw(st.binary(max_size=300))
    return None


header_text = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=40)
token = st.text(string.ascii_letters + string.digits + "-", min_size=1, max_size=20)


@st.composite
def requests(draw, sid, port):
    path = draw(st.sampled_from(ROUTES) | st.text(max_size=30).map(lambda s: "/" + s))
    query = draw(
        st.dictionaries(
            st.sampled_from(["session", "problem", "name", "x"]),
            st.sampled_from([sid, "nope", "regression", "a.csv", ""]) | st.text(max_size=15),
            max_size=4,
        )
    )
    target = urllib.parse.quote(path, safe="/%") + (
        "?" + urllib.parse.urlencode(query) if query else ""
    )
    headers = draw(
        st.dictionaries(
            token.filter(
                lambda h: (
                    h.lower()
                    not in (
                        "host",
                        "content-length",
                        "transfer-encoding",
                        "connection",
                        "upgrade",
                        "expect",
                    )
                )
            ),
            header_text,
            max_size=3,
        )
    )
    origin = draw(
        st.sampled_from([None, f"http://127.0.0.1:{port}", "http://evil.example", "null"])
    )
    if origin:
        headers["Origin"] = origin
    headers["Content-Type"] = draw(st.sampled_from(["application/json", "text/csv", "text/plain"]))
    method = draw(st.sampled_from(["GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH"]))
    return method, target, headers, draw(bodies(sid))


def test_no_request_gets_a_5xx(server):
    port = server.server_address[1]

    @settings(
        max_examples=200, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
    )
    @given(st.data())
    def check(data):
        method, target, headers, body = data.draw(requests(server.sid, port))
        conn = http.client.HTTPConnection(*server.server_address, timeout=120)
        try:
            conn.request(method, target, body=body, headers=headers)
            res = conn.getresponse()
            res.read()
        finally:
            conn.close()
        assert res.status < 500, (method, target, headers, body, res.status)

    check()
    conn = http.client.HTTPConnection(*server.server_address, timeout=60)
    conn.request("GET", "/api/options")
    assert conn.getresponse().status == 200


head_text = st.text(
    st.characters(min_codepoint=1, max_codepoint=0x2FF, blacklist_characters="\r\n"), max_size=30
)


@st.composite
def raw_heads(draw, port):
    """A request head written by hand: any method token and target, and header
    lines (Content-Length above all) that no HTTP library would send."""
    method = draw(st.sampled_from(["GET", "POST", "PUT"]) | token)
    target = draw(st.sampled_from(ROUTES) | head_text.map(lambda s: "/" + s))
    lines = [f"{method} {target} HTTP/1.1", f"Host: 127.0.0.1:{port}"]
    lengths = (
        st.sampled_from(
            ["\u00b2", "9" * 5000, "-1", "1e3", " 5", "5,5", "0x10", "", "18446744073709551617"]
        )
        | head_text
    )
    if draw(st.booleans()):
        lines.append("Content-Length: " + draw(lengths))
    if draw(st.booleans()):
        lines.append("Transfer-Encoding: " + draw(st.sampled_from(["chunked", "gzip", "x"])))
    lines += [f"{draw(token)}: {draw(head_text)}" for _ in range(draw(st.integers(0, 3)))]
    body = draw(st.binary(max_size=64))
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8") + body


def test_no_hand_written_request_head_gets_a_5xx(server):
    port = server.server_address[1]

    @settings(
        max_examples=150, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
    )
    @given(st.data())
    def check(data):
        head = data.draw(raw_heads(port))
        with socket.create_connection(server.server_address, timeout=120) as s:
            s.sendall(head)
            s.shutdown(socket.SHUT_WR)  # nothing more comes: a body cut short ends here
            reply = b""
            while chunk := s.recv(65536):
                reply += chunk
        status = reply.split(b"\r\n", 1)[0]
        # a reply below 500, or none at all (a body that never came: the connection closes)
        assert reply == b"" or re.match(rb"HTTP/1\.1 [1-4]\d\d ", status), (head[:200], status)

    check()
