# one weight, three steps: the update rules written out, checked against gn.optim
def grad(w):  # dL/dw for L(w) = (w − 3)²
    return 2 * (w - 3)


eta, mu, beta1, beta2, eps = 0.1, 0.9, 0.9, 0.999, 1e-8
w_sgd = w_mom = w_adam = -1.0
v = m = s = 0.0
for step in range(1, 4):
    w_sgd -= eta * grad(w_sgd)  # w ← w − η·g
    v = mu * v + grad(w_mom)  # v ← μ·v + g   (momentum: a running sum of gradients)
    w_mom -= eta * v  # w ← w − η·v
    g = grad(w_adam)
    m = beta1 * m + (1 - beta1) * g  # m: running mean of g
    s = beta2 * s + (1 - beta2) * g * g  # s: running mean of g²
    m_hat, s_hat = m / (1 - beta1**step), s / (1 - beta2**step)  # bias correction
    w_adam -= eta * m_hat / (s_hat**0.5 + eps)  # each weight its own step size

by_glassnet = {}
for name, make in (
    ("SGD", lambda p: gn.optim.SGD(p, lr=eta)),
    ("momentum", lambda p: gn.optim.SGD(p, lr=eta, momentum=mu)),
    ("Adam", lambda p: gn.optim.Adam(p, lr=eta, betas=(beta1, beta2), eps=eps)),
):
    w = gn.tensor([-1.0], dtype=gn.float64, requires_grad=True)
    optimizer = make([w])
    for _ in range(3):
        optimizer.zero_grad()
        ((w - 3) ** 2).sum().backward()
        optimizer.step()
    by_glassnet[name] = w.item()
for name, mine in (("SGD", w_sgd), ("momentum", w_mom), ("Adam", w_adam)):
    print(f"{name:>8}: by hand {mine:.6f}, gn.optim {by_glassnet[name]:.6f}")
    assert abs(mine - by_glassnet[name]) < 1e-12
