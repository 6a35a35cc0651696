"""A GRU (input 32, hidden 64) over sequences of 50 steps, batch 32, a linear
head to 10 classes on the last step, SGD (issue 20's GRU row)."""

from ..models import GRU_LAYERS, gru_classifier
from .sequence import CLASSES, SequenceWorkload

HIDDEN = 64


class GRU(SequenceWorkload):
    name = "gru"
    title = "GRU 32→64, sequence 50, batch 32, last step → linear 10, SGD"
    features, needs = 32, GRU_LAYERS

    def model(self, nn):
        return gru_classifier(nn, self.features, HIDDEN, CLASSES)

    def layer_params(self):
        return {"input": self.features, "hidden": HIDDEN}
