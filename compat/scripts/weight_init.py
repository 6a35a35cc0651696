# Weight initialisation with nn.init: model.apply(fn) with kaiming_normal_ and zeros_,
# xavier_uniform_, normal_, uniform_, constant_, ones_, calculate_gain.
# compare: rtol 0.01 - the draws differ between libraries, so the script compares what they
# must agree on: each initialiser's empirical std over its theoretical one (about 1) on
# large layers, the bounds, the constants and the gain
import math

import torch
import torch.nn as nn

torch.manual_seed(0)


def init_weights(m):
    if isinstance(m, nn.Linear):
        nn.init.kaiming_normal_(m.weight, mode="fan_in", nonlinearity="relu")
        nn.init.zeros_(m.bias)


model = nn.Sequential(nn.Linear(400, 300), nn.ReLU(), nn.Linear(300, 200))
model.apply(init_weights)
ratios = [
    model[0].weight.std().item() / math.sqrt(2.0 / 400),
    model[2].weight.std().item() / math.sqrt(2.0 / 300),
]
zeros = model[0].bias.abs().sum().item() + model[2].bias.abs().sum().item()

w = torch.empty(300, 500)
nn.init.xavier_uniform_(w, gain=nn.init.calculate_gain("tanh"))
bound = nn.init.calculate_gain("tanh") * math.sqrt(6.0 / (300 + 500))
ratios.append(w.std().item() / (bound / math.sqrt(3)))
inside = float(w.abs().max().item() <= bound)

nn.init.normal_(w, mean=0.0, std=0.02)
ratios.append(w.std().item() / 0.02)
nn.init.uniform_(w, a=-0.5, b=0.5)
ratios.append(w.std().item() / (1 / math.sqrt(12)))
nn.init.constant_(w, 0.3)
constant = w.mean().item() / 0.3
ones = nn.init.ones_(torch.empty(10)).sum().item() / 10
gain = nn.init.calculate_gain("relu") / math.sqrt(2)

print("std ratios:", [round(r, 4) for r in ratios])
total = sum(ratios) / len(ratios) + inside + constant + ones + gain - zeros
print(f"RESULT weight_init {total:.6f}")
