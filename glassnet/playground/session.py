"""One browser tab's playground: its settings, data, network and trainer.

Callers hold the session's own ``lock`` around every method here (the
commands, the live stream's training and frames): one tab's requests take
turns, while other tabs train at the same time in other threads (glassnet's
grad mode is per thread).
"""

import threading
import time

import numpy as np

from . import backward, datasets, heatmaps, limits
from . import config as cfg
from . import trainer as training
from .divergence import Divergence, worst_point
from .errors import ProtocolError
from .network import Network
from .pace import Pace
from .protocol import dumps


def _finite(v):
    return v if v is None or np.isfinite(v) else None


def _rows_with(history, key):
    """The indices of the History rows that logged ``key``."""
    return [i for i, v in enumerate(history.history.get(key, ())) if not np.isnan(v)]


class Session:
    def __init__(self, sid, config):
        self.id = sid
        self.upload = None  # LabeledDataset from a CSV file
        self.upload_name = None
        self.playing = False
        self.version = 0  # bumps whenever the page has something new to draw
        self.data_version = 0
        self.pending = None  # the traced step the page may apply
        self.changed = threading.Event()
        self.last_seen = time.monotonic()
        self.stream_owner = None  # the live stream now serving this tab
        self.page_gone = True  # no tab: its page closed the live stream (or never opened one)
        self.pace = Pace()  # the speed of play
        self.divergence = None  # a Divergence once the loss blew up, until the network changes
        self.client = None  # who opened it (SessionStore counts per client)
        self.lock = threading.RLock()  # held around everything that reads or trains the model
        if config.dataset == datasets.UPLOAD:
            raise ProtocolError(
                "dataset 'csv' is a file uploaded to another tab, and a link does not carry "
                "the file: open the link without it and upload the CSV file again",
                field="dataset",
            )
        self.config = config
        self._use_data(datasets.build(config, None))

    # -- building ---------------------------------------------------------------
    def _use_data(self, data):
        self.data = data
        self.data_version += 1
        self._build_network()

    def _build_network(self):
        c = self.config
        self.rng = np.random.default_rng((c.seed, 1))
        sizes = [len(c.features), *c.layers, self.data.n_outputs]
        self.network = Network(sizes, c.activations, c.dropout, self.rng)
        self.trainer = training.make_trainer(self.network, self.data, c, self.rng)
        self.divergence = None
        self._touch()

    def _record(self):
        """A History row for the network as it is now (the losses of huge weights may overflow)."""
        with np.errstate(all="ignore"):
            self.trainer.record()

    def _touch(self):
        self.version += 1
        self.pending = None
        self.changed.set()

    # -- commands ---------------------------------------------------------------
    def set_config(self, message):
        new = cfg.parse(message, self.config)
        if new.dataset == datasets.UPLOAD and self.upload is None:
            raise ProtocolError("dataset 'csv' needs a CSV file: upload one first", field="dataset")
        keys = cfg.changed(self.config, new)
        self.divergence = None
        data = datasets.build(new, self.upload) if keys & set(cfg.DATA_KEYS) else None
        old, self.config = self.config, new
        if data is not None:
            self._use_data(data)
        elif keys & set(cfg.NETWORK_KEYS):
            self._build_network()
        else:
            if "activations" in keys:
                self.network.set_activations(new.activations)
            if "dropout" in keys:
                self.network.set_dropout(new.dropout)
            training.configure(
                self.trainer, self.network, new, reset_optimizer=new.optimizer != old.optimizer
            )
            if keys & {"activations", "dropout"}:
                self._record()
            self._touch()
        return keys

    def set_upload(self, ds, name):
        """Train on an uploaded LabeledDataset from now on."""
        new = cfg.parse({"dataset": datasets.UPLOAD}, self.config)
        data = datasets.build(new, ds)
        self.upload, self.upload_name, self.config = ds, name, new
        self._use_data(data)

    def set_playing(self, playing):
        """Play or pause; the event stream does the training while playing."""
        self.playing = bool(playing)
        if self.playing:
            self.pace.restart()
        self._touch()

    def set_speed(self, speed):
        """Epochs per second while playing (a name of ``pace.SPEEDS``)."""
        self.pace.set(speed)
        self._touch()

    def edit(self, layer, to, source, value):
        """Set one weight (``source``: the neuron it comes from, 0-based) or,
        with ``source`` None, one bias of layer ``layer`` (1-based, as the
        page numbers the layers) to ``value``."""
        n = len(self.network.linears)
        if isinstance(layer, bool) or not isinstance(layer, int) or not 1 <= layer <= n:
            raise ProtocolError(f"layer must be from 1 to {n}, got {layer!r}", field="layer")
        lin = self.network.linears[layer - 1]
        checks = [("to", to, lin.out_features)]
        if source is not None:
            checks.append(("from", source, lin.in_features))
        for name, v, size in checks:
            if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v < size:
                raise ProtocolError(
                    f"{name} must be a neuron of layer {layer - 1 if name == 'from' else layer}, "
                    f"from 0 to {size - 1}; got {v!r}",
                    field=name,
                )
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not (abs(value) <= limits.MAX_EDIT_VALUE)
        ):
            raise ProtocolError(
                f"value must be a number from {-limits.MAX_EDIT_VALUE:g} to "
                f"{limits.MAX_EDIT_VALUE:g}, got {value!r}",
                field="value",
            )
        if source is None:
            lin.bias._data[to] = value
        else:
            lin.weight._data[to, source] = value
        self.divergence = None
        self._record()
        self._touch()

    def reset(self):
        """New random weights, epoch 0 (the data stay)."""
        self.divergence = None
        self.network.reset(self.rng)
        self.trainer = training.make_trainer(self.network, self.data, self.config, self.rng)
        self._touch()

    def regenerate(self, seed):
        """New points from a new seed (a built-in data set) or a new split (CSV)."""
        self.set_config({"seed": seed})

    def _epoch(self, deadline):
        """trainer.train_epoch, with a blow-up (a NaN/∞ loss or gradient,
        caught before its update) turned into a pause and a Divergence; True
        when the epoch ended or training stopped."""
        try:
            with np.errstate(all="ignore"):
                return self.trainer.train_epoch(deadline=deadline) is not None
        except FloatingPointError as exc:
            self.playing = False
            point = worst_point(self.network, self.data, self.config.features)
            self.divergence = Divergence(
                exc, self.trainer.epoch + 1, self.config.learningRate, point
            )
            return True

    def step(self, deadline=None):
        """Train to the end of the current epoch (one whole epoch if none is
        under way), or until ``deadline``; True when the epoch is done (or
        training blew up). At the speed "step": one mini-batch."""
        if self.pace.unit == "batch":
            deadline = 0.0  # passed: train_epoch stops after one batch
        done = self._epoch(deadline) or deadline == 0.0
        self._touch()
        return done

    def train_for(self, seconds=limits.TRAIN_SLICE_SECONDS):
        """What play owes now at the session's speed: mini-batches for
        ``seconds`` across epochs at "max" (at least one batch), else the
        whole epochs (or the mini-batch) due, within ``seconds``."""
        deadline = time.monotonic() + seconds
        due = self.pace.due()
        if due and self.pace.unit == "batch":
            self._epoch(0.0)
            self.pace.paid(1)
        elif due and self.pace.unlimited:
            for _ in range(limits.MAX_EPOCHS_PER_SLICE):
                if not self._epoch(deadline) or self.divergence or time.monotonic() >= deadline:
                    break
        elif due:
            for _ in range(min(due, limits.MAX_EPOCHS_PER_SLICE)):
                if not self._epoch(deadline) or self.divergence:
                    break
                self.pace.paid(1)
        if due:
            self._touch()

    @property
    def diverged(self):
        """True when a weight or bias is no longer a finite number (NaN or ±∞)."""
        return not all(np.isfinite(np.asarray(p)).all() for p in self.network.parameters())

    def _refuse_diverged(self, what):
        raise ProtocolError(
            f"{what}: the network has diverged (its weights are no longer "
            "finite numbers); lower the learning rate and press reset",
            status=409,
            field="diverged",
        )

    def trace(self, index):
        """The traced step on training point ``index`` (a 409 when the weights
        or the step's numbers are not finite: nothing is kept to apply)."""
        self.pending = None
        if self.diverged:
            self._refuse_diverged("no step can be traced")
        payload, pending = backward.trace_point(
            self.network, self.data, self.config, index, self.version
        )
        try:
            dumps(payload)  # what the page would get: refused with NaN or ±∞ in it
        except ValueError:
            self._refuse_diverged("this step's numbers are not finite")
        self.pending = pending
        return payload

    def apply_trace(self):
        if self.pending is None or self.pending.version != self.version:
            raise ProtocolError(
                "there is no traced step to apply (the network changed since "
                "the point was picked); pick a point again"
            )
        if not self.pending.finite():
            self.pending = None
            self._refuse_diverged("the traced step was not applied")
        self.pending.apply()
        self._record()
        self._touch()

    # -- what the page draws ----------------------------------------------------
    @property
    def train_x(self):
        """The training points after the feature transform (the network's inputs)."""
        return self.trainer.evaluations["train"][0]

    @property
    def train_loss(self):
        return self.trainer.history.last("train_loss")

    @property
    def test_loss(self):
        return self.trainer.history.last("test_loss")

    def data_message(self):
        d = self.data

        def part(x, y):
            ys = y.tolist() if d.task == "classification" else y[:, 0].tolist()
            return {"x": np.round(x.astype(np.float64), 5).tolist(), "y": ys}

        return {
            "dataVersion": self.data_version,
            "name": d.name,
            "task": d.task,
            "classes": d.classes,
            "view": list(d.view),
            "targetScale": d.target_scale,
            "uploadName": self.upload_name,
            "uploadTask": None if self.upload is None else self.upload.task,
            "train": part(d.train_x, d.train_y),
            "test": part(d.test_x, d.test_y),
        }

    def frame(self):
        t, c = self.trainer, self.config
        h = t.history
        epochs = [e + 1 for e in h.epoch]  # epochs done: row e holds the state after epoch e
        keys = [training.grad_norm_key(l) for l in range(len(self.network.linears))]
        rows = _rows_with(h, keys[0])
        return {
            "version": self.version,
            "dataVersion": self.data_version,
            "epoch": t.epoch,
            "playing": self.playing,
            "diverged": self.diverged or self.divergence is not None,
            "divergence": None if self.divergence is None else self.divergence.to_dict(),
            "speed": self.pace.speed,
            "batch": 0 if t._run is None else t._run.done,
            "batches": len(t.loader),
            "config": c.to_dict(),
            "trainLoss": _finite(self.train_loss),
            "testLoss": _finite(self.test_loss),
            "history": {
                "epoch": epochs,
                "train": [_finite(v) for v in h["train_loss"]],
                "test": [_finite(v) for v in h["test_loss"]],
            },
            "gradNorms": {
                "epoch": [epochs[i] for i in rows],
                "layers": [[_finite(h[k][i]) for i in rows] for k in keys],
            },
            "weights": [
                {
                    "W": [[_finite(v) for v in row] for row in W.tolist()],
                    "b": [_finite(v) for v in b.tolist()],
                }
                for W, b in self.network.weights()
            ],
            "neurons": heatmaps.neuron_maps(self.network, self.data, c.features),
            "output": heatmaps.output_map(self.network, self.data, c.features),
            "grids": {"neuron": limits.NEURON_GRID, "output": limits.OUTPUT_GRID},
        }
