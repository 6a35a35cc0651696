"""``glassnet train``: train an MLP on a built-in data set or a CSV file from
the command line, print progress and the final test metrics, and
optionally save the weights (safetensors)."""

import os

from ..nn.activation_registry import ACTIVATIONS
from ..optim.registry import OPTIMIZERS
from .options import check_outputs, fraction, fraction_or_zero, positive_float, positive_int

BUILTIN = (
    "digits",
    "iris",
    "wine",
    "breast_cancer",
    "xor",
    "square",
    "house_prices",
    "circle",
    "xor2d",
    "gauss",
    "spiral",
    "plane",
    "multi_gauss",
    "moons",
    "two_spirals",
)
REAL = ("digits", "iris", "wine", "breast_cancer")


def add_parser(sub):
    p = sub.add_parser(
        "train",
        help="train an MLP on a built-in data set or a CSV file",
        description="Train a multi-layer perceptron and report test metrics. Classification "
        "uses softmax + cross-entropy and reports accuracy; regression uses MSE "
        "and reports MSE, MAE and R².",
    )
    p.add_argument(
        "--data",
        required=True,
        help=f"a built-in data set ({', '.join(BUILTIN)}) or a path to a CSV file",
    )
    p.add_argument("--target", help="the target column of a CSV file (required for CSV)")
    p.add_argument(
        "--task",
        choices=("auto", "classification", "regression"),
        default="auto",
        help="classification or regression; auto (default) takes it from the data "
        "set, or for a CSV from the target column as scikit-learn's type_of_target "
        "would (text, or integers with few distinct values → classification; other "
        "numbers → regression), and says what it chose",
    )
    p.add_argument(
        "--model",
        choices=("mlp", "cnn"),
        default="mlp",
        help="mlp (default): Linear layers; cnn: for square images such as digits "
        "(8×8): conv(1→16, 3×3)-ReLU-conv(16→32, 3×3)-ReLU-maxpool 2, then the "
        "--hidden Linear layers",
    )
    p.add_argument(
        "--hidden",
        type=positive_int,
        nargs="*",
        default=[64],
        help="sizes of the hidden layers, e.g. --hidden 64 32 (default: 64)",
    )
    p.add_argument(
        "--activation",
        choices=ACTIVATIONS.accepted(),
        default="relu",
        type=str.lower,
        help="activation of the hidden layers (default relu)",
    )
    p.add_argument(
        "--optimizer",
        choices=OPTIMIZERS.accepted(),
        default="adam",
        type=str.lower,
        help="optimizer (default adam; momentum is SGD with momentum 0.9)",
    )
    p.add_argument("--lr", type=positive_float, default=1e-3, help="learning rate η (default 1e-3)")
    p.add_argument(
        "--epochs",
        type=positive_int,
        default=30,
        help="passes over the data, at least 1 (default 30)",
    )
    p.add_argument(
        "--batch-size",
        type=positive_int,
        default=64,
        help="mini-batch size; the data size gives batch gradient descent, 1 gives "
        "stochastic gradient descent (default 64)",
    )
    p.add_argument(
        "--test-size",
        type=fraction,
        default=0.2,
        help="fraction held out for the final test (default 0.2)",
    )
    p.add_argument(
        "--validation",
        type=fraction_or_zero,
        default=0.1,
        help="fraction of the training part used for validation each epoch "
        "(default 0.1; 0 to skip)",
    )
    p.add_argument(
        "--no-standardize",
        action="store_true",
        help="do not standardize the features (default: standardize to mean 0, "
        "std 1 using the training part's statistics)",
    )
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument(
        "--save",
        metavar="PATH",
        help="write the trained weights to PATH (safetensors; checked before training)",
    )
    p.add_argument(
        "--skip-nonfinite",
        action="store_true",
        help="skip a batch whose loss or gradients are NaN/Inf instead of stopping "
        "(default: stop, keeping the weights from before that batch)",
    )
    p.add_argument(
        "--verbose",
        type=int,
        choices=(0, 1, 2),
        default=2,
        help="0 silent, 1 progress bars, 2 one line per epoch (default 2)",
    )
    p.set_defaults(func=run)
    return p


def load_data(args):
    from ..data import datasets

    if os.path.splitext(args.data)[1].lower() == ".csv" or os.path.exists(args.data):
        if not args.target:
            raise SystemExit(f"glassnet train: --target is required with a CSV file ({args.data})")
        task = None if args.task == "auto" else args.task
        return datasets.load_csv(args.data, target=args.target, task=task)
    if args.data not in BUILTIN:
        raise SystemExit(
            f"glassnet train: unknown data set {args.data!r}; expected one of "
            f"{', '.join(BUILTIN)} or a path to a .csv file"
        )
    return getattr(datasets, args.data)()


def _standardizer(x_train):
    mean = x_train.mean(axis=0)
    std = x_train.std(axis=0)
    std[std == 0] = 1
    return lambda x: (x - mean) / std


