"""The recurrent cells' math: RNN (tanh, relu), LSTM and GRU, one time step
forward and backward on a run's feature-major (H, B) buffers (see
``layer``'s docstring for the layout and PyTorch's gate formulas)."""

import numpy as np

from .pool import POOL


def _sigmoid_(a):
    """a ← σ(a) in place, as ½ + ½·tanh(a/2)."""
    a *= 0.5
    np.tanh(a, out=a)
    a *= 0.5
    a += 0.5
    return a


def _gate_major(w, gates):
    """W (G·H, n) as G blocks (G, H, n): block g holds gate g's rows."""
    return w.reshape(gates, w.shape[0] // gates, w.shape[1])


def _in_order(w3, order):
    """Gate-major blocks (G, …) in a cell's internal gate order (a copy), or
    ``w3`` itself when the cell keeps PyTorch's order (``order`` None)."""
    return w3 if order is None else w3[list(order)]


def _scaled(w3, scale):
    """Gate-major blocks (G, …) times each gate's factor (``scale``, None: all
    1), a new array unless all are 1."""
    if scale is None:
        return w3
    return w3 * np.asarray(scale, w3.dtype).reshape((-1,) + (1,) * (w3.ndim - 1))


def _gate_rows(buf):
    """A per-step gate buffer (T, G, H, B) as (T, G·H, B): each step's gates
    as the rows of one matrix (a view)."""
    return buf.reshape(buf.shape[0], buf.shape[1] * buf.shape[2], buf.shape[3])


def _pytorch_order(g3, order):
    """The inverse of ``_in_order``: blocks in internal order back to PyTorch's."""
    if order is None:
        return g3
    out = np.empty_like(g3)
    out[list(order)] = g3
    return out


# The LSTM's whole-run preparation for backward works through the run's buffers
# (several megabytes, more than a processor's cache) a chunk of steps at a
# time, doing all its calls on one chunk while it is cached.
_CHUNK_BYTES = 3 << 19


# ---- the cells ---------------------------------------------------------------------
# A cell works on its run (``_Run``): ``run.states`` (k, T+1, H, B) holds the
# states, ``run.bufs`` what backward needs from each step, ``run.w`` (G·H, H)
# W_hh's gate blocks s_g·W_g stacked and ``run.w_back`` the W_g stacked (in the
# cell's gate order; backward multiplies by its transpose). Every per-step
# array is feature-major (H, B).
# forward(run, t, i, o, gx_t, b3): step t, from the state in row i of
#   run.states to the state in row o; gx_t (G, H, B) is the step's input
#   projection, b3 (G, H, 1) b_hh (GRU only; None when it joined the projection).
# backward(run, t, i, o, grad, g_state): from ∂L/∂(state in row o) (``grad``,
#   (k, H, B)), writes δ, the gradient of the gate pre-activations, into
#   run.dgx[t] (G, H, B) (their x side) and run.dgh[t] (their h side: the same
#   array except for the GRU; both are run.work[t, extra:], after ``extra``
#   slots the cell may use), and, when g_state (k, H, B) is given, the part of
#   ∂L/∂state that does not go through W_hh: ∂L/∂c into g_state[1] for the
#   LSTM, z ⊙ ∂h' into g_state[0] for the GRU (returning True: the step adds
#   W_hhᵀ·δ to it instead of overwriting it).
# prepare(run) (optional, ``None`` for no preparation): run once when the
#   backward walk reaches the layer, before any step's backward, on the whole
#   run (a few large NumPy calls instead of many small ones).
# order: the PyTorch gate held in each internal gate slot (None: PyTorch's order);
# scale: each internal gate's factor s_g on its pre-activation (None: all 1),
#   folded into the copies of the weights the forward pass multiplies by (and
#   into gx), so the step's product gives s ⊙ a; the cells' δ stay ∂L/∂a.
# extra: how many (H, B) slots of run.work[t] the cell uses before δ.
# products(run): the stack whose row the forward's W·h goes into (forward
#   calls run.forward_product(i, row): h from row i of run.states).


class RNNTanhCell:
    """h' = tanh(a);  δ = ∂h' ⊙ (1 − h'²)."""

    gates, state_size, order, scale, extra = 1, 1, None, None, 0
    prepare = None

    @staticmethod
    def buffers(steps, batch, hidden, dtype):
        return ()  # backward needs only h', which is the state

    @staticmethod
    def products(run):
        return run.states[0]  # a is computed in the state's row, then made h'

    @staticmethod
    def forward(run, t, i, o, gx_t, b3):
        a = run.forward_product(i, o)
        a += gx_t[0]
        np.tanh(a, out=a)

    @staticmethod
    def backward(run, t, i, o, grad, g_state):
        h, d = run.states[0, o], run.dgx[t, 0]
        np.multiply(h, h, out=d)
        np.subtract(1, d, out=d)
        d *= grad[0]
        return False


class RNNReluCell(RNNTanhCell):
    """h' = max(0, a);  δ = ∂h' where h' > 0, else 0."""

    @staticmethod
    def forward(run, t, i, o, gx_t, b3):
        a = run.forward_product(i, o)
        a += gx_t[0]
        np.maximum(a, 0, out=a)

    @staticmethod
    def backward(run, t, i, o, grad, g_state):
        np.multiply(grad[0], run.states[0, o] > 0, out=run.dgx[t, 0])
        return False


class LSTMCell:
    """Forward as in the module docstring, the gates in the order o, i, f, g
    (a = the four gates' pre-activations; the σ gates' rows of the weights'
    copies are halved, ``scale``, so the step's product gives a ⊙ (½, ½, ½, 1)):

        y = tanh(a ⊙ (½, ½, ½, 1));  (o, i, f) = ½ + ½·y[:3];  g = y[3]
        c' = f ⊙ c + i ⊙ g;  h' = o ⊙ tanh c'

    Backward, from ∂h' and ∂c':

        ∂o = ∂h' ⊙ tanh c'           ∂c = ∂c' + ∂h' ⊙ o ⊙ (1 − tanh² c')
        ∂i = ∂c ⊙ g    ∂f = ∂c ⊙ c    ∂g = ∂c ⊙ i    ∂c_prev = ∂c ⊙ f
        δ = ∂gate ⊙ gate'(a):  σ' = σ(1 − σ) for o, i, f;  tanh' = 1 − g² for g

    Everything in δ except ∂c and ∂h' is known once the forward pass is
    done, so ``prepare`` computes it for all steps at once (in whole-run
    NumPy calls) before the walk back starts, into each step's slots
    (A, δ_o, δ_i, δ_f, δ_g) of ``run.work``:

        A = o ⊙ (1 − tanh² c')
        P = (tanh c' ⊙ σ'(o),  g ⊙ σ'(i),  c ⊙ σ'(f),  i ⊙ (1 − g²))

    and each step is then four small calls and the multiply by W_hhᵀ:
    (∂h' ⊙ A, δ_o) = ∂h' ⊙ (A, P_o) (one call),  ∂c = ∂c' + ∂h' ⊙ A,
    δ_{i,f,g} = ∂c ⊙ P_{i,f,g},  ∂c_prev = ∂c ⊙ f."""

    gates, state_size, extra = 4, 2, 1
    order = (3, 0, 1, 2)  # o, i, f, g: the σ gates together, then the ∂c gates together
    scale = (0.5, 0.5, 0.5, 1.0)  # σ(a) = ½ + ½·tanh(a/2)

    @staticmethod
    def buffers(steps, batch, hidden, dtype):
        """The gates (o, i, f, g) and tanh c' of every step."""
        return (
            POOL.empty((steps, 4, hidden, batch), dtype),
            POOL.empty((steps, hidden, batch), dtype),
        )

    @staticmethod
    def products(run):
        return _gate_rows(run.bufs[0])  # the gates' a ⊙ s, (T, 4H, B)

    @staticmethod
    def forward(run, t, i, o, gx_t, b3):
        y, tanh_c = run.bufs[0][t], run.bufs[1][t]
        s = run.states
        run.forward_product(i, t)  # the four gates' a ⊙ s into y, (4H, B)
        y += gx_t
        np.tanh(y, out=y)
        sig = y[:3]  # o, i, f: σ(a) = ½ + ½·tanh(a/2)
        sig *= 0.5
        sig += 0.5
        h_new, c_new = s[0, o], s[1, o]
        np.multiply(y[2], s[1, i], out=c_new)  # f ⊙ c
        np.multiply(y[1], y[3], out=h_new)  # i ⊙ g, h_new as scratch until its turn
        c_new += h_new
        np.tanh(c_new, out=tanh_c)
        np.multiply(y[0], tanh_c, out=h_new)

    @staticmethod
    def prepare(run):
        """A and P (see the class docstring) into ``run.work`` (T, 5, H, B),
        for every step, a chunk of steps at a time."""
        y, tanh_c = run.bufs
        c = run.states[1, run.prev]
        steps = len(y)
        step_bytes = y[0].nbytes + run.work[0].nbytes + 2 * c[0].nbytes
        chunk = max(1, _CHUNK_BYTES // max(step_bytes, 1))  # (an empty batch: 0 bytes)
        for lo in range(0, steps, chunk):
            ts = slice(lo, lo + chunk)
            ys, p, tc = y[ts], run.work[ts], tanh_c[ts]
            o, i, f, g = ys.transpose(1, 0, 2, 3)
            a = p[:, 0]
            np.multiply(tc, tc, out=a)
            np.subtract(1, a, out=a)
            a *= o  # A
            np.subtract(1, ys[:, :3], out=p[:, 1:4])
            p[:, 1:4] *= ys[:, :3]  # σ' = σ(1 − σ) for o, i, f
            p[:, 1] *= tc
            p[:, 2] *= g
            p[:, 3] *= c[ts]
            np.multiply(g, g, out=p[:, 4])
            np.subtract(1, p[:, 4], out=p[:, 4])  # tanh' = 1 − g²
            p[:, 4] *= i

    @staticmethod
    def backward(run, t, i, o, grad, g_state):
        """``run.work[t]`` holds this step's (A, P) on entry (see ``prepare``),
        (∂h' ⊙ A, δ) on exit."""
        w = run.work[t]
        dh, dc_next = grad[0], grad[1]
        dc = g_state[1] if g_state is not None else np.empty_like(dh)
        np.multiply(w[:2], dh, out=w[:2])  # ∂h' ⊙ A, δ_o = ∂h' ⊙ P_o
        np.add(w[0], dc_next, out=dc)  # ∂c = ∂c' + ∂h' ⊙ o ⊙ (1 − tanh² c')
        np.multiply(w[2:], dc, out=w[2:])  # δ_{i,f,g} = ∂c ⊙ P_{i,f,g}
        if g_state is not None:
            dc *= run.bufs[0][t, 2]  # ∂c_prev = ∂c ⊙ f
        return False


class GRUCell:
    """Forward as in the module docstring, with a_h = W_hh h + b_hh kept apart
    from a_x = W_ih x + b_ih (r multiplies only the n part of a_h).
    Backward, from ∂h':

        ∂n = ∂h' ⊙ (1 − z)    ∂z = ∂h' ⊙ (h − n)    ∂h_direct = ∂h' ⊙ z
        δₙ = ∂n ⊙ (1 − n²)    ∂r = δₙ ⊙ a_hn
        δ_r = ∂r ⊙ r(1 − r)   δ_z = ∂z ⊙ z(1 − z)
        δ_x = (δ_r, δ_z, δₙ)  δ_h = (δ_r, δ_z, r ⊙ δₙ)"""

    gates, state_size, order, scale, extra = 3, 1, None, None, 0
    prepare = None

    @staticmethod
    def buffers(steps, batch, hidden, dtype):
        """a_h, the gates r and z, and n of every step."""
        return (
            POOL.empty((steps, 3, hidden, batch), dtype),
            POOL.empty((steps, 2, hidden, batch), dtype),
            POOL.empty((steps, hidden, batch), dtype),
        )

    @staticmethod
    def products(run):
        return _gate_rows(run.bufs[0])  # a_h = W_hh·h, (T, 3H, B)

    @staticmethod
    def forward(run, t, i, o, gx_t, b3):
        a_h, rz, n = run.bufs[0][t], run.bufs[1][t], run.bufs[2][t]
        h = run.states[0, i]
        run.forward_product(i, t)
        if b3 is not None:
            a_h += b3
        np.add(gx_t[:2], a_h[:2], out=rz)
        _sigmoid_(rz)
        np.multiply(rz[0], a_h[2], out=n)
        n += gx_t[2]
        np.tanh(n, out=n)
        h_new = run.states[0, o]  # h' = n + z ⊙ (h − n)
        np.subtract(h, n, out=h_new)
        h_new *= rz[1]
        h_new += n

    @staticmethod
    def backward(run, t, i, o, grad, g_state):
        a_h, rz, n = run.bufs[0][t], run.bufs[1][t], run.bufs[2][t]
        dgx, dgh = run.dgx[t], run.dgh[t]
        h = run.states[0, i]
        r, z = rz
        dh = grad[0]
        dn = np.subtract(1, z)
        dn *= dh
        d_n = dgx[2]
        np.multiply(n, n, out=d_n)
        np.subtract(1, d_n, out=d_n)
        d_n *= dn
        np.multiply(d_n, a_h[2], out=dgx[0])
        np.subtract(h, n, out=dgx[1])
        dgx[1] *= dh
        deriv = np.subtract(1, rz)
        deriv *= rz
        dgx[:2] *= deriv
        dgh[:2] = dgx[:2]
        np.multiply(d_n, r, out=dgh[2])
        if g_state is not None:
            np.multiply(dh, z, out=g_state[0])
        return True


CELLS = {"RNN_TANH": RNNTanhCell, "RNN_RELU": RNNReluCell, "LSTM": LSTMCell, "GRU": GRUCell}
