"""float32 nn.LSTM through oneDNN (glassnet.backends.onednn, glassnet.ops.recurrent.fused_lstm)
against glassnet's own step-by-step LSTM and against PyTorch: outputs,
final states and every gradient over hypothesis-drawn sizes, layers,
directions and initial states; the graph (one node per layer and
direction); inference without a graph; retain_graph; an in-place change
caught; a loss on the final state alone; several forwards before one
backward (pooled buffers); the kernel cache; and turning it off."""

import os
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from opcheck import SETTINGS, assert_close, graph_names, seeds

import glassnet as gn
from glassnet import nn
from glassnet.backends import onednn
from glassnet.errors import GraphError
from glassnet.ops.recurrent import fused_lstm

TOL = 2e-5


pytestmark = pytest.mark.usefixtures("needs_onednn")


def _run(lstm, x, hx, ups, fused):
    """Output, final states and the gradients of the input, initial states and
    parameters, by oneDNN (``fused``) or by glassnet's own steps."""
    for p in lstm.parameters():
        p.grad = None
    leaves = [gn.tensor(x, requires_grad=True)]
    args = [leaves[0]]
    if hx is not None:
        leaves += [gn.tensor(h, requires_grad=True) for h in hx]
        args.append(tuple(leaves[1:]))
    if fused:
        out, (h, c) = lstm(*args)
    else:
        with onednn.disabled():
            out, (h, c) = lstm(*args)
    assert ("LSTMLayerBackward" in graph_names(out)) == fused
    gn.autograd.backward([out, h, c], [gn.tensor(u) for u in ups])
    grads = [t.grad.numpy() for t in leaves] + [p.grad.numpy() for p in lstm.parameters()]
    return [out.detach().numpy(), h.detach().numpy(), c.detach().numpy()], grads


@settings(SETTINGS, max_examples=12)
@given(
    steps=st.integers(1, 6),
    batch=st.integers(1, 4),
    n_in=st.integers(1, 5),
    hidden=st.integers(1, 6),
    layers=st.integers(1, 2),
    bidirectional=st.booleans(),
    batch_first=st.booleans(),
    bias=st.booleans(),
    initial=st.booleans(),
    seed=seeds,
)
def test_onednn_matches_glassnets_own_steps(
    steps, batch, n_in, hidden, layers, bidirectional, batch_first, bias, initial, seed
):
    gn.manual_seed(seed % 1000)
    lstm = nn.LSTM(
        n_in,
        hidden,
        num_layers=layers,
        bias=bias,
        batch_first=batch_first,
        bidirectional=bidirectional,
    )
    rng = np.random.default_rng(seed)
    d = 2 if bidirectional else 1
    x = rng.standard_normal((batch, steps, n_in) if batch_first else (steps, batch, n_in))
    x = x.astype(np.float32)
    hx = None
    if initial:
        hx = [rng.standard_normal((layers * d, batch, hidden)).astype(np.float32) for _ in range(2)]
    out_shape = (batch, steps, d * hidden) if batch_first else (steps, batch, d * hidden)
    ups = [
        rng.standard_normal(s).astype(np.float32)
        for s in (out_shape, (layers * d, batch, hidden), (layers * d, batch, hidden))
    ]
    values, grads = _run(lstm, x, hx, ups, fused=True)
    ref_values, ref_grads = _run(lstm, x, hx, ups, fused=False)
    for i, (a, b) in enumerate(zip(values + grads, ref_values + ref_grads)):
        assert a.dtype == np.float32 and a.shape == b.shape, i
        assert_close(a, b, TOL, f"value {i}")


