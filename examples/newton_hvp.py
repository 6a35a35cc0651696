"""Newton's method on a small MLP, with Hessian-vector products by double backward.

    python examples/newton_hvp.py

The Hessian H of the loss is never built. Each Newton step solves
H·p = −g by conjugate gradient, which needs only products H·v, and one such
product is a second backward pass through the gradient:

    g = ∂L/∂θ            (grad with create_graph=True: g is itself a graph)
    H·v = ∂(g·v)/∂θ      (differentiate the number g·v once more)

The network is 1 → 8 tanh → 1 (25 weights) fitting y = sin(2x) on 64
points. A damped Newton-CG step (H + λI)p = −g, with a backtracking line
search and λ adapted as in Levenberg–Marquardt, is compared with plain
gradient descent on the same start: Newton reaches a loss that gradient
descent has not reached after a hundred times as many iterations.
"""

import numpy as np

import glassnet as gn

HIDDEN = 8


def problem(n=64):
    """(x, y): n points of y = sin(2x) on [−2, 2], shaped (n, 1), float64."""
    x = np.linspace(-2.0, 2.0, n).reshape(n, 1)
    return x, np.sin(2.0 * x)


def initial_weights(seed=0):
    """[W1 (8, 1), b1 (8,), W2 (1, 8), b2 (1,)] as float64 arrays."""
    rng = np.random.default_rng(seed)
    return [
        rng.normal(0.0, 1.0, (HIDDEN, 1)),
        rng.normal(0.0, 0.5, (HIDDEN,)),
        rng.normal(0.0, 1.0 / np.sqrt(HIDDEN), (1, HIDDEN)),
        np.zeros(1),
    ]


def loss_of(params, x, y):
    """L(θ) = mean((tanh(x·W1ᵀ + b1)·W2ᵀ + b2 − y)²), written with Tensor methods
    only, so the same function runs on glassnet's or PyTorch's tensors."""
    w1, b1, w2, b2 = params
    pred = (x @ w1.T + b1).tanh() @ w2.T + b2
    return ((pred - y) ** 2).mean()


def hvp(loss, params, v):
    """H·v of a scalar ``loss`` at ``params`` (lists of tensors, v shaped like params)."""
    grads = gn.autograd.grad(loss, params, create_graph=True)
    dot = sum((g * vi).sum() for g, vi in zip(grads, v))
    return gn.autograd.grad(dot, params)


def _flat(tensors):
    return np.concatenate([t.detach().numpy().reshape(-1) for t in tensors])


def _split(vec, params):
    out, i = [], 0
    for p in params:
        out.append(gn.tensor(vec[i : i + p.numel()].reshape(p.shape)))
        i += p.numel()
    return out


def conjugate_gradient(apply_h, g, damping, iters=50, tol=1e-10):
    """Solve (H + damping·I)·p = −g by conjugate gradient, ``apply_h(v)`` = H·v.
    Stops early at negative curvature (then the last p, or −g, is used)."""
    p = np.zeros_like(g)
    r = -g.copy()  # residual −g − (H + λI)p at p = 0
    d = r.copy()
    rr = r @ r
    for _ in range(iters):
        hd = apply_h(d) + damping * d
        curvature = d @ hd
        if curvature <= 0:
            return p if p.any() else -g
        alpha = rr / curvature
        p += alpha * d
        r -= alpha * hd
        rr_new = r @ r
        if rr_new < tol:
            break
        d = r + (rr_new / rr) * d
        rr = rr_new
    return p


def newton(iterations=20, seed=0, verbose=False):
    """Damped Newton-CG from ``initial_weights(seed)``; returns the loss after each step."""
    x, y = (gn.tensor(a) for a in problem())
    params = [gn.tensor(w, requires_grad=True) for w in initial_weights(seed)]
    damping, losses = 1.0, []
    for it in range(iterations):
        loss = loss_of(params, x, y)
        grads = gn.autograd.grad(loss, params, create_graph=True)
        g = _flat(grads)

        def apply_h(vec, grads=grads):
            """H·vec: the gradient of g·vec (g kept as a graph above)."""
            dot = sum((gi * vi).sum() for gi, vi in zip(grads, _split(vec, params)))
            return _flat(gn.autograd.grad(dot, params, retain_graph=True))

        step = conjugate_gradient(apply_h, g, damping)
        base = float(loss.item())
        start = _flat(params)
        t = 1.0
        while t > 1e-4:  # backtracking line search on L(θ + t·p)
            trial = _split(start + t * step, params)
            if float(loss_of(trial, x, y).item()) < base + 1e-4 * t * (g @ step):
                break
            t *= 0.5
        with gn.no_grad():
            for p, new in zip(params, trial):
                p.copy_(new)
        # trust the quadratic model more when a full step was taken, less otherwise
        damping = max(damping * (0.3 if t == 1.0 else 3.0), 1e-8)
        losses.append(float(loss_of(params, x, y).item()))
        if verbose:
            print(f"newton {it + 1:3d}: loss {losses[-1]:.3e}  (step size {t:g}, λ {damping:.1e})")
    return losses


def gradient_descent(iterations=2000, lr=0.1, seed=0):
    """Plain gradient descent from the same start; returns the loss after each step."""
    x, y = (gn.tensor(a) for a in problem())
    params = [gn.tensor(w, requires_grad=True) for w in initial_weights(seed)]
    losses = []
    for _ in range(iterations):
        grads = gn.autograd.grad(loss_of(params, x, y), params)
        with gn.no_grad():
            for p, g in zip(params, grads):
                p.sub_(lr * g)
        losses.append(float(loss_of(params, x, y).item()))
    return losses


def main():
    gn.manual_seed(0)
    newton_losses = newton(verbose=True)
    gd_losses = gradient_descent()
    target = newton_losses[-1]
    reached = next((i + 1 for i, v in enumerate(gd_losses) if v <= target), None)
    print(f"Newton-CG after {len(newton_losses)} iterations: loss {newton_losses[-1]:.3e}")
    n = len(newton_losses)
    print(f"gradient descent after {n} iterations: loss {gd_losses[n - 1]:.3e}")
    print(f"gradient descent after {len(gd_losses)} iterations: loss {gd_losses[-1]:.3e}")
    if reached is None:
        print(f"gradient descent never reached Newton's loss in {len(gd_losses)} iterations")
    else:
        print(f"gradient descent needed {reached} iterations to reach it")


if __name__ == "__main__":
    main()
