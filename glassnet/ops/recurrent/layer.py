"""Recurrence: the ops of an RNN, LSTM or GRU layer. One op projects the
input of all time steps at once, one op per time step runs the cell (its
gates in one matrix multiply, then the gate nonlinearities, with a
closed-form backward), and one op gathers every step's h into the output.
(A float32 LSTM layer runs through oneDNN in one op instead when it is
installed: ``fused_lstm``; this module is what it falls back to, and what
float64 and ``glassnet.backends.onednn.disabled()`` run.)

How one direction of one layer runs (``run_direction``):

    gx = W_ih·X + b     ``GateProjection``, once for all T steps
    sₜ = step(sₜ₋₁)     ``RecurrentStep``, T times: a = W_hh·hₜ₋₁ + gxₜ, then the cell

The state s is (k, B, H): k = 1 (h) for RNN and GRU, k = 2 (h, c) for the
LSTM, so one op carries the whole state from step to step and the graph has
one node per step. Backpropagation through time is the engine's ordinary
walk back along that chain: each step's backward turns ∂L/∂sₜ into
∂L/∂sₜ₋₁ (one matrix multiply, W_hhᵀ·δₜ, where δₜ is the gradient of the
step's gate pre-activations).

The weights' gradients are not summed step by step. Every step writes its δₜ
into one buffer shared by the layer's steps (``_Run``). The first step in
time runs last in backward (it waits for the gradient of its output, which
only the later steps give); it hands the whole buffer on as ∂L/∂gx, from
which ``GateProjection`` makes ∂L/∂X, ∂L/∂W_ih and ∂L/∂b, and it forms
∂L/∂W_hh = Σₜ δₜ·hₜ₋₁ᵀ and ∂L/∂b_hh = Σₜ δₜ, each in one multiply over all
steps (every hₜ₋₁ is also kept batch-major in one (T·B, H) block, ``_Run.hb``).

Inside a run every per-step array is feature-major, (H, B) (h, c, each
gate; the transpose of the (B, H) the ops hand out, which are views): a
step's matrix multiply is then W_g (H, H) · h (H, B) per gate, which BLAS
does about 1.5 times as fast as h (B, H) · W_gᵀ for a batch of 32. The gates
of a step are one block (G, H, B) (G gates), each gate contiguous, so the
elementwise work of a step is a handful of NumPy calls on whole contiguous
blocks. The whole-run arrays are time-major ((T, …, H, B): one step's data
together), except the δ buffer handed to the weight gradients, gate-major
(G, H, T, B), so that each gate's δ is one (H, T·B) matrix; it is copied
from the time-major one once, when the walk back is done.

Gate formulas and order are PyTorch's (rows of W_ih and W_hh: i, f, g, o for
the LSTM; r, z, n for the GRU):

    RNN   h' = tanh(a) or relu(a),     a = W_ih x + b_ih + W_hh h + b_hh
    LSTM  i, f, o = σ(aᵢ), σ(a_f), σ(a_o);  g = tanh(a_g)
          c' = f ⊙ c + i ⊙ g;  h' = o ⊙ tanh(c')
    GRU   r = σ(W_ir x + b_ir + W_hr h + b_hr);  z = σ(W_iz x + b_iz + W_hz h + b_hz)
          n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn));  h' = (1 − z) ⊙ n + z ⊙ h

Inside a run the LSTM keeps its gates in the order o, i, f, g
(``LSTMCell.order``; weights are copied in that order, and gradients put
back in PyTorch's): the three σ gates are then one block for the forward
pass, and the three gates that backward multiplies by ∂c (i, f, g) another.
σ is computed as σ(a) = ½ + ½·tanh(a/2): no overflow for any a, and the
LSTM's four gates share one tanh call. The halving of the σ gates' a is
folded into the copies of the weights the forward pass multiplies by (W_hh's
and the projection's, ``LSTMCell.scale``), so the LSTM's gx is the
projection with those gates halved, and the δ handed back to it is the
gradient of that (twice the gradient of a, for those gates).

The arrays of a run (states, saved gates, gradient buffers) come from a
small pool and are reused by later calls once nothing refers to them, so a
training loop does not take fresh memory from the operating system at every
step (which here costs more than the arithmetic).
"""

import numpy as np

from ... import alloc
from ...autograd import Op
from ...backends.blas import StackedProduct, dot
from ..arith import Add
from .cells import CELLS, GRUCell, _gate_major, _in_order, _pytorch_order, _scaled
from .pool import POOL


