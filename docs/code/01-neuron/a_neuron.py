import glassnet as gn

# one neuron, two inputs: a house's area (in 100 m²) and its number of rooms
x = gn.tensor([1.2, 3.0])
w = gn.tensor([0.8, 0.2])  # one weight per input: how strongly each input counts
b = gn.tensor(0.1)  # the bias: the neuron's baseline

z = (w * x).sum() + b  # z = w1·x1 + w2·x2 + b, the weighted sum
a = gn.sigmoid(z)  # a = f(z), the activation (here the sigmoid)
print(f"z = 0.8 × 1.2 + 0.2 × 3.0 + 0.1 = {z.item():.4f}")
print(f"a = sigmoid(z) = 1 / (1 + e^(-z)) = {a.item():.4f}")
