import numpy as np

import glassnet as gn
from glassnet import explain, nn

# 30 noisy training points, 500 test points from the same distribution
train = gn.datasets.moons(n=30, noise=0.3, labels="float", generator=np.random.default_rng(1))
test = gn.datasets.moons(n=500, noise=0.3, labels="float", generator=np.random.default_rng(2))


def big_net():
    gn.manual_seed(0)
    return nn.Sequential(
        nn.Linear(2, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1)
    )


def accuracy(model, data):
    X, y = data.tensors
    model.eval()  # dropout off (see below)
    return ((model(X) > 0).float() == y).float().mean().item()


plain = big_net()
gn.fit(
    plain,
    train,
    loss="bce_with_logits",
    optimizer="adam",
    lr=0.01,
    epochs=300,
    batch_size=30,
    verbose=0,
)
print(f"no regularization: train {accuracy(plain, train):.0%}, test {accuracy(plain, test):.0%}")
