"""The messages between the page and the server, and their checks.

The page sends JSON objects (POST, at most ``MAX_BODY_BYTES``):

- ``/api/session``  ``{"config": {...}}`` → ``{"session": id, "config": ...,
  "options": ...}``: a new session (one per tab) with these settings;
- ``/api/command``  ``{"session": id, "type": T, ...}`` → ``{"ok": true, ...}``
  where T is one of ``COMMANDS``: ``config`` (``"config": {changed
  settings}``), ``play`` (``"playing": true|false``), ``step`` (one epoch),
  ``reset`` (new weights), ``regenerate`` (new points), ``trace``
  (``"index"``: a training point; the reply holds the traced step),
  ``apply`` (write the traced step's update into the network), ``speed``
  (``"speed"``: a name of ``pace.SPEEDS``) and ``edit`` (``"layer"``,
  ``"to"``, ``"from"``: set one weight, or with ``"from": null`` one bias,
  to ``"value"``);
- ``/api/upload?session=id&problem=classification|regression&name=file.csv``
  with the CSV file as the body.

The server sends on the WebSocket ``/api/stream?session=id`` (``events.py``):
``data`` (the points, when they change) and ``frame`` (epoch, losses,
histories, weights, heatmaps, ``diverged``) whenever something changed or,
while playing, after every slice of training; the page answers each with
``ack``. Every refusal is ``{"error": message, "field": setting or null}``
with a 4xx status (409 with field ``diverged`` for a step of a network whose
numbers are no longer finite; 429 when a new session would evict an open
tab).
"""

import json

from .errors import ProtocolError

# command type -> {argument: (type, description)}
COMMANDS = {
    "config": {"config": (dict, "an object of settings")},
    "play": {"playing": (bool, "true or false")},
    "step": {},
    "reset": {},
    "regenerate": {},
    "trace": {"index": (int, "the number of a training point")},
    "apply": {},
    "speed": {"speed": (str, "a speed: step, 1, 3, 10, 30, 100 or max")},
    "edit": {
        "layer": (int, "a layer, from 1"),
        "to": (int, "a neuron of that layer, from 0"),
        "from": ((int, type(None)), "a neuron of the layer before, from 0, or null for the bias"),
        "value": ((int, float), "a number"),
    },
}


def _reject_constant(name):
    raise ValueError(f"{name} is not a JSON number")


def parse_json(body):
    """The JSON object in ``body`` (bytes), or a ProtocolError saying what is wrong."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise ProtocolError("the request body is not UTF-8 text") from None
    try:
        value = json.loads(text, parse_constant=_reject_constant)
    except RecursionError:
        raise ProtocolError("the request body is nested too deeply") from None
    except ValueError as exc:
        raise ProtocolError(f"the request body is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise ProtocolError(f"the request body must be a JSON object, got {type(value).__name__}")
    return value


def _exact_keys(msg, allowed, what):
    extra = sorted(set(msg) - set(allowed))
    if extra:
        raise ProtocolError(
            f"{what}: unexpected key {str(extra[0])[:40]!r}; allowed: {', '.join(sorted(allowed))}"
        )


def parse_command(msg):
    """(session id, command type, arguments) of a command message."""
    kind = msg.get("type")
    if not isinstance(kind, str) or kind not in COMMANDS:
        raise ProtocolError(
            f"type must be one of {', '.join(COMMANDS)}; got {str(kind)[:40]!r}", field="type"
        )
    spec = COMMANDS[kind]
    _exact_keys(msg, {"session", "type", *spec}, f"command {kind!r}")
    args = {}
    for name, (typ, desc) in spec.items():
        if name not in msg:
            raise ProtocolError(f"command {kind!r} needs {name!r} ({desc})", field=name)
        value = msg[name]
        if not isinstance(value, typ) or (typ is not bool and isinstance(value, bool)):
            raise ProtocolError(
                f"command {kind!r}: {name!r} must be {desc}, got {type(value).__name__}", field=name
            )
        args[name] = value
    return msg.get("session"), kind, args


def parse_session_request(msg):
    """The settings of a new-session message ``{"config": {...}}``."""
    _exact_keys(msg, {"config"}, "new session")
    config = msg.get("config", {})
    if not isinstance(config, dict):
        raise ProtocolError("config must be an object of settings", field="config")
    return config


def dumps(obj):
    """``obj`` as compact JSON bytes (NaN/Infinity refused: send None instead)."""
    return json.dumps(obj, allow_nan=False, ensure_ascii=False, separators=(",", ":")).encode(
        "utf-8"
    )
