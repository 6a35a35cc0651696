"""``glassnet predict``: a saved model (``glassnet train --save``, the
playground's export) applied to the rows of a CSV file, the predictions
written in the data's own units and class names.

The output is the input table with one more column, ``<target>_predicted``
(for classification also ``<target>_probability``, the predicted class's
softmax probability); it goes to ``--out`` (written atomically) or to
stdout. When the file holds the target column too, the predictions are
compared with it (R², MAE; or accuracy) on stderr.
"""

import csv
import io
import sys

import numpy as np


def add_parser(sub):
    p = sub.add_parser(
        "predict",
        help="apply a saved model to the rows of a CSV file",
        description="Read the columns a saved model takes from a CSV file, standardize them as "
        "in training, and write each row's prediction in the target's own units (regression) "
        "or its class name (classification).",
    )
    p.add_argument(
        "--model",
        required=True,
        metavar="PATH",
        help="a model saved by `glassnet train --save` or the playground's export",
    )
    p.add_argument(
        "--data",
        required=True,
        metavar="CSV",
        help="a CSV file with a header row holding (at least) the model's input columns",
    )
    p.add_argument(
        "--out",
        dest="predictions",
        metavar="PATH",
        help="write the table with the predictions to PATH (default: stdout)",
    )
    p.set_defaults(func=run)
    return p


def _number_text(v):
    return f"{v:.6g}"


def _table(header, rows, extra_names, extra_columns):
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header + extra_names)
    for k, row in enumerate(rows):
        writer.writerow(row + [col[k] for col in extra_columns])
    return buf.getvalue()


def _unique(name, header):
    """``name``, or name_2, name_3... when the table already has a column so named."""
    k, out = 1, name
    while out in header:
        k += 1
        out = f"{name}_{k}"
    return out


def _same_label(a, b):
    """Class labels equal as text, or as numbers ('1' and '1.0')."""
    if a == b:
        return True
    try:
        return float(a) == float(b)
    except ValueError:
        return False


def _comparison(model, header, rows, predicted):
    """A line comparing the predictions with the file's target column, if it has one."""
    card = model.card
    if card.target_name not in header:
        return None
    k = header.index(card.target_name)
    truth = [r[k] for r in rows]
    if card.task == "classification":
        hits = sum(_same_label(p, t) for p, t in zip(predicted, truth))
        return (
            f"compared with the {card.target_name!r} column: accuracy {hits / len(rows):.4f} "
            f"({hits} of {len(rows)})"
        )
    try:
        y = np.array([float(t) for t in truth]).reshape(-1, 1)
    except ValueError:
        return None  # a target column that is not numbers: nothing to compare with
    p = predicted[:, :1]
    err = y - p
    total = ((y - y.mean()) ** 2).sum()
    r2 = 1 - (err**2).sum() / total if total > 0 else float("nan")
    return (
        f"compared with the {card.target_name!r} column: mae {np.abs(err).mean():.4g}, r2 {r2:.4f}"
    )


def run(args):
    from ..data.csvfile import read_numbers
    from ..io.atomic import atomic_write
    from ..train.saved import load_model

    model = load_model(args.model)
    card = model.card
    x, header, rows = read_numbers(args.data, card.columns)
    name = card.target_name
    if card.task == "classification":
        proba = model.predict_proba(x)
        best = proba.argmax(axis=1)
        labels = [card.classes[i] for i in best]
        names = [f"{name}_predicted", f"{name}_probability"]
        columns = [labels, [_number_text(p) for p in proba[np.arange(len(best)), best]]]
        compared = labels
    else:
        values = model.predict(x)
        k = values.shape[1]
        names = [f"{name}_predicted"] if k == 1 else [f"{name}_predicted_{i + 1}" for i in range(k)]
        columns = [[_number_text(v) for v in values[:, i]] for i in range(k)]
        compared = values
    names = [_unique(n, header) for n in names]
    text = _table(header, rows, names, columns)
    note = _comparison(model, header, rows, compared)
    if args.predictions:
        atomic_write(args.predictions, text.encode("utf-8"))
        print(f"wrote {len(rows)} predictions ({', '.join(names)}) to {args.predictions}")
        if note:
            print(note)
    else:
        sys.stdout.write(text)
        if note:
            print(note, file=sys.stderr)
    return 0
