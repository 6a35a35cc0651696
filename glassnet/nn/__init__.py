"""Neural-network building blocks, as ``torch.nn``: Module and Parameter,
containers, layers, activations, losses, ``init``, ``functional`` and
``utils`` (gradient clipping).

    import glassnet as gn
    from glassnet import nn

    model = nn.Sequential(nn.Linear(1, 2), nn.ReLU(), nn.Linear(2, 1))  # the article's net
    loss = nn.HalfSquaredError()(model(x), y)                           # L = (y − ŷ)²/2
    loss.backward()
"""

from typing import TYPE_CHECKING

from . import functional, init, utils  # noqa: F401
from .activation import ELU, GELU, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Softplus, Tanh
from .container import ModuleDict, ModuleList, Sequential
from .dropout import Dropout
from .flatten import Flatten
from .linear import Identity, Linear
from .loss import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    HalfSquaredError,
    HuberLoss,
    L1Loss,
    MSELoss,
    NLLLoss,
)
from .module import IncompatibleKeys, Module, RemovableHandle, StateDictError
from .parameter import Parameter
from .summary import ModelSummary

if TYPE_CHECKING:  # the lazily imported families below, as mypy should see them
    from .attention import MultiheadAttention as MultiheadAttention
    from .conv import Conv1d as Conv1d
    from .conv import Conv2d as Conv2d
    from .conv import ConvTranspose2d as ConvTranspose2d
    from .embedding import Embedding as Embedding
    from .normalization import BatchNorm1d as BatchNorm1d
    from .normalization import BatchNorm2d as BatchNorm2d
    from .normalization import LayerNorm as LayerNorm
    from .pooling import AdaptiveAvgPool2d as AdaptiveAvgPool2d
    from .pooling import AvgPool2d as AvgPool2d
    from .pooling import MaxPool2d as MaxPool2d
    from .rnn import GRU as GRU
    from .rnn import LSTM as LSTM
    from .rnn import RNN as RNN
    from .rnn import GRUCell as GRUCell
    from .rnn import LSTMCell as LSTMCell
    from .rnn import RNNCell as RNNCell
    from .transformer import TransformerEncoder as TransformerEncoder
    from .transformer import TransformerEncoderLayer as TransformerEncoderLayer
    from .transformer import generate_square_subsequent_mask as generate_square_subsequent_mask
    from .transformer_decoder import TransformerDecoder as TransformerDecoder
    from .transformer_decoder import TransformerDecoderLayer as TransformerDecoderLayer
    from .transformer_model import Transformer as Transformer

__all__ = [
    "Module",
    "Parameter",
    "Sequential",
    "ModuleList",
    "ModuleDict",
    "Linear",
    "Identity",
    "Flatten",
    "Dropout",
    "ReLU",
    "Sigmoid",
    "Tanh",
    "LeakyReLU",
    "ELU",
    "GELU",
    "Softplus",
    "Softmax",
    "LogSoftmax",
    "MSELoss",
    "L1Loss",
    "HuberLoss",
    "HalfSquaredError",
    "CrossEntropyLoss",
    "NLLLoss",
    "BCELoss",
    "BCEWithLogitsLoss",
    "IncompatibleKeys",
    "StateDictError",
    "RemovableHandle",
    "ModelSummary",
    "functional",
    "init",
    "utils",
]

# Layers of the convolution / normalization / recurrence / attention families, each in its
# own file; imported on first use so `import glassnet.nn` stays light.
_LAZY = {
    "Conv1d": "conv",
    "Conv2d": "conv",
    "ConvTranspose2d": "conv",
    "MaxPool2d": "pooling",
    "AvgPool2d": "pooling",
    "AdaptiveAvgPool2d": "pooling",
    "BatchNorm1d": "normalization",
    "BatchNorm2d": "normalization",
    "LayerNorm": "normalization",
    "Embedding": "embedding",
    "RNN": "rnn",
    "LSTM": "rnn",
    "GRU": "rnn",
    "RNNCell": "rnn",
    "LSTMCell": "rnn",
    "GRUCell": "rnn",
    "MultiheadAttention": "attention",
    "TransformerEncoderLayer": "transformer",
    "generate_square_subsequent_mask": "transformer",
    "TransformerEncoder": "transformer",
    "TransformerDecoderLayer": "transformer_decoder",
    "TransformerDecoder": "transformer_decoder",
    "Transformer": "transformer_model",
}


def __getattr__(name: str) -> object:
    if name == "parallel":  # DistributedDataParallel (imports glassnet.distributed) on first use
        import importlib

        return importlib.import_module(".parallel", __name__)
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'glassnet.nn' has no attribute {name!r}")
    import importlib

    try:
        mod = importlib.import_module(f".{module}", __name__)
    except ModuleNotFoundError as exc:  # that family is not written yet
        if exc.name != f"{__name__}.{module}":
            raise
        raise AttributeError(f"module 'glassnet.nn' has no attribute {name!r} yet") from None
    return getattr(mod, name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY) | {"parallel"})
