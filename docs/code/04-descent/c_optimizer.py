# an optimizer does the same: zero_grad() clears, step() applies w ← w − η·∂L/∂w
square = explain.examples.square()
model = square.model
optimizer = gn.optim.SGD(model.parameters(), lr=0.1)
for _ in range(10):
    optimizer.zero_grad()
    loss = square.loss_fn(model(square.x), square.y)
    loss.backward()
    optimizer.step()
print(f"after 10 SGD steps: L was {loss.item():.5f} before the last step")
