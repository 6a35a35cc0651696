import glassnet as gn
from glassnet import explain

# the same network in glassnet; backward() applies the chain rule for us
square = explain.examples.square()
model = square.model
loss = square.loss_fn(model(square.x), square.y)
loss.backward()

hidden, output = model[0], model[2]
by_autograd = {
    "w_out1": output.weight.grad[0, 0],
    "w_out2": output.weight.grad[0, 1],
    "b_out": output.bias.grad[0],
    "w11": hidden.weight.grad[0, 0],
    "b1": hidden.bias.grad[0],
    "w21": hidden.weight.grad[1, 0],
    "b2": hidden.bias.grad[1],
}
for name, g in by_autograd.items():
    print(f"∂L/∂{name:<6} by hand {by_hand[name]:+.6f}   autograd {g.item():+.6f}")
    assert abs(by_hand[name] - g.item()) < 1e-12
print("every gradient equal")