@pytest.mark.parametrize("bidirectional", [False, True])
def test_onednn_matches_pytorch(torch, bidirectional):
    """PyTorch's nn.LSTM on CPU runs the same oneDNN primitive: the same
    numbers (to float32 rounding) for the output, the final states and
    every gradient."""
    gn.manual_seed(1)
    kw = dict(
        input_size=5, hidden_size=7, num_layers=2, batch_first=True, bidirectional=bidirectional
    )
    g = nn.LSTM(**kw)
    t = torch.nn.LSTM(**kw)
    t.load_state_dict({k: torch.from_numpy(v.numpy().copy()) for k, v in g.state_dict().items()})
    rng = np.random.default_rng(2)
    x = rng.standard_normal((3, 9, 5)).astype(np.float32)
    gx, tx = gn.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    g_out, (g_h, g_c) = g(gx)
    t_out, (t_h, t_c) = t(tx)
    ups = [rng.standard_normal(o.shape).astype(np.float32) for o in (t_out, t_h, t_c)]
    gn.autograd.backward([g_out, g_h, g_c], [gn.tensor(u) for u in ups])
    torch.autograd.backward([t_out, t_h, t_c], [torch.from_numpy(u) for u in ups])
    for a, b, what in (
        (g_out, t_out, "output"),
        (g_h, t_h, "h_n"),
        (g_c, t_c, "c_n"),
        (gx.grad, tx.grad, "input gradient"),
    ):
        assert_close(a.detach().numpy(), b.detach().numpy(), TOL, what)
    params = dict(t.named_parameters())
    for name, p in g.named_parameters():
        assert_close(p.grad.numpy(), params[name].grad.numpy(), TOL, f"gradient of {name}")


def test_one_graph_node_per_layer_and_direction():
    lstm = nn.LSTM(3, 4, num_layers=2, bidirectional=True)
    out, (h, c) = lstm(gn.zeros(6, 2, 3))
    names = graph_names(out.sum() + h.sum() + c.sum())
    assert names.count("LSTMLayerBackward") == 2 * 2
    assert names.count("LayerStateBackward") == 2 * 2
    assert "RecurrentStepBackward" not in names


def test_float64_runs_glassnets_own_steps():
    lstm = nn.LSTM(3, 4, dtype=np.float64)
    out, _ = lstm(gn.zeros(5, 2, 3, dtype=np.float64))
    names = graph_names(out.sum())
    assert "RecurrentStepBackward" in names and "LSTMLayerBackward" not in names


def test_inference_without_a_graph_gives_the_training_output():
    lstm = nn.LSTM(4, 6, bidirectional=True)
    x = gn.tensor(np.random.default_rng(3).standard_normal((7, 2, 4)).astype(np.float32))
    out, (h, c) = lstm(x)
    with gn.no_grad():
        out2, (h2, c2) = lstm(x)
    assert out2.grad_fn is None and not out2.requires_grad
    for a, b in ((out, out2), (h, h2), (c, c2)):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-6, atol=1e-7)


def test_retain_graph_and_a_second_backward():
    lstm = nn.LSTM(3, 5)
    x = gn.tensor(np.random.default_rng(4).standard_normal((4, 2, 3)).astype(np.float32))
    out, _ = lstm(x)
    loss = (out * out).sum()
    loss.backward(retain_graph=True)
    once = lstm.weight_hh_l0.grad.numpy().copy()
    loss.backward()
    np.testing.assert_allclose(lstm.weight_hh_l0.grad.numpy(), 2 * once, rtol=1e-5, atol=1e-7)
    with pytest.raises(GraphError, match="second time"):
        loss.backward()


def test_a_weight_changed_in_place_before_backward_is_an_error():
    lstm = nn.LSTM(3, 5)
    out, _ = lstm(gn.zeros(4, 2, 3))
    with gn.no_grad():
        lstm.weight_ih_l0.add_(1.0)
    with pytest.raises(GraphError, match="modified by an in-place operation"):
        out.sum().backward()


def test_a_loss_on_the_final_cell_state_alone():
    """Only c_n feeds the loss: the layer's output gets no gradient, and the
    layer's backward still runs, from the final state's gradient."""
    gn.manual_seed(5)
    lstm = nn.LSTM(3, 4)
    x = np.random.default_rng(5).standard_normal((6, 2, 3)).astype(np.float32)
    grads = []
    for fused in (True, False):
        for p in lstm.parameters():
            p.grad = None
        if fused:
            _, (h, c) = lstm(gn.tensor(x))
        else:
            with onednn.disabled():
                _, (h, c) = lstm(gn.tensor(x))
        (c * c).sum().backward()
        grads.append([p.grad.numpy().copy() for p in lstm.parameters()])
    for a, b in zip(*grads):
        assert np.abs(a).max() > 0
        assert_close(a, b, TOL, "gradient from c_n")


