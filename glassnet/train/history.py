"""History: what ``fit`` returns — per-epoch train/validation loss and metrics."""

import math


class History:
    """``history.history`` maps 'loss', 'val_loss', metric names and their
    'val_' forms (and 'lr') to one value per epoch, as in Keras;
    ``history.epoch`` holds the (0-based) epoch of each row.

    Rows may log different keys (a row recorded between epochs has no
    training loss): a key missing from a row reads NaN there, so every list
    has one value per row. With ``limit``, a history longer than ``limit``
    rows keeps every other row and the last one, and from then on keeps
    only every second row appended (every fourth after the next thinning,
    and so on) besides the latest: the rows stay evenly spaced over the
    whole run, in bounded memory (the playground's curves)."""

    def __init__(self, history=None, epoch=None, limit=None):
        self.history = {k: list(v) for k, v in (history or {}).items()}
        self.epoch = list(epoch or [])
        if limit is not None and limit < 2:
            raise ValueError(f"History: limit must be at least 2 rows, got {limit!r}")
        self.limit = limit
        self._serial = list(range(len(self.epoch)))  # each row's number among all appended
        self._appended = len(self.epoch)
        self._stride = 1  # with a limit: rows whose number is a multiple of this are kept

    def append(self, epoch, logs):
        if self.limit is not None and self._serial and self._serial[-1] % self._stride:
            self._drop_last()  # it was kept only as the latest row
        rows = len(self.epoch)
        self._serial.append(self._appended)
        self._appended += 1
        self.epoch.append(epoch)
        for key, value in logs.items():
            self.history.setdefault(key, [math.nan] * rows).append(float(value))
        for column in self.history.values():
            if len(column) == rows:
                column.append(math.nan)
        if self.limit is not None and len(self.epoch) > self.limit:
            self._thin()

    def _drop_last(self):
        self._serial.pop()
        self.epoch.pop()
        for column in self.history.values():
            column.pop()

    def _thin(self):
        self._stride *= 2
        last = len(self.epoch) - 1
        keep = [i for i, n in enumerate(self._serial) if n % self._stride == 0 or i == last]
        self.epoch = [self.epoch[i] for i in keep]
        self._serial = [self._serial[i] for i in keep]
        self.history = {k: [v[i] for i in keep] for k, v in self.history.items()}

    def last(self, key, default=math.nan):
        """The latest value logged for ``key`` (``default`` if there is none)."""
        column = self.history.get(key)
        return column[-1] if column else default

    def __getitem__(self, key):
        return self.history[key]

    def __len__(self):
        return len(self.epoch)

    def state_dict(self):
        return {"history": {k: list(v) for k, v in self.history.items()}, "epoch": list(self.epoch)}

    @classmethod
    def from_state_dict(cls, state):
        return cls(state["history"], state["epoch"])

    def plot(self, path=None, keys=None, title="Training history"):
        """Plot loss (and metrics) per epoch with matplotlib; save to ``path``
        (PNG or SVG) if given. Returns the figure."""
        try:
            import matplotlib

            if path is not None:
                matplotlib.use("Agg", force=False)
            import matplotlib.pyplot as plt
        except ImportError:
            raise ImportError(
                "History.plot needs matplotlib: pip install 'glassnet[viz]'"
            ) from None
        keys = keys or [k for k in self.history if k != "lr"]
        base = sorted(
            {k[4:] if k.startswith("val_") else k for k in keys}, key=lambda k: (k != "loss", k)
        )
        fig, axes = plt.subplots(1, len(base), figsize=(4.5 * len(base), 3.5), squeeze=False)
        epochs = [e + 1 for e in self.epoch]
        for ax, name in zip(axes[0], base):
            for key, style in ((name, "-"), ("val_" + name, "--")):
                if key in self.history:
                    ax.plot(epochs, self.history[key], style, label=key)
            ax.set_xlabel("epoch")
            ax.set_ylabel(name)
            ax.grid(alpha=0.3)
            ax.legend()
        fig.suptitle(title)
        fig.tight_layout()
        if path is not None:
            fig.savefig(path)
        return fig

    def __repr__(self):
        last = {k: round(v[-1], 6) for k, v in self.history.items() if v}
        return f"History(epochs={len(self.epoch)}, last={last})"
