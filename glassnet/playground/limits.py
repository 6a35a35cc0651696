"""Every bound the playground server enforces, in one place.

The page offers the same ranges (it reads them from ``/api/options``), but
the server checks every message against these numbers itself: a client
that sends anything else gets a clear error, never a crash or a runaway
computation.
"""

MAX_LAYERS = 6  # hidden layers, as TensorFlow Playground
MAX_NEURONS = 8  # neurons per hidden layer, as TensorFlow Playground
MIN_POINTS, MAX_POINTS = 50, 2000
MIN_NOISE, MAX_NOISE = 0, 50  # Playground's noise slider, in percent
MIN_TRAIN_RATIO, MAX_TRAIN_RATIO = 10, 90  # percent of the points used for training
MIN_BATCH, MAX_BATCH = 1, 64
MIN_LR, MAX_LR = 1e-6, 10.0
MAX_REG_RATE = 10.0
MAX_DROPOUT = 0.9
MAX_SEED = 2**31 - 1
MAX_CLASSES = 8  # classes in an uploaded CSV file

MAX_BODY_BYTES = 64 * 1024  # a JSON message
MAX_UPLOAD_BYTES = 256 * 1024  # a CSV file
MAX_ABS_FEATURE = 1e6  # |value| of an uploaded feature

MAX_SESSIONS = 128  # sessions in all (every client together)
MAX_SESSIONS_PER_CLIENT = 32  # sessions of one client (one IP address)
EVICT_IDLE_SECONDS = 120  # a session without a live stream, unseen this long, may
# make room for a new one; an open tab never does
SESSION_IDLE_SECONDS = 3600  # a session unseen this long is forgotten
TRAIN_SLICE_SECONDS = 0.08  # training between two frames while playing
MAX_EPOCHS_PER_SLICE = 50
HISTORY_POINTS = 400  # loss / gradient-norm history kept per session

BACKLOG = 1024  # connections waiting to be accepted
MAX_CONNECTIONS = 1000  # open connections and requests in progress (then 503)
HEADER_SECONDS = 10  # a client's time to send a request's headers
KEEP_ALIVE_SECONDS = 5  # an idle keep-alive connection is closed after this
STREAM_MAX_UNACKED = 2  # live-stream messages sent but not yet acknowledged
STREAM_PING_SECONDS = 15  # a quiet live stream sends a ping this often
STREAM_ACK_SECONDS = 60  # a live stream whose page acknowledges nothing this long ends
MAX_STREAM_MESSAGE = 4096  # bytes of a message from the page on the live stream

OUTPUT_GRID = 64  # the output heatmap is OUTPUT_GRID² cells
NEURON_GRID = 20  # each neuron's heatmap is NEURON_GRID² cells
MAX_EDIT_VALUE = 100.0  # |value| a weight or bias may be set to on the page
TRAIN_SLOTS = 2  # training slices that run at once (the others wait their turn)
