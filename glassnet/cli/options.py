"""Argument types that refuse what makes no sense before any work is done
(argparse prints "argument --epochs: ..." with the usage), and the check of
every output path a command was given."""

import argparse
import math
import os

from ..io.atomic import check_target


def positive_int(text):
    """A whole number ≥ 1 (epochs, layer sizes, batch sizes)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number ≥ 1, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def positive_float(text):
    """A finite number > 0 (a learning rate)."""
    value = _float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be greater than 0, got {text}")
    return value


def fraction(text):
    """A fraction strictly between 0 and 1 (a test split)."""
    value = _float(text)
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1 (exclusive), got {text}")
    return value


def fraction_or_zero(text):
    """0 (none) or a fraction below 1 (a validation split)."""
    value = _float(text)
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"must be 0 (none) or between 0 and 1, got {text}")
    return value


def _float(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text}")
    return value


# the options that name a file a command writes, and the one that names a folder
OUTPUT_FILES = (
    ("save", "--save"),
    ("report", "--report"),
    ("html", "--html"),
    ("predictions", "--out"),
)
OUTPUT_FOLDERS = (("out", "--out"),)


def check_outputs(args):
    """Raise SystemExit naming the option when a path the command will write
    cannot be written (missing folder, a file used as a folder, a folder
    given as the file, no permission), so that nothing is computed in vain."""
    command = f"glassnet {args.command}"
    for attr, flag in OUTPUT_FILES:
        path = getattr(args, attr, None)
        if path and not (attr == "report" and getattr(args, "no_report", False)):
            try:
                check_target(path, f"{command}: {flag}")
            except OSError as exc:
                raise SystemExit(str(exc)) from None
    for attr, flag in OUTPUT_FOLDERS:
        path = getattr(args, attr, None)
        if path and os.path.exists(path) and not os.path.isdir(path):
            raise SystemExit(
                f"{command}: {flag} {path} is a file; expected a folder (it is created if missing)"
            )
