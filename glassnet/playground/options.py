"""What the page's controls may offer (sent once, at ``/api/options`` and
with every new session): the server's own lists and bounds, so the page
never offers a value the server would refuse."""

from . import config, limits
from .datasets import DATASETS
from .features import FEATURES
from .pace import DEFAULT_SPEED, SPEEDS

# TensorFlow Playground's menus
LEARNING_RATES = [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10]
REGULARIZATION_RATES = [0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10]
DROPOUT_RATES = [0, 0.1, 0.2, 0.3, 0.5]


def options():
    return {
        "datasets": [{"name": n, "task": t} for n, (t, _, _) in DATASETS.items()],
        "features": [{"name": n, "label": label} for n, (label, _) in FEATURES.items()],
        "activations": list(config.ACTIVATIONS.names()),
        "optimizers": list(config.OPTIMIZERS.names()),
        "regularizations": list(config.REGULARIZATIONS),
        "learningRates": LEARNING_RATES,
        "regularizationRates": REGULARIZATION_RATES,
        "dropoutRates": DROPOUT_RATES,
        "speeds": list(SPEEDS),
        "defaultSpeed": DEFAULT_SPEED,
        "defaults": config.Config().to_dict(),
        "limits": {
            "maxLayers": limits.MAX_LAYERS,
            "maxNeurons": limits.MAX_NEURONS,
            "minPoints": limits.MIN_POINTS,
            "maxPoints": limits.MAX_POINTS,
            "minNoise": limits.MIN_NOISE,
            "maxNoise": limits.MAX_NOISE,
            "minTrainRatio": limits.MIN_TRAIN_RATIO,
            "maxTrainRatio": limits.MAX_TRAIN_RATIO,
            "minBatch": limits.MIN_BATCH,
            "maxBatch": limits.MAX_BATCH,
            "minLearningRate": limits.MIN_LR,
            "maxLearningRate": limits.MAX_LR,
            "maxRegularizationRate": limits.MAX_REG_RATE,
            "maxDropout": limits.MAX_DROPOUT,
            "maxSeed": limits.MAX_SEED,
            "maxUploadBytes": limits.MAX_UPLOAD_BYTES,
            "maxClasses": limits.MAX_CLASSES,
            "maxEditValue": limits.MAX_EDIT_VALUE,
        },
    }
