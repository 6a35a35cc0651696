"""glassnet.sklearn's MLPClassifier/MLPRegressor behave as scikit-learn's own:
from the same random_state they take the same steps (loss curves and weights
equal to rounding), keep its attributes, stopping rules, warnings and errors,
and work in a Pipeline and GridSearchCV."""

import pickle
import warnings

import numpy as np
import pytest
from conftest import need

need("sklearn", "pip install 'glassnet[sklearn]'")

import sklearn.neural_network as skn  # noqa: E402
from scipy import sparse  # noqa: E402
from sklearn.datasets import load_digits, make_classification, make_regression  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.model_selection import GridSearchCV, train_test_split  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from glassnet.sklearn import MLPClassifier, MLPRegressor  # noqa: E402


def _quiet_fit(model, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(*args, **kwargs)


def _classification(n_classes=3, n=120, seed=0):
    X, y = make_classification(
        n, 6, n_informative=4, n_classes=n_classes, n_clusters_per_class=1, random_state=seed
    )
    return StandardScaler().fit_transform(X), y


def _same_fit(ours, theirs, rtol=1e-6):
    assert ours.n_iter_ == theirs.n_iter_
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=rtol)
    for a, b in zip(ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-8)


SAME_STEPS = [
    dict(solver="adam"),
    dict(solver="sgd", learning_rate_init=0.05),
    dict(solver="sgd", learning_rate_init=0.05, nesterovs_momentum=False),
    dict(solver="sgd", momentum=0.0, learning_rate_init=0.1),
    dict(solver="sgd", learning_rate="invscaling", learning_rate_init=0.1, power_t=0.25),
    dict(solver="sgd", learning_rate="adaptive", learning_rate_init=0.1, tol=0.05),
    dict(solver="adam", activation="tanh", hidden_layer_sizes=(7, 5), alpha=0.01),
    dict(solver="adam", activation="logistic", batch_size=16, shuffle=False),
    dict(solver="adam", activation="identity", early_stopping=True),
]


@pytest.mark.parametrize("params", SAME_STEPS, ids=lambda p: "-".join(map(str, p.values())))
@pytest.mark.parametrize("n_classes", [2, 4])
def test_classifier_takes_scikit_learns_steps(params, n_classes):
    X, y = _classification(n_classes)
    kwargs = dict(hidden_layer_sizes=(10,), max_iter=30, random_state=1)
    kwargs.update(params)
    ours = _quiet_fit(MLPClassifier(**kwargs), X, y)
    theirs = _quiet_fit(skn.MLPClassifier(**kwargs), X, y)
    _same_fit(ours, theirs)
    assert ours.out_activation_ == theirs.out_activation_
    np.testing.assert_array_equal(ours.classes_, theirs.classes_)
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), rtol=1e-5)
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))
    if ours.early_stopping:
        assert ours.best_loss_ is None
        np.testing.assert_allclose(ours.validation_scores_, theirs.validation_scores_)
        assert ours.best_validation_score_ == theirs.best_validation_score_
    else:
        assert ours.best_loss_ == pytest.approx(theirs.best_loss_, rel=1e-6)


@pytest.mark.parametrize("n_outputs", [1, 3])
@pytest.mark.parametrize("loss", ["squared_error", "poisson"])
def test_regressor_takes_scikit_learns_steps(n_outputs, loss):
    X, y = make_regression(100, 5, n_targets=n_outputs, noise=0.1, random_state=0)
    X = StandardScaler().fit_transform(X)
    y = y / np.abs(y).max()
    if loss == "poisson":
        y = np.exp(y)
    kwargs = dict(loss=loss, hidden_layer_sizes=(8,), max_iter=25, random_state=3)
    ours = _quiet_fit(MLPRegressor(**kwargs), X, y)
    theirs = _quiet_fit(skn.MLPRegressor(**kwargs), X, y)
    _same_fit(ours, theirs)
    assert ours.predict(X).shape == theirs.predict(X).shape
    np.testing.assert_allclose(ours.predict(X), theirs.predict(X), rtol=1e-5, atol=1e-8)
    assert ours.score(X, y) == pytest.approx(theirs.score(X, y), rel=1e-6)


def test_multilabel_targets_get_one_logistic_output_each():
    X, _ = _classification()
    Y = (X[:, :3] > 0).astype(int)
    kwargs = dict(hidden_layer_sizes=(10,), max_iter=20, random_state=0)
    ours = _quiet_fit(MLPClassifier(**kwargs), X, Y)
    theirs = _quiet_fit(skn.MLPClassifier(**kwargs), X, Y)
    _same_fit(ours, theirs)
    assert ours.out_activation_ == "logistic" and ours.n_outputs_ == 3
    assert ours.predict(X).shape == Y.shape and ours.predict_proba(X).shape == Y.shape


