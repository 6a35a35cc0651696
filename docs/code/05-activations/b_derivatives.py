# f'(z) from backward() agrees with the formulas the article gives
z = gn.linspace(-6, 6, 13, dtype=gn.float64, requires_grad=True)
gn.sigmoid(z).sum().backward()  # each a_i depends on z_i only, so z.grad[i] = σ'(z_i)
s = gn.sigmoid(z).detach()
print("σ'(z) by autograd:  ", z.grad.numpy().round(4))
print("σ(z)·(1 − σ(z)):     ", (s * (1 - s)).numpy().round(4))
print("largest σ'(z):", z.grad.max().item(), "(at z = 0)")

z.grad = None
gn.relu(z).sum().backward()
print("relu'(z):            ", z.grad.numpy())
