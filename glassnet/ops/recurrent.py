"""Recurrence: the ops of an RNN, LSTM or GRU layer. One op projects the
input of all time steps at once, one fused op per time step runs the cell
(its gates in one matrix multiply, then the gate nonlinearities, with a
closed-form backward), and one op gathers every step's h into the output.

How one direction of one layer runs (``run_direction``):

    gx = X·W_ihᵀ + b    ``GateProjection``, once for all T steps
    sₜ = step(sₜ₋₁)     ``RecurrentStep``, T times: a = hₜ₋₁·W_hhᵀ + gxₜ, then the cell

The state s is an array (k, B, H): k = 1 (h) for RNN and GRU, k = 2 (h, c)
for the LSTM, so one op carries the whole state from step to step and the
graph has one node per step. Backpropagation through time is the engine's
ordinary walk back along that chain: each step's backward turns ∂L/∂sₜ into
∂L/∂sₜ₋₁ (one matrix multiply, δₜ·W_hh, where δₜ is the gradient of the
step's gate pre-activations).

The weights' gradients are not summed step by step. Every step writes its δₜ
into one buffer shared by the layer's steps (``_Run``). The first step in
time runs last in backward (it waits for the gradient of its output, which
only the later steps give); it hands the whole buffer on as ∂L/∂gx, from
which ``GateProjection`` makes ∂L/∂X, ∂L/∂W_ih and ∂L/∂b, and it forms
∂L/∂W_hh = Σₜ δₜᵀ·hₜ₋₁ and ∂L/∂b_hh = Σₜ δₜ, each in one multiply over all
steps.

Gate formulas and order are PyTorch's (rows of W_ih and W_hh: i, f, g, o for
the LSTM; r, z, n for the GRU):

    RNN   h' = tanh(a) or relu(a),     a = W_ih x + b_ih + W_hh h + b_hh
    LSTM  i, f, o = σ(aᵢ), σ(a_f), σ(a_o);  g = tanh(a_g)
          c' = f ⊙ c + i ⊙ g;  h' = o ⊙ tanh(c')
    GRU   r = σ(W_ir x + b_ir + W_hr h + b_hr);  z = σ(W_iz x + b_iz + W_hz h + b_hz)
          n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn));  h' = (1 − z) ⊙ n + z ⊙ h

Gate arrays are kept gate-major, (G, B, H) per step (G gates), so that each
gate is one contiguous block: the elementwise work of a step is a handful of
NumPy calls on whole blocks. σ is computed as σ(a) = ½ + ½·tanh(a/2): no
overflow for any a, and the LSTM's four gates share one tanh call.

The arrays of a run (states, saved gates, gradient buffers) come from a
small pool and are reused by later calls once nothing refers to them, so a
training loop does not take fresh memory from the operating system at every
step (which here costs more than the arithmetic).
"""
import sys
from collections import OrderedDict

import numpy as np

from ..autograd import Op
from . import api


def _unheld_count():
    """What ``sys.getrefcount`` says, in ``_Pool.empty``'s loop, of an array
    that only the pool's list holds (measured, not assumed: interpreters differ)."""
    kept = [np.empty(0)]
    for arr in kept:
        return sys.getrefcount(arr)


_UNHELD = _unheld_count()


class _Pool:
    """Arrays kept from call to call, handed out again once nothing else
    refers to them (their reference count says so: an array still used by
    a graph, a view of it or a caller is never handed out). At most ``keep``
    arrays per shape, ``limit`` bytes in all (the least recently used shapes
    go); ``clear()`` lets them all go."""

    def __init__(self, keep=4, limit=256 << 20):
        self.keep, self.limit = keep, limit
        self.arrays = OrderedDict()  # (shape, dtype) -> [arrays]
        self.nbytes = 0

    def clear(self):
        self.arrays.clear()
        self.nbytes = 0

    def empty(self, shape, dtype):
        key = (tuple(shape), np.dtype(dtype))
        kept = self.arrays.pop(key, [])
        self.arrays[key] = kept  # now the most recently used
        for arr in kept:
            if sys.getrefcount(arr) == _UNHELD:  # held by nothing but `kept`
                return arr
        arr = np.empty(shape, dtype)
        if len(kept) < self.keep and arr.nbytes <= self.limit // 8:
            kept.append(arr)
            self.nbytes += arr.nbytes
            while self.nbytes > self.limit:
                _, old = self.arrays.popitem(last=False)
                self.nbytes -= sum(a.nbytes for a in old)
        return arr


