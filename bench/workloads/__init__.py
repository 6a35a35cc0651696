"""The workloads of issue 7, in the order of the report. Each has a
``name``, a ``title`` and ``run(cfg, sides) -> [result rows]``."""

from .chain import Chain
from .cnn import CNN
from .digits import Digits
from .gru import GRU
from .lstm import LSTM
from .mlp import MLP
from .moons import Moons
from .tiny import Tiny
from .transformer import Transformer

ALL = [
    Tiny(),
    Moons(),
    MLP(128, "sgd"),
    MLP(128, "adam"),
    MLP(1024, "sgd"),
    MLP(1024, "adam"),
    CNN(),
    LSTM(),
    GRU(),
    Transformer(),
    Chain(),
    Digits(),
]
BY_NAME = {w.name: w for w in ALL}


def select(names=None):
    """The workloads named (all by default); unknown names raise ValueError."""
    if not names:
        return list(ALL)
    unknown = [n for n in names if n not in BY_NAME]
    if unknown:
        raise ValueError(
            f"unknown workload(s) {', '.join(unknown)}; choose from {', '.join(BY_NAME)}"
        )
    return [BY_NAME[n] for n in names]
