"""What MLPClassifier and MLPRegressor share: scikit-learn's multilayer
perceptron (its parameters, attributes, stopping rules and warnings) trained
by glassnet's autograd and optimizers.

One epoch of a stochastic solver, as scikit-learn's: shuffle the rows
(``shuffle``), walk them in mini-batches of ``batch_size`` ('auto':
min(200, n)), one optimizer step each; the epoch's loss (``loss_curve_``) is
the batches' losses averaged over the rows. Training stops after
``n_iter_no_change`` epochs without the loss falling by ``tol`` (or, with
``early_stopping``, the validation score rising by ``tol``), else after
``max_iter`` epochs with a ConvergenceWarning.
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.base import BaseEstimator, is_classifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils import shuffle as shuffled
from sklearn.utils.validation import check_is_fitted, validate_data

from ..functions.shape import from_numpy
from . import _params
from ._network import Network, as_layer_arrays, glorot_uniform
from ._solvers import Stochastic, lbfgs

FLOATS = (np.float64, np.float32)


def dense_rows(X, rows=None):
    """``X[rows]`` as a dense C-ordered array (a sparse X is densified a batch at a time)."""
    part = X if rows is None else X[rows]
    if hasattr(part, "toarray"):
        part = part.toarray()
    return np.ascontiguousarray(part)


def check_sample_weight(sample_weight, n_samples, dtype, owner):
    """Sample weights as a (n_samples,) array of ``dtype``: finite, >= 0, not all 0."""
    if sample_weight is None:
        return None
    if np.isscalar(sample_weight):
        return np.full(n_samples, sample_weight, dtype=dtype)
    weights = np.asarray(sample_weight)
    if weights.ndim != 1 or weights.shape[0] != n_samples:
        raise ValueError(
            f"{owner}: sample_weight must have shape ({n_samples},), one weight per "
            f"sample, got shape {weights.shape}"
        )
    try:
        weights = weights.astype(dtype)
    except (TypeError, ValueError):
        raise ValueError(
            f"{owner}: sample_weight must hold numbers, got dtype {weights.dtype}"
        ) from None
    if not np.isfinite(weights).all() or (weights < 0).any():
        raise ValueError(f"{owner}: sample_weight must be finite and >= 0")
    if not weights.sum() > 0:
        raise ValueError(f"{owner}: sample_weight must contain at least one non-zero weight")
    return weights


class BaseMLP(BaseEstimator):
    """The shared fit loop; subclasses say how y becomes the network's target
    (``_validate_input``, ``_target``), how outputs become predictions and the
    validation score (``_score_outputs``)."""

    def __init__(
        self,
        hidden_layer_sizes,
        activation,
        solver,
        alpha,
        batch_size,
        learning_rate,
        learning_rate_init,
        power_t,
        max_iter,
        loss,
        shuffle,
        random_state,
        tol,
        verbose,
        warm_start,
        momentum,
        nesterovs_momentum,
        early_stopping,
        validation_fraction,
        beta_1,
        beta_2,
        epsilon,
        n_iter_no_change,
        max_fun,
        dtype,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.loss = loss
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.dtype = dtype

    # ---- the network ------------------------------------------------------------
    def _network(self):
        return Network(self.coefs_, self.intercepts_, self.activation, self.out_activation_)

    def _initialize(self, y, layer_units, dtype):
        self.n_iter_ = 0
        self.t_ = 0
        self.n_outputs_ = y.shape[1]
        self.n_layers_ = len(layer_units)
        self.out_activation_ = self._out_activation()
        self.coefs_, self.intercepts_ = [], []
        for fan_in, fan_out in zip(layer_units[:-1], layer_units[1:]):
            coef, intercept = glorot_uniform(
                fan_in, fan_out, self.activation, self._random_state, dtype
            )
            self.coefs_.append(coef)
            self.intercepts_.append(intercept)
        self._best_coefs = [c.copy(order="K") for c in self.coefs_]
        self._best_intercepts = [b.copy() for b in self.intercepts_]
        self.__dict__.pop("_solver_state", None)
        if self.solver != "lbfgs":
            self.loss_curve_ = []
            self._no_improvement_count = 0
            if self.early_stopping:
                self.validation_scores_ = []
                self.best_validation_score_ = -np.inf
                self.best_loss_ = None
            else:
                self.best_loss_ = np.inf
                self.validation_scores_ = None
                self.best_validation_score_ = None

    def _forward(self, X):
        """The output layer's activations for ``X`` (checked against the fit)."""
        X = validate_data(self, X, accept_sparse=["csr", "csc"], dtype=FLOATS, reset=False)
        dtype = self.coefs_[0].dtype
        return self._network().predict(dense_rows(X).astype(dtype, copy=False))

    # ---- fitting ------------------------------------------------------------------
    def fit(self, X, y, sample_weight=None):
        """Fit the model to data matrix X and targets y (``sample_weight``:
        one weight per row, scaling its loss). Returns self."""
        return self._fit(X, y, sample_weight, incremental=False)

    def _fit(self, X, y, sample_weight, incremental):
        owner = type(self).__name__
        _params.check(self, _params.MLP_RULES)
        sizes = _params.hidden_sizes(self.hidden_layer_sizes, owner)
        first_pass = not hasattr(self, "coefs_") or (not self.warm_start and not incremental)
        X, y = self._validate_input(X, y, incremental, reset=first_pass)
        if self.dtype is not None:
            X = X.astype(self.dtype, copy=False)
        n_samples, n_features = X.shape
        sample_weight = check_sample_weight(sample_weight, n_samples, X.dtype, owner)
        if y.ndim == 1:
            y = y.reshape((-1, 1))
        layer_units = [n_features, *sizes, y.shape[1]]
        self._random_state = check_random_state(self.random_state)
        if first_pass:
            self._initialize(y, layer_units, X.dtype)
        else:
            self._check_same_layers(layer_units, owner)
        self.n_outputs_ = y.shape[1]
        self.coefs_, self.intercepts_ = as_layer_arrays(
            [c.astype(X.dtype, copy=False) for c in self.coefs_],
            [b.astype(X.dtype, copy=False) for b in self.intercepts_],
        )
        network = self._network()
        target = self._target(y, X.dtype)
        if self.solver == "lbfgs":
            X = dense_rows(X)
            self.loss_, self.n_iter_ = lbfgs(
                self, network, X, target, sample_weight, self._report_scale()
            )
        else:
            self._fit_stochastic(network, X, y, target, sample_weight, incremental)
        if not all(np.isfinite(w).all() for w in self.coefs_ + self.intercepts_):
            raise ValueError(
                "Solver produced non-finite parameter weights. The input data may "
                "contain large values and need to be preprocessed."
            )
        return self

    def _check_same_layers(self, layer_units, owner):
        shapes = [c.shape for c in self.coefs_]
        wanted = list(zip(layer_units[:-1], layer_units[1:]))
        if shapes != wanted:
            raise ValueError(
                f"{owner}: warm_start/partial_fit continue the fitted network of "
                f"layer shapes {shapes}, but hidden_layer_sizes and the data now "
                f"give {wanted}; set warm_start=False to start a new one"
            )

    def _report_scale(self):
        """The factor from the trained data loss to the reported one: scikit-learn
        averages the squared error over the outputs (and trains on the sum)."""
        return 1.0 / self.n_outputs_ if self.out_activation_ == "identity" else 1.0

    def _batch_size(self, n_samples):
        if self.batch_size == "auto":
            return min(200, n_samples)
        if self.batch_size > n_samples:
            warnings.warn(
                "Got `batch_size` less than 1 or larger than sample size. It is going "
                "to be clipped",
                stacklevel=5,
            )
        return int(np.clip(self.batch_size, 1, n_samples))

    def _split(self, X, y, target, sample_weight):
        """(training part, validation part) of the rows for early stopping."""
        stratify = y if is_classifier(self) and self.n_outputs_ == 1 else None
        train, val = train_test_split(
            np.arange(X.shape[0]),
            random_state=self._random_state,
            test_size=self.validation_fraction,
            stratify=stratify,
        )
        if val.shape[0] < 2:
            raise ValueError(
                "The validation set is too small. Increase 'validation_fraction' "
                "or the size of your dataset."
            )
        sw = (None, None) if sample_weight is None else (sample_weight[train], sample_weight[val])
        return (X[train], target[train], sw[0]), (X[val], y[val], sw[1])

    def _fit_stochastic(self, network, X, y, target, sample_weight, incremental):
        saved = getattr(self, "_solver_state", None) if incremental else None
        solver = Stochastic(self, network, saved)
        if self.early_stopping and incremental:
            raise ValueError("partial_fit does not support early_stopping=True")
        early_stopping = self.early_stopping
        validation = None
        if early_stopping:
            (X, target, sample_weight), validation = self._split(X, y, target, sample_weight)
        n_samples = X.shape[0]
        batch_size = self._batch_size(n_samples)
        rows = np.arange(n_samples, dtype=int)
        try:
            self.n_iter_ = 0
            for _ in range(self.max_iter):
                if self.shuffle:
                    rows = shuffled(rows, random_state=self._random_state)
                batches = [
                    rows[start : start + batch_size]
                    if self.shuffle
                    else slice(start, start + batch_size)
                    for start in range(0, n_samples, batch_size)
                ]
                total = sum(
                    self._step(network, solver, X, target, sample_weight, batch)
                    for batch in batches
                )
                self.n_iter_ += 1
                self.loss_ = total / n_samples
                self.t_ += n_samples
                self.loss_curve_.append(self.loss_)
                if self.verbose:
                    print(f"Iteration {self.n_iter_}, loss = {self.loss_:.8f}")
                self._update_no_improvement_count(network, validation)
                solver.iteration_ends(self.t_)
                if self._no_improvement_count > self.n_iter_no_change:
                    if solver.trigger_stopping(self._stop_message(early_stopping), self.verbose):
                        break
                    self._no_improvement_count = 0
                if incremental:
                    break
                if self.n_iter_ == self.max_iter:
                    warnings.warn(
                        f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) "
                        "reached and the optimization hasn't converged yet.",
                        ConvergenceWarning,
                        stacklevel=4,
                    )
        except KeyboardInterrupt:
            warnings.warn("Training interrupted by user.", stacklevel=4)
        self._solver_state = solver.state()
        if early_stopping:
            self.coefs_ = [c.copy(order="K") for c in self._best_coefs]
            self.intercepts_ = [b.copy() for b in self._best_intercepts]

    def _step(self, network, solver, X, target, sample_weight, batch):
        """One optimizer step on the rows ``batch`` (indices or a slice); returns
        the batch's loss (as reported) times its number of rows."""
        weights = None if sample_weight is None else sample_weight[batch]
        x = dense_rows(X, batch)
        sw_sum = float(len(x) if weights is None else weights.sum()) or 1.0
        mean = network.mean_loss(
            from_numpy(x),
            from_numpy(target[batch]),
            None if weights is None else from_numpy(weights),
        )
        penalty = network.penalty(float(self.alpha)) / sw_sum
        solver.step(mean, float(self.alpha) / sw_sum)
        return (mean.item() * self._report_scale() + penalty) * len(x)

    def _stop_message(self, early_stopping):
        what = "Validation score" if early_stopping else "Training loss"
        return (
            f"{what} did not improve more than tol={self.tol:f} for "
            f"{self.n_iter_no_change} consecutive epochs."
        )

    def _update_no_improvement_count(self, network, validation):
        if validation is not None:
            X_val, y_val, sw_val = validation
            outputs = network.predict(dense_rows(X_val))
            score = self._score_outputs(outputs, y_val, sw_val)
            self.validation_scores_.append(score)
            if self.verbose:
                print(f"Validation score: {score:f}")
            if score < self.best_validation_score_ + self.tol:
                self._no_improvement_count += 1
            else:
                self._no_improvement_count = 0
            if score > self.best_validation_score_:
                self.best_validation_score_ = score
                self._best_coefs = [c.copy(order="K") for c in self.coefs_]
                self._best_intercepts = [b.copy() for b in self.intercepts_]
            return
        if self.loss_curve_[-1] > self.best_loss_ - self.tol:
            self._no_improvement_count += 1
        else:
            self._no_improvement_count = 0
        if self.loss_curve_[-1] < self.best_loss_:
            self.best_loss_ = self.loss_curve_[-1]

    def _check_solver(self):
        if self.solver not in ("sgd", "adam"):
            raise AttributeError(
                f"partial_fit is only available for stochastic optimizers. {self.solver} "
                "is not stochastic."
            )
        return True

    def _fitted(self):
        check_is_fitted(self)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
