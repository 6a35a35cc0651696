"""One Transformer encoder layer (d_model 128, 4 heads, feed-forward 512, no
dropout) over sequences of 64, batch 32, the mean over time → linear 10, SGD
(issue 20's Transformer row)."""

from ..models import TRANSFORMER_LAYERS, transformer_classifier
from .sequence import CLASSES, SequenceWorkload

HEADS, FEEDFORWARD = 4, 512


class Transformer(SequenceWorkload):
    name = "transformer"
    title = "Transformer encoder layer d128, 4 heads, ff 512, sequence 64, batch 32, SGD"
    features, needs = 128, TRANSFORMER_LAYERS
    sizes = ((32, 64), (4, 6))

    def model(self, nn):
        return transformer_classifier(nn, self.features, HEADS, FEEDFORWARD, CLASSES)

    def layer_params(self):
        return {"d_model": self.features, "heads": HEADS, "feedforward": FEEDFORWARD}
