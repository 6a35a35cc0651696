"""float32 nn.GRU through oneDNN's linear-before-reset GRU
(glassnet.backends.onednn.gru, glassnet.ops.recurrent.fused_gru) against
glassnet's own step-by-step GRU and against PyTorch: outputs, final states
and every gradient (input, h0, weights, biases) over hypothesis-drawn
sizes, layers, directions, layouts, biases and initial states; the gate
permutation; which path runs (one node per layer and direction, or the
steps); inference without a graph; a loss on h_n alone; several forwards
before one backward; the kernel cache's kind."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from opcheck import SETTINGS, assert_close, graph_names, seeds

import glassnet as gn
from glassnet import nn
from glassnet.backends import fused as fused_steps
from glassnet.backends import onednn
from glassnet.backends.onednn import gru
from glassnet.errors import GraphError
from glassnet.ops.recurrent import fused_gru

TOL = 2e-5

pytestmark = pytest.mark.usefixtures("needs_onednn")


def _run(layer, x, h0, ups, path):
    """Output, h_n and the gradients of the input, h0 (when given) and every
    parameter, by oneDNN ("onednn"), glassnet's fused steps ("steps", oneDNN
    off) or its plain recorded ops ("plain", fused steps off)."""
    for p in layer.parameters():
        p.grad = None
    leaves = [gn.tensor(x, requires_grad=True)]
    if h0 is not None:
        leaves.append(gn.tensor(h0, requires_grad=True))
    if path == "onednn":
        out, h = layer(*leaves)
    elif path == "steps":
        with onednn.disabled():
            out, h = layer(*leaves)
    else:
        with fused_steps.disabled():
            out, h = layer(*leaves)
    assert ("GRULayerBackward" in graph_names(out)) == (path == "onednn")
    gn.autograd.backward([out, h], [gn.tensor(u) for u in ups])
    grads = [t.grad.numpy() for t in leaves] + [p.grad.numpy() for p in layer.parameters()]
    return [out.detach().numpy(), h.detach().numpy()], grads


def _case(rng, steps, batch, n_in, hidden, layers, d, batch_first, initial):
    """An input, an initial state (or None) and the gradients of out and h_n."""
    x = rng.standard_normal((batch, steps, n_in) if batch_first else (steps, batch, n_in))
    h0 = rng.standard_normal((layers * d, batch, hidden)) if initial else None
    out_shape = (batch, steps, d * hidden) if batch_first else (steps, batch, d * hidden)
    ups = [rng.standard_normal(s) for s in (out_shape, (layers * d, batch, hidden))]
    f32 = lambda a: None if a is None else a.astype(np.float32)  # noqa: E731
    return f32(x), f32(h0), [f32(u) for u in ups]


@settings(SETTINGS, max_examples=14)
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
    layer = nn.GRU(
        n_in,
        hidden,
        num_layers=layers,
        bias=bias,
        batch_first=batch_first,
        bidirectional=bidirectional,
    )
    d = 2 if bidirectional else 1
    rng = np.random.default_rng(seed)
    x, h0, ups = _case(rng, steps, batch, n_in, hidden, layers, d, batch_first, initial)
    values, grads = _run(layer, x, h0, ups, "onednn")
    ref_values, ref_grads = _run(layer, x, h0, ups, "steps")
    assert len(grads) == len(ref_grads) == 1 + initial + len(list(layer.parameters()))
    for i, (a, b) in enumerate(zip(values + grads, ref_values + ref_grads)):
        assert a.dtype == np.float32 and a.shape == b.shape, i
        assert_close(a, b, TOL, f"value {i}")


@pytest.mark.parametrize("path", ["steps", "plain"])
def test_a_bidirectional_two_layer_gru_matches_both_own_paths(path):
    gn.manual_seed(11)
    layer = nn.GRU(4, 5, num_layers=2, bidirectional=True, batch_first=True)
    x, h0, ups = _case(np.random.default_rng(11), 7, 3, 4, 5, 2, 2, True, True)
    values, grads = _run(layer, x, h0, ups, "onednn")
    ref_values, ref_grads = _run(layer, x, h0, ups, path)
    for i, (a, b) in enumerate(zip(values + grads, ref_values + ref_grads)):
        assert_close(a, b, TOL, f"value {i} against the {path} path")


@pytest.mark.parametrize(
    "bidirectional, batch_first, bias, initial",
    [
        (False, False, True, False),
        (True, True, True, True),
        (True, False, False, True),
        (False, True, False, False),
    ],
)
def test_onednn_matches_pytorch(torch, bidirectional, batch_first, bias, initial):
    """PyTorch's nn.GRU on CPU runs the same oneDNN primitive: the same
    numbers (to float32 rounding) for the output, h_n and every gradient."""
    gn.manual_seed(1)
    kw = dict(
        input_size=5,
        hidden_size=7,
        num_layers=2,
        bias=bias,
        batch_first=batch_first,
        bidirectional=bidirectional,
    )
    g, t = nn.GRU(**kw), torch.nn.GRU(**kw)
    t.load_state_dict({k: torch.from_numpy(v.numpy().copy()) for k, v in g.state_dict().items()})
    d = 2 if bidirectional else 1
    x, h0, ups = _case(np.random.default_rng(2), 9, 3, 5, 7, 2, d, batch_first, initial)
    g_in = [gn.tensor(x, requires_grad=True)] + (
        [] if h0 is None else [gn.tensor(h0, requires_grad=True)]
    )
    t_in = [torch.tensor(x, requires_grad=True)]
    t_in += [] if h0 is None else [torch.tensor(h0, requires_grad=True)]
    g_out, g_h = g(*g_in)
    t_out, t_h = t(*t_in)
    assert g_out.grad_fn is not None and "GRULayerBackward" in graph_names(g_out)
    gn.autograd.backward([g_out, g_h], [gn.tensor(u) for u in ups])
    torch.autograd.backward([t_out, t_h], [torch.from_numpy(u) for u in ups])
    pairs = [(g_out, t_out, "output"), (g_h, t_h, "h_n")]
    pairs += [
        (a.grad, b.grad, f"gradient of input {i}") for i, (a, b) in enumerate(zip(g_in, t_in))
    ]
    for a, b, what in pairs:
        assert_close(a.detach().numpy(), b.detach().numpy(), TOL, what)
    params = dict(t.named_parameters())
    assert sorted(params) == sorted(name for name, _ in g.named_parameters())
    for name, p in g.named_parameters():
        assert_close(p.grad.numpy(), params[name].grad.numpy(), TOL, f"gradient of {name}")


def test_the_gate_permutation_and_the_four_biases():
    """PyTorch's blocks r, z, n become oneDNN's u (= z), r, o (= n); the
    biases become [b_iz + b_hz, b_ir + b_hr, b_in, b_hn], and the four
    parts' gradients go back to both biases."""
    hidden = 2
    w = np.arange(3 * hidden * 3, dtype=np.float32).reshape(3 * hidden, 3)
    ours = gru.to_onednn(w)
    np.testing.assert_array_equal(ours[:hidden], w[hidden : 2 * hidden])  # u = z
    np.testing.assert_array_equal(ours[hidden : 2 * hidden], w[:hidden])  # r
    np.testing.assert_array_equal(ours[2 * hidden :], w[2 * hidden :])  # o = n
    assert ours.flags.c_contiguous and not np.shares_memory(ours, w)
    np.testing.assert_array_equal(gru.from_onednn(ours), w)
    b_ih = np.array([1, 2, 3, 4, 5, 6], np.float32)  # r r z z n n
    b_hh = np.array([10, 20, 30, 40, 50, 60], np.float32)
    bias = gru.lbr_bias(b_ih, b_hh, hidden, np.float32)
    np.testing.assert_array_equal(bias, [[33, 44], [11, 22], [5, 6], [50, 60]])
    assert not gru.lbr_bias(None, None, hidden, np.float32).any()
    d_ih, d_hh = gru.bias_grads(bias)
    np.testing.assert_array_equal(d_ih, [11, 22, 33, 44, 5, 6])
    np.testing.assert_array_equal(d_hh, [11, 22, 33, 44, 50, 60])


