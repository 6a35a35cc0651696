"""What a training run shows and hears while it runs: the progress bar of
each epoch, and Ctrl-C turned into "stop after this batch"."""

import signal
import sys
import threading
import time

from .notebook import LiveLossPlot, in_notebook, notebook_tqdm


class StopOnInterrupt:
    """While active, the first Ctrl-C only asks training to stop after the
    current batch (so no half-applied update is left); a second one raises."""

    def __init__(self):
        self.requested = False
        self._old = None

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            self._old = signal.signal(signal.SIGINT, self._handle)
        return self

    def _handle(self, signum, frame):
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True

    def __exit__(self, *exc):
        if self._old is not None:
            signal.signal(signal.SIGINT, self._old)
        return False


class Progress:
    """A progress bar per epoch (tqdm when installed, else a plain text line)."""

    def __init__(self, verbose, epochs, steps):
        self.verbose, self.epochs, self.steps = verbose, epochs, steps
        try:
            from tqdm.auto import tqdm
        except ImportError:
            tqdm = None
        # in a notebook: tqdm's widget bar (the last epoch's stays) and a live loss plot
        self.notebook = verbose == 1 and in_notebook()
        if self.notebook:
            tqdm = notebook_tqdm() or tqdm
        self.tqdm = tqdm if verbose == 1 else None
        self.plot = LiveLossPlot() if self.notebook else None
        self.bar = None

    def start(self, epoch):
        self.t0 = time.perf_counter()
        self.epoch = epoch
        if self.tqdm is not None:
            self.bar = self.tqdm(
                total=self.steps,
                desc=f"Epoch {epoch + 1}/{self.epochs}",
                unit="batch",
                leave=not self.notebook or epoch == self.epochs - 1,
                file=sys.stderr,
            )

    def batch(self, i, logs):
        if self.bar is not None:
            self.bar.update(1)
            if i % 10 == 0 or i == self.steps - 1:
                self.bar.set_postfix({k: f"{v:.4f}" for k, v in logs.items()}, refresh=False)
        elif self.verbose == 1:
            done = i + 1
            rate = (time.perf_counter() - self.t0) / done
            eta = rate * (self.steps - done)
            shown = " ".join(f"{k}={v:.4f}" for k, v in logs.items())
            sys.stderr.write(
                f"\rEpoch {self.epoch + 1}/{self.epochs} {done}/{self.steps} {shown} ETA {eta:.1f}s"
            )
            sys.stderr.flush()

    def end(self, epoch, logs):
        if self.plot is not None:
            self.plot.update(epoch, logs)
        text = " - ".join(f"{k}: {v:.4f}" for k, v in logs.items())
        if self.bar is not None:
            self.bar.set_postfix({k: f"{v:.4f}" for k, v in logs.items()})
            self.bar.close()
        elif self.verbose == 1:
            sys.stderr.write("\n")
        if self.verbose == 2 or (self.verbose == 1 and self.bar is None):
            took = time.perf_counter() - self.t0
            print(f"Epoch {epoch + 1}/{self.epochs} - {took:.2f}s - {text}")
