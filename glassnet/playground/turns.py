"""Fair turns at training between the playing tabs.

Every playing tab trains in slices (``TRAIN_SLICE_SECONDS``); ``Turns``
lets at most ``slots`` slices run at once, and hands the next free slot to
the tab that has waited longest (first come, first served), so a tab with a
big network and many points cannot crowd out the others: each playing tab
gets its slice in turn, whatever it trains.
"""

import collections
import contextlib
import threading


class Turns:
    def __init__(self, slots):
        if slots < 1:
            raise ValueError(f"Turns: slots must be at least 1, got {slots!r}")
        self.slots = slots
        self._busy = 0
        self._queue = collections.deque()
        self._cond = threading.Condition()
        self.granted = []  # the order of the last turns (owner names), for the tests

    @contextlib.contextmanager
    def turn(self, owner=None):
        """Wait for this caller's turn (first come, first served), hold a slot."""
        ticket = object()
        with self._cond:
            self._queue.append(ticket)
            while self._queue[0] is not ticket or self._busy >= self.slots:
                self._cond.wait()
            self._queue.popleft()
            self._busy += 1
            self.granted = (self.granted + [owner])[-64:]
            self._cond.notify_all()
        try:
            yield
        finally:
            with self._cond:
                self._busy -= 1
                self._cond.notify_all()
