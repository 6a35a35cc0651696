"""Ready-made data sets (``gn.datasets``). Every function returns a
``LabeledDataset``: a ``TensorDataset(features, targets)`` with
``.feature_names``, ``.target_name``, ``.classes`` and ``.task``, so

    ds = gn.datasets.circle(noise=10)
    X, y = ds.tensors                       # or ds.features, ds.targets
    train, test = gn.datasets.train_test_split(ds, test_size=0.2)
    loader = gn.data.DataLoader(train, batch_size=32, shuffle=True)

Features are float32 (the default float dtype), shape (n, d). Class labels
are int64 indices of shape (n,) (binary sets can give float (n, 1) labels
with ``labels="float"`` or ``"pm1"``); regression targets are float, (n, 1).

- the article's tasks: ``square`` (y = x²), ``xor``, ``house_prices``;
- TensorFlow Playground's: ``circle``, ``xor2d``, ``gauss``, ``spiral``
  (classification), ``plane``, ``multi_gauss`` (regression);
- classics: ``moons`` (as scikit-learn's make_moons), ``two_spirals`` (CMU);
- real data shipped in scikit-learn (optional extra): ``digits``, ``iris``,
  ``wine``, ``breast_cancer``;
- your own: ``load_csv``; and ``train_test_split``.
"""

from .article import house_prices, square, xor
from .classic import moons, two_spirals
from .csvfile import load_csv
from .labeled import LabeledDataset
from .playground import circle, gauss, multi_gauss, plane, spiral, xor2d
from .real import breast_cancer, digits, iris, wine
from .split import train_test_split

__all__ = [
    "square",
    "xor",
    "house_prices",
    "circle",
    "xor2d",
    "gauss",
    "spiral",
    "plane",
    "multi_gauss",
    "moons",
    "two_spirals",
    "digits",
    "iris",
    "wine",
    "breast_cancer",
    "load_csv",
    "train_test_split",
    "LabeledDataset",
]