def test_one_graph_node_per_layer_and_direction():
    layer = nn.GRU(3, 4, num_layers=2, bidirectional=True)
    out, h = layer(gn.zeros(6, 2, 3))
    names = graph_names(out.sum() + h.sum())
    assert names.count("GRULayerBackward") == 2 * 2
    assert names.count("LayerStateBackward") == 2 * 2
    assert "RecurrentStepBackward" not in names


def test_float64_and_disabled_run_glassnets_own_steps():
    out, _ = nn.GRU(3, 4, dtype=np.float64)(gn.zeros(5, 2, 3, dtype=np.float64))
    names = graph_names(out.sum())
    assert "RecurrentStepBackward" in names and "GRULayerBackward" not in names
    layer, x = nn.GRU(3, 4), gn.zeros(5, 2, 3)
    with onednn.disabled():
        assert not fused_gru.usable("GRU", x)
        out, _ = layer(x)
    assert "RecurrentStepBackward" in graph_names(out.sum())
    assert fused_gru.usable("GRU", x) and not fused_gru.usable("LSTM", x)
    assert not fused_gru.usable("GRU", gn.zeros(5, 0, 3))  # (oneDNN refuses an empty batch)


def test_an_unbatched_sequence():
    gn.manual_seed(8)
    layer = nn.GRU(3, 4, bidirectional=True)
    x = np.random.default_rng(8).standard_normal((5, 3)).astype(np.float32)
    out, h = layer(gn.tensor(x))
    with onednn.disabled():
        ref, ref_h = layer(gn.tensor(x))
    assert out.shape == (5, 8) and h.shape == (2, 4)
    assert_close(out.detach().numpy(), ref.detach().numpy(), TOL, "output")
    assert_close(h.detach().numpy(), ref_h.detach().numpy(), TOL, "h_n")