def test_sample_weight_scales_each_rows_loss():
    X, y = _classification()
    weights = np.random.default_rng(0).uniform(0.2, 3.0, len(y))
    kwargs = dict(hidden_layer_sizes=(10,), max_iter=15, random_state=0)
    ours = _quiet_fit(MLPClassifier(**kwargs), X, y, sample_weight=weights)
    theirs = _quiet_fit(skn.MLPClassifier(**kwargs), X, y, sample_weight=weights)
    _same_fit(ours, theirs)


def test_lbfgs_reaches_scikit_learns_minimum():
    X, y = _classification()
    kwargs = dict(solver="lbfgs", hidden_layer_sizes=(6,), max_iter=300, random_state=0)
    ours = MLPClassifier(**kwargs).fit(X, y)
    theirs = skn.MLPClassifier(**kwargs).fit(X, y)
    assert ours.loss_ == pytest.approx(theirs.loss_, rel=1e-3, abs=1e-4)
    assert ours.n_iter_ <= 300 and not hasattr(ours, "loss_curve_")
    with pytest.warns(ConvergenceWarning, match="lbfgs failed to converge"):
        MLPClassifier(solver="lbfgs", max_iter=2, random_state=0).fit(X, y)
    with pytest.raises(AttributeError, match="has no attribute 'partial_fit'") as error:
        MLPClassifier(solver="lbfgs").partial_fit  # noqa: B018 (the look-up is the test)
    assert "only available for stochastic optimizers" in str(error.value.__cause__)


def test_partial_fit_goes_on_where_the_last_call_stopped():
    X, y = _classification()
    ours, theirs = MLPClassifier(random_state=0), skn.MLPClassifier(random_state=0)
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        MLPClassifier().partial_fit(X, y)
    for _ in range(3):
        ours.partial_fit(X, y, classes=[0, 1, 2])
        theirs.partial_fit(X, y, classes=[0, 1, 2])
    _same_fit(ours, theirs)
    copy = pickle.loads(pickle.dumps(ours))  # the optimizer's moments travel along
    copy.partial_fit(X, y)
    ours.partial_fit(X, y)
    for a, b in zip(copy.coefs_, ours.coefs_):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="classes not in"):
        ours.partial_fit(X, np.full(len(y), 7))
    regressor = MLPRegressor(random_state=0, hidden_layer_sizes=(5,))
    regressor.partial_fit(X, y.astype(float)).partial_fit(X, y.astype(float))
    assert regressor.t_ == 2 * len(X)


def test_warm_start_continues_and_refuses_a_new_shape():
    X, y = _classification()
    model = _quiet_fit(MLPClassifier(hidden_layer_sizes=(5,), max_iter=5, random_state=0), X, y)
    start = [c.copy() for c in model.coefs_]
    model.set_params(warm_start=True)
    _quiet_fit(model, X, y)
    assert model.t_ == 2 * 5 * len(X)
    assert not np.allclose(model.coefs_[0], start[0])
    model.set_params(hidden_layer_sizes=(6,))
    with pytest.raises(ValueError, match=r"layer shapes \[\(6, 5\), \(5, 3\)\]"):
        model.fit(X, y)


def test_stopping_rules_and_warnings_follow_scikit_learn():
    X, y = _classification()
    with pytest.warns(ConvergenceWarning, match=r"Maximum iterations \(3\) reached"):
        MLPClassifier(max_iter=3, random_state=0).fit(X, y)
    model = MLPClassifier(hidden_layer_sizes=(20,), tol=1.0, n_iter_no_change=2, random_state=0)
    model.fit(X, y)  # the loss never falls by tol=1: 2 epochs more than n_iter_no_change
    assert model.n_iter_ == 4
    adaptive = MLPClassifier(
        solver="sgd", learning_rate="adaptive", tol=1.0, n_iter_no_change=1, max_iter=40
    )
    _quiet_fit(adaptive.set_params(random_state=0), X, y)
    # η is divided by 5 each time progress stalls, until 1e-6: 0.001 → 1.28e-6 → stop
    assert 8 < adaptive.n_iter_ < 40


def test_bad_parameters_name_what_was_wrong():
    X, y = _classification()
    for params, match in (
        (dict(alpha=-1.0), r"'alpha' parameter must be a number >= 0, got -1.0"),
        (dict(activation="softplus"), r"'activation' parameter must be one of"),
        (dict(solver="rmsprop"), r"'solver' parameter must be one of \('lbfgs'"),
        (dict(hidden_layer_sizes=(5, 0)), r"hidden_layer_sizes must be > 0"),
        (dict(hidden_layer_sizes="wide"), r"hidden_layer_sizes must be an int or a sequence"),
        (dict(batch_size=0), r"'batch_size' parameter must be 'auto' or an int >= 1"),
        (dict(dtype="int32"), r"'dtype' parameter must be None, 'float32' or 'float64'"),
        (dict(validation_fraction=1.0), r"'validation_fraction' parameter must be a number in"),
    ):
        with pytest.raises(ValueError, match=match):
            MLPClassifier(**params).fit(X, y)
    with pytest.raises(ValueError, match="sample_weight must have shape"):
        MLPClassifier().fit(X, y, sample_weight=np.ones(3))
    with pytest.raises(ValueError, match="partial_fit does not support early_stopping"):
        MLPClassifier(early_stopping=True).partial_fit(X, y, classes=[0, 1, 2])