POOL = _Pool()


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


# ---- the cells ---------------------------------------------------------------------
# forward(saved, h, w3, gx_t, state, b3, new): writes the next state into ``new``
#   (k, B, H) and what backward needs into ``saved`` (this step's views of the
#   run's buffers); w3 (G, H, H) holds each gate's block of W_hhᵀ, gx_t (G, B, H)
#   this step's input projection, b3 (G, 1, H) b_hh or None.
# backward(saved, state, new, grad, dgx, dgh, g_state): from ∂L/∂new (``grad``),
#   writes δ, the gradient of the gate pre-activations, into dgx (G, B, H) (their
#   x side) and dgh (their h side: the same array except for the GRU), and, when
#   g_state (k, B, H) is given, the part of ∂L/∂state that does not go through
#   W_hh: ∂L/∂c into g_state[1] for the LSTM, z ⊙ ∂h' into g_state[0] for the GRU
#   (returning True: the step adds δ·W_hh to it instead of overwriting it).
# prepare(bufs, c_prev, dgx) (optional, ``None`` for no preparation): run
#   once when the backward walk reaches the layer, before any step's backward, on
#   the whole run (every step at once: a few large NumPy calls instead of many
#   small ones); what it returns (indexed by step) comes to backward as ``pre``.

class RNNTanhCell:
    """h' = tanh(a);  δ = ∂h' ⊙ (1 − h'²)."""

    gates, state_size = 1, 1
    prepare = None

    @staticmethod
    def buffers(steps, batch, hidden, dtype):
        return ()  # backward needs only h', which is the state

    @staticmethod
    def forward(saved, h, w3, gx_t, state, b3, new):
        a = new[0]
        np.matmul(h, w3[0], out=a)
        a += gx_t[0]
        if b3 is not None:
            a += b3[0]
        np.tanh(a, out=a)

    @staticmethod
    def backward(saved, state, new, grad, dgx, dgh, g_state, pre=None):
        h, d = new[0], dgx[0]
        np.multiply(h, h, out=d)
        np.subtract(1, d, out=d)
        d *= grad[0]
        return False


class RNNReluCell(RNNTanhCell):
    """h' = max(0, a);  δ = ∂h' where h' > 0, else 0."""

    @staticmethod
    def forward(saved, h, w3, gx_t, state, b3, new):
        a = new[0]
        np.matmul(h, w3[0], out=a)
        a += gx_t[0]
        if b3 is not None:
            a += b3[0]
        np.maximum(a, 0, out=a)

    @staticmethod
    def backward(saved, state, new, grad, dgx, dgh, g_state, pre=None):
        np.multiply(grad[0], new[0] > 0, out=dgx[0])
        return False


