"""Hand-written NumPy networks with manual backprop: the yardstick that
glassnet's per-step cost is compared with.

An MLP (Linear layers, ReLU between them) trained by SGD or Adam on softmax
cross-entropy or the mean squared error, in two styles:

- ``FreshMLP``: written the way one first writes it, every operation making
  a new array (``z = h @ W + b``);
- ``BufferedMLP``: every array allocated once and reused with ``out=``, the
  fastest plain NumPy gets.

Weights are stored as (in, out), so a layer is ``h @ W + b``; the update
rules are PyTorch's (SGD without momentum; Adam with bias correction, eps
added after the square root). ``params`` is the list [W0, b0, W1, b1, ...]
and may be given, so a test can start both styles and PyTorch from the
same weights.
"""

import numpy as np


def init_params(sizes, seed=0):
    """PyTorch's default Linear init, U(±1/√fan_in), as float32 (in, out) weights."""
    rng = np.random.default_rng(seed)
    params = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        bound = 1 / np.sqrt(n_in)
        params.append(rng.uniform(-bound, bound, (n_in, n_out)).astype(np.float32))
        params.append(rng.uniform(-bound, bound, n_out).astype(np.float32))
    return params


class _Net:
    def __init__(
        self,
        sizes,
        loss="cross_entropy",
        optimizer="sgd",
        lr=0.01,
        params=None,
        betas=(0.9, 0.999),
        eps=1e-8,
        seed=0,
    ):
        if loss not in ("cross_entropy", "mse"):
            raise ValueError(f"loss must be 'cross_entropy' or 'mse', got {loss!r}")
        if optimizer not in ("sgd", "adam"):
            raise ValueError(f"optimizer must be 'sgd' or 'adam', got {optimizer!r}")
        self.sizes, self.loss, self.optimizer, self.lr = tuple(sizes), loss, optimizer, lr
        self.params = [p.copy() for p in params] if params is not None else init_params(sizes, seed)
        self.b1, self.b2, self.eps, self.t = betas[0], betas[1], eps, 0
        self.m = [np.zeros_like(p) for p in self.params] if optimizer == "adam" else None
        self.v = [np.zeros_like(p) for p in self.params] if optimizer == "adam" else None

    @property
    def n_layers(self):
        return len(self.params) // 2


class FreshMLP(_Net):
    """Every operation makes a new array."""

    def step(self, x, y):
        """One training step on a batch; returns the loss (a 0-d array)."""
        weights = self.params[0::2]
        acts, h = [x], x
        for i, (w, b) in enumerate(zip(weights, self.params[1::2])):
            z = h @ w + b
            h = np.maximum(z, 0) if i < self.n_layers - 1 else z
            acts.append(h)
        loss, d = self._loss(h, y)
        grads = [None] * len(self.params)
        for i in reversed(range(self.n_layers)):
            grads[2 * i] = acts[i].T @ d
            grads[2 * i + 1] = d.sum(axis=0)
            if i:
                d = (d @ weights[i].T) * (acts[i] > 0)
        self._update(grads)
        return loss

    def _loss(self, out, y):
        n = len(out)
        if self.loss == "mse":
            diff = out - y
            return (diff * diff).mean(), diff * (2 / diff.size)
        e = np.exp(out - out.max(axis=1, keepdims=True))
        p = e / e.sum(axis=1, keepdims=True)
        rows = np.arange(n)
        loss = -np.log(p[rows, y]).mean()
        p[rows, y] -= 1
        return loss, p / n

    def _update(self, grads):
        if self.optimizer == "sgd":
            for p, g in zip(self.params, grads):
                p -= self.lr * g
            return
        self.t += 1
        c1, c2 = 1 - self.b1**self.t, 1 - self.b2**self.t
        for k, (p, g) in enumerate(zip(self.params, grads)):
            self.m[k] = self.b1 * self.m[k] + (1 - self.b1) * g
            self.v[k] = self.b2 * self.v[k] + (1 - self.b2) * g * g
            p -= self.lr * (self.m[k] / c1) / (np.sqrt(self.v[k] / c2) + self.eps)