# ---- the ops ----------------------------------------------------------------------------
class GateProjection(Op):
    """The input side of every step's gates at once, gate-major: x (T, B, n),
    W_ih (G·H, n), b (G·H,) or None → gx (G, H, T, B), gx[g] = s_g·(W_g·Xᵀ + b_g),
    the gates in the cell's order and s_g their factors (``order`` and
    ``scale``, see the cells); δ_g = ∂L/∂gx[g].

    With a bias, the bias rides in the matrix multiply: X gets a column of
    ones and W_g the column b_g, [W_g b_g]·[X 1]ᵀ = W_g·Xᵀ + b_g (adding b to
    the result afterwards costs as much as the multiply), and backward's
    δ_g·[X 1] is [∂L/∂W_g  ∂L/∂b_g] in one product. gx is laid out
    time-major in memory, (T, G, H, B) (a step's gates are one contiguous
    block, what the step reads), and handed on as a (G, H, T, B) view; the
    gradient that comes back is gate-major in memory (see ``_Run``), so
    each gate's is one (H, T·B) matrix."""

    formula = "gx = s ⊙ (W_ih·X + b) for all T steps at once"
    rule = (
        "∂L/∂Xᵀ = Σ_g s_g·W_gᵀ·δ_g, ∂L/∂W_g = s_g·δ_g·X, ∂L/∂b_g = s_g·Σ_{t, b} δ_g  "
        "(δ_g = ∂L/∂gx of gate g)"
    )

    no_graph_hint = (
        "A recurrent layer runs as fused steps whose backward is written by hand; run its "
        "forward inside glassnet.backends.fused.disabled() to record plain ops that "
        "create_graph=True can differentiate again."
    )

    @staticmethod
    def forward(ctx, x, w, b=None, *, gates, order=None, scale=None):
        steps, batch, n = x.shape
        w3 = _in_order(_gate_major(w, gates), order)
        hidden = w3.shape[1]
        k = n if b is None else n + 1
        x2 = POOL.empty((steps, batch, k), x.dtype)  # [X 1]
        x2[..., :n] = x
        wb = POOL.empty((gates, hidden, k), x.dtype)  # s_g·[W_g b_g]
        wb[..., :n] = w3
        if b is not None:
            x2[..., n] = 1
            wb[..., n] = _in_order(b.reshape(gates, hidden), order)
        if scale is not None:
            wb *= np.asarray(scale, x.dtype).reshape(gates, 1, 1)
        x2t = POOL.empty((steps, k, batch), x.dtype)  # [X 1]ᵀ per step
        np.copyto(x2t, x2.transpose(0, 2, 1))
        out = POOL.empty((steps, gates, hidden, batch), x.dtype)
        # each step's gates: (G·H, k)·(k, B), all steps in one batched product
        StackedProduct(
            wb.reshape(gates * hidden, k), x2t, out.reshape(steps, gates * hidden, batch)
        ).all()
        ctx.save_for_backward(x2, w)
        ctx.gates, ctx.order, ctx.scale = gates, order, scale
        return out.transpose(1, 2, 0, 3)

    @staticmethod
    def backward(ctx, grad):
        x2, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        gates, order, scale = ctx.gates, ctx.order, ctx.scale
        _, hidden, steps, batch = grad.shape
        n = w.shape[1]
        g2 = grad.reshape(gates * hidden, steps * batch)
        gx = gw = gb = None
        if need[0]:
            w2 = _scaled(_in_order(_gate_major(w, gates), order), scale)
            gx = dot(w2.reshape(gates * hidden, n).T, g2)
            gx = gx.reshape(n, steps, batch).transpose(1, 2, 0)
        if need[1] or (len(need) > 2 and need[2]):
            g_wb = dot(g2, x2.reshape(steps * batch, x2.shape[-1])).reshape(gates, hidden, -1)
            g_wb = _pytorch_order(_scaled(g_wb, scale), order)  # (G, H, n) or (G, H, n + 1)
            if need[1]:
                gw = g_wb[..., :n].reshape(w.shape)
            if len(need) > 2 and need[2]:
                gb = g_wb[..., n].reshape(-1)
        return gx, gw, gb


def _row_sums(g):
    """Σ over steps and batch of a gate-major gradient (G, H, T, B), as (G·H,):
    a matrix-vector product, faster than ``sum`` over the last axes."""
    g2 = g.reshape(g.shape[0] * g.shape[1], g.shape[2] * g.shape[3])
    return dot(g2, alloc.ones((g2.shape[1], 1), g2.dtype)).reshape(-1)


