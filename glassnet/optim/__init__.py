"""Optimizers (``optim.SGD``, ``Adam``, ``AdamW``, ``RMSprop``, ``Adagrad``),
learning-rate schedules (``optim.lr_scheduler``), L1/L2 penalties and the
table of optimizer names (``optim.OPTIMIZERS``: "sgd", "momentum", "adam"...), with
PyTorch's names, update rules and state_dict layout::

    opt = gn.optim.SGD([w, b], lr=0.1, momentum=0.9)
    for x, y in batches:
        opt.zero_grad()
        loss = ((x @ w + b - y) ** 2).mean()
        loss.backward()
        opt.step()
"""

from . import lr_scheduler
from .adagrad import Adagrad
from .adam import Adam
from .adamw import AdamW
from .optimizer import Optimizer
from .registry import OPTIMIZERS, get_optimizer
from .regularization import l1_penalty, l2_penalty
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = [
    "Optimizer",
    "SGD",
    "Adam",
    "AdamW",
    "RMSprop",
    "Adagrad",
    "lr_scheduler",
    "l1_penalty",
    "l2_penalty",
    "OPTIMIZERS",
    "get_optimizer",
]
