"""A recurrent layer direction as plain recorded ops (``backends.fused.disabled()``):
every gate is an ordinary graph node, so gradients taken with
``create_graph=True`` can be differentiated again. The formulas and the
gate order are PyTorch's (rows of W_ih and W_hh: i, f, g, o for the LSTM;
r, z, n for the GRU)::

    RNN   h' = tanh(a) or relu(a),   a = W_ih x + b_ih + W_hh h + b_hh
    LSTM  c' = σ(a_f) ⊙ c + σ(a_i) ⊙ tanh(a_g),  h' = σ(a_o) ⊙ tanh(c')
    GRU   r, z = σ(…);  n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn));  h' = (1 − z) ⊙ n + z ⊙ h
"""

from ..functions import api
from ..tensor import Tensor


def plain_direction(mode, x, state, w_ih, w_hh, b_ih=None, b_hh=None, reverse=False):
    """The T states (k, B, H) of one direction, in time order (as ``run_direction``);
    ``x`` (T, B, input), ``state`` (k, B, H): k = 2 (h, c) for the LSTM, else 1."""
    if not isinstance(state, Tensor):
        state = Tensor(state)
    gx = api.matmul(x, api.transpose(w_ih, 0, 1))
    if b_ih is not None:
        gx = gx + b_ih
    h = state[0]
    c = state[1] if mode == "LSTM" else h  # (the other cells have no c)
    steps = x.shape[0]
    states: list = [None] * steps
    for t in range(steps - 1, -1, -1) if reverse else range(steps):
        gh = api.matmul(h, api.transpose(w_hh, 0, 1))
        if b_hh is not None:
            gh = gh + b_hh
        if mode == "LSTM":
            i, f, g, o = _split(gx[t] + gh, 4)
            c = api.sigmoid(f) * c + api.sigmoid(i) * api.tanh(g)
            h = api.sigmoid(o) * api.tanh(c)
            states[t] = api.stack([h, c])
            continue
        if mode == "GRU":
            xr, xz, xn = _split(gx[t], 3)
            hr, hz, hn = _split(gh, 3)
            r, z = api.sigmoid(xr + hr), api.sigmoid(xz + hz)
            n = api.tanh(xn + r * hn)
            h = (1 - z) * n + z * h
        else:
            a = gx[t] + gh
            h = api.tanh(a) if mode == "RNN_TANH" else api.relu(a)
        states[t] = api.stack([h])
    return states


def _split(a, parts):
    """The ``parts`` equal blocks of a's last axis (the gates)."""
    size = a.shape[-1] // parts
    return [a[..., k * size : (k + 1) * size] for k in range(parts)]
