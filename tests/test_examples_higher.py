"""The higher-order examples (examples/wgan_gp.py, maml.py, pinn.py,
newton_hvp.py): their second derivatives equal PyTorch's for the same
weights in float64, and each script, run with its own defaults, reaches what
it prints."""

import os
import sys

import numpy as np
import pytest

import glassnet as gn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(__file__)), "examples"))

import maml  # noqa: E402
import newton_hvp  # noqa: E402
import pinn  # noqa: E402
import wgan_gp  # noqa: E402


def _torch_mlp(torch, model):
    """PyTorch's copy of a glassnet Sequential of Linear and Tanh layers (float64)."""
    layers = []
    for m in model:
        if isinstance(m, gn.nn.Linear):
            lin = torch.nn.Linear(m.in_features, m.out_features, dtype=torch.float64)
            with torch.no_grad():
                lin.weight.copy_(torch.from_numpy(m.weight.detach().numpy()))
                lin.bias.copy_(torch.from_numpy(m.bias.detach().numpy()))
            layers.append(lin)
        else:
            assert isinstance(m, gn.nn.Tanh)
            layers.append(torch.nn.Tanh())
    return torch.nn.Sequential(*layers)


def _close(ours, theirs, tol=1e-10):
    for a, b in zip(ours, theirs, strict=True):
        if a is None or b is None:  # no path to that weight (the critic's last bias)
            assert a is None and b is None
            continue
        np.testing.assert_allclose(np.asarray(a), b.detach().numpy(), rtol=tol, atol=tol)


# --- WGAN-GP ---------------------------------------------------------------


def test_gradient_penalty_gradient_equals_pytorch(torch):
    rng = np.random.default_rng(0)
    critic = wgan_gp.mlp([2, 32, 32, 1], seed=3)
    real, fake = wgan_gp.real_batch(rng, 16), rng.normal(size=(16, 2))
    eps = rng.uniform(size=(16, 1))
    penalty, _ = wgan_gp.gradient_penalty(critic, gn.tensor(real), gn.tensor(fake), gn.tensor(eps))
    penalty.backward()

    tcritic = _torch_mlp(torch, critic)
    real_t, fake_t, eps_t = (torch.from_numpy(a) for a in (real, fake, eps))
    x_hat = (eps_t * real_t + (1 - eps_t) * fake_t).requires_grad_(True)
    (gx,) = torch.autograd.grad(tcritic(x_hat).sum(), x_hat, create_graph=True)
    t_norms = ((gx**2).sum(dim=1) + 1e-12).sqrt()  # the example keeps sqrt off 0 this way
    t_penalty = wgan_gp.LAMBDA * ((t_norms - 1) ** 2).mean()
    t_penalty.backward()

    assert penalty.item() == pytest.approx(t_penalty.item(), rel=1e-12)
    _close([p.grad for p in critic.parameters()], [p.grad for p in tcritic.parameters()])
    assert any(float(np.abs(p.grad.numpy()).max()) > 1e-3 for p in critic.parameters())


def test_gradgradcheck_of_a_cube():
    # gradgradcheck's numeric pass must differentiate with grad enabled (it once
    # ran under no_grad and failed for every fn); d³(x³)/dx³ = 6 is checked here.
    x = gn.tensor(np.array([0.3, 0.5]), requires_grad=True)
    assert gn.gradgradcheck(lambda t: (t**3).sum(), (x,))


def test_gradient_penalty_passes_gradgradcheck():
    rng = np.random.default_rng(1)
    critic = wgan_gp.mlp([2, 4, 1], seed=0)
    x = gn.tensor(rng.normal(size=(3, 2)), requires_grad=True)
    assert gn.gradgradcheck(lambda t: critic(t).sum(), (x,))


def test_wgan_gp_drives_the_gradient_norm_to_one():
    critic, gen, history = wgan_gp.train()  # the script's run
    assert wgan_gp.interpolate_norm(critic, gen) == pytest.approx(1.0, abs=0.1)
    assert abs(history[-1][3] - 1.0) < 0.1
    untrained_critic = wgan_gp.mlp([2, 32, 32, 1], 0)  # the start is far from 1
    assert wgan_gp.interpolate_norm(untrained_critic, gen) < 0.5


# --- MAML --------------------------------------------------------------------