class _Run:
    """What the steps of one direction of one layer share: the cell, the
    order of the steps, the states, the forward pass's buffers, the δ
    buffers of backward (``work``: with what the cell prepared for it),
    and W_hh's gate blocks as each pass multiplies by them (backward: one
    (H, G·H)·(G·H, B) product per step, the sum over the gates inside it).
    Each step's arrays are rows of these stacks, so the per-step products
    are ``StackedProduct``s, their layouts checked once per run.

    ``states`` (k, T+1, H, B) holds the initial state and the state after
    every step, in time order: forwards, the initial state in row 0 and
    step t's state in row t + 1; reversed, step t's state in row t and the
    initial state in row T. Step t goes from row t + shift to row
    t + 1 − shift (shift = 1 reversed, else 0), so ``states[:, prev]`` are
    the earlier states of all steps and ``states[:, outs]`` their states,
    each one contiguous block. ``hb`` (T+1, B, H) holds the same rows of h
    batch-major (each step copies its h there): the layer's output, and
    the hₜ₋₁ of ∂L/∂W_hh as one (T·B, H) matrix.

    The δ buffers (``dgx``, ``dgh``) are time-major, (T, G, H, B), while the
    walk back fills them; when it is done they are copied gate-major,
    (G, H, T, B), for the weight gradients (divided by the cell's ``scale``:
    the gradients of the scaled pre-activations that gx and the forward's
    weight copies hold)."""

    __slots__ = (
        "cell",
        "first",
        "last",
        "shift",
        "prev",
        "outs",
        "states",
        "hb",
        "w",
        "bufs",
        "forward_product",
        "w_back",
        "work",
        "dgx",
        "dgh",
        "grads",
        "backward_product",
        "filled",
    )

    def __init__(self, cell, length, reverse):
        self.cell = cell
        self.first, self.last = (length - 1, 0) if reverse else (0, length - 1)
        self.shift = shift = int(reverse)
        self.prev = slice(shift, length + shift)
        self.outs = slice(1 - shift, length + 1 - shift)
        self.states = self.hb = self.w = self.bufs = self.forward_product = None
        self.w_back = self.work = self.dgx = self.dgh = self.grads = None
        self.backward_product = self.filled = None

    def start_forward(self, gx, state, w_hh):
        gates, hidden, steps, batch = gx.shape
        dtype, cell = gx.dtype, self.cell
        self.states = POOL.empty((cell.state_size, steps + 1, hidden, batch), dtype)
        np.copyto(self.states[:, self.first + self.shift], state.transpose(0, 2, 1))
        self.hb = POOL.empty((steps + 1, batch, hidden), dtype)
        np.copyto(self.hb[self.first + self.shift], state[0])
        self.bufs = cell.buffers(steps, batch, hidden, dtype)
        w3 = _gate_major(w_hh, gates)
        if cell.order is None and cell.scale is None:
            self.w = w3
        else:  # s_g·W_g in the cell's order
            self.w = POOL.empty(w3.shape, dtype)
            np.take(w3, cell.order or range(gates), axis=0, out=self.w)
            if cell.scale is not None:
                self.w *= np.asarray(cell.scale, dtype).reshape(gates, 1, 1)
        self.w = self.w.reshape(gates * hidden, hidden)
        # forward_product(i, j): W·(h in row i of the states) into row j of the cell's products
        self.forward_product = StackedProduct(self.w, self.states[0], cell.products(self))

    def end_forward(self):
        """The pool may reuse the weight copy; the buffers stay for backward."""
        self.w = self.forward_product = None

    def start_backward(self, gx, w_hh):
        """Buffers for the δₜ of every step, when the backward walk starts,
        the W_g stacked (G·H, H) in the cell's order, and the cell's preparation
        for the whole run."""
        gates, hidden, steps, batch = gx.shape
        extra = self.cell.extra
        self.work = POOL.empty((steps, extra + gates, hidden, batch), gx.dtype)
        self.dgx = self.work[:, extra:]
        self.dgh = (
            POOL.empty((steps, gates, hidden, batch), gx.dtype)
            if self.cell is GRUCell
            else self.dgx
        )
        self.filled = bytearray(steps)
        w3 = _gate_major(w_hh, gates)
        self.w_back = POOL.empty((gates * hidden, hidden), gx.dtype)  # the W_g, cell order
        np.take(
            w3,
            self.cell.order or range(gates),
            axis=0,
            out=self.w_back.reshape(gates, hidden, hidden),
        )
        self.grads = POOL.empty((steps,) + self.states.shape[:1] + (hidden, batch), gx.dtype)
        # backward_product(t, t): W_backᵀ·δₜ (the h side) into ∂L/∂h of step t's earlier state
        self.backward_product = StackedProduct(
            self.w_back.T,
            self.dgh.reshape(steps, gates * hidden, batch),
            self.grads[:, 0],
            halves=True,
        )  # on 2 threads a fifth faster than MKL's own split (see blas)
        if self.cell.prepare is not None:
            self.cell.prepare(self)

    def finish_backward(self):
        """The full buffers (δ = 0 for a step that got no gradient), gate-major,
        as the gradients of the scaled pre-activations: δ_g / s_g (what the
        projection's gx and the forward's weight copies were made for)."""
        dgx, dgh, filled = self.dgx, self.dgh, self.filled
        # the next backward walk starts afresh
        self.work = self.dgx = self.dgh = self.filled = self.w_back = None
        self.grads = self.backward_product = None
        for t, done in enumerate(filled):
            if not done:
                dgx[t] = 0
                dgh[t] = 0
        steps, gates, hidden, batch = dgx.shape
        out = []
        scale = self.cell.scale
        for d in (dgx, dgh) if dgh is not dgx else (dgx,):
            gm = POOL.empty((gates, hidden, steps, batch), d.dtype)
            if scale is None:
                np.copyto(gm, d.transpose(1, 2, 0, 3))
            else:
                np.multiply(
                    d.transpose(1, 2, 0, 3),
                    (1 / np.asarray(scale, d.dtype)).reshape(gates, 1, 1, 1),
                    out=gm,
                )
            out.append(gm)
        return out[0], out[-1]

    def weight_grad(self, dgh):
        """∂L/∂W_hh = Σₜ δₜ·hₜ₋₁ᵀ as (G·H, H): one multiply over all steps
        (of the buffer of δ_g / s_g, then times s_g), in PyTorch's gate order."""
        gates, hidden, steps, batch = dgh.shape
        g_w = dot(
            dgh.reshape(gates * hidden, steps * batch),
            self.hb[self.prev].reshape(steps * batch, hidden),
        )
        g_w = _scaled(g_w.reshape(gates, hidden, hidden), self.cell.scale)
        return _pytorch_order(g_w, self.cell.order).reshape(gates * hidden, hidden)


