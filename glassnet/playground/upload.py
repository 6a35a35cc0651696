"""A user's own data: a CSV file with a header row and three columns, two
numeric features (x1, x2) and a label (classification: any values, each
distinct one a class) or a numeric target (regression).

Reading is ``gn.datasets.load_csv``'s, so its messages (line, column, what
was expected) reach the page; this module adds the playground's bounds.
"""

import csv
import io
import os
import re
import tempfile

import numpy as np

from ..data.csvfile import load_csv
from . import limits
from .errors import ProtocolError

MIN_ROWS = 10
EXAMPLE = "x1,x2,label\n1.5,-0.2,a\n-3.1,2.4,b\n..."


def display_name(name):
    """The file's name as the page shows it: base name, printable, at most 60 characters."""
    name = os.path.basename(str(name or "").replace("\\", "/"))
    name = re.sub(r"[^\w.\- ]", "_", name)[:60]
    return name or "upload.csv"


def _header(text, name):
    for row in csv.reader(io.StringIO(text)):
        cells = [c.strip() for c in row]
        if any(cells):
            if len(cells) != 3:
                raise ProtocolError(
                    f"{name}: the header row has {len(cells)} columns ({', '.join(cells)}); "
                    f"expected 3: two numeric features and the label, e.g.\n{EXAMPLE}",
                    field="upload",
                )
            return cells
    raise ProtocolError(
        f"{name}: the file is empty; expected a header row and one row per point, e.g.\n{EXAMPLE}",
        field="upload",
    )


def read_csv(body, filename, task):
    """A LabeledDataset from the bytes of an uploaded CSV file."""
    name = display_name(filename)
    if len(body) > limits.MAX_UPLOAD_BYTES:
        raise ProtocolError(
            f"{name}: the file has {len(body)} bytes; at most "
            f"{limits.MAX_UPLOAD_BYTES} are accepted",
            status=413,
            field="upload",
        )
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ProtocolError(
            f"{name}: not UTF-8 text ({exc.reason} at byte {exc.start})", field="upload"
        ) from None
    if "\x00" in text:
        raise ProtocolError(f"{name}: not a text file (it holds NUL bytes)", field="upload")
    header = _header(text, name)
    with tempfile.TemporaryDirectory(prefix="glassnet-upload-") as tmp:
        path = os.path.join(tmp, "upload.csv")
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        try:
            with np.errstate(over="ignore"):  # 1e300 becomes inf in float32, refused below
                ds = load_csv(path, target=header[2], features=header[:2], task=task)
        except (ValueError, TypeError) as exc:
            raise ProtocolError(
                str(exc).replace(f"load_csv: {path}", name), field="upload"
            ) from None
    _check(ds, name, header)
    ds.name = name
    return ds


def _check(ds, name, header):
    n = len(ds)
    if not MIN_ROWS <= n <= limits.MAX_POINTS:
        raise ProtocolError(
            f"{name}: {n} data rows; expected {MIN_ROWS} to {limits.MAX_POINTS}", field="upload"
        )
    big = np.abs(ds.features._data).max()
    if big > limits.MAX_ABS_FEATURE:
        raise ProtocolError(
            f"{name}: a feature value of size {big:g}; the features must lie "
            f"within ±{limits.MAX_ABS_FEATURE:g}",
            field="upload",
        )
    if ds.task == "classification":
        k = len(ds.classes)
        if not 2 <= k <= limits.MAX_CLASSES:
            raise ProtocolError(
                f"{name}: column {header[2]!r} has {k} distinct label"
                f"{'' if k == 1 else 's'}; classification needs 2 to {limits.MAX_CLASSES} "
                "(for a numeric target choose the problem type 'regression')",
                field="upload",
            )
    elif np.abs(ds.targets._data).max() > limits.MAX_ABS_FEATURE:
        raise ProtocolError(
            f"{name}: target values must lie within ±{limits.MAX_ABS_FEATURE:g}", field="upload"
        )
