"""What training means in the playground, on top of ``train.Trainer``: the
task's loss (softmax + cross-entropy for classes, the article's ½(y − ŷ)²
for numbers), the page's optimizer, rate, batch size and L1/L2 penalty,
the train/test points after the feature transform, and a history of
bounded length with the train and test loss and each layer's ‖∂L/∂W‖ per
epoch. A mini-batch whose loss or gradient is NaN/∞ raises
FloatingPointError before its update (``session.py`` makes it a pause)."""

from .. import optim
from ..data import DataLoader, TensorDataset
from ..nn.loss_registry import LOSSES
from ..optim.registry import OPTIMIZERS
from ..tensor import Tensor
from ..train.history import History
from ..train.loop import Trainer
from . import limits
from .features import transform

LOSS_BY_TASK = {"classification": "cross_entropy", "regression": "half_squared_error"}


def loss_function(task):
    """Softmax + cross-entropy for classes; the article's ½(y − ŷ)² for numbers."""
    return LOSSES[LOSS_BY_TASK[task]].layer()


def grad_norm_key(layer):
    """The History key of layer ``layer``'s (0-based) mean ‖∂L/∂W‖ (the
    Trainer logs 'grad_norm_<name>' for the name given in make_trainer)."""
    return f"grad_norm_W{layer + 1}"


def _penalty(network, config):
    if config.regularization == "none" or config.regularizationRate == 0:
        return None
    weights = [lin.weight for lin in network.linears]
    fn = optim.l1_penalty if config.regularization == "l1" else optim.l2_penalty
    return lambda: fn(weights, lam=config.regularizationRate)


def make_trainer(network, data, config, generator):
    """A Trainer of ``network`` on ``data`` with the settings of ``config``;
    batches are shuffled by ``generator``. Its History starts with the
    losses before training (epoch −1)."""
    train_x = transform(data.train_x, config.features)
    test_x = transform(data.test_x, config.features)
    loader = DataLoader(
        TensorDataset(Tensor(train_x), Tensor(data.train_y)),
        batch_size=config.batchSize,
        shuffle=True,
        generator=generator,
    )
    trainer = Trainer(
        network.sequential(),
        loss_function(data.task),
        OPTIMIZERS[config.optimizer].make(network.parameters(), config.learningRate),
        loader=loader,
        grad_norms={f"W{l + 1}": lin.weight for l, lin in enumerate(network.linears)},
        evaluations={"train": (train_x, data.train_y), "test": (test_x, data.test_y)},
        history=History(limit=limits.HISTORY_POINTS),
        eval_batch_size=limits.MAX_POINTS,
        stop_on_nan=True,  # a blow-up stops before its update: the page shows where
    )
    configure(trainer, network, config)
    trainer.record()
    return trainer


def configure(trainer, network, config, reset_optimizer=False):
    """Take the settings of ``config`` that keep the weights: the network's
    layers (activations, dropout), optimizer (a fresh one if
    ``reset_optimizer``), learning rate, batch size (from the next epoch)
    and penalty."""
    trainer.model = network.sequential()
    if reset_optimizer:
        trainer.optimizer = OPTIMIZERS[config.optimizer].make(
            network.parameters(), config.learningRate
        )
    for group in trainer.optimizer.param_groups:
        group["lr"] = config.learningRate
    loader = trainer.loader
    if loader.batch_size != config.batchSize:
        trainer.loader = DataLoader(
            loader.dataset, batch_size=config.batchSize, shuffle=True, generator=loader.generator
        )
    trainer.penalty = _penalty(network, config)