class LSTMCell:
    """Forward as in the module docstring. Backward, from ∂h' and ∂c':

        ∂o = ∂h' ⊙ tanh c'           ∂c = ∂c' + ∂h' ⊙ o ⊙ (1 − tanh² c')
        ∂i = ∂c ⊙ g    ∂g = ∂c ⊙ i    ∂f = ∂c ⊙ c    ∂c_prev = ∂c ⊙ f
        δ = ∂gate ⊙ gate'(a):  σ' = σ(1 − σ) for i, f, o;  tanh' = 1 − g² for g

    Everything in δ except ∂c and ∂h' is known once the forward pass is
    done, so ``prepare`` computes it for all steps at once (in whole-run
    NumPy calls) before the walk back starts:

        P = (g ⊙ σ'(i),  c ⊙ σ'(f),  i ⊙ (1 − g²),  tanh c' ⊙ σ'(o))   into the δ buffer
        A = o ⊙ (1 − tanh² c')

    and each step is then five small calls and the multiply by W_hh:
    ∂c = ∂c' + ∂h' ⊙ A,  δ_{i,f,g} = ∂c ⊙ P_{i,f,g},  δ_o = ∂h' ⊙ P_o,
    ∂c_prev = ∂c ⊙ f."""

    gates, state_size = 4, 2
    _scale = {}  # dtype -> (4, 1, 1): ½ for the σ gates i, f, o, 1 for g

    @staticmethod
    def buffers(steps, batch, hidden, dtype):
        """The gates (i, f, g, o) and tanh c' of every step."""
        return (POOL.empty((4, steps, batch, hidden), dtype),
                POOL.empty((steps, batch, hidden), dtype))

    @classmethod
    def _half(cls, dtype):
        half = cls._scale.get(dtype)
        if half is None:
            half = cls._scale[dtype] = np.array([0.5, 0.5, 1, 0.5], dtype).reshape(4, 1, 1)
        return half

    @classmethod
    def forward(cls, saved, h, w3, gx_t, state, b3, new):
        y, tanh_c = saved
        np.matmul(h, w3, out=y)  # the four gates' a, one (4, B, H) product
        y += gx_t
        if b3 is not None:
            y += b3
        np.multiply(y, cls._half(y.dtype), out=y)  # a/2 for i, f, o
        np.tanh(y, out=y)  # tanh(a/2) for i, f, o;  g = tanh(a)
        sig, o = y[:2], y[3]  # σ(a) = ½ + ½·tanh(a/2)
        sig *= 0.5
        sig += 0.5
        o *= 0.5
        o += 0.5
        i, f, g = y[0], y[1], y[2]
        h_new, c_new = new[0], new[1]
        np.multiply(f, state[1], out=c_new)
        np.multiply(i, g, out=h_new)  # h_new as scratch until its turn
        c_new += h_new
        np.tanh(c_new, out=tanh_c)
        np.multiply(o, tanh_c, out=h_new)

    @staticmethod
    def prepare(bufs, c_prev, dgx):
        """P (see the class docstring) into ``dgx`` (4, T, B, H) and A (T, B, H),
        for every step; ``c_prev`` is the list of (step slice, c) pairs giving
        each step's earlier cell state."""
        y, tanh_c = bufs
        i, f, g, o = y
        p = dgx
        np.subtract(1, y, out=p)
        p *= y  # σ' = σ(1 − σ) (slot g is overwritten next)
        np.multiply(g, g, out=p[2])
        np.subtract(1, p[2], out=p[2])  # tanh' = 1 − g²
        p[0] *= g
        for steps, c in c_prev:
            p[1, steps] *= c
        p[2] *= i
        p[3] *= tanh_c
        a = POOL.empty(tanh_c.shape, tanh_c.dtype)
        np.multiply(tanh_c, tanh_c, out=a)
        np.subtract(1, a, out=a)
        a *= o
        return a

    @staticmethod
    def backward(saved, state, new, grad, dgx, dgh, g_state, pre=None):
        """``dgx`` holds this step's P on entry (see ``prepare``), δ on exit;
        ``pre`` is this step's A."""
        dh, dc_next = grad[0], grad[1]
        dc = g_state[1] if g_state is not None else np.empty_like(dh)
        np.multiply(dh, pre, out=dc)
        dc += dc_next  # ∂c = ∂c' + ∂h' ⊙ o ⊙ (1 − tanh² c')
        d = dgx[:3]
        np.multiply(d, dc, out=d)  # δ_{i,f,g} = ∂c ⊙ P_{i,f,g}
        np.multiply(dgx[3], dh, out=dgx[3])  # δ_o = ∂h' ⊙ P_o
        if g_state is not None:
            dc *= saved[0][1]  # ∂c_prev = ∂c ⊙ f
        return False


class GRUCell:
    """Forward as in the module docstring, with a_h = W_hh h + b_hh kept apart
    from a_x = W_ih x + b_ih (r multiplies only the n part of a_h).
    Backward, from ∂h':

        ∂n = ∂h' ⊙ (1 − z)    ∂z = ∂h' ⊙ (h − n)    ∂h_direct = ∂h' ⊙ z
        δₙ = ∂n ⊙ (1 − n²)    ∂r = δₙ ⊙ a_hn
        δ_r = ∂r ⊙ r(1 − r)   δ_z = ∂z ⊙ z(1 − z)
        δ_x = (δ_r, δ_z, δₙ)  δ_h = (δ_r, δ_z, r ⊙ δₙ)"""

    gates, state_size = 3, 1
    prepare = None

    @staticmethod
    def buffers(steps, batch, hidden, dtype):
        """a_h, the gates r and z, and n of every step."""
        return (POOL.empty((3, steps, batch, hidden), dtype),
                POOL.empty((2, steps, batch, hidden), dtype),
                POOL.empty((steps, batch, hidden), dtype))

    @staticmethod
    def forward(saved, h, w3, gx_t, state, b3, new):
        a_h, rz, n = saved
        np.matmul(h, w3, out=a_h)
        if b3 is not None:
            a_h += b3
        np.add(gx_t[:2], a_h[:2], out=rz)
        _sigmoid_(rz)
        np.multiply(rz[0], a_h[2], out=n)
        n += gx_t[2]
        np.tanh(n, out=n)
        h_new = new[0]  # h' = n + z ⊙ (h − n)
        np.subtract(h, n, out=h_new)
        h_new *= rz[1]
        h_new += n

    @staticmethod
    def backward(saved, state, new, grad, dgx, dgh, g_state, pre=None):
        a_h, rz, n = saved
        h = state[0]
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


