"""The multilayer perceptron of MLPClassifier/MLPRegressor as glassnet tensors.

The estimator owns its weights as scikit-learn does: ``coefs_[i]`` of shape
(fan_in, fan_out) and ``intercepts_[i]`` of shape (fan_out,). ``Network``
wraps those very arrays as glassnet Parameters (no copy: ``coefs_[i]`` is
kept Fortran-ordered, so its transpose is the C-ordered (out, in) weight
``nn.Linear`` uses), runs the forward pass with glassnet's fused ``linear``
op, and lets glassnet's autograd and optimizers change the arrays in place.

The objective trained, with w the sample weights (1 without), ℓᵢ the loss of
sample i summed over its outputs, and Ω = ½·α·Σ‖Wₗ‖² the L2 penalty::

    J = (Σᵢ wᵢ·ℓᵢ + Ω) / Σᵢ wᵢ

(``mean_loss`` is the first term; Ω's gradient α·W/Σw is the optimizer's
weight decay.)

which is scikit-learn's (its gradient, and its loss up to one difference:
for the squared error scikit-learn reports ℓ averaged over the outputs).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .. import grad_mode
from ..functions import api
from ..functions.shape import from_numpy
from ..nn import functional as F
from ..nn.parameter import Parameter

if TYPE_CHECKING:
    from ..tensor import Tensor

HIDDEN = {"identity": lambda z: z, "logistic": api.sigmoid, "tanh": api.tanh, "relu": api.relu}


def glorot_uniform(fan_in, fan_out, activation, random_state, dtype):
    """scikit-learn's initialization: W, b ~ U(−r, r) with r = √(6/(fan_in + fan_out))
    (√(2/…) for the logistic activation), drawn from ``random_state`` in
    scikit-learn's order, so one seed gives both libraries the same start."""
    factor = 2.0 if activation == "logistic" else 6.0
    bound = np.sqrt(factor / (fan_in + fan_out))
    coef = random_state.uniform(-bound, bound, (fan_in, fan_out))
    intercept = random_state.uniform(-bound, bound, fan_out)
    return np.asfortranarray(coef, dtype=dtype), intercept.astype(dtype)


def as_layer_arrays(coefs, intercepts):
    """The arrays a Network can wrap without copying: Fortran-ordered coefs,
    contiguous intercepts (new lists; an array already fit is kept)."""
    coefs = [np.asfortranarray(c) for c in coefs]
    intercepts = [np.ascontiguousarray(b) for b in intercepts]
    return coefs, intercepts


def _poisson_constant(y):
    """y·log y − y (0·log 0 = 0): the part of ½·Poisson deviance that has no
    gradient, so the loss reads 0 at a perfect fit, as scikit-learn's."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(y > 0, y * np.log(np.where(y > 0, y, 1)), 0.0).astype(y.dtype) - y


class Network:
    """Parameters over ``coefs``/``intercepts`` (shared memory) and the passes."""

    def __init__(self, coefs, intercepts, activation, out_activation):
        self.weights = [Parameter(c.T) for c in coefs]  # (fan_out, fan_in), C-ordered
        self.biases = [Parameter(b) for b in intercepts]
        self.hidden = HIDDEN[activation]
        self.out_activation = out_activation

    def parameters(self):
        return self.weights + self.biases

    def logits(self, x: Tensor) -> Tensor:
        """The output layer's pre-activation z for the input rows ``x``."""
        last = len(self.weights) - 1
        for i, (w, b) in enumerate(zip(self.weights, self.biases)):
            x = F.linear(x, w, b)
            if i != last:
                x = self.hidden(x)
        return x

    def mean_loss(self, x: Tensor, target: Tensor, sample_weight: Tensor | None) -> Tensor:
        """Σᵢ wᵢ·ℓᵢ / Σᵢ wᵢ (a 0-d Tensor): ``target`` holds class indices
        (softmax), 0/1 indicators (logistic), or values (identity, exp)."""
        z = self.logits(x)
        if sample_weight is None and (self.out_activation == "softmax" or z.shape[1] == 1):
            reduction = "mean"  # one loss per row: Σℓᵢ/n is the mean, one op
        else:
            reduction = "none"
        if self.out_activation == "softmax":
            per = F.cross_entropy(z, target, reduction=reduction)
        elif self.out_activation == "logistic":
            per = F.binary_cross_entropy_with_logits(z, target, reduction=reduction)
        elif self.out_activation == "exp":  # half the Poisson deviance
            per = api.exp(z) - target * z + from_numpy(_poisson_constant(target._data))
            per = per.mean() if reduction == "mean" else per
        else:
            per = F.half_squared_error(z, target, reduction=reduction)
        if reduction == "mean":
            return per
        if per.ndim == 2:
            per = per.sum(dim=1)
        if sample_weight is None:
            return per.mean()
        return (per * sample_weight).sum() * (1.0 / float(sample_weight._data.sum()))

    def penalty(self, alpha) -> float:
        """Ω = ½·α·Σ‖Wₗ‖² (a number: its gradient is the optimizer's weight decay)."""
        if not alpha:
            return 0.0
        return 0.5 * alpha * sum(float(np.vdot(w._data, w._data)) for w in self.weights)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """The output layer's activations for the rows of ``X`` (no graph)."""
        with grad_mode.no_grad():
            z = self.logits(from_numpy(X))
            if self.out_activation == "softmax":
                z = api.softmax(z, dim=1)
            elif self.out_activation == "logistic":
                z = api.sigmoid(z)
            elif self.out_activation == "exp":
                z = api.exp(z)
        return z.numpy()
