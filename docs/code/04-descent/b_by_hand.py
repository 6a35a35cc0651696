# the update rule by hand, on the 1-2-1 network of chapter 3, ten steps on one example
square = explain.examples.square()
model, eta = square.model, 0.1
for step in range(10):
    loss = square.loss_fn(model(square.x), square.y)
    for p in model.parameters():
        p.grad = None  # forget the previous step's gradient
    loss.backward()
    with gn.no_grad():  # the update itself is not part of the graph
        for p in model.parameters():
            p -= eta * p.grad  # w ← w − η·∂L/∂w
    print(f"step {step + 1:>2}: L = {loss.item():.5f}")
