"""All open tabs: a session per tab, found by a random id.

The number of sessions is bounded per client (its IP address:
``MAX_SESSIONS_PER_CLIENT``) and in all (``MAX_SESSIONS``). A new session
makes room by dropping an idle one — unseen for ``EVICT_IDLE_SECONDS`` and
with no tab: its page closed the live stream, or never opened one — never
an open tab: when every session is in use the new one is refused (429). A
tab the browser froze in the background (its stream ended for silence, not
closed by the page) is still open: it reconnects when it wakes. Sessions
unseen for ``SESSION_IDLE_SECONDS`` are forgotten.
"""

import secrets
import threading
import time

from . import limits
from .errors import ProtocolError
from .session import Session
from .turns import Turns


class SessionStore:
    def __init__(
        self,
        max_sessions=limits.MAX_SESSIONS,
        per_client=limits.MAX_SESSIONS_PER_CLIENT,
        evict_idle=limits.EVICT_IDLE_SECONDS,
        idle=limits.SESSION_IDLE_SECONDS,
    ):
        self._lock = threading.Lock()
        self._sessions = {}
        self.max_sessions, self.per_client = max_sessions, per_client
        self.evict_idle, self.idle = evict_idle, idle
        self.turns = Turns(limits.TRAIN_SLOTS)  # the playing tabs' turns at training

    def create(self, config, client="local"):
        """A new Session for ``config``, owned by ``client`` (building it runs
        glassnet outside the store's lock)."""
        with self._lock:
            self._make_room(client)  # refuse early, before the work of building
        session = Session(secrets.token_hex(16), config)
        session.client = client
        with self._lock:
            self._make_room(client)  # other requests may have filled it meanwhile
            self._sessions[session.id] = session
        return session

    def get(self, sid):
        """The session ``sid``, or a 404 ProtocolError the page shows."""
        with self._lock:
            session = self._sessions.get(sid) if isinstance(sid, str) else None
            if session is None:
                raise ProtocolError(
                    "unknown session: it has expired or the server was restarted; reload the page",
                    status=404,
                    field="session",
                )
            session.last_seen = time.monotonic()
            return session

    def alive(self, session):
        with self._lock:
            return self._sessions.get(session.id) is session

    def __len__(self):
        with self._lock:
            return len(self._sessions)

    def count(self, client):
        with self._lock:
            return sum(s.client == client for s in self._sessions.values())

    # -- under the lock ---------------------------------------------------------------
    def _make_room(self, client):
        now = time.monotonic()
        for s in [s for s in self._sessions.values() if now - s.last_seen > self.idle]:
            self._drop(s.id)
        mine = [s for s in self._sessions.values() if s.client == client]
        if len(mine) >= self.per_client:
            self._evict(
                mine,
                now,
                f"this client has {len(mine)} open playground tabs, the "
                f"most one client may have; close one of them",
            )
        if len(self._sessions) >= self.max_sessions:
            self._evict(
                list(self._sessions.values()),
                now,
                f"the playground has {len(self._sessions)} open tabs, the most it "
                f"serves at once; try again when one has closed",
            )

    def _evict(self, candidates, now, refusal):
        idle = [
            s
            for s in candidates
            if s.stream_owner is None and s.page_gone and now - s.last_seen >= self.evict_idle
        ]
        if not idle:
            raise ProtocolError(refusal, status=429)
        self._drop(min(idle, key=lambda s: s.last_seen).id)

    def _drop(self, sid):
        session = self._sessions.pop(sid)
        session.playing = False
        session.changed.set()  # wakes its live stream, which then ends
