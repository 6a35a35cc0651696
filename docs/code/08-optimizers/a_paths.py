import numpy as np

import glassnet as gn
from glassnet import explain, nn

# paths of the optimizers on a stretched bowl, L(w) = w₁²/10 + w₂², from (−4, 2)
fig = explain.plot_descent_2d(lang=LANG)
