"""oneDNN's LSTM primitive alone, timed beside the LSTM workload: forward
(training) and backward through time on the workload's shapes, every array
made once, nothing else.

PyTorch's ``nn.LSTM`` on CPU and glassnet's fused LSTM layer both hand the
whole sequence to this primitive (``ONEDNN_VERBOSE=profile_exec`` shows the
same implementation and descriptors on both sides), so its time is a floor
under either framework's step: a framework that calls it cannot reach a
glassnet/PyTorch ratio below primitive time / PyTorch's step.

The primitive's work, T steps of batch B, input n, hidden H (four gates):
forward 2·T·B·4H·(n + H) FLOPs (the input and recurrent products), backward
twice that (the weight gradients, and the gradients of the inputs and of
the previous state)."""

import numpy as np


def lstm_flops(steps, batch, n_in, hidden):
    """FLOPs of the primitive's forward and backward (see the module docstring)."""
    return 3 * 2 * steps * batch * 4 * hidden * (n_in + hidden)


def primitive_step(batch, steps, n_in, hidden, seed=0):
    """A callable that runs the primitive's forward and backward once. The
    kernel and arrays are made at its first call, so only the process that
    times it loads oneDNN (the workload is rebuilt in every worker, PyTorch's
    included); without oneDNN that call raises RuntimeError saying so."""
    run = []

    def step():
        if not run:
            run.append(_build(batch, steps, n_in, hidden, seed))
        run[0]()

    return step


def _build(batch, steps, n_in, hidden, seed):
    from glassnet.backends import onednn

    if not onednn.available():
        raise RuntimeError(f"oneDNN's LSTM primitive is not available here: {onednn.status}")
    kernel = onednn.lstm_kernel(steps, batch, n_in, hidden)
    rng = np.random.default_rng(seed)

    def normal(*shape, scale=1.0):
        return rng.standard_normal(shape, dtype=np.float32) * np.float32(scale)

    bound = hidden**-0.5  # PyTorch's initial weights' scale
    x, h0, c0 = normal(steps, batch, n_in), normal(batch, hidden), normal(batch, hidden)
    w_ih, w_hh = normal(4 * hidden, n_in, scale=bound), normal(4 * hidden, hidden, scale=bound)
    bias = normal(4 * hidden, scale=bound)
    out, h_t, c_t = (
        np.empty((steps, batch, hidden), np.float32),
        np.empty_like(h0),
        np.empty_like(c0),
    )
    workspace = np.empty(kernel.workspace_bytes, np.uint8)
    d_out, d_h, d_c = normal(steps, batch, hidden), normal(batch, hidden), normal(batch, hidden)
    grads = [np.empty_like(a) for a in (x, h0, c0, w_ih, w_hh, bias)]
    forward = (x, h0, c0, w_ih, w_hh, bias, out, h_t, c_t)

    def run():
        kernel.forward(*forward, workspace)
        kernel.backward(*forward, workspace, d_out, d_h, d_c, *grads)

    return run
