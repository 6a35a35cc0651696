"""The event stream of one tab (server-sent events): the session's data and
frames, and, while playing, the training itself.

Training runs in the stream's own thread, a slice at a time between two
frames, so a tab that stops reading (closed, asleep) stops its training,
and a slow page slows the training instead of piling up frames. A newer
stream for the same session (a reconnect) takes over from an older one.
"""
import time

from .protocol import dumps
from .session import ENGINE

PING_SECONDS = 15


def _event(name, payload):
    return b"event: " + name.encode() + b"\ndata: " + dumps(payload) + b"\n\n"


def _next_messages(session, sent, stopping):
    """The events to send now (runs glassnet: hold ENGINE)."""
    if stopping.is_set():
        return []
    if session.playing:
        try:
            session.train_for()
        except Exception as exc:  # a numerical failure stops the play, not the server
            session.set_playing(False)
            return [_event("failure", {"error": f"training stopped: {exc}"})]
    out = []
    if session.data_version != sent["data"]:
        sent["data"] = session.data_version
        out.append(_event("data", session.data_message()))
    if session.version != sent["frame"]:
        sent["frame"] = session.version
        out.append(_event("frame", session.frame()))
    return out


def stream(session, store, write, stopping):
    """Feed ``write`` (bytes -> None, raising when the client has gone) until
    the client goes, the session ends or the server stops."""
    me = object()
    session.stream_owner = me
    sent = {"data": -1, "frame": -1}
    last = time.monotonic()
    try:
        write(b"retry: 2000\n\n")
        while not stopping.is_set() and store.alive(session) and session.stream_owner is me:
            session.last_seen = time.monotonic()
            session.changed.clear()  # a change from now on brings another round
            with ENGINE:
                messages = _next_messages(session, sent, stopping)
            for m in messages:
                write(m)
                last = time.monotonic()
            if not messages and not session.playing:
                if not session.changed.wait(1.0) and time.monotonic() - last > PING_SECONDS:
                    write(b": ping\n\n")
                    last = time.monotonic()
    finally:
        if session.stream_owner is me:
            session.playing = False
            session.stream_owner = None

