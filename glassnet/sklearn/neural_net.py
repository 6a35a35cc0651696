"""NeuralNetClassifier and NeuralNetRegressor: any glassnet ``nn.Module`` as
a scikit-learn estimator (what skorch does for PyTorch).

    net = NeuralNetClassifier(MyModule, module__hidden=32, max_epochs=20, lr=0.01)
    GridSearchCV(net, {"lr": [0.01, 0.1], "module__hidden": [16, 32]}).fit(X, y)

Parameters with a double underscore go where their prefix says:
``module__<arg>`` to the module's constructor, ``optimizer__<arg>`` to the
optimizer's, ``criterion__<arg>`` to the loss's; ``get_params`` lists them,
``set_params`` and ``clone`` keep them, so a grid search can tune them.
Training is glassnet's ``fit`` (the epochs, mini-batches, validation split
and history of ``glassnet.train``); ``history_`` is its History.
"""

from __future__ import annotations

import contextlib
import copy

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.preprocessing import LabelEncoder
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data

from .. import grad_mode
from .. import random as gn_random
from ..functions import api
from ..functions.shape import from_numpy
from ..nn.module import Module
from ..train.args import get_loss
from ..train.loop import fit as train_fit

_PREFIXES = ("module__", "optimizer__", "criterion__")


@contextlib.contextmanager
def _seeded(random_state):
    """glassnet's global generator seeded with ``random_state`` inside, and as
    it was outside (None: left alone)."""
    if random_state is None:
        yield
        return
    state = gn_random.get_rng_state()
    gn_random.manual_seed(int(random_state))
    try:
        yield
    finally:
        gn_random.set_rng_state(state)


class NeuralNet(BaseEstimator):
    """The shared part: a module (a Module subclass, built with the
    ``module__`` parameters, or an instance, copied at each fit), a criterion
    (a loss name, class or instance), an optimizer (a name of
    ``glassnet.optim``'s registry or an Optimizer class), ``lr``,
    ``max_epochs``, ``batch_size``, ``train_split`` (the fraction held out
    to validate each epoch, or None), ``shuffle``, ``random_state`` (seeds the
    module's initialization, the shuffling and dropout; glassnet's global
    generator is left as it was), ``verbose`` (0, 1: a progress bar, 2: a
    line per epoch), ``warm_start`` and ``dtype`` (of the data and weights).
    """

    def __init__(
        self,
        module,
        criterion=None,
        optimizer="sgd",
        lr=0.01,
        max_epochs=10,
        batch_size=128,
        train_split=None,
        shuffle=True,
        random_state=None,
        verbose=0,
        warm_start=False,
        dtype="float32",
        **kwargs,
    ):
        self.module = module
        self.criterion = criterion
        self.optimizer = optimizer
        self.lr = lr
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.train_split = train_split
        self.shuffle = shuffle
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start
        self.dtype = dtype
        for key, value in kwargs.items():
            self._check_prefixed(key)
            setattr(self, key, value)

    # ---- parameters: the named ones and the prefixed ones --------------------
    def _check_prefixed(self, key):
        if not key.startswith(_PREFIXES):
            raise TypeError(
                f"{type(self).__name__}: unknown parameter {key!r}; the parameters "
                "beyond the named ones start with module__, optimizer__ or "
                "criterion__ (module__hidden=32 reaches the module's constructor)"
            )

    def _prefixed(self):
        return sorted(k for k in vars(self) if k.startswith(_PREFIXES))

    def get_params(self, deep=True):
        params = super().get_params(deep=deep)
        params.update({key: getattr(self, key) for key in self._prefixed()})
        return params

    def set_params(self, **params):
        named = {}
        for key, value in params.items():
            if key.startswith(_PREFIXES):
                setattr(self, key, value)
            else:
                named[key] = value
        return super().set_params(**named) if named else self

    def _prefixed_with(self, prefix):
        return {
            k[len(prefix) :]: getattr(self, k) for k in self._prefixed() if k.startswith(prefix)
        }

    # ---- the pieces ------------------------------------------------------------
    def _build_module(self):
        kwargs = self._prefixed_with("module__")
        if isinstance(self.module, Module):
            if kwargs:
                raise ValueError(
                    f"{type(self).__name__}: module__ parameters {sorted(kwargs)} need "
                    "a module class to build, but module is an instance; pass the class"
                )
            return copy.deepcopy(self.module)
        if isinstance(self.module, type) and issubclass(self.module, Module):
            return self.module(**kwargs)
        raise TypeError(
            f"{type(self).__name__}: module must be a glassnet nn.Module subclass or "
            f"instance, got {self.module!r}"
        )

    def _build_criterion(self):
        criterion = self._default_criterion() if self.criterion is None else self.criterion
        kwargs = self._prefixed_with("criterion__")
        if isinstance(criterion, type):
            return criterion(**kwargs)
        if isinstance(criterion, str):
            loss = get_loss(criterion)
            return type(loss)(**kwargs) if kwargs else loss
        return criterion

    def _build_optimizer(self, module):
        kwargs = self._prefixed_with("optimizer__")
        if isinstance(self.optimizer, type):
            return self.optimizer(module.parameters(), lr=self.lr, **kwargs)
        from ..optim.registry import OPTIMIZERS

        if self.optimizer not in OPTIMIZERS:
            raise ValueError(
                f"{type(self).__name__}: unknown optimizer {self.optimizer!r}; expected "
                f"one of {', '.join(OPTIMIZERS.accepted())} or an Optimizer class"
            )
        return OPTIMIZERS[self.optimizer].make(module.parameters(), self.lr, **kwargs)

    # ---- fitting and predicting -------------------------------------------------
    def fit(self, X, y):
        """Train the module on (X, y) for ``max_epochs`` epochs; returns self."""
        reset = not (self.warm_start and hasattr(self, "module_"))
        X, y = validate_data(self, X, y, dtype=self.dtype, reset=reset, multi_output=True)
        target = self._encode_target(y, reset)
        if self.train_split is not None and not 0 < self.train_split < 1:
            raise ValueError(
                f"{type(self).__name__}: train_split must be a fraction in (0, 1) "
                f"held out for validation, or None, got {self.train_split!r}"
            )
        with _seeded(self.random_state):
            if reset:
                self.module_ = self._build_module().to(dtype=np.dtype(self.dtype))
                self.criterion_ = self._build_criterion()
                self.optimizer_ = self._build_optimizer(self.module_)
            generator = None
            if self.random_state is not None:
                generator = np.random.default_rng(self.random_state)
            self.module_.train()
            self.history_ = train_fit(
                self.module_,
                (from_numpy(X), from_numpy(target)),
                loss=self.criterion_,
                optimizer=self.optimizer_,
                epochs=self.max_epochs,
                batch_size=min(int(self.batch_size), len(X)),
                validation=self.train_split,
                verbose=self.verbose,
                shuffle=self.shuffle,
                generator=generator,
            )
        self.n_iter_ = len(self.history_)
        return self

    def forward(self, X):
        """The module's output for X, as a NumPy array (evaluation mode, no graph)."""
        check_is_fitted(self, "module_")
        X = validate_data(self, X, dtype=self.dtype, reset=False)
        self.module_.eval()
        with grad_mode.no_grad():
            out = self.module_(from_numpy(np.ascontiguousarray(X)))
        return out.numpy()