# ---- the ops ----------------------------------------------------------------------------
class GateProjection(Op):
    """gx = X·W_ihᵀ + b for every step at once, gate-major: x (T, B, n),
    W_ih (G·H, n), b (G·H,) or None → gx (G, T, B, H), gx[g] = X·W_gᵀ + b_g.

    ∂L/∂X = Σ_g ∂gx_g·W_g,  ∂L/∂W_g = Σ_{t,b} ∂gx_gᵀ·X,  ∂L/∂b_g = Σ_{t,b} ∂gx_g.

    With a bias, the bias rides in the matrix multiply: X gets a column of
    ones and W_g the column b_g, [X 1]·[W_g b_g]ᵀ = X·W_gᵀ + b_g (adding b to
    the (G, T·B, H) result afterwards costs as much as the multiply), and
    backward's ∂gx_gᵀ·[X 1] is [∂L/∂W_g  ∂L/∂b_g] in one product."""

    @staticmethod
    def forward(ctx, x, w, b=None, *, gates):
        steps, batch, n = x.shape
        w3 = _gate_major(w, gates)
        hidden = w3.shape[1]
        out = POOL.empty((gates, steps * batch, hidden), x.dtype)
        if b is None:
            x2 = x.reshape(steps * batch, n)
            np.matmul(x2, w3.transpose(0, 2, 1), out=out)
        else:
            x2 = POOL.empty((steps * batch, n + 1), x.dtype)  # [X 1]
            x2.reshape(steps, batch, n + 1)[..., :n] = x
            x2[:, n] = 1
            wb = POOL.empty((gates, hidden, n + 1), x.dtype)  # [W_g b_g]
            wb[..., :n] = w3
            wb[..., n] = b.reshape(gates, hidden)
            np.matmul(x2, wb.transpose(0, 2, 1), out=out)
        ctx.save_for_backward(x2, w)
        ctx.gates = gates
        return out.reshape(gates, steps, batch, hidden)

    @staticmethod
    def backward(ctx, grad):
        x2, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        gates, steps, batch, hidden = grad.shape
        n = w.shape[1]
        g3 = grad.reshape(gates, steps * batch, hidden)
        gx = gw = gb = None
        if need[0]:
            parts = np.matmul(g3, _gate_major(w, gates),
                              out=POOL.empty((gates, steps * batch, n), grad.dtype))
            gx = parts.sum(axis=0).reshape(steps, batch, n)
        if need[1] or (len(need) > 2 and need[2]):
            g_wb = np.matmul(g3.transpose(0, 2, 1), x2)  # (G, H, n) or (G, H, n + 1)
            if need[1]:
                gw = g_wb[..., :n].reshape(w.shape)
            if len(need) > 2 and need[2]:
                gb = g_wb[..., n].reshape(-1)
        return gx, gw, gb


def _row_sums(g):
    """Σ over steps and batch of a gate-major gradient (G, …, H), as (G·H,):
    a matrix-vector product, faster than ``sum`` over the middle axes."""
    g3 = g.reshape(g.shape[0], -1, g.shape[-1])
    return np.matmul(np.ones(g3.shape[1], g3.dtype), g3).reshape(-1)


