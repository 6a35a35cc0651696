# the forward pass layer by layer, with the model's own weights
x = house.x  # one row: area 1.2, 3 rooms
hidden, output = model[0], model[2]
z1 = x @ hidden.weight.T + hidden.bias  # both hidden neurons at once: z = x·Wᵀ + b
a1 = gn.sigmoid(z1)
y_hat = a1 @ output.weight.T + output.bias  # the output neuron has no activation
print("z (hidden) =", z1.detach().numpy().round(4))
print("a (hidden) =", a1.detach().numpy().round(4))
print("ŷ by hand  =", y_hat.item(), " model(x) =", model(x).item())
assert gn.allclose(y_hat, model(x))
