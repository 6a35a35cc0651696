"""MAML on sine waves: learn weights that adapt to a new task in one SGD step.

    python examples/maml.py

Each task is a sine wave y = A·sin(x + φ) (A in [0.1, 5], φ in [0, π])
seen through K = 10 points. For a task, one inner SGD step adapts the
shared weights θ on its support points,

    θ' = θ − α·∂L_support(θ)/∂θ,

and the meta-loss is the loss of θ' on fresh query points of the same task.
The meta-gradient ∂L_query(θ')/∂θ goes *through* the inner step, so it
contains second derivatives (∂²L_support/∂θ²): the inner gradient is taken
with create_graph=True. Adam updates θ with the meta-gradient averaged over
a batch of tasks. The script prints the loss after one adaptation step on
held-out tasks, before and after meta-training.
"""

import numpy as np

import glassnet as gn

HIDDEN = 40
INNER_LR = 0.01
K = 10


def initial_weights(seed=0):
    """[W1 (40, 1), b1, W2 (40, 40), b2, W3 (1, 40), b3] as float64 arrays (He
    init; the output layer scaled down so that the network starts near 0)."""
    rng = np.random.default_rng(seed)
    shapes = [(HIDDEN, 1), (HIDDEN, HIDDEN), (1, HIDDEN)]
    weights = []
    for out, inp in shapes:
        weights += [rng.normal(0.0, np.sqrt(2.0 / inp), (out, inp)), np.zeros(out)]
    weights[-2] *= 0.1  # start near y = 0, the mean over tasks
    return weights


def forward(params, x):
    """1 → 40 ReLU → 40 ReLU → 1, written with Tensor methods only (runs on
    glassnet's or PyTorch's tensors alike)."""
    w1, b1, w2, b2, w3, b3 = params
    h = (x @ w1.T + b1).relu()
    h = (h @ w2.T + b2).relu()
    return h @ w3.T + b3


def mse(pred, y):
    return ((pred - y) ** 2).mean()


def sample_tasks(rng, n_tasks, k=K):
    """n_tasks tasks, each (x_support, y_support, x_query, y_query), shapes (k, 1)."""
    tasks = []
    for _ in range(n_tasks):
        amplitude, phase = rng.uniform(0.1, 5.0), rng.uniform(0.0, np.pi)
        xs = rng.uniform(-5.0, 5.0, (2, k, 1))
        ys = amplitude * np.sin(xs + phase)
        tasks.append((xs[0], ys[0], xs[1], ys[1]))
    return tasks


def adapt(params, x, y, grad=gn.autograd.grad, create_graph=True):
    """One inner SGD step θ' = θ − α·∂L(θ)/∂θ on (x, y). ``grad`` is
    glassnet.autograd.grad (or torch.autograd.grad: same signature)."""
    grads = grad(mse(forward(params, x), y), params, create_graph=create_graph)
    return [p - INNER_LR * g for p, g in zip(params, grads)]


def meta_loss(params, tasks, tensor=gn.tensor, grad=gn.autograd.grad):
    """Mean query loss after adapting on each task's support points."""
    total = 0.0
    for xs, ys, xq, yq in tasks:
        adapted = adapt(params, tensor(xs), tensor(ys), grad)
        total = total + mse(forward(adapted, tensor(xq)), tensor(yq))
    return total / len(tasks)


def post_adaptation_loss(params, tasks):
    """Mean query loss after one inner step (no graph kept: evaluation only)."""
    total = 0.0
    for xs, ys, xq, yq in tasks:
        adapted = adapt(params, gn.tensor(xs), gn.tensor(ys), create_graph=False)
        with gn.no_grad():
            total += float(mse(forward(adapted, gn.tensor(xq)), gn.tensor(yq)).item())
    return total / len(tasks)


def train(steps=300, meta_batch=4, lr=1e-2, seed=0, verbose=False):
    """Meta-train; returns (params, post-adaptation loss on 50 held-out tasks
    before, after)."""
    rng = np.random.default_rng(seed)
    held_out = sample_tasks(np.random.default_rng(seed + 1000), 50)
    params = [gn.tensor(w, requires_grad=True) for w in initial_weights(seed)]
    before = post_adaptation_loss(params, held_out)
    opt = gn.optim.Adam(params, lr=lr)
    for step in range(steps):
        opt.zero_grad()
        loss = meta_loss(params, sample_tasks(rng, meta_batch))
        loss.backward()  # through the inner step: second derivatives included
        opt.step()
        if verbose and (step + 1) % 50 == 0:
            print(f"meta-step {step + 1:4d}: meta-loss {loss.item():.3f}")
    return params, before, post_adaptation_loss(params, held_out)


def main():
    _, before, after = train(verbose=True)
    held_out = sample_tasks(np.random.default_rng(1000), 50)
    zero = np.mean([np.mean(yq**2) for _, _, _, yq in held_out])
    print(
        f"query loss after one adaptation step on 50 new tasks: {before:.3f} before "
        f"meta-training, {after:.3f} after (predicting 0 everywhere: {zero:.3f})"
    )


if __name__ == "__main__":
    main()
