"""Real data sets that ship inside scikit-learn (no download): digits,
iris, wine, breast_cancer. scikit-learn is an optional extra
(``pip install glassnet[data]``), imported only when one is loaded."""

import numpy as np

from ._util import floats, standardized
from .labeled import LabeledDataset


def _load(fn, loader_name, standardize):
    try:
        from sklearn import datasets as skd
    except ImportError:
        raise ImportError(
            f"{fn}: this data set ships inside scikit-learn, which is not "
            f"installed; pip install glassnet[data] (or pip install "
            f"scikit-learn)"
        ) from None
    bunch = getattr(skd, loader_name)()
    x = standardized(bunch.data) if standardize else bunch.data
    return LabeledDataset(
        floats(x),
        np.asarray(bunch.target, dtype=np.int64),
        task="classification",
        feature_names=[str(f) for f in bunch.feature_names],
        target_name="class",
        classes=[str(c) for c in bunch.target_names],
        name=fn,
    )


def digits(standardize=False):
    """8×8 images of handwritten digits: 1797 samples, 64 pixel features in
    0..16, 10 classes (scikit-learn's load_digits). ``standardize=True``
    scales each feature to mean 0, standard deviation 1 over the whole set."""
    return _load("digits", "load_digits", standardize)


def iris(standardize=False):
    """Fisher's iris: 150 flowers, 4 measurements in cm, 3 species
    (scikit-learn's load_iris). ``standardize`` as in ``digits``."""
    return _load("iris", "load_iris", standardize)


def wine(standardize=False):
    """Wine recognition: 178 wines, 13 chemical measurements, 3 cultivars
    (scikit-learn's load_wine). ``standardize`` as in ``digits``."""
    return _load("wine", "load_wine", standardize)


def breast_cancer(standardize=False):
    """Wisconsin diagnostic breast cancer: 569 samples, 30 features, classes
    malignant (0) / benign (1) (scikit-learn's load_breast_cancer).
    ``standardize`` as in ``digits``."""
    return _load("breast_cancer", "load_breast_cancer", standardize)