class _Run:
    """What the steps of one direction of one layer share: the cell, the
    order of the steps, the states of every step (``states[:, t]`` is the
    state after step t, in time order, so ``states[0]`` holds every hₜ), the
    initial state, the forward pass's buffers, the δ buffers of backward
    and what the cell prepared for it (``pre``), and scratch for the
    per-step multiply by W_hh."""

    __slots__ = ("cell", "first", "last", "states", "initial", "w3", "bufs", "dgx", "dgh",
                 "filled", "pre", "scratch")

    def __init__(self, cell, length, reverse):
        self.cell = cell
        self.first, self.last = (length - 1, 0) if reverse else (0, length - 1)
        self.states = self.initial = self.w3 = self.bufs = None
        self.dgx = self.dgh = self.filled = self.pre = self.scratch = None

    def start_forward(self, gx, state, w_hh):
        gates, steps, batch, hidden = gx.shape
        dtype = gx.dtype
        self.states = POOL.empty((self.cell.state_size, steps, batch, hidden), dtype)
        self.bufs = self.cell.buffers(steps, batch, hidden, dtype)
        self.w3 = POOL.empty((gates, hidden, hidden), dtype)
        np.copyto(self.w3, _gate_major(w_hh, gates).transpose(0, 2, 1))  # W_gᵀ, contiguous
        self.initial = state

    def end_forward(self):
        """The pool may reuse W_hhᵀ; the buffers stay for ``prepare``."""
        self.w3 = None

    def _earlier(self, k):
        """Part k of each step's earlier state, as (steps, array) pairs: the
        state after the step before in time order, the initial state for the
        first step."""
        s = self.states[k]
        if self.first == 0:
            return [(slice(1, None), s[:-1]), (0, self.initial[k])]
        return [(slice(None, -1), s[1:]), (self.first, self.initial[k])]

    def start_backward(self, gx):
        """Buffers for the δₜ of every step, when the backward walk starts,
        and the cell's preparation for the whole run."""
        self.dgx = POOL.empty(gx.shape, gx.dtype)
        self.dgh = POOL.empty(gx.shape, gx.dtype) if self.cell is GRUCell else self.dgx
        self.filled = bytearray(gx.shape[1])
        self.scratch = POOL.empty((gx.shape[0],) + gx.shape[2:], gx.dtype)
        if self.cell.prepare is not None:
            self.pre = self.cell.prepare(self.bufs, self._earlier(1), self.dgx)

    def finish_backward(self):
        """The full buffers (δ = 0 for a step that got no gradient), handed on."""
        dgx, dgh, filled = self.dgx, self.dgh, self.filled
        # the next backward walk starts afresh
        self.dgx = self.dgh = self.filled = self.pre = self.scratch = None
        for t, done in enumerate(filled):
            if not done:
                dgx[:, t] = 0
                dgh[:, t] = 0
        return dgx, dgh

    def weight_grad(self, dgh):
        """∂L/∂W_hh = Σₜ δₜᵀ·hₜ₋₁ as (G·H, H): the earlier state of step t is
        the state after step t − 1 (t + 1 when reversed), the initial state
        for the first step; one multiply per gate over all the other steps."""
        gates, steps, batch, hidden = dgh.shape
        (rest, h), (first, h0) = self._earlier(0)
        d = dgh[:, rest].reshape(gates, (steps - 1) * batch, hidden)
        g_w = np.matmul(d.transpose(0, 2, 1), h.reshape(-1, hidden))
        g_w += np.matmul(dgh[:, first].transpose(0, 2, 1), h0)
        return g_w.reshape(gates * hidden, hidden)


