"""Neural-network building blocks, as ``torch.nn``: Module and Parameter,
containers, layers, activations, losses, ``init``, ``functional`` and
``utils`` (gradient clipping).

    import glassnet as gn
    from glassnet import nn

    model = nn.Sequential(nn.Linear(1, 2), nn.ReLU(), nn.Linear(2, 1))  # the article's net
    loss = nn.HalfSquaredError()(model(x), y)                           # L = (y − ŷ)²/2
    loss.backward()
"""
from . import functional, init, utils  # noqa: F401
from .activation import ELU, GELU, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Softplus, Tanh
from .container import ModuleDict, ModuleList, Sequential
from .dropout import Dropout
from .flatten import Flatten
from .linear import Identity, Linear
from .loss import (BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HalfSquaredError, HuberLoss,
                   L1Loss, MSELoss, NLLLoss)
from .module import IncompatibleKeys, Module, RemovableHandle, StateDictError
from .parameter import Parameter
from .summary import ModelSummary

__all__ = [
    "Module", "Parameter", "Sequential", "ModuleList", "ModuleDict", "Linear", "Identity",
    "Flatten", "Dropout", "ReLU", "Sigmoid", "Tanh", "LeakyReLU", "ELU", "GELU", "Softplus",
    "Softmax", "LogSoftmax", "MSELoss", "L1Loss", "HuberLoss", "HalfSquaredError",
    "CrossEntropyLoss", "NLLLoss", "BCELoss", "BCEWithLogitsLoss", "IncompatibleKeys",
    "StateDictError", "RemovableHandle", "ModelSummary", "functional", "init", "utils",
]