def test_float32_training_and_sparse_input():
    X, y = _classification()
    model = _quiet_fit(MLPClassifier(hidden_layer_sizes=(8,), max_iter=20, random_state=0), X, y)
    as32 = _quiet_fit(
        MLPClassifier(hidden_layer_sizes=(8,), max_iter=20, random_state=0, dtype="float32"), X, y
    )
    assert model.coefs_[0].dtype == np.float64 and as32.coefs_[0].dtype == np.float32
    assert as32.predict_proba(X).dtype == np.float32
    np.testing.assert_allclose(as32.loss_curve_, model.loss_curve_, rtol=1e-4)
    on_sparse = _quiet_fit(
        MLPClassifier(hidden_layer_sizes=(8,), max_iter=20, random_state=0), sparse.csr_matrix(X), y
    )
    np.testing.assert_allclose(on_sparse.loss_curve_, model.loss_curve_, rtol=1e-10)
    np.testing.assert_allclose(
        on_sparse.predict_proba(sparse.csr_matrix(X)), model.predict_proba(X)
    )


def test_pipeline_and_grid_search():
    X, y = _classification(n=150)
    mlp = MLPClassifier(learning_rate_init=0.01, max_iter=100, random_state=0)
    pipe = make_pipeline(StandardScaler(), mlp)
    search = GridSearchCV(
        pipe, {"mlpclassifier__hidden_layer_sizes": [(4,), (16,)], "mlpclassifier__alpha": [1e-4]}
    )
    _quiet_fit(search, X, y)
    assert search.best_params_["mlpclassifier__hidden_layer_sizes"] in [(4,), (16,)]
    assert search.best_estimator_[-1].coefs_[0].shape[0] == X.shape[1]
    assert search.score(X, y) > 0.8


def test_digits_accuracy_within_a_point_of_scikit_learns():
    """Same hyper-parameters, same split: the accuracies within 1 point (the
    fit times are bench/sklearn_mlp.py's, not a test's)."""
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0, stratify=y)
    scores = {}
    for name, mlp in (
        ("scikit-learn", skn.MLPClassifier(random_state=0)),
        ("glassnet", MLPClassifier(random_state=0)),
        ("glassnet float32", MLPClassifier(random_state=0, dtype="float32")),
    ):
        pipe = _quiet_fit(make_pipeline(StandardScaler(), mlp), X_train, y_train)
        scores[name] = pipe.score(X_test, y_test)
    assert scores["scikit-learn"] > 0.95, scores
    assert abs(scores["glassnet"] - scores["scikit-learn"]) <= 0.01, scores
    assert abs(scores["glassnet float32"] - scores["scikit-learn"]) <= 0.01, scores


def test_verbose_prints_each_epoch_and_the_reason_to_stop(capsys):
    X, y = _classification()
    MLPClassifier(
        solver="sgd", learning_rate="adaptive", tol=1.0, n_iter_no_change=1, verbose=True
    ).set_params(random_state=0).fit(X, y)
    out = capsys.readouterr().out
    assert "Iteration 1, loss = " in out
    assert "Training loss did not improve more than tol=1.000000 for 1 consecutive epochs." in out
    assert "Setting learning rate to 0.000200" in out and "Learning rate too small." in out
    with pytest.warns(ConvergenceWarning) as caught:
        MLPClassifier(solver="lbfgs", max_iter=3, verbose=True, random_state=0).fit(X, y)
    assert caught[0].filename == __file__  # the warning points at the user's call
    assert "Iteration 3, loss = " in capsys.readouterr().out


def test_the_howto_page_runs(capsys):
    """docs/howto/scikit-learn.md's code cells, run in order as the docs build runs them."""
    import pathlib
    import re

    page = pathlib.Path(__file__).resolve().parents[1] / "docs" / "howto" / "scikit-learn.md"
    cells = re.findall(r"^```\{code-cell\} python\n(.*?)^```", page.read_text(), re.M | re.S)
    assert len(cells) == 4
    exec(compile("\n".join(cells), str(page), "exec"), {"__name__": "howto"})
    out = capsys.readouterr().out
    assert "same epochs: True" in out and "neuralnetclassifier__lr" in out
