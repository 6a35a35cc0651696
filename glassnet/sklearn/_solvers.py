"""The MLP estimators' solvers on glassnet's optimizers.

``Stochastic``: 'sgd' (glassnet's SGD: momentum, Nesterov) or 'adam'
(glassnet's Adam), one step per mini-batch, with scikit-learn's learning-rate
schedules for 'sgd'::

    constant    η = learning_rate_init
    invscaling  η = learning_rate_init / (t + 1)^power_t   (t: samples seen)
    adaptive    η = η / 5 each time n_iter_no_change epochs bring no progress

The L2 penalty's gradient α·W/Σw is the optimizer's weight decay on the
coefficients (the intercepts are not penalized). When η changes, SGD's
momentum buffer is rescaled so the steps stay scikit-learn's. Adam's ε is set each step so
the update is scikit-learn's, w −= η·√(1 − β₂ᵗ)/(1 − β₁ᵗ) · m/(√v + ε).

``lbfgs``: SciPy's L-BFGS-B on the whole data set, glassnet computing the
objective and its gradient.
"""

from __future__ import annotations

import copy
import math
import warnings

import numpy as np

from ..functions.shape import from_numpy
from ..optim import SGD, Adam


def _groups(network, **hyper):
    return [
        {"params": network.weights, "weight_decay": 0.0, **hyper},
        {"params": network.biases, "weight_decay": 0.0, **hyper},
    ]


class Stochastic:
    """One glassnet optimizer over a Network, and the learning-rate schedule.

    ``saved``: what ``state()`` returned at the end of an earlier call
    (partial_fit goes on where the last call stopped)."""

    def __init__(self, est, network, saved=None):
        self.est = est
        self.schedule = est.learning_rate if est.solver == "sgd" else "constant"
        self.learning_rate = float(est.learning_rate_init)
        self.t = 0
        lr = self.learning_rate
        if est.solver == "sgd":
            momentum = float(est.momentum)
            nesterov = bool(est.nesterovs_momentum) and momentum > 0
            self.optimizer = SGD(_groups(network, lr=lr, momentum=momentum, nesterov=nesterov))
        else:
            betas = (float(est.beta_1), float(est.beta_2))
            self.optimizer = Adam(_groups(network, lr=lr, betas=betas, eps=float(est.epsilon)))
        if saved is not None:
            self.optimizer.load_state_dict(saved["optimizer"])
            self.learning_rate, self.t = saved["learning_rate"], saved["t"]

    def step(self, objective, decay):
        """Backpropagate ``objective`` (a 0-d Tensor) and update the weights;
        ``decay``: α/Σw, the L2 penalty's gradient factor."""
        self.t += 1
        weights, biases = self.optimizer.param_groups
        weights["weight_decay"] = decay
        for group in (weights, biases):
            group["lr"] = self.learning_rate
            if self.est.solver == "adam":
                group["eps"] = self.est.epsilon / math.sqrt(1.0 - self.est.beta_2**self.t)
        self.optimizer.zero_grad()
        objective.backward()
        self.optimizer.step()

    def iteration_ends(self, samples_seen):
        if self.schedule == "invscaling":
            self._change_learning_rate(
                self.est.learning_rate_init / (samples_seen + 1) ** self.est.power_t
            )

    def _change_learning_rate(self, new):
        """η ← ``new``. scikit-learn's momentum holds steps (v = μv − ηg), glassnet's
        SGD gradients (b = μb + g, step ηb): b·η_old/η_new keeps the next step
        scikit-learn's."""
        old, self.learning_rate = self.learning_rate, new
        if self.est.solver == "sgd" and new != old and new > 0:
            for state in self.optimizer.state.values():
                buffer = state.get("momentum_buffer")
                if buffer is not None:
                    buffer *= old / new

    def trigger_stopping(self, message, verbose):
        """True to stop; 'adaptive' first divides η by 5 (down to 1e-6)."""
        if self.schedule != "adaptive":
            if verbose:
                print(message + " Stopping.")
            return True
        if self.learning_rate <= 1e-6:
            if verbose:
                print(message + " Learning rate too small. Stopping.")
            return True
        self._change_learning_rate(self.learning_rate / 5.0)
        if verbose:
            print(message + f" Setting learning rate to {self.learning_rate:f}")
        return False

    def state(self):
        """What the next partial_fit needs (plain arrays and numbers: pickles)."""
        return {
            "optimizer": copy.deepcopy(self.optimizer.state_dict()),
            "learning_rate": self.learning_rate,
            "t": self.t,
        }


def lbfgs(est, network, X, target, sample_weight, report_scale):
    """Minimize J over the whole data set with SciPy's L-BFGS-B; returns
    (the loss as reported, iterations). ``report_scale``: what turns J's data
    part into the reported loss (1/n_outputs for the squared error)."""
    import scipy.optimize

    params = network.parameters()
    arrays = [p._data for p in params]
    ends = np.cumsum([a.size for a in arrays])
    starts = ends - np.array([a.size for a in arrays])
    n_weights = len(network.weights)
    sw_sum = float(len(X) if sample_weight is None else sample_weight.sum())
    x = from_numpy(X)
    t = from_numpy(target)
    w = None if sample_weight is None else from_numpy(sample_weight)
    alpha = float(est.alpha)

    def objective(theta):
        for a, s, e in zip(arrays, starts, ends):
            a[...] = theta[s:e].reshape(a.shape)
        for p in params:
            p.grad = None
        mean = network.mean_loss(x, t, w)
        mean.backward()
        grads = []
        for i, (p, a) in enumerate(zip(params, arrays)):
            g = p.grad._data if p.grad is not None else np.zeros_like(a)
            if i < n_weights and alpha:
                g = g + (alpha / sw_sum) * a
            grads.append(g.ravel())
        j = mean.item() + network.penalty(alpha) / sw_sum
        last[0] = j
        return j, np.concatenate(grads).astype(np.float64)

    last, iterations = [np.nan], [0]

    def progress(intermediate_result):
        """verbose: a line per iteration, as the stochastic solvers' (SciPy >= 1.11
        passes the iterate's result; older ones the point, then the last loss is shown)."""
        iterations[0] += 1
        loss = getattr(intermediate_result, "fun", last[0])
        print(f"Iteration {iterations[0]}, loss = {loss:.8f}")

    theta0 = np.concatenate([a.ravel() for a in arrays]).astype(np.float64)
    result = scipy.optimize.minimize(
        objective,
        theta0,
        method="L-BFGS-B",
        jac=True,
        options={"maxfun": est.max_fun, "maxiter": est.max_iter, "gtol": est.tol},
        callback=progress if est.verbose else None,
    )
    objective(result.x)  # leave the weights at the solution (not the last trial point)
    if result.status != 0:
        warnings.warn(
            f"lbfgs failed to converge after {result.nit} iteration(s) (status="
            f"{result.status}): {result.message}. Increase max_iter or max_fun, or "
            "scale the data.",
            _convergence_warning(),
            stacklevel=4,
        )
    penalty = network.penalty(alpha) / sw_sum
    return (result.fun - penalty) * report_scale + penalty, min(result.nit, est.max_iter)


def _convergence_warning():
    from sklearn.exceptions import ConvergenceWarning

    return ConvergenceWarning