def test_several_forwards_before_one_backward():
    """Each call has its own output and workspace (pooled arrays are reused
    only once nothing holds them): two sequences through the layer, then one
    backward, as with the step-by-step path."""
    gn.manual_seed(6)
    lstm = nn.LSTM(3, 4)
    rng = np.random.default_rng(6)
    xs = [rng.standard_normal((5, 2, 3)).astype(np.float32) for _ in range(2)]
    results = []
    for fused in (True, False):
        for p in lstm.parameters():
            p.grad = None
        if fused:
            outs = [lstm(gn.tensor(x))[0] for x in xs]
        else:
            with onednn.disabled():
                outs = [lstm(gn.tensor(x))[0] for x in xs]
        assert not np.shares_memory(outs[0].detach().numpy(), outs[1].detach().numpy())
        ((outs[0] * 2).sum() + (outs[1] ** 2).sum()).backward()
        results.append(
            [o.detach().numpy().copy() for o in outs] + [p.grad.numpy() for p in lstm.parameters()]
        )
    for a, b in zip(*results):
        assert_close(a, b, TOL, "two sequences")


def test_the_kernel_cache_keeps_the_latest_shapes():
    onednn.clear_caches()
    lstm = nn.LSTM(2, 3)
    for steps in range(1, onednn.KEEP + 3):
        out, _ = lstm(gn.zeros(steps, 1, 2))
        out.sum().backward()
    kept = onednn.cached("lstm")
    assert len(kept) == onednn.KEEP
    assert list(kept)[-1] == (onednn.KEEP + 2, 1, 2, 3, False, True)  # the latest last
    assert (1, 1, 2, 3, False, True) not in kept  # the oldest went (and was closed)
    out, _ = lstm(gn.ones(1, 1, 2))  # made again
    assert np.all(np.isfinite(out.detach().numpy()))


def test_clear_caches_leaves_a_recorded_graph_its_kernel():
    """``clear_caches()`` empties the cache; a graph recorded before still
    runs its backward with the kernel it holds, and gives the same gradients."""
    gn.manual_seed(3)
    lstm = nn.LSTM(2, 3)
    x = np.random.default_rng(3).standard_normal((4, 2, 2)).astype(np.float32)
    grads = []
    for clear in (False, True):
        lstm.zero_grad()
        out, _ = lstm(gn.tensor(x))
        assert onednn.cached("lstm")
        if clear:
            onednn.clear_caches()
            assert not onednn.cached("lstm") and not onednn.cached("conv")
        (out**2).sum().backward()
        grads.append([p.grad.numpy().copy() for p in lstm.parameters()])
    for a, b in zip(*grads):
        np.testing.assert_array_equal(a, b)


def test_run_layer_direct_call_matches_the_module():
    gn.manual_seed(7)
    lstm = nn.LSTM(3, 4)
    x = gn.tensor(np.random.default_rng(7).standard_normal((5, 2, 3)).astype(np.float32))
    out, final = fused_lstm.run_layer(
        x,
        np.zeros((2, 2, 4), np.float32),
        lstm.weight_ih_l0,
        lstm.weight_hh_l0,
        lstm.bias_ih_l0,
        lstm.bias_hh_l0,
    )
    ref, (h, c) = lstm(x)
    np.testing.assert_array_equal(out.detach().numpy(), ref.detach().numpy())
    np.testing.assert_array_equal(
        final.detach().numpy(), np.stack([h.detach().numpy()[0], c.detach().numpy()[0]])
    )