class NeuralNetClassifier(ClassifierMixin, NeuralNet):
    """A module whose output is one score (logit) per class, trained with
    cross-entropy by default. ``classes_`` holds the labels, in the order of
    the module's outputs."""

    def _default_criterion(self):
        return "cross_entropy"

    def _encode_target(self, y, reset):
        y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        if reset:
            self._encoder = LabelEncoder().fit(y)
            self.classes_ = self._encoder.classes_
        return self._encoder.transform(y).astype(np.int64)

    def predict_proba(self, X):
        """Probability of each class (columns in ``classes_``' order): the
        softmax of the output under CrossEntropyLoss, its exp under NLLLoss
        (the output is log-probabilities), else the output itself."""
        out = self.forward(X)
        criterion = type(self.criterion_).__name__
        with grad_mode.no_grad():
            if criterion == "CrossEntropyLoss":
                out = api.softmax(from_numpy(out), dim=1).numpy()
            elif criterion == "NLLLoss":
                out = api.exp(from_numpy(out)).numpy()
        return out

    def predict(self, X):
        """The most probable class of each row."""
        return self.classes_[np.argmax(self.forward(X), axis=1)]


class NeuralNetRegressor(RegressorMixin, NeuralNet):
    """A module whose output is the prediction ((n, 1) for one target, (n, k)
    for k), trained with the mean squared error by default."""

    def _default_criterion(self):
        return "mse"

    def _encode_target(self, y, reset):
        if reset:
            self._one_target = y.ndim == 1
        return np.ascontiguousarray(y.reshape(-1, 1) if y.ndim == 1 else y, dtype=self.dtype)

    def predict(self, X):
        """The predicted values: (n_samples,) when fit on a 1-D y."""
        out = self.forward(X)
        return out.ravel() if self._one_target and out.ndim == 2 and out.shape[1] == 1 else out