def build_mlp(n_in, hidden, n_out, activation):
    from .. import nn

    layers, width = [], n_in
    for h in hidden:
        layers += [nn.Linear(width, h), ACTIVATIONS[activation].layer()]
        width = h
    layers.append(nn.Linear(width, n_out))
    return nn.Sequential(*layers)


def build_cnn(side, hidden, n_out, activation):
    """Two 3×3 convolutions (padding 1) and a 2×2 max-pool on 1×side×side images,
    then an MLP head."""
    from .. import nn

    pooled = side // 2
    head = build_mlp(32 * pooled * pooled, hidden, n_out, activation)
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1),
        nn.ReLU(),
        nn.Conv2d(16, 32, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        *head,
    )


def run(args):
    from ..train.parallel import quiet_unless_main

    with quiet_unless_main():  # under mpiexec -n N: rank 0 alone prints and saves
        return _train(args)


def _train(args):
    import numpy as np

    from .. import io
    from ..data import TensorDataset, train_test_split
    from ..random import manual_seed
    from ..tensor import Tensor
    from ..train.loop import evaluate, fit
    from ..train.parallel import main_rank

    check_outputs(args)  # before any work: --save's folder exists and can be written
    manual_seed(args.seed)
    ds = load_data(args)
    task = ds.task if args.task == "auto" else args.task
    x, y = ds.tensors
    x = np.asarray(x).astype(np.float32)
    y = np.asarray(y)
    if task == "classification":
        if y.dtype.kind == "f":
            if not np.all(y == np.round(y)):
                raise SystemExit(
                    "glassnet train: --task classification needs integer class "
                    "labels in the target column"
                )
            y = y.reshape(-1)
        classes = np.unique(y)
        y = np.searchsorted(classes, y).astype(np.int64)
        n_out = len(classes)
    else:
        y = y.astype(np.float32).reshape(len(y), -1)
        n_out = y.shape[1]
    strat = y if task == "classification" else None
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=args.test_size, stratify=strat)
    x_tr, x_te = np.asarray(x_tr), np.asarray(x_te)
    y_tr, y_te = np.asarray(y_tr), np.asarray(y_te)
    if not args.no_standardize:
        scale = _standardizer(x_tr)
        x_tr, x_te = scale(x_tr).astype(np.float32), scale(x_te).astype(np.float32)
    if args.model == "cnn":
        side = int(round(x.shape[1] ** 0.5))
        if side * side != x.shape[1] or side < 4:
            raise SystemExit(
                f"glassnet train: --model cnn needs square images; this data has "
                f"{x.shape[1]} features (digits has 64 = 8×8)"
            )
        x_tr, x_te = x_tr.reshape(-1, 1, side, side), x_te.reshape(-1, 1, side, side)
        model = build_cnn(side, args.hidden, n_out, args.activation)
    else:
        model = build_mlp(x.shape[1], args.hidden, n_out, args.activation)
    loss = "cross_entropy" if task == "classification" else "mse"
    metrics = ["accuracy"] if task == "classification" else ["mse", "mae", "r2"]
    train = TensorDataset(Tensor(x_tr), Tensor(y_tr))
    if args.verbose:
        print(
            f"glassnet train: {args.data} ({task}), {len(x_tr)} training / {len(x_te)} test "
            f"samples, {x.shape[1]} features → {' → '.join(map(str, args.hidden))} → {n_out}"
        )
        if args.task == "auto" and getattr(args, "target", None):
            print(_task_choice(task, n_out, args.target))
    try:  # fit reports a NaN/Inf itself: NumPy's warnings about it would only add noise
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            fit(
                model,
                train,
                loss=loss,
                optimizer=args.optimizer,
                lr=args.lr,
                epochs=args.epochs,
                batch_size=args.batch_size,
                validation=args.validation or None,
                metrics=metrics,
                verbose=args.verbose,
                skip_nonfinite=args.skip_nonfinite,
            )
    except FloatingPointError as exc:
        saved = f"; nothing was written to {args.save}" if args.save else ""
        raise SystemExit(
            f"glassnet train: training diverged: {exc}{saved}. "
            "(--lr sets the learning rate; --skip-nonfinite skips such batches)"
        ) from None
    with np.errstate(over="ignore", invalid="ignore"):  # a skipped divergence shows as inf
        result = evaluate(model, (Tensor(x_te), Tensor(y_te)), loss=loss, metrics=metrics)
    print("test: " + ", ".join(f"{k} {v:.4f}" for k, v in result.items()))
    if args.save and main_rank():
        io.save(model.state_dict(), args.save)
        print(f"saved the weights to {args.save}")
    return 0


def _task_choice(task, n_out, target):
    """What --task auto chose for a CSV's target, and how to choose otherwise."""
    if task == "classification":
        return (
            f"  --task auto: classification ({target!r} holds {n_out} classes); "
            "--task regression treats it as numbers"
        )
    return (
        f"  --task auto: regression ({target!r} holds numbers); --task classification "
        "treats each distinct value as a class"
    )
