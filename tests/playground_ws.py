"""A blocking WebSocket client of the playground's live stream, for the
tests (wsproto over a socket, as the server's own WebSocket layer)."""

import json
import socket
import time

from wsproto import ConnectionType, WSConnection
from wsproto.events import (
    AcceptConnection,
    CloseConnection,
    Ping,
    RejectConnection,
    RejectData,
    Request,
    TextMessage,
)


class Refused(Exception):
    """The server refused the WebSocket handshake (``status``)."""

    def __init__(self, status):
        super().__init__(f"handshake refused with HTTP {status}")
        self.status = status


class LiveStream:
    """``/api/stream?session=sid`` on ``address`` (host, port): ``next()``
    is the next message as (event, data); each is acknowledged unless
    ``ack=False``. ``closed``: the close code once the server has closed."""

    def __init__(self, address, sid, origin=None, host=None, ack=True, timeout=20):
        self.sock = socket.create_connection(address, timeout=timeout)
        self.ws = WSConnection(ConnectionType.CLIENT)
        self.ack, self.closed, self.reason = ack, None, None
        self._messages, self._text = [], ""
        extra = [("Origin", origin)] if origin else []
        self.sock.sendall(
            self.ws.send(
                Request(
                    host=host or f"{address[0]}:{address[1]}",
                    target=f"/api/stream?session={sid}",
                    extra_headers=extra,
                )
            )
        )
        self.accepted = None
        while self.accepted is None:
            self._pump()

    def _pump(self):
        data = self.sock.recv(65536)
        self.ws.receive_data(data or None)
        if not data and self.closed is None:
            self.closed = 1006
        for ev in self.ws.events():
            if isinstance(ev, AcceptConnection):
                self.accepted = True
            elif isinstance(ev, RejectConnection):
                self.sock.close()
                raise Refused(ev.status_code)
            elif isinstance(ev, RejectData):
                pass
            elif isinstance(ev, TextMessage):
                self._text += ev.data
                if ev.message_finished:
                    self._messages.append(json.loads(self._text))
                    self._text = ""
                    if self.ack:
                        self.send_ack()
            elif isinstance(ev, Ping):
                self.sock.sendall(self.ws.send(ev.response()))
            elif isinstance(ev, CloseConnection) and self.closed is None:
                self.closed, self.reason = ev.code, ev.reason
                try:
                    self.sock.sendall(self.ws.send(ev.response()))
                except Exception:  # noqa: BLE001 (the socket may be closed already)
                    pass
        if self.closed is not None and not self._messages:
            raise ConnectionError(f"the stream closed ({self.closed}: {self.reason})")

    def send_ack(self):
        self.sock.sendall(self.ws.send(TextMessage(data="ack")))

    def next(self):
        """The next message: (event name, data)."""
        while not self._messages:
            self._pump()
        m = self._messages.pop(0)
        return m["event"], m["data"]

    def until(self, wanted, most=10000, seconds=90):
        """Messages (pings left out) until ``wanted(list so far)`` is true; an
        AssertionError naming what came instead after ``most`` messages or
        ``seconds`` (a stream that only pings would otherwise wait for ever)."""
        got, deadline = [], time.monotonic() + seconds
        for _ in range(most):
            name, data = self.next()
            if name != "ping":
                got.append((name, data))
                if wanted(got):
                    return got
            if time.monotonic() > deadline:
                break
        last = [(n, d) for n, d in got if n != "frame"][-3:]
        raise AssertionError(
            f"no wanted message in {len(got)} messages / {seconds} s: "
            f"{[n for n, _ in got][-20:]}; the last others: {last}"
        )

    def close(self):
        try:
            self.sock.sendall(self.ws.send(CloseConnection(code=1000)))
        except Exception:
            pass
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
