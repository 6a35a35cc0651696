import numpy as np

import glassnet as gn
from glassnet import explain, nn


# the adding problem: at each of T steps the input is a random value and a
# marker; exactly two steps are marked, one in each half. The target is the
# sum of the two marked values, so the network must remember the first one
# across many steps
def adding_problem(n, steps, rng):
    values = rng.uniform(0, 1, (n, steps)).astype(np.float32)
    marks = np.zeros((n, steps), dtype=np.float32)
    marks[np.arange(n), rng.integers(0, steps // 2, n)] = 1
    marks[np.arange(n), rng.integers(steps // 2, steps, n)] = 1
    x = np.stack([values, marks], axis=2)  # (n, steps, 2): batch, time, features
    return gn.tensor(x), gn.tensor((values * marks).sum(axis=1, keepdims=True))


rng = np.random.default_rng(0)
x_train, y_train = adding_problem(400, 8, rng)  # 8 steps: short enough to train here
x_test, y_test = adding_problem(300, 8, rng)
print("one sequence (value, marker) per step:\n", x_train[0].numpy().round(2).T)
print("its target:", y_train[0].item())
