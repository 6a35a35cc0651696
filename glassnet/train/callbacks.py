"""Callbacks for ``fit``: EarlyStopping, ModelCheckpoint, LRSchedulerCallback,
CSVLogger. A callback gets ``trainer`` (model, optimizer, history,
``stop_training``) and hooks called at the start/end of training, of each
epoch and after each batch, with the logs of that moment.

A callback with something to remember between epochs (a best value, a
patience count) gives it in ``state_dict()``: ModelCheckpoint stores it in
the checkpoint, and ``fit(resume=...)`` hands it back through
``load_state_dict`` right after ``on_train_begin``, so a resumed run goes
on as if it had never stopped."""

import csv
import io
import math
import os

import numpy as np

from ..io.atomic import check_target
from .template import PathTemplate


class Callback:
    trainer = None

    def set_trainer(self, trainer):
        self.trainer = trainer

    def on_train_begin(self, logs=None):
        pass

    def on_epoch_begin(self, epoch, logs=None):
        pass

    def on_batch_end(self, batch, logs=None):
        pass

    def on_epoch_end(self, epoch, logs=None):
        pass

    def after_epoch(self, epoch, logs=None):
        """Called once every callback's ``on_epoch_end`` has run (where
        ModelCheckpoint writes, so the file holds all their states)."""

    def on_train_end(self, logs=None):
        pass

    def state_dict(self):
        """What to keep across a resume (None: nothing)."""
        return None

    def load_state_dict(self, state):
        """Take back what ``state_dict`` gave."""


def _mode_for(monitor, mode):
    if mode not in ("auto", "min", "max"):
        raise ValueError(f"mode must be 'auto', 'min' or 'max', got {mode!r}")
    if mode == "auto":
        return "max" if any(k in monitor for k in ("acc", "r2")) else "min"
    return mode


def _check_monitor(monitor, logged, who):
    """At the start of training: ``monitor`` must be among the keys the run logs."""
    if monitor not in logged:
        hint = "; pass validation= to fit for the 'val_' keys" if monitor.startswith("val_") else ""
        raise ValueError(
            f"{who}: monitor={monitor!r} is never logged by this run; it logs "
            f"{', '.join(sorted(logged))}{hint}"
        )


def _monitored(logs, monitor, who):
    if monitor not in logs:
        raise KeyError(
            f"{who}: monitor={monitor!r} is not in the epoch's logs "
            f"{sorted(logs)}; pass validation= to fit for 'val_' keys"
        )
    return logs[monitor]


class _Best:
    """Tracks the best value of a monitored quantity."""

    def __init__(self, mode, min_delta=0.0):
        self.mode, self.min_delta = mode, abs(min_delta)
        self.value = math.inf if mode == "min" else -math.inf

    def improved(self, value):
        if self.mode == "min":
            better = value < self.value - self.min_delta
        else:
            better = value > self.value + self.min_delta
        if better:
            self.value = value
        return better


def _copy_state(state):
    """A model's state_dict as independent arrays (a snapshot of the weights)."""
    return {k: np.asarray(v).copy() if hasattr(v, "__array__") else v for k, v in state.items()}


class EarlyStopping(Callback):
    """Stop when ``monitor`` has not improved by ``min_delta`` for ``patience``
    epochs; with ``restore_best`` the model gets back its best weights.
    Its best value, wait and best weights are kept across a resume."""

    def __init__(
        self, monitor="val_loss", patience=5, min_delta=0.0, mode="auto", restore_best=True
    ):
        self.monitor, self.patience, self.restore_best = monitor, int(patience), restore_best
        self.mode = _mode_for(monitor, mode)
        self.min_delta = min_delta
        self.stopped_epoch = None
        self._reset()

    def _reset(self):
        self.best = _Best(self.mode, self.min_delta)
        self.wait = 0
        self.best_state = None
        self.best_epoch = None

    def on_train_begin(self, logs=None):
        self._reset()
        _check_monitor(self.monitor, self.trainer.logged_keys(), "EarlyStopping")

    def state_dict(self):
        return {
            "monitor": self.monitor,
            "mode": self.mode,
            "best": self.best.value,
            "wait": self.wait,
            "best_epoch": self.best_epoch,
            "best_state": self.best_state,
        }

    def load_state_dict(self, state):
        if (state.get("monitor"), state.get("mode")) != (self.monitor, self.mode):
            return  # it watched something else: start afresh
        self.best.value, self.wait = state["best"], state["wait"]
        self.best_epoch, self.best_state = state["best_epoch"], state["best_state"]

    def on_epoch_end(self, epoch, logs=None):
        value = _monitored(logs, self.monitor, "EarlyStopping")
        if self.best.improved(value):
            self.wait = 0
            self.best_epoch = epoch
            if self.restore_best:
                self.best_state = _copy_state(self.trainer.model.state_dict())
        else:
            self.wait += 1
            if self.wait >= self.patience:
                self.stopped_epoch = epoch
                self.trainer.stop_training = True

    def on_train_end(self, logs=None):
        if self.restore_best and self.best_state is not None and self.stopped_epoch is not None:
            self.trainer.model.load_state_dict(self.best_state)


