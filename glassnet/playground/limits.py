"""Every bound the playground server enforces, in one place.

The page offers the same ranges (it reads them from ``/api/options``), but
the server checks every message against these numbers itself: a client
that sends anything else gets a clear error, never a crash or a runaway
computation.
"""

MAX_LAYERS = 6             # hidden layers, as TensorFlow Playground
MAX_NEURONS = 8            # neurons per hidden layer, as TensorFlow Playground
MIN_POINTS, MAX_POINTS = 50, 2000
MIN_NOISE, MAX_NOISE = 0, 50             # Playground's noise slider, in percent
MIN_TRAIN_RATIO, MAX_TRAIN_RATIO = 10, 90  # percent of the points used for training
MIN_BATCH, MAX_BATCH = 1, 64
MIN_LR, MAX_LR = 1e-6, 10.0
MAX_REG_RATE = 10.0
MAX_DROPOUT = 0.9
MAX_SEED = 2**31 - 1
MAX_CLASSES = 8            # classes in an uploaded CSV file

MAX_BODY_BYTES = 64 * 1024       # a JSON message
MAX_UPLOAD_BYTES = 256 * 1024    # a CSV file
MAX_ABS_FEATURE = 1e6            # |value| of an uploaded feature

MAX_SESSIONS = 32                # open tabs; the least recently used one goes first
SESSION_IDLE_SECONDS = 3600      # a tab unseen this long is forgotten
TRAIN_SLICE_SECONDS = 0.08       # training between two frames while playing
MAX_EPOCHS_PER_SLICE = 50
HISTORY_POINTS = 400             # loss / gradient-norm history kept per session

OUTPUT_GRID = 64                 # the output heatmap is OUTPUT_GRID² cells
NEURON_GRID = 20                 # each neuron's heatmap is NEURON_GRID² cells
