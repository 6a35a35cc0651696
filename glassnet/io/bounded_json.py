"""JSON from an untrusted file, parsed with its nesting bounded first.

Python's ``json`` parser recurses once per ``[`` or ``{``: a header of 5,000
brackets is a RecursionError, not a parse error. ``loads`` measures the
depth before parsing, in one vectorized pass that skips strings, and
refuses the text past ``max_depth``; duplicate keys are refused too.
Every refusal is a ``ValueError`` the caller turns into its own error
naming the file.
"""

import json

import numpy as np

_CHUNK = 1 << 20  # bytes scanned at a time: the scan's memory stays a few MiB
_STEP = np.zeros(256, np.int8)  # byte -> its change of depth
_STEP[[ord("["), ord("{")]] = 1
_STEP[[ord("]"), ord("}")]] = -1


class DepthError(ValueError):
    """JSON nested deeper than the reader allows."""


def loads(text, max_depth):
    """``json.loads(text)`` (str or UTF-8 bytes) for text nested at most
    ``max_depth`` deep (each ``[`` or ``{`` one level), refusing duplicate keys."""
    check_depth(text, max_depth)
    return json.loads(text, object_pairs_hook=unique_keys)


def check_depth(text, max_depth):
    """Raise DepthError (a ValueError) when ``text`` opens more than ``max_depth`` arrays or
    objects inside one another. Brackets inside strings do not count: an
    escaped backslash or quote is dropped first, then every quote toggles
    "inside a string". The depth is a running sum over the rest, in chunks
    (NumPy): a 100 MB header takes about as long as ``json`` takes to parse
    it. Malformed JSON is left to ``json`` to report: up to the first error
    both read the text alike, so ``json`` never nests deeper than this measured."""
    raw = text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass")
    raw = raw.replace(b"\\\\", b"").replace(b'\\"', b"")
    depth, inside = 0, 0
    for start in range(0, len(raw), _CHUNK):
        c = np.frombuffer(raw, np.uint8, min(_CHUNK, len(raw) - start), start)
        in_string = np.bitwise_xor.accumulate((c == ord('"')).view(np.uint8)) ^ inside
        step = _STEP[c]
        step[in_string.view(bool)] = 0
        running = np.cumsum(step, dtype=np.int64) + depth
        if running.max() > max_depth:
            raise DepthError(f"nests arrays/objects more than {max_depth} levels deep")
        depth, inside = int(running[-1]), int(in_string[-1])


def unique_keys(pairs):
    """json object_pairs_hook: a dict, refusing duplicate keys."""
    out = dict(pairs)
    if len(out) != len(pairs):
        seen = set()
        dup = next(k for k, _ in pairs if k in seen or seen.add(k))
        raise ValueError(f"duplicate key {dup!r}")
    return out
