"""All open tabs: a session per tab, found by a random id; at most
``MAX_SESSIONS`` of them, the least recently used one forgotten first, and
any unseen for ``SESSION_IDLE_SECONDS`` dropped."""
import secrets
import threading
import time

from . import limits
from .errors import ProtocolError
from .session import Session


class SessionStore:
    def __init__(self, max_sessions=limits.MAX_SESSIONS, idle=limits.SESSION_IDLE_SECONDS):
        self._lock = threading.Lock()
        self._sessions = {}
        self.max_sessions, self.idle = max_sessions, idle

    def create(self, config):
        """A new Session for ``config`` (building it runs glassnet: hold ENGINE)."""
        session = Session(secrets.token_hex(16), config)
        with self._lock:
            self._expire()
            while len(self._sessions) >= self.max_sessions:
                oldest = min(self._sessions.values(), key=lambda s: s.last_seen)
                self._drop(oldest.id)
            self._sessions[session.id] = session
        return session

    def get(self, sid):
        """The session ``sid``, or a 404 ProtocolError the page shows."""
        with self._lock:
            session = self._sessions.get(sid) if isinstance(sid, str) else None
            if session is None:
                raise ProtocolError("unknown session: it has expired or the server was "
                                    "restarted; reload the page", status=404, field="session")
            session.last_seen = time.monotonic()
            return session

    def alive(self, session):
        with self._lock:
            return self._sessions.get(session.id) is session

    def __len__(self):
        with self._lock:
            return len(self._sessions)

    def _expire(self):
        now = time.monotonic()
        for sid in [s.id for s in self._sessions.values() if now - s.last_seen > self.idle]:
            self._drop(sid)

    def _drop(self, sid):
        session = self._sessions.pop(sid)
        session.playing = False
        session.changed.set()  # wakes its event stream, which then ends
