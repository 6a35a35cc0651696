"""Workload 6: an LSTM (input 32, hidden 128) over sequences of 50 steps,
batch 32, a linear head to 10 classes on the last step, SGD. glassnet's
side runs as soon as ``gn.nn`` has LSTM; until then it is reported as n/a."""

from ..models import LSTM_LAYERS, lstm_classifier
from .sequence import CLASSES, SequenceWorkload

HIDDEN = 128


class LSTM(SequenceWorkload):
    name = "lstm"
    title = "LSTM 32→128, sequence 50, batch 32, last step → linear 10, SGD"
    features, needs = 32, LSTM_LAYERS

    def model(self, nn):
        return lstm_classifier(nn, self.features, HIDDEN, CLASSES)

    def layer_params(self):
        return {"input": self.features, "hidden": HIDDEN}