class BufferedMLP(_Net):
    """Every array allocated once (per batch size) and reused with ``out=``."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.grads = [np.empty_like(p) for p in self.params]
        self.tmp = [np.empty_like(p) for p in self.params]
        self.batch = None

    def _buffers(self, n):
        if self.batch == n:
            return
        outs = self.sizes[1:]
        self.acts = [np.empty((n, k), np.float32) for k in outs]  # z, then relu(z) in place
        self.deltas = [np.empty((n, k), np.float32) for k in outs]  # ∂L/∂z of each layer
        self.masks = [np.empty((n, k), bool) for k in outs[:-1]]
        self.row_max = np.empty((n, 1), np.float32)
        self.row_sum = np.empty((n, 1), np.float32)
        self.rows = np.arange(n)
        self.batch = n

    def step(self, x, y):
        """One training step on a batch; returns the loss (a 0-d array)."""
        self._buffers(len(x))
        weights, h = self.params[0::2], x
        for i, (w, b) in enumerate(zip(weights, self.params[1::2])):
            z = np.matmul(h, w, out=self.acts[i])
            z += b
            if i < self.n_layers - 1:
                np.maximum(z, 0, out=z)
            h = z
        loss = self._loss(h, y, self.deltas[-1])
        for i in reversed(range(self.n_layers)):
            d = self.deltas[i]
            a_prev = self.acts[i - 1] if i else x
            np.matmul(a_prev.T, d, out=self.grads[2 * i])
            np.sum(d, axis=0, out=self.grads[2 * i + 1])
            if i:
                back = np.matmul(d, weights[i].T, out=self.deltas[i - 1])
                np.greater(a_prev, 0, out=self.masks[i - 1])
                np.multiply(back, self.masks[i - 1], out=back)
        self._update()
        return loss

    def _loss(self, out, y, d):
        """The loss; writes ∂L/∂out into ``d``."""
        n = len(out)
        if self.loss == "mse":
            np.subtract(out, y, out=d)
            loss = np.vdot(d, d) / d.size
            d *= 2 / d.size
            return loss
        np.max(out, axis=1, keepdims=True, out=self.row_max)
        np.subtract(out, self.row_max, out=d)
        np.exp(d, out=d)
        np.sum(d, axis=1, keepdims=True, out=self.row_sum)
        d /= self.row_sum
        loss = -np.log(d[self.rows, y]).mean()
        d[self.rows, y] -= 1
        d *= 1 / n
        return loss

    def _update(self):
        if self.optimizer == "sgd":
            for p, g in zip(self.params, self.grads):
                g *= -self.lr
                p += g
            return
        self.t += 1
        c1, c2 = 1 - self.b1**self.t, 1 - self.b2**self.t
        for p, g, m, v, tmp in zip(self.params, self.grads, self.m, self.v, self.tmp):
            m *= self.b1
            np.multiply(g, 1 - self.b1, out=tmp)
            m += tmp
            v *= self.b2
            np.multiply(g, g, out=tmp)
            tmp *= 1 - self.b2
            v += tmp
            np.sqrt(v, out=tmp)
            tmp *= 1 / np.sqrt(c2)
            tmp += self.eps
            np.divide(m, tmp, out=tmp)
            tmp *= -self.lr / c1
            p += tmp


def matmul_step(sizes, batch, seed=0):
    """Only the matrix multiplies of one MLP training step, into reused
    buffers: forward h @ W, the weight gradients hᵀ @ δ, and the input
    gradients δ @ Wᵀ for every layer but the first. Its time is what the
    step would cost if everything else were free (NumPy's float32 matmul,
    same shapes); ``flops`` is the step's FLOP count (2·m·k·n per matmul)."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, sizes[0]), dtype=np.float32)
    ws = [rng.standard_normal((a, b), dtype=np.float32) * 0.01 for a, b in zip(sizes, sizes[1:])]
    hs = [x] + [np.empty((batch, b), np.float32) for b in sizes[1:]]
    ds = [rng.standard_normal((batch, b), dtype=np.float32) for b in sizes[1:]]
    gs = [np.empty_like(w) for w in ws]

    def step():
        for i, w in enumerate(ws):
            np.matmul(hs[i], w, out=hs[i + 1])
        for i in reversed(range(len(ws))):
            np.matmul(hs[i].T, ds[i], out=gs[i])
            if i:
                np.matmul(ds[i], ws[i].T, out=ds[i - 1])

    return step


def mlp_step_flops(sizes, batch):
    """FLOPs of the matrix multiplies in one MLP training step (see ``matmul_step``)."""
    per_layer = [2 * batch * a * b for a, b in zip(sizes, sizes[1:])]
    return 2 * sum(per_layer) + sum(per_layer[1:])


def sgemm(n=1024, seed=0):
    """An n×n×n float32 matrix multiply into a reused buffer, and its FLOPs."""
    rng = np.random.default_rng(seed)
    a, b = (rng.standard_normal((n, n), dtype=np.float32) for _ in range(2))
    out = np.empty((n, n), np.float32)
    return (lambda: np.matmul(a, b, out=out)), 2 * n**3
