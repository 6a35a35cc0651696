# training it: full-batch gradient descent on the four points
model = xor.model
history = gn.fit(
    model,
    (xor.x, xor.y),
    loss=xor.loss_fn,
    optimizer="sgd",
    lr=xor.lr,
    epochs=3000,
    batch_size=4,
    verbose=0,
    shuffle=False,
)
print(f"loss: {history.history['loss'][0]:.4f} → {history.history['loss'][-1]:.4f}")
print("2-2-1 network:", model(xor.x).detach().numpy().ravel().round(3), "(targets 0 1 1 0)")
