"""scikit-learn estimators trained by glassnet (needs scikit-learn >= 1.6:
``pip install 'glassnet[sklearn]'``).

- ``MLPClassifier``, ``MLPRegressor``: scikit-learn's multilayer perceptrons,
  same parameters, attributes and behaviour, glassnet's autograd and optimizers.
- ``NeuralNetClassifier``, ``NeuralNetRegressor``: any glassnet ``nn.Module``
  as an estimator (``module__<arg>`` parameters reach its constructor), for
  Pipeline, GridSearchCV and cross_val_score.

``import glassnet`` does not import this package (nor scikit-learn).
"""

from __future__ import annotations

import re

try:
    import sklearn
except ImportError as error:  # pragma: no cover - the message is the point
    raise ImportError(
        "glassnet.sklearn needs scikit-learn: pip install 'glassnet[sklearn]'"
    ) from error

_MINIMUM = (1, 6)
_found = re.match(r"(\d+)\.(\d+)", sklearn.__version__)
if _found and tuple(map(int, _found.groups())) < _MINIMUM:  # pragma: no cover
    raise ImportError(
        f"glassnet.sklearn needs scikit-learn >= 1.6 (for sklearn.utils.validation."
        f"validate_data), found {sklearn.__version__}: pip install -U 'glassnet[sklearn]'"
    )

from .mlp import MLPClassifier, MLPRegressor  # noqa: E402
from .neural_net import NeuralNetClassifier, NeuralNetRegressor  # noqa: E402

__all__ = ["MLPClassifier", "MLPRegressor", "NeuralNetClassifier", "NeuralNetRegressor"]
