"""``Trainer``: one training run (model, loss, optimizer, metrics,
callbacks, History) advanced batch by batch and epoch by epoch, with
checkpoints to resume from; ``fit`` and the playground drive it."""

from __future__ import annotations

import math
import time

import numpy as np

from ..backends import allocator
from ..random import get_rng_state, set_rng_state
from . import metrics as metrics_mod
from .batches import _match_target, _split
from .evaluation import evaluate
from .finite import nonfinite_problem
from .history import History
from .progress import Progress, StopOnInterrupt


class _EpochRun:
    """The epoch under way: its batches still to come and its running sums
    (over the batches that updated the weights: ``stepped`` of ``done``)."""

    def __init__(self, loader, metric_names, n_norms):
        self.batches = iter(loader)
        self.total, self.done, self.stepped, self.skipped = len(loader), 0, 0, 0
        self.loss, self.count = 0.0, 0
        self.sums = dict.fromkeys(metric_names, 0.0)
        self.norms = np.zeros(n_norms)

    def logs(self):
        if not self.count:
            # every batch so far was skipped as non-finite: say so rather than log nothing
            return {"loss": math.nan, **dict.fromkeys(self.sums, math.nan)} if self.done else {}
        return {"loss": self.loss / self.count, **{k: v / self.count for k, v in self.sums.items()}}


