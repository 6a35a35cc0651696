"""``glassnet demo``: the article's worked example, one step shown in full.

The network is the article's: 1 input → 2 ReLU hidden neurons → 1 output,
learning y = x². Every number printed in the backward pass is read from
autograd's ``.grad``; the formulas beside them show why it has that value.
"""
import numpy as np

from . import creation
from .grad_mode import no_grad
from .random import manual_seed


def _line(out, text=""):
    out.append(text)


def one_step_text(x_value=1.5, lr=0.1, seed=0):
    """The lines of one traced training step of the 1-2-1 network."""
    manual_seed(seed)
    w1 = creation.tensor([[0.6], [-0.4]], requires_grad=True)   # w11, w21
    b1 = creation.tensor([0.1, 0.5], requires_grad=True)        # b1, b2
    w_out = creation.tensor([[0.7, -0.3]], requires_grad=True)  # w_out1, w_out2
    b_out = creation.tensor([0.2], requires_grad=True)
    x = creation.tensor([[x_value]])
    y = x ** 2

    z = x @ w1.T + b1
    a = z.relu()
    z.retain_grad()
    a.retain_grad()
    y_hat = a @ w_out.T + b_out
    y_hat.retain_grad()
    loss = ((y - y_hat) ** 2).sum() / 2
    loss.backward()

    f = lambda v: f"{float(v):.4f}"  # noqa: E731
    xv, yv, yh = x.item(), y.item(), y_hat.item()
    out = []
    _line(out, "glassnet demo — backpropagation, one step, in the article's notation")
    _line(out, "Network: x → (z1, a1), (z2, a2) with ReLU → ŷ;  task: learn y = x²")
    _line(out)
    _line(out, f"Forward pass (x = {f(xv)}, target y = x² = {f(yv)})")
    for i in range(2):
        _line(out, f"  z{i+1} = w{i+1}1·x + b{i+1} = {f(w1.data[i, 0])} × {f(xv)} + "
                   f"{f(b1.data[i])} = {f(z.data[0, i])}")
        _line(out, f"  a{i+1} = relu(z{i+1}) = {f(a.data[0, i])}")
    _line(out, f"  ŷ = w_out1·a1 + w_out2·a2 + b_out = {f(w_out.data[0, 0])} × {f(a.data[0, 0])}"
               f" + {f(w_out.data[0, 1])} × {f(a.data[0, 1])} + {f(b_out.data[0])} = {f(yh)}")
    _line(out, f"  L = (y − ŷ)² / 2 = ({f(yv)} − {f(yh)})² / 2 = {f(loss.item())}")
    _line(out)
    _line(out, "Backward pass (chain rule, from the output back; numbers are autograd's .grad)")
    d_out = y_hat.grad.item()
    _line(out, f"  δ_out = ∂L/∂ŷ = ŷ − y = {f(yh)} − {f(yv)} = {f(d_out)}")
    for i in range(2):
        _line(out, f"  ∂L/∂w_out{i+1} = δ_out · a{i+1} = {f(d_out)} × {f(a.data[0, i])} = "
                   f"{f(w_out.grad.data[0, i])}")
    _line(out, f"  ∂L/∂b_out = δ_out = {f(b_out.grad.data[0])}")
    for i in range(2):
        d_a = a.grad.data[0, i]
        d_z = z.grad.data[0, i]
        relu_d = 1.0 if z.data[0, i] > 0 else 0.0
        _line(out, f"  δ_a{i+1} = δ_out · w_out{i+1} = {f(d_out)} × {f(w_out.data[0, i])} = {f(d_a)}")
        _line(out, f"  δ_z{i+1} = δ_a{i+1} · relu'(z{i+1}) = {f(d_a)} × {relu_d:.0f} = {f(d_z)}")
        _line(out, f"  ∂L/∂w{i+1}1 = δ_z{i+1} · x = {f(d_z)} × {f(xv)} = {f(w1.grad.data[i, 0])}")
        _line(out, f"  ∂L/∂b{i+1} = δ_z{i+1} = {f(b1.grad.data[i])}")
    _line(out)
    _line(out, f"Gradient descent: w ← w − η·∂L/∂w  (η = {lr})")
    names = [("w11", w1, (0, 0)), ("w21", w1, (1, 0)), ("b1", b1, (0,)), ("b2", b1, (1,)),
             ("w_out1", w_out, (0, 0)), ("w_out2", w_out, (0, 1)), ("b_out", b_out, (0,))]
    with no_grad():
        for name, p, idx in names:
            old, g = p.data[idx], p.grad.data[idx]
            new = old - lr * g
            _line(out, f"  {name:7s} ← {f(old)} − {lr} × {f(g)} = {f(new)}")
        for p in (w1, b1, w_out, b_out):
            p -= lr * p.grad
    return out


def train_square(steps=2000, lr=0.02, hidden=2, seed=0):
    """Train 1-hidden-2-1 ReLU nets on y = x² with plain gradient descent; returns losses."""
    g = manual_seed(seed)
    xs = creation.tensor(np.linspace(-1, 1, 32, dtype=np.float32).reshape(-1, 1))
    ys = xs ** 2
    w1 = creation.tensor(g.normal(0, 1, (hidden, 1)), dtype=np.float32, requires_grad=True)
    b1 = creation.tensor(g.normal(0, 0.1, (hidden,)), dtype=np.float32, requires_grad=True)
    w2 = creation.tensor(g.normal(0, 1 / np.sqrt(hidden), (1, hidden)), dtype=np.float32,
                         requires_grad=True)
    b2 = creation.zeros(1, requires_grad=True)
    losses = []
    for _ in range(steps):
        pred = (xs @ w1.T + b1).relu() @ w2.T + b2
        loss = ((pred - ys) ** 2).mean() / 2
        for p in (w1, b1, w2, b2):
            p.grad = None
        loss.backward()
        with no_grad():
            for p in (w1, b1, w2, b2):
                p -= lr * p.grad
        losses.append(loss.item())
    return losses


def run(print_fn=print):
    for line in one_step_text():
        print_fn(line)
    print_fn("")
    print_fn("Repeating the step on 32 points of y = x² (x in [-1, 1]), full-batch gradient descent:")
    for hidden in (2, 16):
        losses = train_square(hidden=hidden)
        marks = ", ".join(f"step {i}: {losses[i]:.5f}" for i in (0, 100, 500, len(losses) - 1))
        print_fn(f"  1-{hidden}-1 ReLU net: {marks}")
    print_fn("")
    print_fn("Try it yourself: import glassnet as gn; see README.md.")