def test_maml_meta_gradient_equals_pytorch(torch):
    tasks = maml.sample_tasks(np.random.default_rng(5), 3)
    weights = maml.initial_weights(seed=2)
    params = [gn.tensor(w, requires_grad=True) for w in weights]
    maml.meta_loss(params, tasks).backward()

    tparams = [torch.tensor(w, requires_grad=True) for w in weights]
    tloss = maml.meta_loss(tparams, tasks, tensor=torch.from_numpy, grad=torch.autograd.grad)
    tloss.backward()
    _close([p.grad for p in params], [p.grad for p in tparams])

    # the meta-gradient differs from the first-order one (the second-derivative term matters)
    first_order = [gn.tensor(w, requires_grad=True) for w in weights]
    total = 0.0
    for xs, ys, xq, yq in tasks:
        adapted = maml.adapt(first_order, gn.tensor(xs), gn.tensor(ys), create_graph=False)
        adapted = [a.detach().requires_grad_(True) for a in adapted]
        grads = gn.autograd.grad(
            maml.mse(maml.forward(adapted, gn.tensor(xq)), gn.tensor(yq)), adapted
        )
        total = total + np.concatenate([g.numpy().ravel() for g in grads])
    full = np.concatenate([p.grad.numpy().ravel() for p in params])
    assert np.abs(full - total / len(tasks)).max() > 1e-4


def test_maml_improves_the_post_adaptation_loss():
    _, before, after = maml.train()  # the script's run
    held_out = maml.sample_tasks(np.random.default_rng(1000), 50)
    predict_zero = np.mean([np.mean(yq**2) for _, _, _, yq in held_out])
    assert after < 0.5 * before
    assert after < 0.8 * predict_zero


# --- physics-informed network -----------------------------------------------


def test_pinn_second_derivative_equals_pytorch(torch):
    model = pinn.build(seed=4)
    x = np.linspace(0, np.pi, 7).reshape(-1, 1)
    loss = pinn.pinn_loss(model, gn.tensor(x))
    loss.backward()
    _, d2u = pinn.second_derivative(model, gn.tensor(x))

    tmodel = _torch_mlp(torch, model)
    xt = torch.from_numpy(x).requires_grad_(True)
    (du,) = torch.autograd.grad(tmodel(xt).sum(), xt, create_graph=True)
    (d2,) = torch.autograd.grad(du.sum(), xt, create_graph=True)
    ends = tmodel(torch.tensor([[0.0], [np.pi]], dtype=torch.float64))
    tloss = ((d2 + torch.sin(xt)) ** 2).mean() + (ends**2).sum()
    tloss.backward()
    _close([d2u], [d2])
    assert loss.item() == pytest.approx(tloss.item(), rel=1e-12)
    _close([p.grad for p in model.parameters()], [p.grad for p in tmodel.parameters()])


def test_pinn_solves_the_equation():
    model, losses = pinn.train()  # the script's run
    assert pinn.max_error(model) < 1e-2
    assert losses[-1] < 1e-3 * losses[0]


# --- Newton with Hessian-vector products -------------------------------------


def test_hvp_equals_pytorch(torch):
    x, y = newton_hvp.problem()
    weights = newton_hvp.initial_weights(seed=1)
    rng = np.random.default_rng(2)
    v = [rng.normal(size=w.shape) for w in weights]
    params = [gn.tensor(w, requires_grad=True) for w in weights]
    ours = newton_hvp.hvp(
        newton_hvp.loss_of(params, gn.tensor(x), gn.tensor(y)), params, [gn.tensor(a) for a in v]
    )
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    _, theirs = torch.autograd.functional.hvp(
        lambda *p: newton_hvp.loss_of(p, xt, yt),
        tuple(torch.from_numpy(w) for w in weights),
        tuple(torch.from_numpy(a) for a in v),
    )
    _close(ours, theirs)


def test_conjugate_gradient_solves_a_linear_system():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(6, 6))
    h = a @ a.T + np.eye(6)
    g = rng.normal(size=6)
    p = newton_hvp.conjugate_gradient(lambda v: h @ v, g, damping=0.5)
    np.testing.assert_allclose((h + 0.5 * np.eye(6)) @ p, -g, atol=1e-8)


def test_newton_beats_gradient_descent():
    newton = newton_hvp.newton()  # the script's runs
    descent = newton_hvp.gradient_descent()
    assert newton[-1] < 1e-5
    assert newton[-1] < descent[-1] / 10  # 20 Newton steps vs 2000 descent steps


@pytest.mark.parametrize("module", [wgan_gp, maml, pinn, newton_hvp])
def test_examples_have_a_main(module):
    assert callable(module.main)
    assert 'if __name__ == "__main__":' in open(module.__file__).read()
