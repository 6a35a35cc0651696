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
    p.add_argument(
        "--lr",
        type=positive_float,
        default=None,
        help="learning rate η (default: 0.01 for adam and the other adaptive optimizers, "
        "0.1 for sgd, 0.03 for momentum)",
    )
    p.add_argument(
        "--epochs",
        type=positive_int,
        default=None,
        help="passes over the data, at least 1 (default: enough for about 800 steps, "
        "20 to 200 epochs; at most 12 with --model cnn)",
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
        help="do not standardize the features and a regression's target (default: "
        "standardize to mean 0, std 1 using the training part's statistics; the "
        "saved model keeps them, and predictions are in the target's units)",
    )
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument(
        "--save",
        metavar="PATH",
        help="write the trained model to PATH (safetensors: the weights, with the layers, "
        "the columns and the standardization in its metadata, for `glassnet predict`, "
        "`glassnet explain --model` and gn.load_model; the path is checked before training)",
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


def _stats(a):
    """(mean, std) per column of the training part; a constant column gets std 1."""
    mean, std = a.mean(axis=0), a.std(axis=0)
    std[std == 0] = 1
    return mean, std


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


def _labels(ds, task, y):
    """(class indices, class names) of a classification target."""
    import numpy as np

    if y.dtype.kind == "f":
        if not np.all(y == np.round(y)):
            raise SystemExit(
                "glassnet train: --task classification needs integer class "
                "labels in the target column"
            )
        y = y.reshape(-1)
    values = np.unique(y)
    named = ds.task == task and ds.classes is not None and len(ds.classes) > int(values.max())
    if named:  # the data set's own class names, index i naming class i
        names = [str(ds.classes[int(v)]) for v in values]
    else:  # numbers taken as classes: their values
        names = [str(int(v)) if float(v).is_integer() else str(v) for v in values]
    return np.searchsorted(values, y).astype(np.int64), names


def run(args):
    from ..train.parallel import quiet_unless_main

    with quiet_unless_main():  # under mpiexec -n N: rank 0 alone prints and saves
        return _train(args)


def _train(args):
    import numpy as np

    from ..data import TensorDataset, train_test_split
    from ..random import manual_seed
    from ..tensor import Tensor
    from ..train import metrics as M
    from ..train.card import ModelCard, describe_layers
    from ..train.loop import evaluate, fit, predict
    from ..train.parallel import main_rank
    from ..train.saved import save_model
    from . import fitting

    check_outputs(args)  # before any work: --save's folder exists and can be written
    manual_seed(args.seed)
    ds = load_data(args)
    task = ds.task if args.task == "auto" else args.task
    x, y = ds.tensors
    x = np.asarray(x).astype(np.float32)
    y = np.asarray(y)
    classes = None
    if task == "classification":
        y, classes = _labels(ds, task, y)
        n_out = len(classes)
    else:
        y = y.astype(np.float32).reshape(len(y), -1)
        n_out = y.shape[1]
    strat = y if task == "classification" else None
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=args.test_size, stratify=strat)
    x_tr, x_te = np.asarray(x_tr), np.asarray(x_te)
    y_tr, y_te = np.asarray(y_tr), np.asarray(y_te)
    card = ModelCard(
        task=task,
        layers=[],
        columns=[str(c) for c in ds.feature_names],
        target_name=str(getattr(ds, "target_name", "target")),
        classes=classes,
    )
    if not args.no_standardize:
        mean, std = _stats(x_tr.astype(np.float64))
        card.x_mean, card.x_std = mean.tolist(), std.tolist()
        x_tr = ((x_tr - mean) / std).astype(np.float32)
        x_te = ((x_te - mean) / std).astype(np.float32)
        if task == "regression":
            y_mean, y_std = _stats(y_tr.astype(np.float64))
            card.y_mean, card.y_std = y_mean.tolist(), y_std.tolist()
    y_fit = card.target_to_network(y_tr).astype(np.float32) if task == "regression" else y_tr
    if args.model == "cnn":
        side = int(round(x.shape[1] ** 0.5))
        if side * side != x.shape[1] or side < 4:
            raise SystemExit(
                f"glassnet train: --model cnn needs square images; this data has "
                f"{x.shape[1]} features (digits has 64 = 8×8)"
            )
        card.input_shape = [1, side, side]
        x_tr, x_te = x_tr.reshape(-1, 1, side, side), x_te.reshape(-1, 1, side, side)
        model = build_cnn(side, args.hidden, n_out, args.activation)
    else:
        model = build_mlp(x.shape[1], args.hidden, n_out, args.activation)
    card.layers = describe_layers(model)
    card.loss = "cross_entropy" if task == "classification" else "mse"
    lr = args.lr if args.lr is not None else fitting.default_lr(args.optimizer)
    n_fit = len(x_tr) - (round(len(x_tr) * args.validation) if args.validation else 0)
    epochs = args.epochs or fitting.default_epochs(n_fit, args.batch_size, args.model)
    loss = card.loss
    metrics = ["accuracy"] if task == "classification" else ["mse", "mae", "r2"]
    train = TensorDataset(Tensor(x_tr), Tensor(y_fit))
    if args.verbose:
        print(
            f"glassnet train: {args.data} ({task}), {len(x_tr)} training / {len(x_te)} test "
            f"samples, {x.shape[1]} features → {' → '.join(map(str, args.hidden))} → {n_out}"
        )
        if args.task == "auto" and getattr(args, "target", None):
            print(_task_choice(task, n_out, args.target))
        print(fitting.settings_line(args, lr, epochs, n_fit, card.y_mean is not None))
    try:  # fit reports a NaN/Inf itself: NumPy's warnings about it would only add noise
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            history = fit(
                model,
                train,
                loss=loss,
                optimizer=args.optimizer,
                lr=lr,
                epochs=epochs,
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
        if task == "classification":
            result = evaluate(model, (Tensor(x_te), Tensor(y_te)), loss=loss, metrics=metrics)
            where = ""
        else:  # in the target's own units
            out = card.outputs(np.asarray(predict(model, Tensor(x_te))))
            result = {name: float(getattr(M, name)(out, y_te)) for name in ("mse", "mae", "r2")}
            where = f" (in {card.target_name}'s units)"
    print(f"test{where}: " + ", ".join(f"{k} {v:.4f}" for k, v in result.items()))
    advice = fitting.hint(history, task, n_out, epochs, lr)
    if advice:
        print(advice)
    if args.save and main_rank():
        save_model(model, args.save, card)
        print(f"saved the model (weights, layers, columns, standardization) to {args.save}")
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
