"""One browser tab's playground: its settings, data, network and trainer.

Every method here runs glassnet code, and glassnet's grad mode (like
``no_grad``) is one switch for the whole process, so callers hold
``ENGINE`` around them: sessions take turns, each for a short slice.
"""
import threading
import time

import numpy as np

from . import backward, datasets, heatmaps, limits
from . import config as cfg
from .errors import ProtocolError
from .network import Network
from .trainer import Trainer

ENGINE = threading.RLock()


def _finite(v):
    return v if v is None or np.isfinite(v) else None


class Session:
    def __init__(self, sid, config):
        self.id = sid
        self.upload = None            # LabeledDataset from a CSV file
        self.upload_name = None
        self.playing = False
        self.version = 0              # bumps whenever the page has something new to draw
        self.data_version = 0
        self.pending = None           # the traced step the page may apply
        self.changed = threading.Event()
        self.last_seen = time.monotonic()
        self.stream_owner = None      # the event stream now serving this tab
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
        self.trainer = Trainer(self.network, self.data, c, self.rng)
        self._touch()

    def _touch(self):
        self.version += 1
        self.pending = None
        self.changed.set()

    # -- commands ---------------------------------------------------------------
    def set_config(self, message):
        new = cfg.parse(message, self.config)
        if new.dataset == datasets.UPLOAD and self.upload is None:
            raise ProtocolError("dataset 'csv' needs a CSV file: upload one first",
                                field="dataset")
        keys = cfg.changed(self.config, new)
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
            self.trainer.configure(new, reset_optimizer=new.optimizer != old.optimizer)
            if keys & {"activations", "dropout"}:
                self.trainer.record()
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
        self._touch()

    def reset(self):
        """New random weights, epoch 0 (the data stay)."""
        self.network.reset(self.rng)
        self.trainer = Trainer(self.network, self.data, self.config, self.rng)
        self._touch()

    def regenerate(self, seed):
        """New points from a new seed (a built-in data set) or a new split (CSV)."""
        self.set_config({"seed": seed})

    def step(self, deadline=None):
        """Train to the end of the current epoch (one whole epoch if none is
        under way), or until ``deadline``; True when the epoch is done."""
        done = self.trainer.train(deadline)
        self._touch()
        return done

    def train_for(self, seconds=limits.TRAIN_SLICE_SECONDS):
        """Mini-batches for ``seconds``, across epochs (at least one batch)."""
        deadline = time.monotonic() + seconds
        for _ in range(limits.MAX_EPOCHS_PER_SLICE):
            if not self.trainer.train(deadline) or time.monotonic() >= deadline:
                break
        self._touch()

    def trace(self, index):
        payload, pending = backward.trace_point(self.network, self.data, self.config, index,
                                                self.version)
        self.pending = pending
        return payload

    def apply_trace(self):
        if self.pending is None or self.pending.version != self.version:
            raise ProtocolError("there is no traced step to apply (the network changed since "
                                "the point was picked); pick a point again")
        self.pending.apply()
        self.trainer.record()
        self._touch()

    # -- what the page draws ----------------------------------------------------
    def data_message(self):
        d = self.data

        def part(x, y):
            ys = y.tolist() if d.task == "classification" else y[:, 0].tolist()
            return {"x": np.round(x.astype(np.float64), 5).tolist(), "y": ys}
        return {"dataVersion": self.data_version, "name": d.name, "task": d.task,
                "classes": d.classes, "view": list(d.view), "targetScale": d.target_scale,
                "uploadName": self.upload_name,
                "uploadTask": None if self.upload is None else self.upload.task,
                "train": part(d.train_x, d.train_y), "test": part(d.test_x, d.test_y)}

    def frame(self):
        t, c = self.trainer, self.config
        epochs, train, test = t.losses.columns(3)
        norms = t.grad_norms.columns(len(self.network.linears) + 1)
        return {
            "version": self.version, "dataVersion": self.data_version, "epoch": t.epoch,
            "playing": self.playing, "config": c.to_dict(),
            "trainLoss": _finite(t.train_loss), "testLoss": _finite(t.test_loss),
            "history": {"epoch": epochs, "train": [_finite(v) for v in train],
                        "test": [_finite(v) for v in test]},
            "gradNorms": {"epoch": norms[0],
                          "layers": [[_finite(v) for v in col] for col in norms[1:]]},
            "weights": [{"W": [[_finite(v) for v in row] for row in W.tolist()],
                         "b": [_finite(v) for v in b.tolist()]}
                        for W, b in self.network.weights()],
            "neurons": heatmaps.neuron_maps(self.network, self.data, c.features),
            "output": heatmaps.output_map(self.network, self.data, c.features),
            "grids": {"neuron": limits.NEURON_GRID, "output": limits.OUTPUT_GRID},
        }
