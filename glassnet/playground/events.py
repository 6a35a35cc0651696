"""The live stream of one tab: a WebSocket at ``/api/stream?session=id``.

The server sends JSON text messages ``{"event": name, "data": payload}``:
``data`` (the points, when they change), ``frame`` (epoch, losses,
histories, weights, heatmaps; ``diverged`` when a weight is no longer
finite), ``failure`` (``{"error", "field"}``) and ``ping``. The page
answers every message with the text ``ack``.

While the tab plays, the stream trains it: a slice of training at the
tab's speed (``pace.py``; in a worker thread, when ``turns.py`` gives it
its turn, under the session's lock), then a frame. At most
``STREAM_MAX_UNACKED`` messages are unacknowledged, so a slow page slows its
training instead of piling up frames, and a tab that stops answering (closed,
asleep, gone) stops training; one silent for ``STREAM_ACK_SECONDS`` is
closed with ``CLOSE_SILENT`` (the page reconnects when it wakes; its
session stays: see ``sessions.py``). A newer stream for the same session
(a reconnect) takes over.
"""

import asyncio
import threading
import time

from starlette.concurrency import run_in_threadpool
from starlette.websockets import WebSocketDisconnect

from . import limits
from .errors import ProtocolError
from .protocol import dumps

CLOSE_UNKNOWN_SESSION = 4404
CLOSE_SILENT = 4408  # the page stopped answering (a frozen background tab)
GONE = ProtocolError(
    "this tab's session has ended (closed for being idle, or the server was "
    "restarted); reload the page",
    status=404,
    field="session",
)


def message(name, payload):
    """One message of the stream, as text."""
    return dumps({"event": name, "data": payload}).decode("utf-8")


class _Wake:
    """``session.changed`` while a stream serves it: ``set()``, called from
    any thread (a command's), wakes the stream's coroutine."""

    def __init__(self, loop):
        self._loop = loop
        self.event = asyncio.Event()

    def set(self):
        try:
            self._loop.call_soon_threadsafe(self.event.set)
        except RuntimeError:  # the server's loop has closed
            pass

    def clear(self):
        self.event.clear()


class _Acks:
    def __init__(self):
        self.unacked = 0
        self.last = time.monotonic()
        self.event = asyncio.Event()

    def sent(self):
        if self.unacked == 0:
            self.last = time.monotonic()  # the wait for an answer starts now
        self.unacked += 1
        self.event.clear()

    def got(self):
        self.unacked = max(0, self.unacked - 1)
        self.last = time.monotonic()
        self.event.set()


def _train(session, out):
    if session.diverged:  # nothing more to learn from NaN: stop, the frame says why
        session.set_playing(False)
        return
    try:
        session.train_for()
    except Exception as exc:  # a numerical failure stops the play, not the server
        session.set_playing(False)
        out.append(message("failure", {"error": f"training stopped: {exc}", "field": None}))


def _next_messages(session, sent, stopping, turns):
    """The messages to send now, after a slice of training while playing
    (runs glassnet: a worker thread, in its turn, under the session's lock)."""
    out = []
    if session.playing and not session.pace.wait():
        with turns.turn(session.id), session.lock:
            if session.playing and not stopping.is_set():
                _train(session, out)
    with session.lock:
        if stopping.is_set():
            return []
        if session.data_version != sent["data"]:
            sent["data"] = session.data_version
            out.append(message("data", session.data_message()))
        if session.version != sent["frame"]:
            sent["frame"] = session.version
            out.append(message("frame", session.frame()))
        return out


async def _read(ws, acks, session):
    """The page's answers, until it goes (then its session may make room)."""
    while True:
        msg = await ws.receive()
        if msg["type"] == "websocket.disconnect":
            session.page_gone = True
            return
        if msg.get("text") == "ack":
            acks.got()


async def _wait(event, reader, seconds):
    """Until ``event`` is set, the page has gone or ``seconds`` have passed."""
    waiter = asyncio.ensure_future(event.wait())
    try:
        await asyncio.wait([waiter, reader], timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        waiter.cancel()


async def serve(ws, store, sid, stopping):
    """The WebSocket endpoint: accept, then stream session ``sid`` (or say it is unknown)."""
    await ws.accept()
    try:
        session = store.get(sid)
    except ProtocolError as exc:
        return await _send_failure(ws, exc)
    await stream(ws, session, store, stopping)


async def stream(ws, session, store, stopping):
    """Serve ``session`` on the accepted WebSocket ``ws`` until the page goes,
    stops answering, the session ends or the server stops."""
    me = object()
    session.stream_owner = me
    session.page_gone = False
    wake = session.changed = _Wake(asyncio.get_running_loop())
    acks = _Acks()
    reader = asyncio.ensure_future(_read(ws, acks, session))
    sent = {"data": -1, "frame": -1}
    last = time.monotonic()
    silent = False
    try:
        while (
            not stopping.is_set()
            and store.alive(session)
            and session.stream_owner is me
            and not reader.done()
        ):
            now = time.monotonic()
            if acks.unacked >= limits.STREAM_MAX_UNACKED:
                if now - acks.last > limits.STREAM_ACK_SECONDS:
                    silent = True  # the page has stopped answering
                    break
                await _wait(acks.event, reader, 1.0)
                continue
            session.last_seen = now
            wake.clear()  # a change from now on brings another round
            messages = await run_in_threadpool(_next_messages, session, sent, stopping, store.turns)
            for m in messages:
                acks.sent()
                await ws.send_text(m)
            if messages:
                last = time.monotonic()
            elif session.playing:  # the next epoch (or step) at this speed is not yet due
                await _wait(wake.event, reader, min(1.0, session.pace.wait()))
            else:
                await _wait(wake.event, reader, 1.0)
                if time.monotonic() - last > limits.STREAM_PING_SECONDS:
                    acks.sent()
                    await ws.send_text(message("ping", {}))
                    last = time.monotonic()
    except WebSocketDisconnect:
        pass
    finally:
        reader.cancel()
        if session.stream_owner is me:
            session.playing = False
            session.stream_owner = None
            session.changed = threading.Event()
    if stopping.is_set():
        await _close(ws, 1001, "the playground server is stopping")
    elif not store.alive(session):  # expired: the page says so, and does not reconnect
        await _send_failure(ws, GONE)
    elif silent:
        await _close(ws, CLOSE_SILENT, "the page stopped answering")
    else:
        await _close(ws)


async def _send_failure(ws, error):
    """Send ``error`` (a ProtocolError) as a failure message and close."""
    try:
        await ws.send_text(message("failure", error.to_dict()))
    except (RuntimeError, WebSocketDisconnect):
        pass
    await _close(ws, CLOSE_UNKNOWN_SESSION, error.message[:120])


async def _close(ws, code=1000, reason=""):
    try:
        await ws.close(code, reason)
    except (RuntimeError, WebSocketDisconnect):  # already closed
        pass