class RecurrentStep(Op):
    """One time step t: state sₜ₋₁ (k, B, H) → sₜ, given the input projection
    of all steps gx (G, T, B, H), the recurrent weight W_hh (G·H, H) and its
    bias b_hh (G·H,) (None when it joined the projection's bias).

    Backward returns ∂L/∂sₜ₋₁ every step, and ∂L/∂gx, ∂L/∂W_hh, ∂L/∂b_hh
    once, from the first step in time (see the module docstring)."""

    @staticmethod
    def forward(ctx, gx, state, w_hh, b_hh, *, run, t):
        if t == run.first:
            run.start_forward(gx, state, w_hh)
        new = run.states[:, t]
        # this step's views of the buffers, gate-major (G, T, B, H) or (T, B, H)
        saved = tuple(b[:, t] if b.ndim == 4 else b[t] for b in run.bufs)
        b3 = None if b_hh is None else b_hh.reshape(gx.shape[0], 1, -1)
        run.cell.forward(saved, state[0], run.w3, gx[:, t], state, b3, new)
        if ctx.needs_input_grad is not None:  # recording the graph
            ctx.run, ctx.t = run, t
            ctx.save_for_backward(w_hh, state, new, *saved)
        return new

    @staticmethod
    def backward(ctx, grad):
        run, t = ctx.run, ctx.t
        need = ctx.needs_input_grad
        w_hh, state, new, *saved = ctx.saved_tensors
        if run.dgx is None or t == run.last:
            run.start_backward(ctx.parents[0].data)
        dgh = run.dgh[:, t]
        g_state = np.empty_like(grad) if need[1] else None
        pre = None if run.pre is None else run.pre[t]
        add = run.cell.backward(saved, state, new, grad, run.dgx[:, t], dgh, g_state, pre)
        run.filled[t] = 1
        if need[1]:  # ∂L/∂hₜ₋₁ = δₜ·W_hh = Σ_g δₜ,g·W_g (+ the cell's direct part)
            parts = np.matmul(dgh, _gate_major(w_hh, dgh.shape[0]), out=run.scratch)
            dh = g_state[0]
            if add:
                dh += parts[0]
            elif len(parts) > 1:
                np.add(parts[0], parts[1], out=dh)
                parts = parts[1:]
            else:
                np.copyto(dh, parts[0])
            for p in parts[1:]:
                dh += p
        if t != run.first:
            return None, g_state, None, None
        # the first step in time runs last in backward: every δₜ is in the buffers now
        dgx, dgh = run.finish_backward()
        g_w = run.weight_grad(dgh) if need[2] else None
        g_b = _row_sums(dgh) if need[3] else None  # Σₜ δₜ
        return (dgx if need[0] else None), g_state, g_w, g_b


class LayerOutput(Op):
    """The layer's output (T, B, D·H) from the states of its D directions
    (their ``_Run.states`` (k, T, B, H)): out[t, :, d·H:(d+1)·H] is direction
    d's h at time t. Backward hands each state its slice (and, for the LSTM, a
    zero gradient for c)."""

    @staticmethod
    def forward(ctx, *states, runs):
        k, steps, batch, hidden = runs[0].states.shape
        out = POOL.empty((steps, batch, len(runs) * hidden), runs[0].states.dtype)
        for d, run in enumerate(runs):
            out[:, :, d * hidden:(d + 1) * hidden] = run.states[0]
        ctx.shape = (k, steps, batch, hidden)
        return out

    @staticmethod
    def backward(ctx, grad):
        k, steps, batch, hidden = ctx.shape
        grads = []
        for d in range(len(ctx.parents) // steps):
            g = grad[:, :, d * hidden:(d + 1) * hidden]
            if k > 1:  # (k, T, B, H): h gets g, c gets 0
                full = POOL.empty((k, steps, batch, hidden), grad.dtype)
                full[0] = g
                full[1:] = 0
                g = full
            else:
                g = g[None]
            grads += [g[:, t] for t in range(steps)]
        return tuple(grads)


def run_direction(mode, x, state, w_ih, w_hh, b_ih=None, b_hh=None, reverse=False):
    """Run one direction of one layer over the whole sequence.

    ``x`` (T, B, input) the input sequence, ``state`` the initial state
    (k, B, H) (a Tensor or an array), ``mode`` a key of ``CELLS``, then the
    layer's weights as PyTorch names them. Returns the T states, each
    (k, B, H), in time order (the steps run from T to 1 when ``reverse``),
    and the run (for ``LayerOutput``).

    The LSTM's and the RNN's b_hh joins b_ih in the projection (only the GRU
    needs it apart, inside r ⊙ (…))."""
    cell = CELLS[mode]
    if cell is not GRUCell and b_hh is not None:
        b_ih, b_hh = api.add(b_ih, b_hh), None
    args = (x, w_ih) if b_ih is None else (x, w_ih, b_ih)
    gx = GateProjection.apply(*args, gates=cell.gates)
    steps = gx.shape[1]
    run = _Run(cell, steps, reverse)
    states = [None] * steps
    for t in (range(steps - 1, -1, -1) if reverse else range(steps)):
        state = RecurrentStep.apply(gx, state, w_hh, b_hh, run=run, t=t)
        states[t] = state
    run.end_forward()
    return states, run
