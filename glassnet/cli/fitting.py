"""``glassnet train``'s defaults that work on an ordinary table, and the one-line
hint at the end of a run that did not get there.

Settings: a learning rate per optimizer (Adam-like ones 0.01, SGD 0.1, SGD
with momentum 0.03) and as many epochs as give about ``STEPS`` optimizer
steps (at least ``MIN_EPOCHS``, at most ``MAX_EPOCHS``): a 300-row table gets
200 epochs of 4 batches, digits 1,300 rows about 70 epochs of 21 batches.
The features and a regression's target are standardized (train.py), so one
learning rate suits tables whatever their units.

The hint reads the run's history: a validation score still far from good
(R² under 0.5; accuracy less than halfway from chance to 100 %) ends the
run with what to try, chosen from how the losses moved.
"""

import math

STEPS = 800
MIN_EPOCHS, MAX_EPOCHS = 20, 200
CNN_MAX_EPOCHS = 12  # a convolution epoch costs ~50 MLP ones; digits is fit by then
LR = {"sgd": 0.1, "momentum": 0.03}
ADAPTIVE_LR = 0.01  # adam, adamw, rmsprop, adagrad...


def default_lr(optimizer):
    from ..optim.registry import OPTIMIZERS

    return LR.get(OPTIMIZERS.canonical(optimizer), ADAPTIVE_LR)


def default_epochs(n_train, batch_size, model="mlp"):
    batches = max(1, math.ceil(n_train / batch_size))
    epochs = min(MAX_EPOCHS, max(MIN_EPOCHS, math.ceil(STEPS / batches)))
    return min(epochs, CNN_MAX_EPOCHS) if model == "cnn" else epochs


def settings_line(args, lr, epochs, n_train, scaled_target):
    """What the run will do, and which flags change it."""
    chosen = []
    if args.lr is None:
        chosen.append("--lr")
    if args.epochs is None:
        chosen.append("--epochs")
    steps = epochs * max(1, math.ceil(n_train / args.batch_size))
    scaled = "features" + (" and target" if scaled_target else "")
    scaling = f"{scaled} standardized" if not args.no_standardize else "no standardization"
    how = f" (chosen for this data; {' and '.join(chosen)} change them)" if chosen else ""
    return (
        f"  settings: {args.optimizer}, lr {lr:g}, {epochs} epochs of batch {args.batch_size} "
        f"({steps} steps), {scaling}{how}"
    )


def _score(history, task, prefix):
    key = prefix + ("accuracy" if task == "classification" else "r2")
    value = history.last(key)
    return None if value is None or not math.isfinite(value) else float(value)


def far_from_good(score, task, n_classes):
    if score is None:
        return False
    if task == "classification":
        chance = 1.0 / max(n_classes, 2)
        return score < chance + (1 - chance) / 2
    return score < 0.5


def hint(history, task, n_classes, epochs, lr):
    """One line saying what to try, or None when the validation score is good
    enough (or there was no validation and the training score is)."""
    prefix = "val_" if "val_loss" in history.history else ""
    score = _score(history, task, prefix)
    if not far_from_good(score, task, n_classes):
        return None
    what = "accuracy" if task == "classification" else "R²"
    where = "validation" if prefix else "training"
    head = f"hint: {where} {what} is only {score:.2f} after {epochs} epochs"
    losses = [v for v in history.history.get(prefix + "loss", []) if math.isfinite(v)]
    tail = max(1, len(losses) // 5)  # the last fifth of the run against the fifth before it
    recent, before = losses[-tail:], losses[:-tail][-tail:]
    jumpy = len(recent) >= 3 and max(recent) > 1.25 * min(recent)
    if not losses or losses[-1] > 1.5 * min(losses) or jumpy:
        return (
            f"{head}; the loss jumped up and down or rose again: try a smaller learning "
            f"rate (--lr {lr / 3:.3g})"
        )
    if before and min(recent) < 0.97 * min(before):
        return f"{head}; the loss was still falling: try more epochs (--epochs {2 * epochs})"
    train_score = _score(history, task, "")
    if prefix and train_score is not None and not far_from_good(train_score, task, n_classes):
        return (
            f"{head} (training: {train_score:.2f}): the network learns the training rows "
            "but not the rest: try fewer --epochs, a smaller --hidden, or more data"
        )
    return (
        f"{head}; the loss stopped falling: try a larger network (--hidden 64 64) or "
        f"learning rate (--lr {lr * 3:.3g}), or check that the features can predict the target"
    )
