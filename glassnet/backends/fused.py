"""The fused recurrent steps, on or off.

A recurrent layer normally runs as fused ops (``glassnet.ops.recurrent``:
one node per time step with a hand-written backward, or one oneDNN call per
layer): fast, but that backward cannot itself be differentiated. Inside
``disabled()`` the layers run as plain recorded ops instead (a matrix
product, the gate functions, one node each), which ``create_graph=True``
differentiates to any order, as PyTorch users turn cuDNN off for double
backward through an RNN."""

import contextlib

enabled = True


@contextlib.contextmanager
def disabled():
    """Run the body's recurrent layers as plain recorded ops (see the module docstring)."""
    global enabled
    before, enabled = enabled, False
    try:
        yield
    finally:
        enabled = before