class ModelCheckpoint(Callback):
    """Write a training checkpoint (model, optimizer, scheduler, RNG state,
    epoch, history, the callbacks' states) to ``path`` after each epoch —
    atomically, so a crash mid-save leaves the previous file intact.

    The path may hold Keras' fields: ``{epoch}`` (from 1) and any logged
    key with a format spec, ``"ck-{epoch:02d}-{val_loss:.2f}.st"``. A
    malformed field fails here; a key the run never logs, a missing folder
    or one that cannot be written fail when ``fit`` starts. With
    ``save_best_only`` only improvements of ``monitor`` are written (the best
    value is kept across a resume); with ``weights_only`` only the model's
    state_dict."""

    def __init__(
        self, path, monitor="val_loss", save_best_only=False, mode="auto", weights_only=False
    ):
        self.template = PathTemplate(path, "ModelCheckpoint")
        self.path, self.monitor = self.template.path, monitor
        self.save_best_only, self.weights_only = save_best_only, weights_only
        self.mode = _mode_for(monitor, mode)
        self.saved = []
        self.best = _Best(self.mode)
        self._due = False

    def on_train_begin(self, logs=None):
        self.best = _Best(self.mode)
        logged = self.trainer.logged_keys()
        self.template.check(logged)
        if self.save_best_only:
            _check_monitor(self.monitor, logged, "ModelCheckpoint")
        check_target(self.template.sample(), "ModelCheckpoint")

    def state_dict(self):
        return {"monitor": self.monitor, "mode": self.mode, "best": self.best.value}

    def load_state_dict(self, state):
        if (state.get("monitor"), state.get("mode")) == (self.monitor, self.mode):
            self.best.value = state["best"]

    def on_epoch_end(self, epoch, logs=None):
        self._due = not self.save_best_only or self.best.improved(
            _monitored(logs, self.monitor, "ModelCheckpoint")
        )

    def after_epoch(self, epoch, logs=None):
        if not self._due:
            return
        self._due = False
        from ..io import save

        path = self.template.format(epoch, logs)
        state = (
            self.trainer.model.state_dict()
            if self.weights_only
            else self.trainer.checkpoint_state(epoch)
        )
        save(state, path)
        self.saved.append(path)


class LRSchedulerCallback(Callback):
    """Step an lr scheduler after every epoch (or every batch with
    ``per='batch'``, e.g. OneCycleLR). ReduceLROnPlateau is stepped with the
    monitored value."""

    def __init__(self, scheduler, monitor="val_loss", per="epoch"):
        if per not in ("epoch", "batch"):
            raise ValueError(f"LRSchedulerCallback: per must be 'epoch' or 'batch', got {per!r}")
        self.scheduler, self.monitor, self.per = scheduler, monitor, per

    def set_trainer(self, trainer):
        super().set_trainer(trainer)
        trainer.scheduler = self.scheduler

    def _step(self, logs):
        if type(self.scheduler).__name__ == "ReduceLROnPlateau":
            key = self.monitor if self.monitor in logs else "loss"
            self.scheduler.step(_monitored(logs, key, "LRSchedulerCallback"))
        else:
            self.scheduler.step()

    def on_batch_end(self, batch, logs=None):
        if self.per == "batch":
            self._step(logs)

    def on_epoch_end(self, epoch, logs=None):
        if self.per == "epoch":
            self._step(logs)


class CSVLogger(Callback):
    """Write one row per epoch (epoch, loss, metrics, lr) to a CSV file, the
    whole file rewritten atomically each epoch."""

    def __init__(self, path):
        self.path = os.fspath(path)

    def on_train_begin(self, logs=None):
        check_target(self.path, "CSVLogger")

    def on_epoch_end(self, epoch, logs=None):
        from ..io import atomic_write

        history = self.trainer.history
        keys = list(history.history)
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(["epoch"] + keys)
        for i, e in enumerate(history.epoch):
            writer.writerow(
                [e + 1]
                + [repr(history.history[k][i]) if i < len(history.history[k]) else "" for k in keys]
            )
        atomic_write(self.path, buf.getvalue().encode())
        self.written = os.path.exists(self.path)


class ProgressBar(Callback):
    """One progress bar over all epochs (tqdm when installed, else a text line),
    showing the latest loss: for long runs of short epochs, where a bar per
    epoch (``fit(verbose=1)``) would print hundreds of lines."""

    def __init__(self, desc="training", file=None):
        self.desc, self.file = desc, file

    def on_train_begin(self, logs=None):
        import sys

        self.out = self.file or sys.stderr
        self.total = self.trainer.epochs
        try:
            from tqdm.auto import tqdm

            self.bar = tqdm(total=self.total, desc=self.desc, unit="epoch", file=self.out)
        except ImportError:
            self.bar = None
        self.done = 0

    def on_epoch_end(self, epoch, logs=None):
        self.done += 1
        shown = {k: f"{v:.5f}" for k, v in logs.items() if k != "lr"}
        if self.bar is not None:
            self.bar.update(1)
            self.bar.set_postfix(shown, refresh=False)
        elif self.done % max(1, self.total // 50) == 0 or self.done == self.total:
            text = " ".join(f"{k}={v}" for k, v in shown.items())
            self.out.write(f"\r{self.desc}: {self.done}/{self.total} epochs {text}")
            self.out.flush()

    def on_train_end(self, logs=None):
        if self.bar is not None:
            self.bar.close()
        else:
            self.out.write("\n")