class RecurrentStep(Op):
    """One time step t: state sₜ₋₁ (k, B, H) → sₜ, given the input projection
    of all steps gx (G, H, T, B), the recurrent weight W_hh (G·H, H) and its
    bias b_hh (G·H,) (None when it joined the projection's bias). aₜ: the
    gates' pre-activations, δₜ = ∂L/∂aₜ (the cells' formulas: ``cells``).

    Backward returns ∂L/∂sₜ₋₁ every step, and ∂L/∂gx, ∂L/∂W_hh, ∂L/∂b_hh
    once, from the first step in time (see the module docstring). States
    and their gradients are handed out as (k, B, H) views of (k, H, B)
    arrays."""

    formula = (
        "sₜ = cell(aₜ, sₜ₋₁) with the gates' pre-activations aₜ = gxₜ + W_hh hₜ₋₁ + b_hh "
        "(gx = W_ih x + b_ih, the projection); RNN: hₜ = tanh aₜ or relu aₜ; "
        "LSTM: cₜ = f ⊙ cₜ₋₁ + i ⊙ g, hₜ = o ⊙ tanh cₜ; "
        "GRU: hₜ = (1 − z) ⊙ n + z ⊙ hₜ₋₁, n = tanh(a_xn + r ⊙ a_hn)"
    )
    rule = (
        "δₜ = ∂L/∂aₜ through the gates (RNN tanh: ∂L/∂hₜ ⊙ (1 − hₜ²)), "
        "∂L/∂hₜ₋₁ = W_hhᵀ·δₜ (GRU: with r ⊙ δₙ for n) + the direct part "
        "(LSTM: ∂L/∂cₜ₋₁ = ∂L/∂cₜ ⊙ f; GRU: z ⊙ ∂L/∂hₜ); once for all steps: "
        "∂L/∂gxₜ = δₜ/s (s: the projection's factors), ∂L/∂W_hh = Σₜ δₜ·hₜ₋₁ᵀ, "
        "∂L/∂b_hh = Σₜ δₜ"
    )

    no_graph_hint = (
        "A recurrent layer runs as fused steps whose backward is written by hand; run its "
        "forward inside glassnet.backends.fused.disabled() to record plain ops that "
        "create_graph=True can differentiate again."
    )

    @staticmethod
    def forward(ctx, gx, state, w_hh, b_hh, *, run, t):
        if t == run.first:
            run.start_forward(gx, state, w_hh)
        i, o = t + run.shift, t + 1 - run.shift
        b3 = None if b_hh is None else b_hh.reshape(gx.shape[0], -1, 1)
        run.cell.forward(run, t, i, o, gx[:, :, t], b3)
        new = run.states[:, o].transpose(0, 2, 1)
        np.copyto(run.hb[o], new[0])
        if ctx.needs_input_grad is not None:  # recording the graph
            ctx.run, ctx.t = run, t
            ctx.save_for_backward(w_hh, state, new)
        return new

    @staticmethod
    def backward(ctx, grad):
        run, t = ctx.run, ctx.t
        need = ctx.needs_input_grad
        if run.dgx is None or t == run.last:
            run.start_backward(ctx.parents[0]._data, ctx.saved_tensors[0])
        grad = grad.transpose(0, 2, 1)  # (k, H, B)
        g_state = run.grads[t] if need[1] else None
        add = run.cell.backward(run, t, t + run.shift, t + 1 - run.shift, grad, g_state)
        run.filled[t] = 1
        if need[1]:  # ∂L/∂hₜ₋₁ = W_hhᵀ·δₜ = Σ_g W_gᵀ·δₜ,g (+ the cell's direct part)
            run.backward_product(t, t, accumulate=add)
            g_state = g_state.transpose(0, 2, 1)
        if t != run.first:
            return None, g_state, None, None
        # the first step in time runs last in backward: every δₜ is in the buffers now
        dgx, dgh = run.finish_backward()
        g_w = run.weight_grad(dgh) if need[2] else None
        g_b = _row_sums(dgh) if need[3] else None  # Σₜ δₜ (the GRU's b_hh: PyTorch's order)
        return (dgx if need[0] else None), g_state, g_w, g_b


