"""``fit``, ``evaluate`` and ``predict``: the training loop people expect
from Keras and scikit-learn, written with the PyTorch pieces.

One epoch = one pass over the training data in mini-batches; for each
batch: forward, loss, ``zero_grad``, ``backward``, ``step`` — the article's
w ← w − η·∂L/∂w, repeated. ``batch_size=len(data)`` is batch gradient
descent, ``batch_size=1`` stochastic gradient descent, anything between is
mini-batch gradient descent.

The pieces live beside it: ``trainer`` (the Trainer that runs the epochs),
``evaluation`` (``evaluate``, ``predict``), ``batches`` (data to batches) and
``args`` (the argument checks, the loss/optimizer/metric names); their names
are importable from here as before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .args import _metrics_for, as_callbacks, as_metrics, get_loss, get_optimizer, whole_number
from .batches import _as_tensor as _as_tensor
from .batches import _loader, as_dataset
from .batches import _match_target as _match_target
from .evaluation import evaluate as evaluate
from .evaluation import predict as predict
from .parallel import start as start_data_parallel
from .trainer import Trainer

if TYPE_CHECKING:
    import os
    from collections.abc import Callable, Sequence

    from ..nn import Module
    from ..optim import Optimizer
    from ..tensor import Tensor
    from .batches import Data
    from .callbacks import Callback
    from .history import History


def fit(
    model: Module,
    train: Data,
    loss: str | Callable[..., Tensor] = "mse",
    optimizer: str | Optimizer = "sgd",
    epochs: int = 10,
    batch_size: int = 32,
    validation: Data | float | None = None,
    metrics: str | Sequence[str | Callable[..., Any]] = (),
    callbacks: Callback | Sequence[Callback] = (),
    verbose: int = 1,
    lr: float | None = None,
    shuffle: bool = True,
    resume: str | os.PathLike[str] | None = None,
    generator: np.random.Generator | None = None,
    penalty: Callable[[], Tensor] | None = None,
    skip_nonfinite: bool = False,
) -> History:
    """Train ``model`` and return a History.

    train: a Dataset, DataLoader or (X, y); validation: a Dataset/(X, y) or a
    fraction of ``train`` held out (split with the seeded generator).
    loss/optimizer: instances or names; metrics: names ('accuracy', 'mse',
    'mae', 'r2') or callables; verbose: 0 silent, 1 progress bar, 2 a line
    per epoch; resume: a checkpoint written by ModelCheckpoint to continue from;
    penalty: a function of no arguments giving a scalar Tensor added to every
    batch's loss (L1/L2: ``lambda: gn.optim.l2_penalty(weights, lam=1e-4)``).
    Ctrl-C stops after the current batch and returns the history so far.

    Each batch's loss and gradients are checked before the update: when one
    is NaN/Inf, FloatingPointError stops training with the weights as they
    were before that batch; with ``skip_nonfinite=True`` the batch is skipped
    instead, and each epoch logs how many were ('skipped_batches'). Output
    paths of the callbacks (checkpoints, CSV) are checked before the first
    batch.

    Started under ``mpiexec -n N``, every process runs this same ``fit`` and
    they train data-parallel (``train/parallel.py``): ``batch_size`` is the
    global batch, split over the ranks; rank 0 alone prints and writes
    checkpoints; a checkpoint resumes at any number of ranks.
    """
    from ..data import DataLoader, random_split

    epochs = whole_number(epochs, "epochs", 0)
    if not isinstance(train, DataLoader):
        batch_size = whole_number(batch_size, "batch_size", 1)
    if verbose not in (0, 1, 2):
        raise ValueError(
            f"fit: verbose must be 0 (silent), 1 (progress bar) or 2 (a line per "
            f"epoch), got {verbose!r}"
        )
    callbacks = as_callbacks(callbacks)
    parallel = start_data_parallel()  # None unless mpiexec started this process among several
    if parallel is not None:
        parallel.sync_random_state(generator)
        callbacks = parallel.callbacks(callbacks)
        verbose = verbose if parallel.is_main else 0
    loss_fn = get_loss(loss)
    opt = get_optimizer(optimizer, model.parameters(), lr)
    metric_fns = _metrics_for(as_metrics(metrics), loss_fn)
    val_data = validation
    if isinstance(validation, float):
        if not 0 < validation < 1:
            raise ValueError(f"fit: validation fraction must be in (0, 1), got {validation}")
        if isinstance(train, DataLoader):
            raise TypeError(
                "fit: a validation fraction needs a Dataset or (X, y), not a "
                "DataLoader; pass validation=<dataset> instead"
            )
        full = as_dataset(train, "train")
        n_val = max(1, int(round(len(full) * validation)))
        train, val_data = random_split(full, [len(full) - n_val, n_val], generator=generator)
    if val_data is not None and not isinstance(val_data, DataLoader):
        val_data = as_dataset(val_data, "validation")
    if parallel is None:
        loader = _loader(train, batch_size, shuffle, "train")
    else:
        loader = parallel.loader(train, batch_size, shuffle, None)
    trainer = Trainer(
        model,
        loss_fn,
        opt,
        metric_fns,
        callbacks,
        penalty=penalty,
        skip_nonfinite=bool(skip_nonfinite),
    )
    start = trainer.restore(resume) if resume is not None else 0
    if parallel is not None:
        parallel.attach(trainer)
    history = trainer.fit(loader, val_data, epochs, start, verbose, batch_size)
    history.interrupted = trainer.interrupted
    return history
