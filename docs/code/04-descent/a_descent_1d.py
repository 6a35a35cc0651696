import numpy as np

import glassnet as gn
from glassnet import explain, nn

# w ← w − η·dL/dw on a one-weight loss, L(w) = (w − 3)², from w = −1:
# too small a learning rate crawls, a good one arrives, too large overshoots
fig = explain.plot_descent_1d(lang=LANG)
