"""``load_csv``: a user's own table as a LabeledDataset."""

import csv
import os

import numpy as np

from ._util import floats
from .labeled import TASKS, LabeledDataset


def load_csv(path, target, features=None, delimiter=",", task=None):
    """Read a CSV file with a header row into a LabeledDataset.

    ``target``: the name of the column to predict. ``features``: the names
    of the input columns (default: every other column); they must hold
    numbers. ``task``: "regression" (the target is numbers: float targets of
    shape (n, 1)), "classification" (each distinct value is a class: int64
    indices of shape (n,), the names in ``.classes``, sorted) or None:
    chosen as scikit-learn's ``type_of_target`` would — text (e.g. species
    names) is classes, and so are integers with few distinct values (0/1
    labels, ratings 1-5: ``looks_like_classes``); other numbers are a
    regression target. Blank lines are skipped; errors name the file, the
    line and the column.
    """
    where = f"load_csv: {os.fspath(path)}"
    if task not in (None,) + TASKS:
        raise ValueError(
            f"load_csv: task must be 'classification', 'regression' or None, got {task!r}"
        )
    header, lines, rows = read_table(path, delimiter, where)
    feature_names = _columns(header, target, features, where)
    table = np.array(rows, dtype=object).reshape(len(rows), len(header))
    x = np.stack(
        [_numbers(table[:, header.index(c)], lines, c, where) for c in feature_names], axis=1
    )
    y, classes, task = _target(table[:, header.index(target)], lines, target, task, where)
    return LabeledDataset(
        floats(x),
        y,
        task=task,
        feature_names=feature_names,
        target_name=target,
        classes=classes,
        name=os.path.splitext(os.path.basename(os.fspath(path)))[0],
    )


def read_table(path, delimiter=",", where=None):
    """(header, line numbers, rows of str) of a CSV file with a header row:
    blank lines skipped, every row as long as the header; ValueError naming
    the file and the line otherwise (FileNotFoundError for a missing file)."""
    where = where or f"CSV file {os.fspath(path)}"
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            reader = csv.reader(f, delimiter=delimiter)
            found = [(reader.line_num, [v.strip() for v in row]) for row in reader]
    except FileNotFoundError:
        raise FileNotFoundError(f"{where}: no such file") from None
    except UnicodeDecodeError as exc:
        raise ValueError(f"{where}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except csv.Error as exc:
        raise ValueError(f"{where}: not readable as CSV: {exc}") from None
    found = [(n, row) for n, row in found if any(row)]
    if not found:
        raise ValueError(
            f"{where}: the file is empty; expected a header row naming the columns, "
            "then one row per sample"
        )
    (_, header), body = found[0], found[1:]
    for k, name in enumerate(header):
        if not name:
            raise ValueError(f"{where}: column {k + 1} of the header row has no name")
        if header.index(name) != k:
            raise ValueError(f"{where}: the header names column {name!r} twice")
    if not body:
        raise ValueError(f"{where}: the file has a header but no data rows")
    for n, row in body:
        if len(row) != len(header):
            raise ValueError(
                f"{where}: line {n} has {len(row)} values but the header has "
                f"{len(header)} columns ({', '.join(header)})"
            )
    return header, [n for n, _ in body], [row for _, row in body]


def _columns(header, target, features, where):
    if not isinstance(target, str):
        raise TypeError(
            f"load_csv: target must be a column name (str), got {type(target).__name__}"
        )
    columns = ", ".join(header)
    if target not in header:
        raise ValueError(
            f"{where}: no column named {target!r} (the target); the columns are: {columns}"
        )
    if features is None:
        names = [c for c in header if c != target]
    else:
        names = [features] if isinstance(features, str) else list(features)
        for c in names:
            if c not in header:
                raise ValueError(
                    f"{where}: no column named {c!r} (a feature); the columns are: {columns}"
                )
            if c == target:
                raise ValueError(f"{where}: column {c!r} is the target; it cannot be a feature too")
    if not names:
        raise ValueError(f"{where}: no feature columns: the file has only the target {target!r}")
    return names


def _number(text):
    try:
        value = float(text)
    except ValueError:
        return None
    return value if np.isfinite(value) else None


def read_numbers(path, columns, delimiter=","):
    """(numbers (n, len(columns)) float64, header, rows of str) of a CSV file:
    the named columns, which must exist and hold finite numbers (the other
    columns may hold anything). Errors name the file, the line and the column."""
    where = f"CSV file {os.fspath(path)}"
    header, lines, rows = read_table(path, delimiter, where)
    missing = [c for c in columns if c not in header]
    if missing:
        raise ValueError(
            f"{where}: no column named {', '.join(map(repr, missing))}; the model needs "
            f"{', '.join(columns)} and the file has {', '.join(header)}"
        )
    x = np.stack(
        [_numbers([r[header.index(c)] for r in rows], lines, c, where) for c in columns], axis=1
    )
    return x, header, rows


def _numbers(column, lines, name, where):
    """The column as float64, or an error naming the first bad value."""
    values = [_number(v) for v in column]
    for v, text, line in zip(values, column, lines):
        if v is None:
            got = "an empty value" if text == "" else repr(text)
            raise ValueError(
                f"{where}: line {line}, column {name!r}: expected a finite number, got {got}"
            )
    return np.array(values, dtype=np.float64)


def _target(column, lines, name, task, where):
    """(targets, classes, task) for the target column."""
    numbers = [_number(v) for v in column]
    if task is None:
        bad = [k for k, v in enumerate(numbers) if v is None]
        if not bad:
            task = "classification" if looks_like_classes(numbers) else "regression"
        elif len(bad) == len(numbers):
            task = "classification"
        else:
            k = bad[0]
            raise ValueError(
                f"{where}: target column {name!r} holds numbers and text (line "
                f"{lines[k]}: {column[k]!r}); fix the value, or pass "
                f"task='classification' to treat every value as a class name"
            )
    if task == "regression":
        return floats(_numbers(column, lines, name, where)).reshape(-1, 1), None, task
    for text, line in zip(column, lines):
        if text == "":
            raise ValueError(f"{where}: line {line}, column {name!r}: empty target value")
    if all(v is not None for v in numbers):  # numeric class labels: sorted by value
        keys = [int(v) if v.is_integer() else v for v in numbers]
        classes = sorted(set(keys))
        index = {c: i for i, c in enumerate(classes)}
        return np.array([index[k] for k in keys], dtype=np.int64), [str(c) for c in classes], task
    classes, y = np.unique(np.asarray(list(column), dtype=str), return_inverse=True)
    return y.astype(np.int64), [str(c) for c in classes], task


MAX_CLASSES = 20  # an integer column with more distinct values is a quantity (prices, counts)


def looks_like_classes(values):
    """Integers only, with few distinct values: at most MAX_CLASSES, and at most
    half as many as there are rows (so that each class has examples). 0/1 and
    1-5 labels are classes; prices, years or counts that rarely repeat are
    numbers."""
    if not values or any(not float(v).is_integer() for v in values):
        return False
    distinct = len(set(values))
    return distinct <= min(MAX_CLASSES, max(2, len(values) // 2))
