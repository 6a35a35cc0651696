# what training made of it: how much does each model's answer depend on the
# value at each step? The mean |∂ŷ/∂value_t| over the test sequences where
# step t is marked, by backward() (the right answer is 1 at every step)
for name, model in trained.items():
    x = x_test.detach().requires_grad_()
    model(x).sum().backward()
    marked = x_test[:, :, 1] == 1
    influence = [x.grad[:, t, 0][marked[:, t]].abs().mean().item() for t in range(8)]
    print(
        f"{name:>5}:",
        " ".join(f"{v:.2f}" for v in influence),
        "(the right answer: 1.00 at every step)",
    )
