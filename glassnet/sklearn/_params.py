"""Checks of the MLP estimators' hyper-parameters, at fit time (scikit-learn's
convention: ``__init__`` only stores them). Each error names the estimator,
the parameter, what it got and what it expects."""

from __future__ import annotations

import numbers

import numpy as np

ACTIVATIONS = ("identity", "logistic", "tanh", "relu")
SOLVERS = ("lbfgs", "sgd", "adam")
SCHEDULES = ("constant", "invscaling", "adaptive")


class InvalidParameterError(ValueError, TypeError):
    """A hyper-parameter out of its range or of the wrong type (a ValueError
    and a TypeError, as scikit-learn's own)."""


def _real(x):
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def _integral(x):
    return isinstance(x, numbers.Integral) and not isinstance(x, bool)


def _in(low, high, closed="both"):
    """A test that a real number lies in [low, high] ('left': [low, high), 'neither')."""

    def test(x):
        if not _real(x) or np.isnan(x):
            return False
        above = x >= low if closed in ("both", "left") else x > low
        below = x <= high if closed in ("both", "right") else x < high
        return bool(above and below)

    return test


def _int_at_least(low):
    return lambda x: _integral(x) and x >= low


def _option(*names):
    return lambda x: isinstance(x, str) and x in names


def _flag(x):
    return isinstance(x, (bool, np.bool_))


def _float_type(x):
    try:
        return np.dtype(x) in (np.float32, np.float64)
    except TypeError:
        return False


def hidden_sizes(value, owner):
    """hidden_layer_sizes as a list of ints >= 1 (an int is one layer)."""
    sizes = [value] if _integral(value) else value
    try:
        sizes = list(sizes)
    except TypeError:
        sizes = None
    if sizes is None or not all(_integral(n) for n in sizes):
        raise InvalidParameterError(
            f"{owner}: hidden_layer_sizes must be an int or a sequence of ints "
            f"(the width of each hidden layer), got {value!r}"
        )
    if any(n <= 0 for n in sizes):
        raise InvalidParameterError(f"{owner}: hidden_layer_sizes must be > 0, got {value!r}.")
    return [int(n) for n in sizes]


# parameter: (test, what it expects)
MLP_RULES = {
    "activation": (_option(*ACTIVATIONS), f"one of {ACTIVATIONS}"),
    "solver": (_option(*SOLVERS), f"one of {SOLVERS}"),
    "alpha": (_in(0, np.inf), "a number >= 0"),
    "batch_size": (lambda x: x == "auto" or _int_at_least(1)(x), "'auto' or an int >= 1"),
    "learning_rate": (_option(*SCHEDULES), f"one of {SCHEDULES}"),
    "learning_rate_init": (_in(0, np.inf, "neither"), "a number > 0"),
    "power_t": (_in(0, np.inf), "a number >= 0"),
    "max_iter": (_int_at_least(1), "an int >= 1"),
    "shuffle": (_flag, "a bool"),
    "tol": (_in(0, np.inf), "a number >= 0"),
    "verbose": (lambda x: _flag(x) or _int_at_least(0)(x), "a bool or an int >= 0"),
    "warm_start": (_flag, "a bool"),
    "momentum": (_in(0, 1), "a number in [0, 1]"),
    "nesterovs_momentum": (_flag, "a bool"),
    "early_stopping": (_flag, "a bool"),
    "validation_fraction": (_in(0, 1, "left"), "a number in [0, 1)"),
    "beta_1": (_in(0, 1, "left"), "a number in [0, 1)"),
    "beta_2": (_in(0, 1, "left"), "a number in [0, 1)"),
    "epsilon": (_in(0, np.inf, "neither"), "a number > 0"),
    "n_iter_no_change": (_int_at_least(1), "an int >= 1"),
    "max_fun": (_int_at_least(1), "an int >= 1"),
    "dtype": (
        lambda x: x is None or (not isinstance(x, bool) and _float_type(x)),
        "None, 'float32' or 'float64'",
    ),
    "loss": (_option("squared_error", "poisson", "log_loss"), "'squared_error' or 'poisson'"),
}


def check(estimator, rules):
    """Raise InvalidParameterError for the first parameter ``rules`` refuses."""
    owner = type(estimator).__name__
    for name, (test, expected) in rules.items():
        if not hasattr(estimator, name):
            continue
        value = getattr(estimator, name)
        if not test(value):
            raise InvalidParameterError(
                f"{owner}: the {name!r} parameter must be {expected}, got {value!r}"
            )
    random_state = getattr(estimator, "random_state", None)
    if not (
        random_state is None
        or _integral(random_state)
        or isinstance(random_state, np.random.RandomState)
    ):
        raise InvalidParameterError(
            f"{owner}: the 'random_state' parameter must be None, an int or a "
            f"numpy.random.RandomState, got {random_state!r}"
        )
