# L2 regularization adds λ/2·Σw² to the loss: its gradient λw pulls every
# weight toward 0 at each step, so the network prefers small weights and a
# smoother function
l2 = big_net()
weights = [p for name, p in l2.named_parameters() if name.endswith("weight")]
gn.fit(
    l2,
    train,
    loss="bce_with_logits",
    optimizer="adam",
    lr=0.01,
    epochs=300,
    batch_size=30,
    verbose=0,
    penalty=lambda: gn.optim.l2_penalty(weights, lam=0.01),
)
print(f"L2, λ = 0.01:      train {accuracy(l2, train):.0%}, test {accuracy(l2, test):.0%}")
for name, model in (("no regularization", plain), ("L2", l2)):
    size = sum((p.detach() ** 2).sum().item() for p in model.parameters()) ** 0.5
    print(f"{name:>17}: ‖w‖ = {size:.1f}")