def test_inference_without_a_graph_gives_the_training_output():
    layer = nn.GRU(4, 6, bidirectional=True)
    x = gn.tensor(np.random.default_rng(3).standard_normal((7, 2, 4)).astype(np.float32))
    out, h = layer(x)
    with gn.no_grad():
        out2, h2 = layer(x)
    assert out2.grad_fn is None and not out2.requires_grad
    for a, b in ((out, out2), (h, h2)):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-6, atol=1e-7)
    assert any(not key[-1] for key in onednn.cached("gru"))  # an inference kernel was made


def test_a_loss_on_h_n_alone():
    """Only h_n feeds the loss: the layer's output gets no gradient, and the
    layer's backward still runs, from the final state's gradient."""
    gn.manual_seed(5)
    layer = nn.GRU(3, 4, num_layers=2)
    x = np.random.default_rng(5).standard_normal((6, 2, 3)).astype(np.float32)
    grads = []
    for fused in (True, False):
        layer.zero_grad()
        if fused:
            _, h = layer(gn.tensor(x))
        else:
            with onednn.disabled():
                _, h = layer(gn.tensor(x))
        (h * h).sum().backward()
        grads.append([p.grad.numpy().copy() for p in layer.parameters()])
    for a, b in zip(*grads):
        assert np.abs(a).max() > 0
        assert_close(a, b, TOL, "gradient from h_n")


def test_several_forwards_before_one_backward():
    gn.manual_seed(6)
    layer = nn.GRU(3, 4)
    rng = np.random.default_rng(6)
    xs = [rng.standard_normal((5, 2, 3)).astype(np.float32) for _ in range(2)]
    results = []
    for fused in (True, False):
        layer.zero_grad()
        if fused:
            outs = [layer(gn.tensor(x))[0] for x in xs]
        else:
            with onednn.disabled():
                outs = [layer(gn.tensor(x))[0] for x in xs]
        assert not np.shares_memory(outs[0].detach().numpy(), outs[1].detach().numpy())
        ((outs[0] * 2).sum() + (outs[1] ** 2).sum()).backward()
        results.append(
            [o.detach().numpy().copy() for o in outs] + [p.grad.numpy() for p in layer.parameters()]
        )
    for a, b in zip(*results):
        assert_close(a, b, TOL, "two sequences")


def test_retain_graph_and_an_in_place_change():
    layer = nn.GRU(3, 5)
    x = gn.tensor(np.random.default_rng(4).standard_normal((4, 2, 3)).astype(np.float32))
    loss = (layer(x)[0] ** 2).sum()
    loss.backward(retain_graph=True)
    once = layer.weight_hh_l0.grad.numpy().copy()
    loss.backward()
    np.testing.assert_allclose(layer.weight_hh_l0.grad.numpy(), 2 * once, rtol=1e-5, atol=1e-7)
    out, _ = layer(x)
    with gn.no_grad():
        layer.weight_ih_l0.add_(1.0)
    with pytest.raises(GraphError, match="modified by an in-place operation"):
        out.sum().backward()
    out, _ = layer(x)
    with gn.no_grad():
        layer.bias_hh_l0.mul_(2.0)
    with pytest.raises(GraphError, match="modified by an in-place operation"):
        out.sum().backward()


def test_the_kernel_cache_kind_and_its_keys():
    onednn.clear_caches()
    layer = nn.GRU(2, 3, bidirectional=True)
    out, _ = layer(gn.zeros(4, 1, 2))
    out.sum().backward()
    assert list(onednn.cached("gru")) == [(4, 1, 2, 3, False, True), (4, 1, 2, 3, True, True)]
    assert not onednn.cached("lstm")
    assert isinstance(onednn.gru_kernel(4, 1, 2, 3, True), gru.GRUKernel)
    onednn.clear_caches()
    assert not onednn.cached("gru")


def test_run_layer_direct_call_matches_the_module():
    gn.manual_seed(7)
    layer = nn.GRU(3, 4)
    x = gn.tensor(np.random.default_rng(7).standard_normal((5, 2, 3)).astype(np.float32))
    out, final = fused_gru.run_layer(
        x,
        np.zeros((1, 2, 4), np.float32),
        layer.weight_ih_l0,
        layer.weight_hh_l0,
        layer.bias_ih_l0,
        layer.bias_hh_l0,
    )
    ref, h = layer(x)
    np.testing.assert_array_equal(out.detach().numpy(), ref.detach().numpy())
    np.testing.assert_array_equal(final.detach().numpy(), h.detach().numpy())
