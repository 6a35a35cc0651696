"""WGAN-GP on a 2-D toy distribution: the gradient penalty needs a gradient of a gradient.

    python examples/wgan_gp.py

The data are 8 Gaussians on a circle of radius 2. A critic D (2 → 32 → 32
→ 1, tanh) scores points; a generator G (2 → 32 → 32 → 2) maps noise to
points. The critic minimises

    D(fake) − D(real) + λ·(‖∇ₓ D(x̂)‖₂ − 1)²,   x̂ = ε·real + (1 − ε)·fake,  ε ~ U(0, 1),

averaged over the batch (Gulrajani et al., 2017). ∇ₓ D(x̂) is taken with
create_graph=True, so the penalty, which is built from it, can itself be
differentiated in the critic's weights. The generator maximises D(fake).
The script prints the mean ‖∇ₓ D(x̂)‖ as training goes: the penalty drives
it to about 1 (the critic becomes 1-Lipschitz along the interpolates).
A hundred generator steps are enough for that, not for the generator to
learn the ring: the script prints how far its points are from it.
"""

import numpy as np

import glassnet as gn
from glassnet import nn

LAMBDA = 10.0


def mlp(sizes, seed):
    """A float64 MLP with tanh between the Linear layers."""
    gn.manual_seed(seed)
    layers = []
    for i, (a, b) in enumerate(zip(sizes, sizes[1:])):
        layers.append(nn.Linear(a, b, dtype=np.float64))
        if i < len(sizes) - 2:
            layers.append(nn.Tanh())
    return nn.Sequential(*layers)


def real_batch(rng, n):
    """n points from 8 Gaussians (std 0.05) centred on the circle of radius 2."""
    angles = rng.integers(0, 8, n) * (2 * np.pi / 8)
    centres = 2.0 * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    return centres + 0.05 * rng.normal(size=(n, 2))


def gradient_penalty(critic, real, fake, eps, lam=LAMBDA):
    """(λ·mean((‖∇ₓ D(x̂)‖₂ − 1)²), the norms ‖∇ₓ D(x̂)‖₂ per sample) at
    x̂ = eps·real + (1 − eps)·fake; eps has shape (n, 1)."""
    x_hat = (eps * real + (1 - eps) * fake).detach().requires_grad_(True)
    (grad_x,) = gn.autograd.grad(critic(x_hat).sum(), x_hat, create_graph=True)
    norms = ((grad_x**2).sum(dim=1) + 1e-12).sqrt()
    return lam * ((norms - 1) ** 2).mean(), norms


def critic_step(critic, opt, real, fake, eps):
    """One critic update; returns (Wasserstein estimate D(real) − D(fake), penalty, mean norm)."""
    opt.zero_grad()
    penalty, norms = gradient_penalty(critic, real, fake, eps)
    distance = critic(real).mean() - critic(fake).mean()
    (penalty - distance).backward()  # the penalty's gradient goes through ∇ₓ D
    opt.step()
    return float(distance.item()), float(penalty.item()), float(norms.mean().item())


def train(steps=100, n_critic=3, batch=64, lr=1e-3, seed=0, verbose=False):
    """``steps`` generator steps, each after ``n_critic`` critic steps.
    Returns (critic, generator, history of (step, distance, penalty, mean norm))."""
    rng = np.random.default_rng(seed)
    critic, gen = mlp([2, 32, 32, 1], seed), mlp([2, 32, 32, 2], seed + 1)
    opt_c = gn.optim.Adam(critic.parameters(), lr=lr, betas=(0.5, 0.9))
    opt_g = gn.optim.Adam(gen.parameters(), lr=lr, betas=(0.5, 0.9))
    history = []
    if verbose:
        print(f"before training: mean ‖∇D(x̂)‖ {interpolate_norm(critic, gen):.3f}")
    for step in range(steps):
        for _ in range(n_critic):
            real = gn.tensor(real_batch(rng, batch))
            with gn.no_grad():
                fake = gen(gn.tensor(rng.normal(size=(batch, 2))))
            eps = gn.tensor(rng.uniform(size=(batch, 1)))
            distance, penalty, norm = critic_step(critic, opt_c, real, fake, eps)
        opt_g.zero_grad()
        (-critic(gen(gn.tensor(rng.normal(size=(batch, 2))))).mean()).backward()
        opt_g.step()
        history.append((step + 1, distance, penalty, norm))
        if verbose and (step + 1) % 20 == 0:
            print(
                f"step {step + 1:4d}: D(real) − D(fake) {distance:7.3f}  "
                f"penalty {penalty:.4f}  mean ‖∇D(x̂)‖ {norm:.3f}"
            )
    return critic, gen, history


def interpolate_norm(critic, gen, n=512, seed=123):
    """Mean ‖∇ₓ D(x̂)‖₂ over n fresh interpolates between real and generated points."""
    rng = np.random.default_rng(seed)
    real = gn.tensor(real_batch(rng, n))
    with gn.no_grad():
        fake = gen(gn.tensor(rng.normal(size=(n, 2))))
    _, norms = gradient_penalty(critic, real, fake, gn.tensor(rng.uniform(size=(n, 1))))
    return float(norms.mean().item())


def main():
    critic, gen, _ = train(verbose=True)
    print(f"mean ‖∇ₓ D(x̂)‖ on 512 fresh interpolates: {interpolate_norm(critic, gen):.3f}")
    with gn.no_grad():
        samples = gen(gn.tensor(np.random.default_rng(7).normal(size=(512, 2)))).numpy()
    radius = np.linalg.norm(samples, axis=1)
    print(f"generated points: mean distance from the origin {radius.mean():.2f} (data: 2.00)")


if __name__ == "__main__":
    main()
