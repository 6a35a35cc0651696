"""What each command does to a session (the handler has checked the
message's shape; the settings are checked by ``config.parse``). Runs in a
worker thread, under the session's own lock: other tabs are not held up."""

import secrets
import time

from . import limits


def run_command(session, kind, args):
    """Carry out one command; returns the reply's extra fields."""
    if kind == "step":  # one epoch, in slices: the tab's live stream sends frames in between
        with session.lock:
            session.playing = False
        while True:
            with session.lock:
                if session.step(time.monotonic() + limits.TRAIN_SLICE_SECONDS):
                    break
    with session.lock:
        if kind == "config":
            session.set_config(args["config"])
        elif kind == "play":
            session.set_playing(args["playing"])
        elif kind == "reset":
            session.reset()
        elif kind == "regenerate":
            session.regenerate(secrets.randbelow(limits.MAX_SEED + 1))
        elif kind == "trace":
            session.set_playing(False)
            return {"trace": session.trace(args["index"])}
        elif kind == "apply":
            session.apply_trace()
        elif kind == "speed":
            session.set_speed(args["speed"])
        elif kind == "edit":
            session.edit(args["layer"], args["to"], args["from"], args["value"])
        return {
            "config": session.config.to_dict(),
            "version": session.version,
            "speed": session.pace.speed,
        }
