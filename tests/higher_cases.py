"""The op families for the higher-order tests (tests/test_higher_order.py):
one case per family, a glassnet function and the same function in PyTorch
(``lib`` is glassnet or torch; ``F`` its functional module), with the shapes
of its float64 inputs, and optionally {"oracle": the PyTorch side, "order": the
highest order PyTorch can give}. Inputs are drawn from a standard normal; a
case that needs positive values squares or exponentiates them itself.

PyTorch's own batch_norm and layer_norm give wrong third derivatives (their
double backward is a hand-written formula whose own derivative misses terms):
those cases compare with the same normalization written out in PyTorch's
elementary ops, and tests/test_higher_order.py checks glassnet's third
derivative there by finite differences too."""

import numpy as np


def _idx(lib, rows):
    return lib.tensor(np.array(rows))


CASES = {
    # elementwise and arithmetic
    "add-sub-broadcast": (lambda lib, F, a, b: (a + b) * (a - b) * a, [(3, 4), (4,)]),
    "mul-div": (lambda lib, F, a, b: a * b / (b * b + 1), [(3, 4), (3, 1)]),
    "pow-tensor": (lambda lib, F, a, b: (a * a + 0.5) ** b, [(3, 4), (3, 4)]),
    "pow-scalar": (lambda lib, F, a: a**3 + 2 ** (a * 0.5), [(5,)]),
    "exp-log-sqrt": (lambda lib, F, a: (a.exp() + 1).log().sqrt() * a, [(2, 3)]),
    "sin-cos-tanh": (lambda lib, F, a: a.sin() * a.cos() + a.tanh() * a, [(2, 3)]),
    "abs-neg": (lambda lib, F, a: -(a.abs() * a * a), [(2, 3)]),
    "max-min": (lambda lib, F, a, b: lib.maximum(a, b) * lib.minimum(a, b) * a, [(3, 4), (4,)]),
    "clamp": (lambda lib, F, a: (a * a).clamp(0.2, 1.5) * a, [(3, 4)]),
    "where": (lambda lib, F, a, b: lib.where(a > 0, a * a, b * a), [(2, 3), (2, 3)]),
    "cast": (lambda lib, F, a: (a * a).float().double() * a, [(3,)]),
    # activations
    "sigmoid": (lambda lib, F, a: a.sigmoid() * a, [(3, 4)]),
    "relu-leaky-elu": (
        lambda lib, F, a: F.relu(a) ** 2 + F.leaky_relu(a, 0.1) * a + F.elu(a) * a,
        [(3, 4)],
    ),
    "gelu": (lambda lib, F, a: F.gelu(a) + F.gelu(a, approximate="tanh") * a, [(3, 4)]),
    "softplus": (lambda lib, F, a: F.softplus(a, beta=2) * a, [(3, 4)]),
    # reductions
    "sum-mean": (lambda lib, F, a: (a * a).sum(dim=1) * a.mean(dim=0).sum(), [(3, 4)]),
    "var-std": (lambda lib, F, a: a.var(dim=1) + a.std() * a[:, 0], [(3, 4)]),
    "amax-max": (lambda lib, F, a: (a * a).amax(dim=1) + (a**3).max(dim=0)[0].sum(), [(3, 4)]),
    "logsumexp": (lambda lib, F, a: a.logsumexp(dim=1) * a[:, 1], [(3, 4)]),
    # shape and indexing
    "reshape-permute": (
        lambda lib, F, a: (a * a).reshape(4, 6) @ a.permute(2, 0, 1).reshape(6, 4),
        [(2, 3, 4)],
    ),
    "expand-cat-stack": (
        lambda lib, F, a, b: lib.cat([a * a, lib.stack([b, b * a[:, :1]], 1).sum(1)], 1),
        [(3, 1), (3, 2)],
    ),
    "pad-roll": (lambda lib, F, a: F.pad(a**3, (1, 2)).roll(1, 1) * 2, [(2, 3)]),
    "getitem": (lambda lib, F, a: (a * a)[[0, 0, 2], 1:] * a[1:2, :3], [(3, 4)]),
    "gather": (lambda lib, F, a: (a**3).gather(1, _idx(lib, [[0, 1], [2, 2], [3, 0]])), [(3, 4)]),
    "setitem": (lambda lib, F, a, b: _setitem(a, b), [(3, 4), (4,)]),
    "embedding": (lambda lib, F, w: F.embedding(_idx(lib, [[0, 2], [2, 1]]), w * w) * 2, [(3, 4)]),
    # products
    "matmul": (lambda lib, F, a, b: (a @ b) ** 2, [(2, 1, 3, 4), (3, 4, 2)]),
    "matvec": (lambda lib, F, a, b: (a @ b) ** 2, [(3, 4), (4,)]),
    "linear": (lambda lib, F, x, w, b: F.linear(x, w, b).tanh(), [(2, 3, 4), (5, 4), (5,)]),
    # softmax and losses
    "softmax": (lambda lib, F, a: F.softmax(a, dim=1) * a + F.log_softmax(a, 0), [(3, 4)]),
    "cross-entropy": (
        lambda lib, F, a: F.cross_entropy(a * a, _idx(lib, [1, 0, 3]), label_smoothing=0.1),
        [(3, 4)],
    ),
    "cross-entropy-weighted": (
        lambda lib, F, a: F.cross_entropy(
            a, _idx(lib, [1, -100, 3]), weight=lib.tensor([1.0, 2, 3, 4], dtype=lib.float64)
        ),
        [(3, 4)],
    ),
    "nll": (lambda lib, F, a: F.nll_loss(F.log_softmax(a, 1), _idx(lib, [1, 0, 3])), [(3, 4)]),
    "mse": (lambda lib, F, a, b: F.mse_loss(a * a, b), [(3, 4), (3, 4)]),
    "bce": (lambda lib, F, a, b: F.binary_cross_entropy(a.sigmoid(), b.sigmoid()), [(3, 4)] * 2),
    "bce-logits": (
        lambda lib, F, a, b: F.binary_cross_entropy_with_logits(
            a, b.sigmoid(), pos_weight=lib.tensor([1.0, 2, 3, 4], dtype=lib.float64)
        ),
        [(3, 4), (3, 4)],
    ),
    # convolution and pooling
    "conv2d": (
        lambda lib, F, x, w, b: F.conv2d(x, w, b, stride=2, padding=1) ** 2,
        [(2, 3, 6, 5), (4, 3, 3, 3), (4,)],
    ),
    "conv2d-groups-dilation": (
        lambda lib, F, x, w: F.conv2d(x, w, groups=2, dilation=2) ** 2,
        [(2, 4, 7, 7), (4, 2, 2, 3)],
    ),
    "conv1d": (lambda lib, F, x, w: F.conv1d(x, w, padding=1) ** 2, [(2, 3, 7), (4, 3, 3)]),
    "conv-transpose2d": (
        lambda lib, F, x, w: F.conv_transpose2d(x, w, stride=2, padding=1) ** 2,
        [(2, 3, 4, 4), (3, 2, 3, 3)],
    ),
    # (PyTorch's triple backward of a transposed convolution with output_padding raises)
    "conv-transpose2d-output-padding": (
        lambda lib, F, x, w: F.conv_transpose2d(x, w, stride=2, padding=1, output_padding=1) ** 2,
        [(2, 3, 4, 4), (3, 2, 3, 3)],
        {"order": 2},
    ),
    "max-pool": (lambda lib, F, x: F.max_pool2d(x**3, 3, stride=2, padding=1), [(2, 3, 7, 7)]),
    "avg-pool": (
        lambda lib, F, x: F.avg_pool2d(x**3, 3, stride=2, padding=1, ceil_mode=True),
        [(2, 3, 7, 7)],
    ),
    "adaptive-avg-pool": (lambda lib, F, x: F.adaptive_avg_pool2d(x**3, (2, 3)), [(2, 3, 7, 7)]),
    # normalization and attention
    "batch-norm": (
        lambda lib, F, x, w, b: F.batch_norm(x, None, None, w, b, training=True) ** 2,
        [(4, 3, 5), (3,), (3,)],
        {"oracle": lambda lib, F, x, w, b: (_normalized(x, (0, 2)) * w[:, None] + b[:, None]) ** 2},
    ),
    "layer-norm": (
        lambda lib, F, x, w, b: F.layer_norm(x, (4, 5), w, b) ** 2,
        [(2, 4, 5), (4, 5), (4, 5)],
        {"oracle": lambda lib, F, x, w, b: (_normalized(x, (1, 2)) * w + b) ** 2},
    ),
    "attention": (
        lambda lib, F, q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True),
        [(2, 5, 4), (2, 5, 4), (2, 5, 6)],
    ),
    "attention-bias": (
        lambda lib, F, q, k, v, b: F.scaled_dot_product_attention(q, k, v, attn_mask=b),
        [(2, 3, 4), (2, 5, 4), (2, 5, 6), (3, 5)],
    ),
}


def _setitem(a, b):
    y = a * a
    y[1] = b * a[0]
    return y * a


def _normalized(x, dims, eps=1e-5):
    """(x − mean)/√(var + ε) over ``dims`` in elementary ops (either library)."""
    centered = x - x.mean(dim=dims, keepdim=True)
    return centered / ((centered * centered).mean(dim=dims, keepdim=True) + eps).sqrt()
