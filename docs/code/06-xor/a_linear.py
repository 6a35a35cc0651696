import numpy as np

import glassnet as gn
from glassnet import explain, nn

# XOR: the output is 1 when exactly one input is 1
X = gn.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
y = gn.tensor([[0.0], [1.0], [1.0], [0.0]])

# a single neuron (no hidden layer) draws one straight line through the plane,
# and no straight line puts (0,1), (1,0) on one side and (0,0), (1,1) on the other
gn.manual_seed(0)
linear = nn.Sequential(nn.Linear(2, 1), nn.Sigmoid())
gn.fit(linear, (X, y), loss="bce", optimizer="sgd", lr=0.5, epochs=500, batch_size=4, verbose=0)
print("one neuron:   ", linear(X).detach().numpy().ravel().round(3), "(targets 0 1 1 0)")
