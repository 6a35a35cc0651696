"""A physics-informed network: solve u''(x) = −sin x on [0, π], u(0) = u(π) = 0.

    python examples/pinn.py

No solution values are given to the network, only the equation. Its loss is
the squared residual of the equation at collocation points plus the
boundary conditions,

    L = mean over x of (u''(x) + sin x)²  +  u(0)² + u(π)²,

where u''(x) is the network's own second derivative in its input, found by
autograd: u' = ∂u/∂x with create_graph=True, then u'' = ∂u'/∂x again with
create_graph=True, so that L (which contains u'') can be differentiated in
the weights. The exact solution is u = sin x; the script prints the largest
error of the trained network on a fine grid.
"""

import numpy as np

import glassnet as gn
from glassnet import nn

HIDDEN = 16


def build(seed=0):
    """u(x): 1 → 16 tanh → 1, float64 (tanh: u'' must exist and be smooth)."""
    gn.manual_seed(seed)
    return nn.Sequential(
        nn.Linear(1, HIDDEN, dtype=np.float64), nn.Tanh(), nn.Linear(HIDDEN, 1, dtype=np.float64)
    )


def second_derivative(model, x):
    """(u, u'') at the points x (shape (n, 1)), both still differentiable in the weights."""
    x = x.detach().requires_grad_(True)
    u = model(x)
    (du,) = gn.autograd.grad(u.sum(), x, create_graph=True)  # each u_i depends on x_i only
    (d2u,) = gn.autograd.grad(du.sum(), x, create_graph=True)
    return u, d2u


def pinn_loss(model, x):
    """Equation residual plus boundary conditions (see the module docstring)."""
    _, d2u = second_derivative(model, x)
    residual = d2u + gn.sin(x)
    ends = model(gn.tensor(np.array([[0.0], [np.pi]])))
    return (residual**2).mean() + (ends**2).sum()


def train(steps=800, lr=0.01, points=32, seed=0, verbose=False):
    """Adam on the physics loss; returns (model, losses)."""
    model = build(seed)
    x = gn.tensor(np.linspace(0.0, np.pi, points).reshape(-1, 1))
    opt = gn.optim.Adam(model.parameters(), lr=lr)
    sched = gn.optim.lr_scheduler.StepLR(opt, step_size=300, gamma=0.3)
    losses = []
    for step in range(steps):
        opt.zero_grad()
        loss = pinn_loss(model, x)
        loss.backward()
        opt.step()
        sched.step()
        losses.append(float(loss.item()))
        if verbose and (step + 1) % 200 == 0:
            print(f"step {step + 1:5d}: physics loss {losses[-1]:.3e}")
    return model, losses


def max_error(model, n=201):
    """max |u(x) − sin x| on n points of [0, π]."""
    x = np.linspace(0.0, np.pi, n).reshape(-1, 1)
    with gn.no_grad():
        u = model(gn.tensor(x)).numpy()
    return float(np.abs(u - np.sin(x)).max())


def main():
    model, _ = train(verbose=True)
    print(f"max |u(x) − sin x| on [0, π]: {max_error(model):.2e}")
    x = gn.tensor(np.array([[np.pi / 2]]))
    u, d2u = second_derivative(model, x)
    print(f"at x = π/2: u = {u.item():.4f} (exact 1), u'' = {d2u.item():.4f} (exact −1)")


if __name__ == "__main__":
    main()
