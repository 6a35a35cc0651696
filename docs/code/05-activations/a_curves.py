import numpy as np

import glassnet as gn
from glassnet import explain, nn

# the activations and their derivatives f'(z), computed by glassnet's autograd
fig = explain.plot_activations(lang=LANG)
