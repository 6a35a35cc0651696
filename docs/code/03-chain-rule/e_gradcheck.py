# an independent check: nudge each input a little and watch L change
# (finite differences), compared with the gradients backward gives
w = gn.tensor([[0.6], [-0.4]], dtype=gn.float64, requires_grad=True)
b = gn.tensor([0.1, 0.5], dtype=gn.float64, requires_grad=True)
v = gn.tensor([[0.7, -0.3]], dtype=gn.float64, requires_grad=True)


def step_loss(w, b, v):
    a = gn.relu(square.x @ w.T + b)
    return ((a @ v.T + 0.2 - square.y) ** 2 / 2).sum()


print("gradcheck:", gn.gradcheck(step_loss, (w, b, v)))