def test_turned_off_by_the_environment():
    code = (
        "import glassnet as gn, numpy as np; from glassnet.backends import onednn; "
        "lstm = gn.nn.LSTM(2, 3); out, _ = lstm(gn.zeros(4, 1, 2)); "
        "print(onednn.load()); print(type(out.grad_fn).__name__)"
    )
    env = dict(os.environ, GLASSNET_ONEDNN="0")
    lines = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert lines == ["off (GLASSNET_ONEDNN=0)", "LayerOutput"]


def test_disabled_restores_the_setting():
    assert gn.onednn is onednn  # (gn.onednn.disabled(), as the README says)
    assert onednn.enabled
    x = gn.zeros(5, 2, 3)
    with onednn.disabled():
        assert not onednn.available()
        assert not fused_lstm.usable("LSTM", x)
    assert onednn.available() and fused_lstm.usable("LSTM", x)
    assert not fused_lstm.usable("GRU", x)


def test_the_switch_is_the_packages_attribute(monkeypatch):
    """``onednn.enabled`` and ``onednn.status`` live in the package itself (its
    C API, LSTM and convolution modules keep no copy), so setting the
    attribute, as the docstring says, turns oneDNN off."""
    x = gn.zeros(5, 2, 3)
    assert onednn.status.startswith("onednn (libdnnl")
    monkeypatch.setattr(onednn, "enabled", False)
    assert not onednn.available() and not fused_lstm.usable("LSTM", x)
    out, _ = nn.LSTM(3, 4)(x)
    assert type(out.grad_fn).__name__ == "LayerOutput"  # glassnet's own steps
    for part in (onednn.capi, onednn.lstm, onednn.conv):
        assert not hasattr(part, "enabled") and not hasattr(part, "status"), part.__name__


def test_an_empty_batch_runs_glassnets_own_steps():
    """oneDNN refuses a batch of 0; the step-by-step path gives PyTorch's empty results."""
    lstm = nn.LSTM(3, 4)
    x = gn.zeros(5, 0, 3, requires_grad=True)
    out, (h, c) = lstm(x)
    assert out.shape == (5, 0, 4) and h.shape == (1, 0, 4) and c.shape == (1, 0, 4)
    out.sum().backward()
    assert x.grad.shape == (5, 0, 3)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_the_kernels_write_the_weight_gradients_over_what_the_arrays_held(cell):
    """oneDNN's backward adds into its weight gradients unless told to
    overwrite them; the kernels ask it to, so arrays that held garbage (NaN,
    a previous step's values) get the same gradients as zeroed ones."""
    steps, batch, n_in, hidden = 4, 3, 5, 6
    rng = np.random.default_rng(0)

    def normal(*shape):
        return rng.standard_normal(shape, dtype=np.float32)

    if cell == "lstm":
        kernel, gates, states, bias = onednn.lstm_kernel(steps, batch, n_in, hidden), 4, 2, (4,)
    else:
        kernel, gates, states, bias = onednn.gru_kernel(steps, batch, n_in, hidden), 3, 1, (4,)
    x = normal(steps, batch, n_in)
    initial = [normal(batch, hidden) for _ in range(states)]
    weights = [normal(gates * hidden, n_in), normal(gates * hidden, hidden), normal(*bias, hidden)]
    weights[-1] = weights[-1].reshape(-1) if cell == "lstm" else weights[-1]
    outputs = [np.empty((steps, batch, hidden), np.float32)]
    outputs += [np.empty((batch, hidden), np.float32) for _ in range(states)]
    workspace = np.empty(kernel.workspace_bytes, np.uint8)
    forward = [x, *initial, *weights, *outputs]
    kernel.forward(*forward, workspace)
    ups = [normal(*a.shape) for a in outputs]

    def gradients(fill):
        grads = [np.full_like(a, fill) for a in (x, *initial, *weights)]
        kernel.backward(*forward, workspace, *ups, *grads)
        return grads

    zeroed = gradients(0.0)
    for fill in (np.nan, 1e30):
        for got, want in zip(gradients(fill), zeroed, strict=True):
            np.testing.assert_array_equal(got, want)
