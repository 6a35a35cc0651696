import glassnet as gn


def test_readme_example_gradients_match_hand_computation():
    x = gn.tensor([[1.5]])
    w = gn.tensor([[0.6], [-0.4]], requires_grad=True)
    b = gn.tensor([0.1, 0.5], requires_grad=True)
    a = (x @ w.T + b).relu()
    loss = ((a.sum() - 2.25) ** 2) / 2
    loss.backward()
    # z = (1.0, -0.1): only neuron 1 is active; δ = a.sum() − 2.25 = −1.25
    assert abs(w.grad.numpy()[0, 0] - (-1.25 * 1.5)) < 1e-6
    assert w.grad.numpy()[1, 0] == 0
    assert abs(b.grad.numpy()[0] + 1.25) < 1e-6
