"""Names of the neurons, weights and deltas of a traced network.

Two schemes:

- ``"article"`` (one hidden layer, at most 9 neurons per layer): the
  article's x or x1, x2; z1, a1; ŷ or ŷ1, ŷ2 (z_out1 before an output
  activation); w11 = hidden neuron 1's weight from input 1, b1; w_out1
  (output's weight from hidden neuron 1) or w_out21 (output 2, hidden 1),
  b_out; δ_out = ∂L/∂ŷ, δ_a1, δ_z1. A network with a single Linear layer
  uses w1, w2 (w21 for output 2) and b.
- ``"index"`` (any depth): layer ℓ counted from 1, rows and columns from 1,
  as W[2][3,1] (layer 2, neuron 3, input 1), b[2][3], z[2][3], a[2][3],
  x[1], ŷ[1], δz[2][3], δa[1][1], δ_out[1].

``overlay`` renames any name (e.g. {"w11": "w1"} for Mazur's numbering);
every formula is built from these names, so a rename shows everywhere.
"""


def choose_scheme(sizes, names):
    """'article' or 'index' for layer sizes [n_in, n_1, ..., n_L]."""
    if names in ("article", "index"):
        if names == "article" and (len(sizes) > 3 or max(sizes) > 9):
            raise ValueError(
                f"trace_step: names='article' needs at most one hidden layer and "
                f"at most 9 neurons per layer, this network is "
                f"{' → '.join(map(str, sizes))}; use names='index' or 'auto'"
            )
        return names
    return "article" if len(sizes) <= 3 and max(sizes) <= 9 else "index"


class Namer:
    """Names for layer ``l`` (1-based) and neuron/input indices (0-based)."""

    def __init__(self, sizes, has_act, scheme, overlay=None):
        self.sizes = list(sizes)
        self.has_act = list(has_act)
        self.L = len(sizes) - 1
        self.scheme = scheme
        self.overlay = dict(overlay or {})
        # composite names (δ_z1) are built from the default names, then renamed
        self._plain = Namer(sizes, has_act, scheme) if self.overlay else self

    def _o(self, name):
        return self.overlay.get(name, name)

    def _k(self, n, k):
        """Article suffix: '' when the layer has one neuron, else k+1."""
        return "" if n == 1 else str(k + 1)

    def x(self, i):
        if self.scheme == "index":
            return self._o(f"x[{i + 1}]")
        return self._o("x" + self._k(self.sizes[0], i))

    def prev(self, l, i):
        """Name of input i of layer l: x_i for the first layer, else a[l−1]_i."""
        return self.x(i) if l == 1 else self.a(l - 1, i)

    def y(self, k):
        if self.scheme == "index":
            return self._o(f"y[{k + 1}]")
        return self._o("y" + self._k(self.sizes[-1], k))

    def yhat(self, k):
        if self.scheme == "index":
            return self._o(f"ŷ[{k + 1}]")
        return self._o("ŷ" + self._k(self.sizes[-1], k))

    def p(self, k):
        """Softmax's probability of output k (numbered as ŷ): p1, p[1]."""
        if self.scheme == "index":
            return self._o(f"p[{k + 1}]")
        return self._o("p" + self._k(self.sizes[-1], k))

    def z(self, l, j):
        if l == self.L and not self.has_act[l - 1]:
            return self.yhat(j)
        if self.scheme == "index":
            return self._o(f"z[{l}][{j + 1}]")
        if l == self.L:
            return self._o("z_out" + self._k(self.sizes[l], j))
        return self._o(f"z{j + 1}")

    def a(self, l, j):
        if l == self.L:
            return self.yhat(j)
        if not self.has_act[l - 1]:
            return self.z(l, j)
        if self.scheme == "index":
            return self._o(f"a[{l}][{j + 1}]")
        return self._o(f"a{j + 1}")

    def w(self, l, j, i):
        if self.scheme == "index":
            return self._o(f"W[{l}][{j + 1},{i + 1}]")
        if l == self.L:
            head = "w_out" if self.L == 2 else "w"
            n = self.sizes[l]
            return self._o(head + (f"{i + 1}" if n == 1 else f"{j + 1}{i + 1}"))
        return self._o(f"w{j + 1}{i + 1}")

    def b(self, l, j):
        if self.scheme == "index":
            return self._o(f"b[{l}][{j + 1}]")
        if l == self.L:
            return self._o(("b_out" if self.L == 2 else "b") + self._k(self.sizes[l], j))
        return self._o(f"b{j + 1}")

    def delta(self, l, j, of):
        """δ of neuron j's ``of`` ('z' or 'a') value: δ_out for the output ŷ."""
        if of == "a" and l == self.L or of == "z" and l == self.L and not self.has_act[l - 1]:
            if self.scheme == "index":
                return self._o(f"δ_out[{j + 1}]")
            return self._o("δ_out" + self._k(self.sizes[l], j))
        base = self._plain.z(l, j) if of == "z" else self._plain.a(l, j)
        if self.scheme == "index":
            return self._o("δ" + base)
        return self._o("δ_" + base)

    # layer-level names (summaries)
    def layer(self, l, what):
        """'z', 'a', 'W', 'b', 'δz', 'δa' of a whole layer: z[2], W[2], ŷ, x."""
        if what == "a" and l == 0:
            return "x"
        if what in ("a", "z") and l == self.L and (what == "a" or not self.has_act[l - 1]):
            return "ŷ"
        if what in ("δa", "δz") and l == self.L and (what == "δa" or not self.has_act[l - 1]):
            return "δ_out"
        return f"{what}[{l}]"