class LayerOutput(Op):
    """The layer's output (T, B, D·H) from the states of its D directions
    (their ``_Run.hb``). A step whose slice of the gradient is all zeros (a
    loss on the last step only, say) gets none, except the step the walk
    back starts from."""

    formula = "out[t, :, d·H:(d+1)·H] = hₜ of direction d"
    rule = "∂L/∂hₜ = direction d's slice of ∂L/∂out[t], ∂L/∂cₜ = 0 (the LSTM's c is not output)"

    no_graph_hint = (
        "A recurrent layer runs as fused steps whose backward is written by hand; run its "
        "forward inside glassnet.backends.fused.disabled() to record plain ops that "
        "create_graph=True can differentiate again."
    )

    @staticmethod
    def forward(ctx, *states, runs):
        k, rows, hidden, batch = runs[0].states.shape
        out = POOL.empty((rows - 1, batch, len(runs) * hidden), runs[0].states.dtype)
        for d, run in enumerate(runs):
            out[:, :, d * hidden : (d + 1) * hidden] = run.hb[run.outs]
        ctx.shape = (k, hidden, batch)
        ctx.lasts = [run.last for run in runs]
        return out

    @staticmethod
    def backward(ctx, grad):
        k, hidden, batch = ctx.shape
        grads = []
        for d, last in enumerate(ctx.lasts):
            g = grad[:, :, d * hidden : (d + 1) * hidden]
            # the steps with a nonzero gradient: any bit set (a quick max of the
            # floats read as unsigned integers; −0 counts as nonzero, harmlessly)
            bits = g.view(np.dtype(f"u{g.itemsize}"))
            live = (
                bits.max(axis=1).max(axis=1) != 0
                if g.size  # (an empty batch:
                else alloc.zeros(len(g), bool)
            )  # no gradient anywhere)
            live[last] = True
            for t, g_t in enumerate(g):
                if not live[t]:
                    grads.append(None)
                    continue
                full = alloc.empty((k, hidden, batch), grad.dtype)  # (h, c): h gets g_t, c 0
                full[0] = g_t.T
                full[1:] = 0
                grads.append(full.transpose(0, 2, 1))
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
        b_ih, b_hh = Add.apply(b_ih, b_hh), None
    args = (x, w_ih) if b_ih is None else (x, w_ih, b_ih)
    gx = GateProjection.apply(*args, gates=cell.gates, order=cell.order, scale=cell.scale)
    steps = gx.shape[2]
    run = _Run(cell, steps, reverse)
    states = [None] * steps
    for t in range(steps - 1, -1, -1) if reverse else range(steps):
        state = RecurrentStep.apply(gx, state, w_hh, b_hh, run=run, t=t)
        states[t] = state
    run.end_forward()
    return states, run
