"""scikit-learn's own estimator checks (``check_estimator``'s list), every one
run on the MLPs as a test: no expected failures. The two that scikit-learn
itself skips (array API input without SCIPY_ARRAY_API set; the
decision_function format, a method an MLP has not) skip here too; the
pandas ones need pandas (in the test extra)."""

import warnings

from conftest import need

need("sklearn", "pip install 'glassnet[sklearn]'")

from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

from glassnet.sklearn import MLPClassifier, MLPRegressor  # noqa: E402

ESTIMATORS = [
    MLPClassifier(),
    MLPRegressor(),
    # scikit-learn runs its sample-weight check on these two settings of its own MLPs
    MLPClassifier(solver="lbfgs"),
    MLPRegressor(solver="sgd", tol=1e-2, random_state=42),
]


@parametrize_with_checks(ESTIMATORS)
def test_scikit_learn_estimator_checks(estimator, check):
    with warnings.catch_warnings():
        # as scikit-learn's MLPs, ours warn when max_iter ends the fit: many checks fit
        # tiny data with the default max_iter; the warning itself is tested in
        # test_sklearn_mlp.py
        warnings.simplefilter("ignore", ConvergenceWarning)
        check(estimator)
