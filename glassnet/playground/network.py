"""The session's network: Linear layers with an activation after each
hidden one (chosen per layer) and optional dropout, as a glassnet
``nn.Sequential``.

The Linear and activation modules live as long as the network's shape does;
``sequential()`` puts them in a Sequential, so changing an activation or the
dropout rate keeps the trained weights (the optimizer holds the same
parameters), while a new shape (features, layers) means a new Network.
"""

import numpy as np

from .. import nn
from ..nn import init
from ..nn.activation_registry import ACTIVATIONS

WEIGHT_INIT = "xavier_uniform"  # a name of nn.init.INITIALIZERS


class Network:
    """``sizes`` = [inputs, hidden..., outputs]; ``activations`` names of
    ``nn.activation_registry.ACTIVATIONS``; weights drawn with Xavier's
    uniform initialization from ``generator``, biases 0."""

    def __init__(self, sizes, activations, dropout, generator):
        if len(activations) != len(sizes) - 2:
            raise ValueError(
                f"Network: {len(sizes) - 2} hidden layers but {len(activations)} activations"
            )
        self.sizes = list(sizes)
        self.linears = [nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:])]
        self._cache = {}
        self.reset(generator)
        self.set_activations(activations)
        self.set_dropout(dropout)

    def reset(self, generator):
        weight_init = init.INITIALIZERS[WEIGHT_INIT]
        for lin in self.linears:
            weight_init(lin.weight, generator=generator)
            init.zeros_(lin.bias)

    def set_activations(self, names):
        self.activation_names = [ACTIVATIONS.canonical(a) for a in names]
        self.activations = [ACTIVATIONS[a].layer() for a in names]
        self._cache.clear()

    def set_dropout(self, rate):
        self.dropout = float(rate)
        self._cache.clear()

    def sequential(self, dropout=True):
        """The network as an nn.Sequential; ``dropout=False`` leaves the
        Dropout layers out (what evaluation and a traced step use)."""
        if dropout in self._cache:
            return self._cache[dropout]
        mods = []
        for l, lin in enumerate(self.linears):
            mods.append(lin)
            if l < len(self.activations):
                mods.append(self.activations[l])
                if dropout and self.dropout > 0:
                    mods.append(nn.Dropout(self.dropout))
        self._cache[dropout] = nn.Sequential(*mods)
        return self._cache[dropout]

    def parameters(self):
        return [p for lin in self.linears for p in (lin.weight, lin.bias)]

    def weights(self):
        """[(W, b)] per layer as float64 arrays."""
        return [
            (lin.weight._data.astype(np.float64), lin.bias._data.astype(np.float64))
            for lin in self.linears
        ]
