"""A session's settings: what the page's controls and its URL hold.

``parse(message, base)`` checks a dict of settings sent by the page (a
whole configuration or only the keys that changed) and returns a new
``Config``; anything unknown, of the wrong type or out of range raises a
``ProtocolError`` naming the setting and the allowed values.
"""

import math
from dataclasses import asdict, dataclass, replace

from ..nn.activation_registry import ACTIVATIONS
from ..optim.registry import OPTIMIZERS
from . import limits as L
from .datasets import DATASETS, UPLOAD
from .errors import ProtocolError
from .features import FEATURES

# activations and optimizers: every name of their registries (an alias is
# stored as its registered name)
REGULARIZATIONS = ("none", "l1", "l2")

# which settings make a new data set, and which a new network
DATA_KEYS = ("dataset", "points", "noise", "trainRatio", "seed")
NETWORK_KEYS = ("features", "layers")


@dataclass(frozen=True)
class Config:
    dataset: str = "circle"
    points: int = 500
    noise: int = 0
    trainRatio: int = 50
    seed: int = 1
    batchSize: int = 10
    features: tuple = ("x1", "x2")
    layers: tuple = (4, 2)
    activations: tuple = ("tanh", "tanh")
    dropout: float = 0.0
    optimizer: str = "sgd"
    learningRate: float = 0.03
    regularization: str = "none"
    regularizationRate: float = 0.0

    def to_dict(self):
        d = asdict(self)
        for k in ("features", "layers", "activations"):
            d[k] = list(d[k])
        return d


def _int(v, key, lo, hi):
    if (
        isinstance(v, bool)
        or not isinstance(v, (int, float))
        or (isinstance(v, float) and not v.is_integer())
    ):
        raise ProtocolError(f"{key} must be a whole number from {lo} to {hi}, got {v!r}", field=key)
    if not lo <= v <= hi:
        raise ProtocolError(f"{key} must be from {lo} to {hi}, got {v!r}", field=key)
    return int(v)


def _real(v, key, lo, hi, lo_open=False):
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        raise ProtocolError(f"{key} must be a number from {lo:g} to {hi:g}, got {v!r}", field=key)
    if not (lo < v if lo_open else lo <= v) or v > hi:
        raise ProtocolError(f"{key} must be from {lo:g} to {hi:g}, got {v!r}", field=key)
    return float(v)


def _choice(v, key, options):
    if not isinstance(v, str) or v not in options:
        raise ProtocolError(f"{key} must be one of {', '.join(options)}; got {v!r}", field=key)
    return v


def _registered(v, key, registry):
    if not isinstance(v, str) or v not in registry:
        raise ProtocolError(
            f"{key} must be one of {', '.join(registry.accepted())}; got {v!r}", field=key
        )
    return registry.canonical(v)


def _list(v, key, lo, hi):
    if not isinstance(v, (list, tuple)):
        raise ProtocolError(f"{key} must be a list, got {type(v).__name__}", field=key)
    if not lo <= len(v) <= hi:
        raise ProtocolError(f"{key} must have {lo} to {hi} entries, got {len(v)}", field=key)
    return v


def _features(v):
    v = _list(v, "features", 1, len(FEATURES))
    out = tuple(_choice(f, "features", tuple(FEATURES)) for f in v)
    if len(set(out)) != len(out):
        raise ProtocolError(f"features lists a feature twice: {list(out)}", field="features")
    return out


def _layers(v):
    v = _list(v, "layers", 0, L.MAX_LAYERS)
    return tuple(_int(n, "layers", 1, L.MAX_NEURONS) for n in v)


def _activations(v):
    v = _list(v, "activations", 0, L.MAX_LAYERS)
    return tuple(_registered(a, "activations", ACTIVATIONS) for a in v)


CHECKS = {
    "dataset": lambda v: _choice(v, "dataset", tuple(DATASETS) + (UPLOAD,)),
    "points": lambda v: _int(v, "points", L.MIN_POINTS, L.MAX_POINTS),
    "noise": lambda v: _int(v, "noise", L.MIN_NOISE, L.MAX_NOISE),
    "trainRatio": lambda v: _int(v, "trainRatio", L.MIN_TRAIN_RATIO, L.MAX_TRAIN_RATIO),
    "seed": lambda v: _int(v, "seed", 0, L.MAX_SEED),
    "batchSize": lambda v: _int(v, "batchSize", L.MIN_BATCH, L.MAX_BATCH),
    "features": _features,
    "layers": _layers,
    "activations": _activations,
    "dropout": lambda v: _real(v, "dropout", 0.0, L.MAX_DROPOUT),
    "optimizer": lambda v: _registered(v, "optimizer", OPTIMIZERS),
    "learningRate": lambda v: _real(v, "learningRate", L.MIN_LR, L.MAX_LR),
    "regularization": lambda v: _choice(v, "regularization", REGULARIZATIONS),
    "regularizationRate": lambda v: _real(v, "regularizationRate", 0.0, L.MAX_REG_RATE),
}


def parse(message, base=None):
    """A new Config: ``base`` (default: the defaults) with the settings in
    ``message`` (a dict) checked and applied."""
    base = base or Config()
    if not isinstance(message, dict):
        raise ProtocolError(f"the settings must be a JSON object, got {type(message).__name__}")
    changes = {}
    for key, value in message.items():
        if key not in CHECKS:
            raise ProtocolError(
                f"unknown setting {key!r}; the settings are: {', '.join(CHECKS)}",
                field=str(key)[:40],
            )
        changes[key] = CHECKS[key](value)
    if "layers" in changes and "activations" not in changes:
        # more layers take the last layer's activation (or tanh); fewer drop theirs
        acts = list(base.activations) or ["tanh"]
        changes["activations"] = tuple((acts + [acts[-1]] * L.MAX_LAYERS)[: len(changes["layers"])])
    config = replace(base, **changes)
    if len(config.activations) != len(config.layers):
        raise ProtocolError(
            f"activations must name one activation per hidden layer: "
            f"{len(config.layers)} layers, {len(config.activations)} "
            "activations",
            field="activations",
        )
    return config


def changed(old, new):
    """The keys whose values differ between two Configs."""
    return {k for k in CHECKS if getattr(old, k) != getattr(new, k)}
