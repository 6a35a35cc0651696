"""scikit-learn's own estimator checks (``check_estimator``'s list), every one
run on the MLPs as a test: no expected failures. Two scikit-learn itself
declares not applicable by raising SkipTest (array API input, without
SCIPY_ARRAY_API set; the decision_function format, a method an MLP has
not): for those the test is that they do; the pandas ones need pandas (in
the test extra)."""

import unittest
import warnings

import pytest
from conftest import need

need("sklearn", "pip install 'glassnet[sklearn]'")

from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.utils import estimator_checks  # noqa: E402

from glassnet.sklearn import MLPClassifier, MLPRegressor  # noqa: E402


def _quietly(check, estimator):
    with warnings.catch_warnings():
        # as scikit-learn's MLPs, ours warn when max_iter ends the fit: many checks fit
        # tiny data with the default max_iter; the warning itself is tested in
        # test_sklearn_mlp.py
        warnings.simplefilter("ignore", ConvergenceWarning)
        check(estimator)


# these checks skip (SkipTest) without pandas: here a missing pandas is conftest's skip
# with what to install (a failure under GLASSNET_REQUIRE_ALL=1)
NEED_PANDAS = ("pandas", "data_not_an_array")


NOT_APPLICABLE = {
    "check_array_api_input": "SCIPY_ARRAY_API is not set",
    "check_classifiers_multilabel_output_format_decision_function": "no.* decision_function",
}


@estimator_checks.parametrize_with_checks([MLPClassifier(), MLPRegressor()])
def test_scikit_learn_estimator_checks(estimator, check):
    name = getattr(check, "func", check).__name__
    if name in NOT_APPLICABLE:
        with pytest.raises(unittest.SkipTest, match=NOT_APPLICABLE[name]):
            _quietly(check, estimator)
        return
    if any(word in name for word in NEED_PANDAS):
        need("pandas", "pip install pandas (or pip install -e '.[test]')")
    _quietly(check, estimator)


# the other solvers on the check scikit-learn runs on its own MLPs with these settings
# (sklearn/utils/_test_common/instance_generator.py): weights as repeated rows
@pytest.mark.parametrize(
    "estimator",
    [
        MLPClassifier(solver="lbfgs"),
        MLPRegressor(solver="sgd", tol=1e-2, random_state=42),
        MLPRegressor(solver="lbfgs"),
    ],
    ids=repr,
)
@pytest.mark.parametrize("on", ["dense", "sparse"])
def test_sample_weight_is_repeating_rows_for_the_other_solvers(estimator, on):
    check = getattr(estimator_checks, f"check_sample_weight_equivalence_on_{on}_data")
    _quietly(lambda est: check(type(est).__name__, est), estimator)