class Trainer:
    """A training run: model, loss, optimizer, metrics, the callbacks (they
    see it as ``self.trainer``), the History, and the epoch under way.
    ``fit`` drives it for a number of epochs; the playground one epoch, or
    one time slice of an epoch, at a time (``train_epoch``).

    penalty: a function of no arguments giving a scalar Tensor (or None)
    added to every batch's loss, e.g. ``lambda: optim.l2_penalty(weights,
    lam)``; the logged 'loss' is what was minimized, penalty included.
    grad_norms: {name: parameter}; every epoch logs 'grad_norm_<name>', the
    mean over its batches of ‖∂L/∂p‖.
    evaluations: {prefix: data} (Dataset, DataLoader or (X, y)) evaluated in
    eval mode after every epoch and by ``record()``, logged as
    '<prefix>_loss' and '<prefix>_<metric>' (fit's validation is 'val').
    stop_on_nan: check each batch between backward and step; when its loss
    or a gradient is NaN/Inf, raise FloatingPointError with the weights as
    they were before it (no update). False: no check (the playground shows
    the divergence). skip_nonfinite: skip such a batch instead (no update;
    the epoch logs how many as 'skipped_batches').
    """

    def __init__(
        self,
        model,
        loss_fn,
        optimizer,
        metrics=(),
        callbacks=(),
        *,
        loader=None,
        penalty=None,
        grad_norms=None,
        evaluations=None,
        history=None,
        eval_batch_size=256,
        stop_on_nan=True,
        skip_nonfinite=False,
    ):
        allocator.keep_freed_memory()  # steps reuse the pages earlier steps freed (once a process)
        self.model, self.loss_fn, self.optimizer = model, loss_fn, optimizer
        self.metrics = list(metrics)
        self.callbacks = list(callbacks)
        self.loader = loader
        self.penalty = penalty
        self.grad_norms = dict(grad_norms or {})
        self.evaluations = dict(evaluations or {})
        self.history = History() if history is None else history
        self.eval_batch_size = eval_batch_size
        self.stop_on_nan, self.skip_nonfinite = stop_on_nan, skip_nonfinite
        self._callback_states = None  # from a resumed checkpoint, for after on_train_begin
        self.scheduler = None
        self.epoch = 0  # epochs completed (the next one's index)
        self.epochs = None  # fit's target
        self.stop_training = False
        self.interrupted = False
        self._run = None  # the epoch under way (an _EpochRun)
        self._buffers = None  # the model's buffers (BatchNorm's running statistics), found once
        self.parallel = None  # under mpiexec: fit's DataParallel (train/parallel.py)
        for cb in self.callbacks:
            cb.set_trainer(self)

    def checkpoint_state(self, epoch):
        """Everything needed to continue training exactly from after ``epoch``."""
        return {
            "format": "glassnet-checkpoint-1",
            "epoch": int(epoch),
            "model": self.model.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "scheduler": self.scheduler.state_dict() if self.scheduler is not None else None,
            "rng": get_rng_state(),
            "history": self.history.state_dict(),
            "callbacks": {
                key: state
                for key, cb in self._keyed_callbacks()
                if (state := cb.state_dict()) is not None
            },
        }

    def _keyed_callbacks(self):
        """(key, callback) pairs: the class name, '#2', '#3'... for a repeated class."""
        seen: dict[str, int] = {}
        for cb in self.callbacks:
            name = type(cb).__name__
            seen[name] = seen.get(name, 0) + 1
            yield (name if seen[name] == 1 else f"{name}#{seen[name]}"), cb

    def logged_keys(self):
        """The keys every epoch's logs will have (what callbacks may monitor)."""
        names = [metrics_mod.metric_name(m) for m in self.metrics]
        keys = {"loss", "lr", *names, *(f"grad_norm_{n}" for n in self.grad_norms)}
        if self.skip_nonfinite:
            keys.add("skipped_batches")
        for prefix in self.evaluations:
            keys.update(f"{prefix}_{k}" for k in ("loss", *names))
        return keys

    def restore(self, path):
        """Load a checkpoint written by ModelCheckpoint; returns the next epoch."""
        from ..io import load

        state = load(path)
        if not isinstance(state, dict) or state.get("format") != "glassnet-checkpoint-1":
            raise ValueError(
                f"fit(resume={str(path)!r}): the file is not a glassnet training "
                "checkpoint (write one with callbacks=[ModelCheckpoint(path)]); "
                "for plain weights use model.load_state_dict(gn.load(path))"
            )
        self.model.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])
        if self.scheduler is not None and state.get("scheduler") is not None:
            self.scheduler.load_state_dict(state["scheduler"])
        set_rng_state(state["rng"])
        self.history = History.from_state_dict(state["history"])
        self._callback_states = state.get("callbacks") or {}
        self.epoch = int(state["epoch"]) + 1
        return self.epoch

    def _restore_callbacks(self):
        states, self._callback_states = self._callback_states, None
        for key, cb in self._keyed_callbacks():
            if states and key in states:
                cb.load_state_dict(states[key])

    def _train_batch(self, batch, run):
        """forward, loss (+ penalty), zero_grad, backward, step; adds to ``run``."""
        xb, yb = _split(batch)
        checked = self.stop_on_nan or self.skip_nonfinite
        before = self._buffer_values() if checked else None
        out = self.model(xb) if self.parallel is None else self.parallel.forward(xb)
        yb = _match_target(out, yb)
        loss = self.loss_fn(out, yb)
        extra = self.penalty() if self.penalty is not None else None
        if extra is not None:
            loss = loss + extra
        self.optimizer.zero_grad()
        loss.backward()
        value = loss.item()
        if checked and not self._finite(value, run, before):
            return
        if self.grad_norms:
            run.norms += [
                0.0 if p.grad is None else np.linalg.norm(p.grad._data)
                for p in self.grad_norms.values()
            ]
        self.optimizer.step()
        n = len(xb)
        run.loss += value * n
        run.count += n
        if self.metrics:
            out_arr, y_arr = out._data, np.asarray(yb)
            for m in self.metrics:
                run.sums[metrics_mod.metric_name(m)] += m(out_arr, y_arr) * n
        run.done += 1
        run.stepped += 1

    def _buffer_values(self):
        """Copies of the model's buffers (a batch's forward moves BatchNorm's
        running statistics), to put back if the batch is rejected; None when
        the model has none."""
        if self._buffers is None:
            self._buffers = [b for b in self.model.buffers() if b is not None]
        return [b._data.copy() for b in self._buffers] if self._buffers else None

    def _finite(self, value, run, before=None):
        """Before the step: True when the loss and every gradient are finite.
        Else the batch is skipped (``skip_nonfinite``: counted, gradients
        cleared) or FloatingPointError raised; the weights are untouched, and
        so are the buffers (``before``: their values before the forward)."""
        params = [
            p
            for group in self.optimizer.param_groups
            for p in group["params"]
            if p.grad is not None
        ]
        problem = nonfinite_problem(
            value, ((p, np.asarray(p.grad)) for p in params), name_of=self._param_name
        )
        if problem is None:
            return True
        for buffer, value_before in zip(self._buffers or (), before or ()):
            np.copyto(buffer._data, value_before)
        if self.skip_nonfinite:
            run.skipped += 1
            run.done += 1
            self.optimizer.zero_grad()
            return False
        raise FloatingPointError(
            f"fit: {problem} at batch {run.done + 1} of epoch {self.epoch + 1}; the update "
            "was not applied, so the weights are those before this batch. Lower the learning "
            "rate, check the data for NaN/Inf, or pass skip_nonfinite=True to skip such batches"
        )

    def _param_name(self, param):
        names = {id(p): name for name, p in self.model.named_parameters()}
        return names.get(id(param), f"a parameter of shape {tuple(param.shape)}")

    def train_epoch(self, loader=None, deadline=None, progress=None, stop=None):
        """Train on the batches of ``loader`` (default ``self.loader``) to the
        end of the epoch and return its logs, after evaluating, recording the
        row in the History and calling the callbacks. Returns None instead
        when ``time.monotonic()`` passed ``deadline`` or Ctrl-C asked to stop
        (``stop.requested``) first: the next call goes on with the same epoch."""
        loader = self.loader if loader is None else loader
        if self._run is None:
            self._run = _EpochRun(
                loader, [metrics_mod.metric_name(m) for m in self.metrics], len(self.grad_norms)
            )
            for cb in self.callbacks:
                cb.on_epoch_begin(self.epoch, {})
            if progress is not None:
                progress.start(self.epoch)
        run = self._run
        self.model.train()
        for batch in run.batches:
            self._train_batch(batch, run)
            logs = run.logs()
            if progress is not None:
                progress.batch(run.done - 1, logs)
            for cb in self.callbacks:
                cb.on_batch_end(run.done - 1, logs)
            if stop is not None and self._stop_requested(stop):
                self.interrupted = self.stop_training = True
                return None
            if deadline is not None and run.done < run.total and time.monotonic() >= deadline:
                return None
        self._run = None
        if self.parallel is not None:
            self.parallel.reduce_run(run)  # the epoch's sums over every rank's share
        logs = run.logs()
        if run.stepped:
            logs.update(
                {
                    f"grad_norm_{name}": v / run.stepped
                    for name, v in zip(self.grad_norms, run.norms)
                }
            )
        if self.skip_nonfinite:
            logs["skipped_batches"] = run.skipped
        logs.update(self._evaluate())
        logs["lr"] = float(self.optimizer.param_groups[0]["lr"])
        epoch, self.epoch = self.epoch, self.epoch + 1
        self.history.append(epoch, logs)
        if progress is not None:
            progress.end(epoch, {k: v for k, v in logs.items() if k != "lr"})
        for cb in self.callbacks:
            cb.on_epoch_end(epoch, logs)
        for cb in self.callbacks:
            cb.after_epoch(epoch, logs)
        return logs

    def _stop_requested(self, stop):
        """Ctrl-C asked to stop (under mpiexec: on any rank, so all stop at one batch)."""
        return stop.requested if self.parallel is None else self.parallel.any(stop.requested)

    def _evaluate(self):
        logs = {}
        for prefix, data in self.evaluations.items():
            result = evaluate(
                self.model,
                data,
                loss=self.loss_fn,
                metrics=self.metrics,
                batch_size=self.eval_batch_size,
            )
            logs.update({f"{prefix}_{k}": v for k, v in result.items()})
        return logs

    def record(self):
        """Evaluate now and add a row to the History for the model as it is
        (after the last completed epoch, ``epoch`` − 1; −1 before any), e.g.
        after the model changed outside training. Returns the row."""
        logs = self._evaluate()
        self.history.append(self.epoch - 1, logs)
        return logs

    def fit(self, loader, val_data, epochs, start_epoch, verbose, batch_size):
        self.loader, self.epochs, self.epoch = loader, epochs, start_epoch
        self.eval_batch_size = batch_size
        if val_data is not None:
            self.evaluations["val"] = val_data
        progress = Progress(verbose, epochs, len(loader))
        for cb in self.callbacks:
            cb.on_train_begin({})
        if self._callback_states is not None:
            self._restore_callbacks()
        with StopOnInterrupt() as stop:
            while self.epoch < epochs:
                epoch = self.epoch
                self.train_epoch(progress=progress, stop=stop)
                if self.interrupted:
                    run, self._run = self._run, None
                    progress.end(epoch, run.logs() if run is not None else {})
                    if verbose:
                        print(
                            f"Training interrupted during epoch {epoch + 1}; the model keeps "
                            "the weights of the last completed step."
                        )
                    break
                if self.stop_training:
                    break
        for cb in self.callbacks:
            cb.on_train_end({})
        return self.history
