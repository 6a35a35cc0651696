"""NeuralNetClassifier/NeuralNetRegressor: a small custom glassnet module as
a scikit-learn estimator: fit/predict/predict_proba/score, module__ and
optimizer__ parameters through get_params/set_params/clone, GridSearchCV
over lr and a module__ parameter, pickling, seeding, clear errors."""

import pickle

import numpy as np
import pytest
from conftest import need

need("sklearn", "pip install 'glassnet[sklearn]'")

from sklearn.base import clone  # noqa: E402
from sklearn.datasets import make_classification, make_regression  # noqa: E402
from sklearn.model_selection import GridSearchCV, cross_val_score  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

import glassnet as gn  # noqa: E402
from glassnet import nn  # noqa: E402
from glassnet.sklearn import NeuralNetClassifier, NeuralNetRegressor  # noqa: E402


class TwoLayer(nn.Module):
    """in → hidden (tanh, dropout) → out: what a user writes for their data."""

    def __init__(self, n_in=8, hidden=16, n_out=3, dropout=0.0):
        super().__init__()
        self.hidden = nn.Linear(n_in, hidden)
        self.drop = nn.Dropout(dropout)
        self.out = nn.Linear(hidden, n_out)

    def forward(self, x):
        return self.out(self.drop(gn.tanh(self.hidden(x))))


def _classes(n=240):
    X, y = make_classification(
        n, 8, n_informative=5, n_classes=3, n_clusters_per_class=1, random_state=0
    )
    return StandardScaler().fit_transform(X), np.array(["ant", "bee", "cat"])[y]


def test_classifier_fits_predicts_and_scores():
    X, y = _classes()
    net = NeuralNetClassifier(TwoLayer, module__hidden=12, max_epochs=40, lr=0.1, random_state=0)
    assert net.fit(X, y) is net
    assert list(net.classes_) == ["ant", "bee", "cat"]
    proba = net.predict_proba(X)
    assert proba.shape == (len(X), 3) and proba.dtype == np.float32
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    assert set(net.predict(X)) <= set(net.classes_)
    assert net.score(X, y) > 0.85
    assert net.module_.hidden.out_features == 12 and net.n_iter_ == 40
    assert len(net.history_["loss"]) == 40 and net.history_["loss"][-1] < net.history_["loss"][0]


def test_params_reach_the_module_and_optimizer_and_survive_clone():
    net = NeuralNetClassifier(
        TwoLayer, optimizer="sgd", optimizer__momentum=0.9, module__hidden=5, lr=0.05
    )
    params = net.get_params()
    assert params["module__hidden"] == 5 and params["optimizer__momentum"] == 0.9
    twin = clone(net)
    assert twin.get_params()["module__hidden"] == 5 and twin is not net
    twin.set_params(module__hidden=7, lr=0.2, module__dropout=0.1)
    assert twin.module__hidden == 7 and twin.lr == 0.2 and twin.module__dropout == 0.1
    assert net.module__hidden == 5  # the original is untouched
    X, y = _classes(90)
    twin.set_params(max_epochs=2).fit(X, y)
    assert twin.module_.hidden.out_features == 7
    assert twin.optimizer_.param_groups[0]["momentum"] == 0.9
    assert twin.optimizer_.param_groups[0]["lr"] == 0.2


def test_grid_search_over_lr_and_a_module_parameter():
    X, y = _classes()
    search = GridSearchCV(
        NeuralNetClassifier(TwoLayer, max_epochs=15, random_state=0),
        {"lr": [0.001, 0.2], "module__hidden": [2, 24]},
        cv=3,
    ).fit(X, y)
    assert search.best_params_ == {"lr": 0.2, "module__hidden": 24}
    assert search.best_estimator_.module_.hidden.out_features == 24
    scores = cross_val_score(
        make_pipeline(StandardScaler(), NeuralNetClassifier(TwoLayer, max_epochs=15, lr=0.2)),
        X,
        y,
        cv=3,
    )
    assert scores.min() > 0.7


def test_random_state_repeats_a_fit_and_leaves_the_global_generator_alone():
    X, y = _classes(120)
    gn.manual_seed(123)
    before = gn.rand(3).numpy()
    gn.manual_seed(123)
    make = lambda: NeuralNetClassifier(  # noqa: E731
        TwoLayer, module__dropout=0.2, max_epochs=3, lr=0.1, random_state=7
    )
    a, b = make().fit(X, y), make().fit(X, y)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    np.testing.assert_array_equal(gn.rand(3).numpy(), before)


def test_pickle_and_warm_start():
    X, y = _classes(120)
    net = NeuralNetClassifier(TwoLayer, max_epochs=3, lr=0.1, random_state=0).fit(X, y)
    copy = pickle.loads(pickle.dumps(net))
    np.testing.assert_array_equal(copy.predict_proba(X), net.predict_proba(X))
    weights = net.module_.out.weight.detach().numpy().copy()
    net.set_params(warm_start=True).fit(X, y)  # goes on with the same module
    assert not np.array_equal(net.module_.out.weight.detach().numpy(), weights)
    assert net.module_ is not copy.module_


def test_regressor_with_validation_split_and_one_target():
    X, y = make_regression(200, 4, noise=0.1, random_state=0)
    X, y = StandardScaler().fit_transform(X), y / np.abs(y).max()
    net = NeuralNetRegressor(
        TwoLayer,
        module__n_in=4,
        module__n_out=1,
        optimizer="adam",
        lr=0.02,
        max_epochs=60,
        batch_size=32,
        train_split=0.2,
        random_state=0,
    ).fit(X, y)
    assert net.predict(X).shape == (200,)
    assert net.score(X, y) > 0.9
    assert len(net.history_["val_loss"]) == 60
    Y = np.column_stack([y, -y])
    two = NeuralNetRegressor(TwoLayer, module__n_in=4, module__n_out=2, max_epochs=2).fit(X, Y)
    assert two.predict(X).shape == (200, 2)


def test_errors_name_what_was_wrong():
    with pytest.raises(TypeError, match="unknown parameter 'hidden'.*module__"):
        NeuralNetClassifier(TwoLayer, hidden=3)
    X, y = _classes(60)
    with pytest.raises(ValueError, match="module__ parameters \\['hidden'\\] need a module class"):
        NeuralNetClassifier(TwoLayer(), module__hidden=3).fit(X, y)
    with pytest.raises(TypeError, match="module must be a glassnet nn.Module"):
        NeuralNetClassifier("TwoLayer").fit(X, y)
    with pytest.raises(ValueError, match="unknown optimizer 'lbfgs'"):
        NeuralNetClassifier(TwoLayer, optimizer="lbfgs").fit(X, y)
    with pytest.raises(ValueError, match="train_split must be a fraction"):
        NeuralNetClassifier(TwoLayer, train_split=1.5).fit(X, y)
    net = NeuralNetClassifier(TwoLayer, max_epochs=1).fit(X, y)
    with pytest.raises(
        ValueError, match="X has 5 features, but NeuralNetClassifier is expecting 8"
    ):
        net.predict(X[:, :5])


class LogProbabilities(TwoLayer):
    def forward(self, x):
        return gn.log_softmax(super().forward(x), dim=1)


def test_a_log_probability_module_with_nll_loss():
    X, y = _classes(120)
    net = NeuralNetClassifier(LogProbabilities, criterion=nn.NLLLoss, max_epochs=20, lr=0.2)
    proba = net.fit(X, y).predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    assert (proba >= 0).all() and net.score(X, y) > 0.8
