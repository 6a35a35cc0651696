import numpy as np

import glassnet as gn
from glassnet import explain, nn

# a convolution slides one small kernel over the image: every output value is
# z = Σ w·x over a 3×3 patch, plus b — a neuron that sees only the patch, with
# the same weights at every position
gn.manual_seed(0)
conv = nn.Conv2d(1, 1, kernel_size=3)
image = gn.arange(25, dtype=gn.float32).reshape(1, 1, 5, 5) / 25
print(explain.trace_conv(conv, image, position=(0, 0, 1, 2), lang=LANG))
