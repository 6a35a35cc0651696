"""The network's inputs, computed from a point (x1, x2): TensorFlow
Playground's seven features."""

import numpy as np

# name -> (label on the page, f(x1, x2))
FEATURES = {
    "x1": ("x₁", lambda x1, x2: x1),
    "x2": ("x₂", lambda x1, x2: x2),
    "x1sq": ("x₁²", lambda x1, x2: x1 * x1),
    "x2sq": ("x₂²", lambda x1, x2: x2 * x2),
    "x1x2": ("x₁·x₂", lambda x1, x2: x1 * x2),
    "sinx1": ("sin x₁", lambda x1, x2: np.sin(x1)),
    "sinx2": ("sin x₂", lambda x1, x2: np.sin(x2)),
}
# how the exported script writes each one (x1, x2 are columns)
CODE = {
    "x1": "x1",
    "x2": "x2",
    "x1sq": "x1 * x1",
    "x2sq": "x2 * x2",
    "x1x2": "x1 * x2",
    "sinx1": "np.sin(x1)",
    "sinx2": "np.sin(x2)",
}


def transform(points, names):
    """The features ``names`` of ``points`` (n, 2): a float32 array (n, len(names))."""
    points = np.asarray(points, dtype=np.float64)
    x1, x2 = points[:, 0], points[:, 1]
    return np.stack([FEATURES[n][1](x1, x2) for n in names], axis=1).astype(np.float32)
