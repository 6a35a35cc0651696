"""The playground tests' HTTP client: one request, the JSON API, a session
and its commands (tests/playground_ws.py is the live stream's client)."""

import http.client
import json


def request(server, method, path, body=None, headers=None, timeout=60):
    """(status, headers, body bytes) of one request; a dict or list body is sent as JSON."""
    host, port = server.server_address[:2]
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    if isinstance(body, (dict, list)):
        body = json.dumps(body).encode()
    conn.request(method, path, body=body, headers=headers or {})
    res = conn.getresponse()
    data = res.read()
    conn.close()
    return res.status, res.headers, data


def api(server, path, body, **kw):
    status, _, data = request(server, "POST", path, body, **kw)
    return status, json.loads(data)


def new_session(server, **config):
    status, reply = api(server, "/api/session", {"config": config})
    assert status == 200, reply
    return reply["session"]


def command(server, sid, type_, **args):
    return api(server, "/api/command", {"session": sid, "type": type_, **args})
