"""How fast a playing tab trains: the page's speed control.

A speed is a number of epochs per second (``"1"`` to ``"100"``), ``"max"``
(as fast as the machine goes, a slice of ``TRAIN_SLICE_SECONDS`` between
frames) or ``"step"``: one mini-batch — one gradient step — a second, so a
class can follow each update. ``Pace`` keeps the account: the work owed
since play started grows with the clock and is paid in whole units (epochs,
or mini-batches at ``"step"``); a slow machine is not asked to catch up
later than ``CATCH_UP_SECONDS``.
"""

import time

from .errors import ProtocolError

SPEEDS = {"step": 1.0, "1": 1.0, "3": 3.0, "10": 10.0, "30": 30.0, "100": 100.0, "max": None}
DEFAULT_SPEED = "max"
CATCH_UP_SECONDS = 0.5


def check_speed(value):
    """``value`` if it names a speed, else a ProtocolError listing them."""
    if not isinstance(value, str) or value not in SPEEDS:
        raise ProtocolError(
            f"speed must be one of {', '.join(SPEEDS)} (epochs per second; step: one "
            f"mini-batch a second; max: as fast as it goes); got {str(value)[:20]!r}",
            field="speed",
        )
    return value


class Pace:
    def __init__(self, speed=DEFAULT_SPEED):
        self.speed = check_speed(speed)
        self.owed = 0.0
        self.clock = None

    @property
    def unlimited(self):
        return SPEEDS[self.speed] is None

    @property
    def unit(self):
        """What one unit of owed work is: "batch" or "epoch"."""
        return "batch" if self.speed == "step" else "epoch"

    def set(self, speed):
        self.speed = check_speed(speed)
        self.restart()

    def restart(self):
        """Play starts (or the speed changed): the first unit is due at once."""
        self.owed, self.clock = 1.0, time.monotonic()

    def due(self):
        """Whole units owed now (0 when the next one is not yet due)."""
        if self.unlimited:
            return 1
        now = time.monotonic()
        if self.clock is None:
            self.owed, self.clock = 1.0, now
        rate = SPEEDS[self.speed]
        self.owed = min(self.owed + (now - self.clock) * rate, max(1.0, rate * CATCH_UP_SECONDS))
        self.clock = now
        return int(self.owed)

    def paid(self, units):
        self.owed = max(0.0, self.owed - units)

    def wait(self):
        """Seconds until the next unit is due (0 when one is due now)."""
        if self.unlimited or self.clock is None:
            return 0.0
        rate = SPEEDS[self.speed]
        owed = self.owed + (time.monotonic() - self.clock) * rate
        return max(0.0, (1.0 - owed) / rate)
