# the article's 1-2-1 network learning y = x², with the weights of `glassnet demo`
x, y = 1.5, 1.5**2
w11, b1, w21, b2 = 0.6, 0.1, -0.4, 0.5  # hidden neurons 1 and 2
w_out1, w_out2, b_out = 0.7, -0.3, 0.2  # the output neuron


def relu(z):
    return max(0.0, z)


def relu_prime(z):  # relu'(z) = 1 if z > 0 else 0
    return 1.0 if z > 0 else 0.0


# forward
z1, z2 = w11 * x + b1, w21 * x + b2
a1, a2 = relu(z1), relu(z2)
y_hat = w_out1 * a1 + w_out2 * a2 + b_out
L = (y - y_hat) ** 2 / 2

# backward: the chain rule, from the output back
d_out = y_hat - y  # δ_out = ∂L/∂ŷ
by_hand = {"w_out1": d_out * a1, "w_out2": d_out * a2, "b_out": d_out}
d_z1 = d_out * w_out1 * relu_prime(z1)  # δ_z1 = δ_a1 · relu'(z1), δ_a1 = δ_out · w_out1
d_z2 = d_out * w_out2 * relu_prime(z2)
by_hand.update({"w11": d_z1 * x, "b1": d_z1, "w21": d_z2 * x, "b2": d_z2})

print(f"z1 = {z1:.4f}, z2 = {z2:.4f} (neuron 2 is off: relu'(z2) = 0)")
print(f"ŷ = {y_hat:.4f}, L = {L:.4f}, δ_out = ŷ − y = {d_out:.4f}")
for name, g in by_hand.items():
    print(f"∂L/∂{name:<6} = {g:+.4f}")
