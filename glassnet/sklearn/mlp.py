"""MLPClassifier and MLPRegressor: scikit-learn's multilayer perceptrons, with
its parameters, attributes and behaviour, trained by glassnet.

    from glassnet.sklearn import MLPClassifier
    clf = MLPClassifier(hidden_layer_sizes=(100,), random_state=0).fit(X, y)
    clf.predict_proba(X[:3]), clf.loss_curve_[-1], clf.coefs_[0].shape

The output layer and loss follow the target: softmax and cross-entropy for
one label among several classes, a logistic output per label with binary
cross-entropy for two classes or a 0/1 label matrix (multi-label), the
identity and the squared error (½(y − ŷ)²) for a regression, exp and the
Poisson deviance for ``loss='poisson'``.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.metrics import accuracy_score, r2_score
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import type_of_target, unique_labels
from sklearn.utils.validation import column_or_1d, validate_data

from .mlp_base import FLOATS, BaseMLP


class MLPClassifier(ClassifierMixin, BaseMLP):
    """Multi-layer perceptron classifier (scikit-learn's ``MLPClassifier``).

    Parameters and attributes as scikit-learn's (``classes_``, ``loss_``,
    ``loss_curve_``, ``best_loss_``, ``validation_scores_``,
    ``best_validation_score_``, ``n_iter_``, ``t_``, ``coefs_``,
    ``intercepts_``, ``n_layers_``, ``n_outputs_``, ``out_activation_``,
    ``n_features_in_``).

    One parameter scikit-learn's has not: ``dtype``, the floating-point type
    of the weights and the arithmetic. None (the default) is scikit-learn's
    rule: float32 data is trained in float32, anything else in float64;
    ``'float32'`` trains in float32 whatever the data (about 1.4× faster on
    the digits, the same accuracy: ``bench/sklearn_mlp.py``).
    """

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        dtype=None,
    ):
        super().__init__(
            hidden_layer_sizes=hidden_layer_sizes,
            activation=activation,
            solver=solver,
            alpha=alpha,
            batch_size=batch_size,
            learning_rate=learning_rate,
            learning_rate_init=learning_rate_init,
            power_t=power_t,
            max_iter=max_iter,
            loss="log_loss",
            shuffle=shuffle,
            random_state=random_state,
            tol=tol,
            verbose=verbose,
            warm_start=warm_start,
            momentum=momentum,
            nesterovs_momentum=nesterovs_momentum,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            n_iter_no_change=n_iter_no_change,
            max_fun=max_fun,
            dtype=dtype,
        )

    def _validate_input(self, X, y, incremental, reset):
        X, y = validate_data(
            self, X, y, accept_sparse=["csr", "csc"], multi_output=True, dtype=FLOATS, reset=reset
        )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if not hasattr(self, "classes_") or (not self.warm_start and not incremental):
            self._label_binarizer = LabelBinarizer()
            self._label_binarizer.fit(y)
            self.classes_ = self._label_binarizer.classes_
        else:
            classes = unique_labels(y)
            if self.warm_start:
                if set(classes) != set(self.classes_):
                    raise ValueError(
                        "warm_start can only be used where `y` has the same classes as "
                        f"in the previous call to fit. Previously got {self.classes_}, "
                        f"`y` has {classes}"
                    )
            elif len(np.setdiff1d(classes, self.classes_, assume_unique=True)):
                raise ValueError(
                    f"`y` has classes not in `self.classes_`. `self.classes_` has "
                    f"{self.classes_}. 'y' has {classes}."
                )
        return X, self._label_binarizer.transform(y).astype(bool)

    def _out_activation(self):
        return "softmax" if self._label_binarizer.y_type_ == "multiclass" else "logistic"

    def _target(self, indicators, dtype):
        """Class indices for the softmax output, 0/1 floats for logistic ones."""
        if self.out_activation_ == "softmax":
            return np.argmax(indicators, axis=1).astype(np.int64)
        return indicators.astype(dtype)

    def _labels(self, outputs):
        if self.n_outputs_ == 1:
            outputs = outputs.ravel()
        return self._label_binarizer.inverse_transform(outputs)

    def _score_outputs(self, outputs, indicators, sample_weight):
        y_true = self._label_binarizer.inverse_transform(indicators)
        return accuracy_score(y_true, self._labels(outputs), sample_weight=sample_weight)

    def predict(self, X):
        """The predicted class of each row (a 0/1 row of labels for multi-label)."""
        self._fitted()
        return self._labels(self._forward(X))

    def predict_proba(self, X):
        """Probability of each class (columns in ``classes_``' order)."""
        self._fitted()
        outputs = self._forward(X)
        if self.n_outputs_ == 1:
            p = outputs.ravel()
            return np.vstack([1 - p, p]).T
        return outputs

    def predict_log_proba(self, X):
        """log(predict_proba(X))."""
        p = self.predict_proba(X)
        return np.log(p, out=p)

    @available_if(lambda est: est._check_solver())
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """One epoch over (X, y), going on from the model as it is. The first
        call needs ``classes`` (every class y will ever hold), unless y is a
        multi-label 0/1 matrix."""
        first = not hasattr(self, "classes_")
        if first and classes is None:
            raise ValueError("classes must be passed on the first call to partial_fit.")
        if classes is not None:
            classes = unique_labels(classes)
            if not first and not np.array_equal(classes, self.classes_):
                raise ValueError(
                    f"`classes={classes}` is not the same as on the first call to "
                    f"partial_fit, which was {self.classes_}"
                )
        if first:
            self._label_binarizer = LabelBinarizer()
            if type_of_target(y).startswith("multilabel"):
                self._label_binarizer.fit(y)
            else:
                self._label_binarizer.fit(classes)
            self.classes_ = self._label_binarizer.classes_
        return self._fit(X, y, sample_weight, incremental=True)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


class MLPRegressor(RegressorMixin, BaseMLP):
    """Multi-layer perceptron regressor (scikit-learn's ``MLPRegressor``):
    ``loss='squared_error'`` (identity output) or ``'poisson'`` (exp output).
    Attributes as MLPClassifier's, without ``classes_``; ``dtype`` as MLPClassifier's."""

    def __init__(
        self,
        loss="squared_error",
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        dtype=None,
    ):
        super().__init__(
            hidden_layer_sizes=hidden_layer_sizes,
            activation=activation,
            solver=solver,
            alpha=alpha,
            batch_size=batch_size,
            learning_rate=learning_rate,
            learning_rate_init=learning_rate_init,
            power_t=power_t,
            max_iter=max_iter,
            loss=loss,
            shuffle=shuffle,
            random_state=random_state,
            tol=tol,
            verbose=verbose,
            warm_start=warm_start,
            momentum=momentum,
            nesterovs_momentum=nesterovs_momentum,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            n_iter_no_change=n_iter_no_change,
            max_fun=max_fun,
            dtype=dtype,
        )

    def _validate_input(self, X, y, incremental, reset):
        if self.loss not in ("squared_error", "poisson"):
            raise ValueError(
                f"MLPRegressor: the 'loss' parameter must be 'squared_error' or "
                f"'poisson', got {self.loss!r}"
            )
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc"],
            multi_output=True,
            y_numeric=True,
            dtype=FLOATS,
            reset=reset,
        )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if self.loss == "poisson" and (np.asarray(y) < 0).any():
            raise ValueError("MLPRegressor: loss='poisson' needs targets y >= 0")
        return X, y

    def _out_activation(self):
        return "exp" if self.loss == "poisson" else "identity"

    def _target(self, y, dtype):
        return np.ascontiguousarray(y, dtype=dtype)

    def _score_outputs(self, outputs, y, sample_weight):
        if outputs.shape[1] == 1:
            outputs = outputs.ravel()
        y = y.ravel() if y.ndim == 2 and y.shape[1] == 1 else y
        if not np.isfinite(outputs).all():
            return np.nan
        return r2_score(y, outputs, sample_weight=sample_weight)

    def predict(self, X):
        """The predicted values: shape (n_samples,) for one target, else (n_samples, n_outputs)."""
        self._fitted()
        outputs = self._forward(X)
        return outputs.ravel() if outputs.shape[1] == 1 else outputs

    @available_if(lambda est: est._check_solver())
    def partial_fit(self, X, y, sample_weight=None):
        """One epoch over (X, y), going on from the model as it is."""
        return self._fit(X, y, sample_weight, incremental=True)
