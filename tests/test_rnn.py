"""Recurrent layers against PyTorch and finite differences: nn.RNN (tanh and
relu), nn.LSTM and nn.GRU for every num_layers 1–2 × bidirectional ×
batch_first × initial state given or not, over hypothesis-drawn sizes; the
cells RNNCell, LSTMCell, GRUCell; outputs, final states and the gradients of
the input, every weight and bias and the initial states (float64 to 1e-9,
float32 to 1e-4); gn.gradcheck on tiny sizes; weights loaded across through
state_dict (same names and shapes as PyTorch); PyTorch's default init and
reprs; dropout between layers (seeded, training only); backpropagation
through time as one graph node per step; the reuse of pooled arrays never
touching what a caller still holds; and the errors."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from opcheck import SETTINGS, assert_close, graph_names, seeds

import glassnet as gn
from glassnet import nn
from glassnet.backends import onednn
from glassnet.errors import DTypeError, ShapeError
from glassnet.nn import functional as F
from glassnet.ops.recurrent.pool import POOL

TOL = {np.dtype(np.float64): 1e-9, np.dtype(np.float32): 1e-4}
FEW = settings(SETTINGS, max_examples=3)
KINDS = ["RNN", "LSTM", "GRU"]


def _torch_dtype(torch, dtype):
    return torch.float64 if np.dtype(dtype) == np.float64 else torch.float32


def _twin(torch, module, kind, **kw):
    """The PyTorch module of the same kind and arguments, with ``module``'s weights."""
    dtype = next(module.parameters()).dtype
    t = getattr(torch.nn, kind)(**kw).to(_torch_dtype(torch, dtype))
    t.load_state_dict(
        {k: torch.from_numpy(v.numpy().copy()) for k, v in module.state_dict().items()}
    )
    return t


def _flat(out):
    """(output, h_n) or (output, (h_n, c_n)) or a cell's h / (h, c) as a list."""
    if not isinstance(out, tuple):
        return [out]
    items = []
    for o in out:
        items += list(o) if isinstance(o, tuple) else [o]
    return items


def _check(torch, g_mod, t_mod, g_args, t_args, g_leaves, t_leaves, seed, names=None):
    """Same forward on both sides, then the same random upstream gradient on
    every output: values, dtypes and the gradients of every leaf agree."""
    dtype = g_leaves[0].dtype
    tol = TOL[np.dtype(dtype)]
    g_outs, t_outs = _flat(g_mod(*g_args)), _flat(t_mod(*t_args))
    assert len(g_outs) == len(t_outs)
    for i, (g, t) in enumerate(zip(g_outs, t_outs)):
        assert g.dtype == dtype, f"output {i} is {g.dtype}"
        assert_close(g.detach().numpy(), t.detach().numpy(), tol, f"output {i}")
    rng = np.random.default_rng(seed)
    ups = [rng.standard_normal(t.shape).astype(dtype) for t in t_outs]
    gn.autograd.backward(g_outs, ups)
    torch.autograd.backward(t_outs, [torch.from_numpy(u) for u in ups])
    names = names or [f"leaf {i}" for i in range(len(g_leaves))]
    for name, g, t in zip(names, g_leaves, t_leaves):
        assert g.grad is not None, f"{name}: no gradient"
        assert g.grad.dtype == dtype, f"{name}: gradient is {g.grad.dtype}"
        assert_close(g.grad.numpy(), t.grad.numpy(), tol, f"gradient of {name}")


@st.composite
def sizes(draw, max_steps=5):
    return dict(
        steps=draw(st.integers(1, max_steps)),
        batch=draw(st.integers(1, 3)),
        n_in=draw(st.integers(1, 4)),
        hidden=draw(st.integers(1, 5)),
        bias=draw(st.booleans()),
        dtype=draw(st.sampled_from([np.float64, np.float32])),
        seed=draw(seeds),
    )


def _layer(kind, case, relu=False, **kw):
    if kind == "RNN":
        kw["nonlinearity"] = "relu" if relu else "tanh"
    kw.update(input_size=case["n_in"], hidden_size=case["hidden"], bias=case["bias"])
    return getattr(nn, kind)(dtype=case["dtype"], **kw), kw


def _sequence_check(torch, kind, case, relu=False, batched=True, initial=False, **kw):
    g_mod, kw = _layer(kind, case, relu, **kw)
    t_mod = _twin(torch, g_mod, kind, **kw)
    rng = np.random.default_rng(case["seed"])
    steps, batch, dtype = case["steps"], case["batch"], case["dtype"]
    if not batched:
        shape = (steps, case["n_in"])
    elif kw.get("batch_first"):
        shape = (batch, steps, case["n_in"])
    else:
        shape = (steps, batch, case["n_in"])
    x = rng.standard_normal(shape).astype(dtype)
    g_leaves = [gn.tensor(x, requires_grad=True)]
    names = ["input"]
    if initial:
        n_states = kw.get("num_layers", 1) * (2 if kw.get("bidirectional") else 1)
        state_shape = (n_states, batch, case["hidden"]) if batched else (n_states, case["hidden"])
        for name in ["h_0", "c_0"] if kind == "LSTM" else ["h_0"]:
            g_leaves.append(
                gn.tensor(rng.standard_normal(state_shape).astype(dtype), requires_grad=True)
            )
            names.append(name)
    t_leaves = [torch.tensor(g.detach().numpy(), requires_grad=True) for g in g_leaves]
    if not initial:
        g_args, t_args = [g_leaves[0]], [t_leaves[0]]
    elif kind == "LSTM":
        g_args, t_args = [g_leaves[0], tuple(g_leaves[1:])], [t_leaves[0], tuple(t_leaves[1:])]
    else:
        g_args, t_args = list(g_leaves), list(t_leaves)
    params = dict(t_mod.named_parameters())
    for name, p in g_mod.named_parameters():
        g_leaves.append(p)
        t_leaves.append(params[name])
        names.append(name)
    _check(torch, g_mod, t_mod, g_args, t_args, g_leaves, t_leaves, case["seed"], names)


# ---- whole sequences against PyTorch --------------------------------------------------
@pytest.mark.parametrize("initial", [False, True], ids=["zero-state", "initial-state"])
@pytest.mark.parametrize("batch_first", [False, True], ids=["seq-first", "batch-first"])
@pytest.mark.parametrize("bidirectional", [False, True], ids=["one-way", "bidirectional"])
@pytest.mark.parametrize("num_layers", [1, 2])
@pytest.mark.parametrize("kind", KINDS)
@FEW
@given(case=sizes(), relu=st.booleans())
def test_sequence_layers_match_pytorch(
    torch, kind, num_layers, bidirectional, batch_first, initial, case, relu
):
    _sequence_check(
        torch,
        kind,
        case,
        relu,
        initial=initial,
        num_layers=num_layers,
        bidirectional=bidirectional,
        batch_first=batch_first,
    )


@pytest.mark.parametrize("kind", KINDS)
@FEW
@given(case=sizes(), initial=st.booleans(), batch_first=st.booleans())
def test_unbatched_sequences_match_pytorch(torch, kind, case, initial, batch_first):
    """A (seq, input) input and (layers·directions, H) states, as PyTorch
    allows; batch_first does not apply to them."""
    _sequence_check(
        torch,
        kind,
        case,
        batched=False,
        initial=initial,
        num_layers=2,
        bidirectional=True,
        batch_first=batch_first,
    )


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("bidirectional", [False, True], ids=["one-way", "bidirectional"])
@pytest.mark.parametrize("kind", KINDS)
def test_layers_big_enough_for_the_gemm_path_match_pytorch(torch, kind, bidirectional, dtype):
    """Hidden 64, batch 8: every per-step product (≥ 64·64·8 multiply-adds)
    goes through glassnet.backends.blas (MKL where installed), the GRU's with β = 1."""
    from glassnet.backends import blas

    assert 64 * 64 * 8 >= blas.MIN_FLOPS
    case = dict(steps=3, batch=8, n_in=16, hidden=64, bias=True, dtype=dtype, seed=7)
    _sequence_check(torch, kind, case, initial=True, bidirectional=bidirectional, num_layers=2)


@pytest.mark.parametrize("kind", KINDS)
def test_a_loss_on_part_of_the_output_matches_pytorch(torch, kind):
    """The benchmark's shape of use: only the last step feeds the loss (the
    final state unused), and the other way round."""
    g_mod = getattr(nn, kind)(3, 4, num_layers=2, batch_first=True, dtype=np.float64)
    t_mod = _twin(torch, g_mod, kind, input_size=3, hidden_size=4, num_layers=2, batch_first=True)
    x = np.random.default_rng(1).standard_normal((2, 6, 3))
    for pick in (lambda out, h: out[:, -1].sum(), lambda out, h: _flat(h)[-1].sum()):
        g_mod.zero_grad()
        t_mod.zero_grad()
        pick(*g_mod(gn.tensor(x))).backward()
        pick(*t_mod(torch.tensor(x))).backward()
        t_params = dict(t_mod.named_parameters())
        for name, p in g_mod.named_parameters():
            assert_close(p.grad.numpy(), t_params[name].grad.numpy(), 1e-9, name)


@pytest.mark.parametrize("kind", KINDS)
def test_a_loss_on_one_middle_step_of_a_bidirectional_layer_matches_pytorch(torch, kind):
    """Only step 2 of 6 feeds the loss: the output gradient of every other step
    is zero (those steps get none from the output, only from their neighbour
    in time), in both directions."""
    g_mod = getattr(nn, kind)(3, 4, bidirectional=True, dtype=np.float64)
    t_mod = _twin(torch, g_mod, kind, input_size=3, hidden_size=4, bidirectional=True)
    x = np.random.default_rng(3).standard_normal((6, 2, 3))
    g_x, t_x = gn.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    g_out, t_out = g_mod(g_x)[0][2], t_mod(t_x)[0][2]
    (g_out * g_out).sum().backward()
    (t_out * t_out).sum().backward()
    assert_close(g_x.grad.numpy(), t_x.grad.numpy(), 1e-9, "input")
    t_params = dict(t_mod.named_parameters())
    for name, p in g_mod.named_parameters():
        assert_close(p.grad.numpy(), t_params[name].grad.numpy(), 1e-9, name)


def test_lstm_backward_twice_with_retain_graph_doubles_every_gradient():
    """The second walk back prepares the run's buffers afresh from the saved
    forward pass."""
    lstm = nn.LSTM(3, 4, num_layers=2, bidirectional=True, dtype=np.float64)
    x = gn.tensor(np.random.default_rng(5).standard_normal((5, 2, 3)), requires_grad=True)
    out, (h, c) = lstm(x)
    loss = (out * out).sum() + c.sum()
    loss.backward(retain_graph=True)
    once = [x.grad.numpy().copy()] + [p.grad.numpy().copy() for p in lstm.parameters()]
    loss.backward()
    twice = [x.grad.numpy()] + [p.grad.numpy() for p in lstm.parameters()]
    for a, b in zip(once, twice):
        np.testing.assert_allclose(b, 2 * a, rtol=1e-12)


# ---- cells against PyTorch ---------------------------------------------------------------
@pytest.mark.parametrize("kind", ["RNNCell", "LSTMCell", "GRUCell"])
@settings(SETTINGS, max_examples=8)
@given(case=sizes(), relu=st.booleans(), initial=st.booleans(), batched=st.booleans())
def test_cells_match_pytorch(torch, kind, case, relu, initial, batched):
    kw = dict(input_size=case["n_in"], hidden_size=case["hidden"], bias=case["bias"])
    if kind == "RNNCell":
        kw["nonlinearity"] = "relu" if relu else "tanh"
    g_mod = getattr(nn, kind)(dtype=case["dtype"], **kw)
    t_mod = _twin(torch, g_mod, kind, **kw)
    rng = np.random.default_rng(case["seed"])
    lead = (case["batch"],) if batched else ()
    leaves = [rng.standard_normal(lead + (case["n_in"],)).astype(case["dtype"])]
    if initial:
        leaves += [
            rng.standard_normal(lead + (case["hidden"],)).astype(case["dtype"])
            for _ in range(2 if kind == "LSTMCell" else 1)
        ]
    g_leaves = [gn.tensor(a, requires_grad=True) for a in leaves]
    t_leaves = [torch.tensor(a, requires_grad=True) for a in leaves]
    if kind == "LSTMCell" and initial:
        g_args, t_args = [g_leaves[0], tuple(g_leaves[1:])], [t_leaves[0], tuple(t_leaves[1:])]
    else:
        g_args, t_args = list(g_leaves), list(t_leaves)
    t_params = dict(t_mod.named_parameters())
    names = ["input", "h", "c"][: len(leaves)]
    for name, p in g_mod.named_parameters():
        g_leaves.append(p)
        t_leaves.append(t_params[name])
        names.append(name)
    _check(torch, g_mod, t_mod, g_args, t_args, g_leaves, t_leaves, case["seed"], names)


def test_a_cell_stepped_by_hand_equals_the_sequence_layer():
    """LSTMCell over the steps one by one gives nn.LSTM's output and state."""
    lstm = nn.LSTM(3, 5, dtype=np.float64)
    cell = nn.LSTMCell(3, 5, dtype=np.float64)
    cell.load_state_dict({k[:-3]: v for k, v in lstm.state_dict().items()})
    x = gn.tensor(np.random.default_rng(0).standard_normal((4, 2, 3)))
    out, (h_n, c_n) = lstm(x)
    h = c = None
    for t in range(4):
        h, c = cell(x[t], None if h is None else (h, c))
        np.testing.assert_allclose(
            h.detach().numpy(), out.detach().numpy()[t], rtol=1e-12, atol=1e-12
        )
    np.testing.assert_allclose(c.detach().numpy(), c_n.detach().numpy()[0], rtol=1e-12, atol=1e-12)


# ---- finite differences ----------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_gradcheck_of_input_states_and_every_parameter(kind):
    """Two bidirectional layers on a tiny batch: ∂(output, h_n, c_n) with
    respect to the input, the initial states and each weight and bias."""
    gn.manual_seed(1)
    mod = getattr(nn, kind)(2, 2, num_layers=2, bidirectional=True, dtype=np.float64)
    rng = np.random.default_rng(0)
    x = gn.tensor(rng.standard_normal((3, 2, 2)), requires_grad=True)
    states = [
        gn.tensor(rng.standard_normal((4, 2, 2)), requires_grad=True)
        for _ in range(2 if kind == "LSTM" else 1)
    ]

    def fn(x, *states_and_params):
        hx = tuple(states) if kind == "LSTM" else states[0]
        return _flat(mod(x, hx))

    assert gn.gradcheck(fn, [x, *states, *mod.parameters()])


@pytest.mark.parametrize("kind", ["RNNCell", "LSTMCell", "GRUCell"])
def test_gradcheck_of_the_cells(kind):
    gn.manual_seed(2)
    cell = getattr(nn, kind)(3, 2, dtype=np.float64)
    rng = np.random.default_rng(1)
    x = gn.tensor(rng.standard_normal((2, 3)), requires_grad=True)
    states = [
        gn.tensor(rng.standard_normal((2, 2)), requires_grad=True)
        for _ in range(2 if kind == "LSTMCell" else 1)
    ]

    def fn(x, *rest):
        return _flat(cell(x, tuple(states) if kind == "LSTMCell" else states[0]))

    assert gn.gradcheck(fn, [x, *states, *cell.parameters()])


def test_gradcheck_of_relu_rnn_away_from_the_kink():
    gn.manual_seed(3)
    rnn = nn.RNN(2, 3, nonlinearity="relu", dtype=np.float64)
    x = gn.tensor(np.random.default_rng(4).standard_normal((3, 2, 2)), requires_grad=True)
    assert gn.gradcheck(lambda x, *p: _flat(rnn(x)), [x, *rnn.parameters()])


# ---- parameters: names, shapes, init, state_dict --------------------------------------------
@pytest.mark.parametrize("kind", KINDS)
def test_parameter_names_and_shapes_are_pytorchs(torch, kind):
    for num_layers in (1, 3):
        for bidirectional in (False, True):
            for bias in (False, True):
                kw = dict(
                    input_size=3,
                    hidden_size=5,
                    num_layers=num_layers,
                    bidirectional=bidirectional,
                    bias=bias,
                )
                g = {k: v.shape for k, v in getattr(nn, kind)(**kw).state_dict().items()}
                t = {
                    k: tuple(v.shape) for k, v in getattr(torch.nn, kind)(**kw).state_dict().items()
                }
                assert list(g.items()) == list(t.items())
    for cell in ("RNNCell", "LSTMCell", "GRUCell"):
        g = {k: v.shape for k, v in getattr(nn, cell)(3, 5).state_dict().items()}
        t = {k: tuple(v.shape) for k, v in getattr(torch.nn, cell)(3, 5).state_dict().items()}
        assert list(g.items()) == list(t.items())


@pytest.mark.parametrize("kind", KINDS)
def test_pytorch_weights_load_and_give_pytorchs_outputs(torch, kind):
    """A PyTorch module's own (randomly initialised) state_dict, loaded into
    glassnet; and glassnet's weights loaded into PyTorch."""
    torch.manual_seed(0)
    t_mod = getattr(torch.nn, kind)(4, 6, num_layers=2, bidirectional=True, batch_first=True)
    g_mod = getattr(nn, kind)(4, 6, num_layers=2, bidirectional=True, batch_first=True)
    g_mod.load_state_dict({k: v.numpy() for k, v in t_mod.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((3, 7, 4)).astype(np.float32)
    g_out, t_out = _flat(g_mod(gn.tensor(x))), _flat(t_mod(torch.tensor(x)))
    for g, t in zip(g_out, t_out):
        assert_close(g.detach().numpy(), t.detach().numpy(), 1e-4, "output")
    back = getattr(torch.nn, kind)(4, 6, num_layers=2, bidirectional=True, batch_first=True)
    back.load_state_dict(
        {k: torch.from_numpy(v.numpy().copy()) for k, v in g_mod.state_dict().items()}
    )
    for g, t in zip(g_out, _flat(back(torch.tensor(x)))):
        assert_close(
            g.detach().numpy(), t.detach().numpy(), 1e-4, "output after loading into torch"
        )


@pytest.mark.parametrize("kind", KINDS + ["RNNCell", "LSTMCell", "GRUCell"])
def test_default_init_is_uniform_within_one_over_sqrt_hidden_and_seeded(kind):
    gn.manual_seed(7)
    mod = getattr(nn, kind)(10, 16)
    values = np.concatenate([p.detach().numpy().ravel() for p in mod.parameters()])
    assert values.dtype == np.float32
    assert np.abs(values).max() <= 0.25 and np.abs(values).max() > 0.24
    assert abs(values.mean()) < 0.02 and abs(values.std() - 0.25 / np.sqrt(3)) < 0.02
    gn.manual_seed(7)
    again = getattr(nn, kind)(10, 16)
    for a, b in zip(mod.parameters(), again.parameters()):
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())


def test_reprs_are_pytorchs(torch):
    cases = [
        ("LSTM", (3, 4), dict(num_layers=2, batch_first=True, bidirectional=True)),
        ("RNN", (3, 4), dict(nonlinearity="relu", bias=False, num_layers=2, dropout=0.5)),
        ("GRU", (3, 4), {}),
        ("RNNCell", (3, 4), dict(nonlinearity="relu", bias=False)),
        ("LSTMCell", (3, 4), {}),
        ("GRUCell", (3, 4), dict(bias=False)),
    ]
    for kind, args, kw in cases:
        assert repr(getattr(nn, kind)(*args, **kw)) == repr(getattr(torch.nn, kind)(*args, **kw))


def test_float64_modules_and_to_dtype():
    lstm = nn.LSTM(3, 4)
    x = gn.tensor(np.ones((2, 1, 3)))
    with pytest.raises(DTypeError, match="LSTM"):
        lstm(x)
    lstm.double()
    out, (h, c) = lstm(x)
    assert out.dtype == h.dtype == c.dtype == np.float64
    out.sum().backward()
    assert all(p.grad.dtype == np.float64 for p in lstm.parameters())


# ---- dropout between layers ---------------------------------------------------------------------
def test_dropout_is_seeded_and_only_between_layers_in_training():
    gru = nn.GRU(3, 4, num_layers=3, dropout=0.5)
    x = gn.tensor(np.random.default_rng(0).standard_normal((5, 2, 3)).astype(np.float32))
    gn.manual_seed(11)
    a = gru(x)[0].detach().numpy().copy()
    gn.manual_seed(11)
    b = gru(x)[0].detach().numpy().copy()
    gn.manual_seed(12)
    c = gru(x)[0].detach().numpy().copy()
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)
    gru.eval()
    e1, e2 = gru(x)[0].detach().numpy().copy(), gru(x)[0].detach().numpy().copy()
    np.testing.assert_array_equal(e1, e2)
    assert not np.allclose(a, e1)


def test_dropout_sits_after_every_layer_but_the_last():
    """The 2-layer LSTM in training equals layer 0, F.dropout, layer 1 (the
    same draws from the same seed), in outputs and gradients."""
    gn.manual_seed(0)
    lstm = nn.LSTM(3, 4, num_layers=2, dropout=0.4, bidirectional=True, dtype=np.float64)
    first = nn.LSTM(3, 4, bidirectional=True, dtype=np.float64)
    second = nn.LSTM(8, 4, bidirectional=True, dtype=np.float64)
    sd = lstm.state_dict()
    first.load_state_dict({k: v for k, v in sd.items() if "_l0" in k})
    second.load_state_dict({k.replace("_l1", "_l0"): v for k, v in sd.items() if "_l1" in k})
    x = np.random.default_rng(3).standard_normal((4, 2, 3))
    xa, xb = gn.tensor(x, requires_grad=True), gn.tensor(x, requires_grad=True)
    gn.manual_seed(5)
    out, _ = lstm(xa)
    gn.manual_seed(5)
    ref, _ = second(F.dropout(first(xb)[0], 0.4, True))
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=1e-12, atol=1e-12)
    out.sum().backward()
    ref.sum().backward()
    np.testing.assert_allclose(xa.grad.numpy(), xb.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_eval_mode_matches_pytorch_with_dropout(torch):
    g_mod = nn.LSTM(3, 4, num_layers=2, dropout=0.7, dtype=np.float64).eval()
    t_mod = _twin(
        torch, g_mod, "LSTM", input_size=3, hidden_size=4, num_layers=2, dropout=0.7
    ).eval()
    x = np.random.default_rng(0).standard_normal((5, 2, 3))
    assert_close(
        g_mod(gn.tensor(x))[0].detach().numpy(),
        t_mod(torch.tensor(x))[0].detach().numpy(),
        1e-9,
        "eval output",
    )


def test_dropout_with_one_layer_warns_as_pytorch():
    with pytest.warns(UserWarning, match="num_layers greater than 1"):
        nn.RNN(2, 3, dropout=0.2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nn.RNN(2, 3, num_layers=2, dropout=0.2)


# ---- the graph -----------------------------------------------------------------------------------
def test_backpropagation_through_time_is_one_graph_node_per_step():
    """glassnet's own steps (float64 always; float32 without oneDNN, see
    test_fused_lstm.py for its one node per layer and direction)."""
    lstm = nn.LSTM(3, 4, num_layers=2, bidirectional=True)
    with onednn.disabled():
        out, (h, c) = lstm(gn.zeros(6, 2, 3))
    names = graph_names(out.sum() + h.sum() + c.sum())
    assert names.count("RecurrentStepBackward") == 6 * 2 * 2
    assert names.count("GateProjectionBackward") == 2 * 2  # one per layer and direction
    assert len(names) < 6 * 2 * 2 + 30


def test_every_step_state_carries_its_gradient_back_through_time(torch):
    """The per-step states of ``run_direction`` are graph nodes: a hook on
    each sees ∂L/∂hₜ, equal to PyTorch's for an LSTMCell unrolled by hand
    (what an explanation of vanishing gradients plots, step by step). (Its
    c part is ∂L/∂cₜ with hₜ held fixed — hₜ and cₜ are the step's two
    outputs — where PyTorch's c.grad also counts the path through hₜ.)"""
    from glassnet.ops.recurrent.layer import LayerOutput, run_direction

    gn.manual_seed(0)
    cell = nn.LSTMCell(3, 4, dtype=np.float64)
    t_cell = _twin(torch, cell, "LSTMCell", input_size=3, hidden_size=4)
    rng = np.random.default_rng(0)
    x, up = rng.standard_normal((6, 2, 3)), rng.standard_normal((6, 2, 4))
    states, run = run_direction(
        "LSTM",
        gn.tensor(x),
        np.zeros((2, 2, 4)),
        cell.weight_ih,
        cell.weight_hh,
        cell.bias_ih,
        cell.bias_hh,
    )
    seen = {}
    for t, s in enumerate(states):
        s.register_hook(lambda g, t=t: seen.__setitem__(t, g.numpy().copy()))
    (LayerOutput.apply(*states, runs=[run]) * gn.tensor(up)).sum().backward()
    h = c = torch.zeros(2, 4, dtype=torch.float64)
    hs = []
    for t in range(6):
        h, c = t_cell(torch.tensor(x[t]), (h, c))
        h.retain_grad()
        hs.append(h)
    (torch.stack(hs) * torch.tensor(up)).sum().backward()
    for t in range(6):
        assert_close(seen[t][0], hs[t].grad.numpy(), 1e-9, f"dL/dh at step {t}")


@pytest.mark.parametrize("kind", KINDS)
def test_gradients_with_frozen_weights_flow_to_the_initial_state_or_input(torch, kind):
    """Only h_0 (or only the input) asks for a gradient: the steps still run
    their backward, and hand on exactly what is asked for."""
    for wanted in ("state", "input"):
        g_mod = getattr(nn, kind)(3, 4, num_layers=2, bidirectional=True, dtype=np.float64)
        t_mod = _twin(
            torch, g_mod, kind, input_size=3, hidden_size=4, num_layers=2, bidirectional=True
        )
        g_mod.requires_grad_(False)
        t_mod.requires_grad_(False)
        rng = np.random.default_rng(2)
        x, h0 = rng.standard_normal((5, 2, 3)), rng.standard_normal((4, 2, 4))
        gx, tx = (
            gn.tensor(x, requires_grad=wanted == "input"),
            torch.tensor(x, requires_grad=wanted == "input"),
        )
        gh, th = (
            gn.tensor(h0, requires_grad=wanted == "state"),
            torch.tensor(h0, requires_grad=wanted == "state"),
        )
        g_hx, t_hx = ((gh, gn.tensor(h0)), (th, torch.tensor(h0))) if kind == "LSTM" else (gh, th)
        g_out, t_out = g_mod(gx, g_hx)[0], t_mod(tx, t_hx)[0]
        (g_out * g_out).sum().backward()
        (t_out * t_out).sum().backward()
        g_leaf, t_leaf = (gh, th) if wanted == "state" else (gx, tx)
        assert_close(g_leaf.grad.numpy(), t_leaf.grad.numpy(), 1e-9, wanted)
        assert all(p.grad is None for p in g_mod.parameters())


def test_no_grad_records_nothing_and_retain_graph_backpropagates_twice():
    gru = nn.GRU(2, 3, dtype=np.float64)
    x = gn.tensor(np.ones((4, 1, 2)), requires_grad=True)
    with gn.no_grad():
        out, h = gru(x)
    assert out.grad_fn is None and not out.requires_grad
    out, h = gru(x)
    h.sum().backward(retain_graph=True)
    once = x.grad.numpy().copy()
    h.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * once, rtol=1e-12)
    with pytest.raises(gn.errors.GraphError, match="second time"):
        h.sum().backward()


def test_pooled_arrays_never_overwrite_what_a_caller_holds():
    """Later calls reuse the pool's arrays only once nothing refers to them:
    the outputs and the graph of an earlier call stay intact."""
    lstm = nn.LSTM(3, 4, bidirectional=True, dtype=np.float64)
    rng = np.random.default_rng(0)
    x1, x2 = (gn.tensor(rng.standard_normal((5, 2, 3)), requires_grad=True) for _ in range(2))
    out1, (h1, _) = lstm(x1)
    kept = out1.detach().numpy().copy(), h1.detach().numpy().copy()
    for _ in range(6):  # more calls than the pool keeps arrays per shape
        out2, _ = lstm(x2)
        out2.sum().backward()
        with gn.no_grad():
            lstm(x2)
    np.testing.assert_array_equal(out1.detach().numpy(), kept[0])
    np.testing.assert_array_equal(h1.detach().numpy(), kept[1])
    lstm.zero_grad()
    out1.sum().backward()
    late = {n: p.grad.numpy().copy() for n, p in lstm.named_parameters()}
    lstm.zero_grad()
    lstm(gn.tensor(x1.detach().numpy()))[0].sum().backward()
    for n, p in lstm.named_parameters():
        np.testing.assert_allclose(late[n], p.grad.numpy(), rtol=1e-12, err_msg=n)
    with gn.no_grad():
        a = lstm(x1)[0]
        held = a.numpy().copy()
        lstm(x2)
    np.testing.assert_array_equal(a.numpy(), held)
    assert POOL.nbytes <= POOL.limit
    first = POOL.empty((3, 5), np.float32)
    view = first[1:]
    del first
    again = POOL.empty((3, 5), np.float32)  # the first is still held, through its view
    assert again is not view.base
    del view
    assert POOL.empty((3, 5), np.float32) is not again  # `again` is still held here


def test_an_lstm_learns_to_remember_the_first_step():
    """A small sequence task: the class is the sign of the first input; the
    gradient has to flow back through every step."""
    gn.manual_seed(0)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 8, 1)).astype(np.float32)
    y = (x[:, 0, 0] > 0).astype(np.int64)
    lstm, head = nn.LSTM(1, 8, batch_first=True), nn.Linear(8, 2)
    opt = gn.optim.Adam(list(lstm.parameters()) + list(head.parameters()), lr=0.05)
    xt, yt = gn.tensor(x), gn.tensor(y)
    for _ in range(60):
        opt.zero_grad()
        out, _ = lstm(xt)
        loss = F.cross_entropy(head(out[:, -1]), yt)
        loss.backward()
        opt.step()
    accuracy = (head(lstm(xt)[0][:, -1]).detach().numpy().argmax(1) == y).mean()
    assert accuracy > 0.9


# ---- errors ------------------------------------------------------------------------------------
def test_constructor_errors():
    with pytest.raises(ValueError, match="hidden_size"):
        nn.LSTM(3, 0)
    with pytest.raises(ValueError, match="num_layers"):
        nn.GRU(3, 4, num_layers=0)
    with pytest.raises(ValueError, match="dropout"):
        nn.RNN(3, 4, dropout=1.5)
    with pytest.raises(ValueError, match="nonlinearity"):
        nn.RNN(3, 4, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match="nonlinearity"):
        nn.RNNCell(3, 4, nonlinearity="gelu")
    with pytest.raises(NotImplementedError, match="proj_size"):
        nn.LSTM(3, 4, proj_size=2)
    with pytest.raises(ValueError, match="input_size"):
        nn.LSTMCell(True, 4)


def test_input_and_state_errors_name_the_layer_and_the_shapes():
    lstm = nn.LSTM(3, 4, num_layers=2)
    with pytest.raises(
        ShapeError,
        match=r"LSTM\(3, 4, num_layers=2\).*\(5, 2, 7\).*\(seq, "
        r"batch, 3\)",
    ):
        lstm(gn.zeros(5, 2, 7))
    with pytest.raises(ShapeError, match=r"\(2, 5, 2, 3\)"):
        lstm(gn.zeros(2, 5, 2, 3))
    with pytest.raises(ShapeError, match="no time steps"):
        lstm(gn.zeros(0, 2, 3))
    with pytest.raises(ShapeError, match=r"h_0.*\(1, 2, 4\).*expected \(2, 2, 4\)"):
        lstm(gn.zeros(5, 2, 3), (gn.zeros(1, 2, 4), gn.zeros(2, 2, 4)))
    with pytest.raises(ShapeError, match=r"c_0.*\(2, 3, 4\).*expected \(2, 2, 4\)"):
        lstm(gn.zeros(5, 2, 3), (gn.zeros(2, 2, 4), gn.zeros(2, 3, 4)))
    with pytest.raises(ShapeError, match=r"unbatched.*expected \(2, 4\)"):
        lstm(gn.zeros(5, 3), (gn.zeros(2, 1, 4), gn.zeros(2, 1, 4)))
    with pytest.raises(TypeError, match=r"pair \(h_0, c_0\)"):
        lstm(gn.zeros(5, 2, 3), gn.zeros(2, 2, 4))
    with pytest.raises(TypeError, match="one tensor h_0"):
        nn.GRU(3, 4)(gn.zeros(5, 2, 3), (gn.zeros(1, 2, 4),))
    with pytest.raises(TypeError, match="Tensor"):
        nn.RNN(3, 4)(np.zeros((5, 2, 3), np.float32))
    with pytest.raises(DTypeError, match=r"GRU\(3, 4\).*h_0.*float64"):
        nn.GRU(3, 4)(gn.zeros(5, 2, 3), gn.zeros(1, 2, 4, dtype=np.float64))
    bf = nn.RNN(3, 4, batch_first=True)
    with pytest.raises(ShapeError, match=r"\(batch, seq, 3\)"):
        bf(gn.zeros(2, 5, 4))


def test_cell_errors_name_the_cell_and_the_shapes():
    cell = nn.LSTMCell(3, 4)
    with pytest.raises(ShapeError, match=r"LSTMCell\(3, 4\).*\(2, 5\).*\(batch, 3\)"):
        cell(gn.zeros(2, 5))
    with pytest.raises(ShapeError, match=r"h \(hx\[0\]\).*\(3, 4\).*expected \(2, 4\)"):
        cell(gn.zeros(2, 3), (gn.zeros(3, 4), gn.zeros(2, 4)))
    with pytest.raises(TypeError, match=r"pair \(h, c\)"):
        cell(gn.zeros(2, 3), gn.zeros(2, 4))
    with pytest.raises(ShapeError, match=r"GRUCell\(3, 4\).*hx \(unbatched input\)"):
        nn.GRUCell(3, 4)(gn.zeros(3), gn.zeros(2, 4))
    with pytest.raises(DTypeError, match="RNNCell"):
        nn.RNNCell(3, 4)(gn.zeros(2, 3, dtype=np.float64))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kind", KINDS)
def test_an_empty_batch(torch, kind, dtype):
    """A batch of 0 sequences, as PyTorch allows: empty outputs and states of
    the right shapes, empty input gradients, zero weight gradients."""
    g = getattr(nn, kind)(3, 4, num_layers=2, bidirectional=True, dtype=dtype)
    t = _twin(torch, g, kind, input_size=3, hidden_size=4, num_layers=2, bidirectional=True)
    x = gn.tensor(np.zeros((5, 0, 3), dtype), requires_grad=True)
    out, state = g(x)
    t_out, t_state = t(torch.zeros(5, 0, 3, dtype=_torch_dtype(torch, dtype)))
    assert out.shape == tuple(t_out.shape)
    h = state[0] if kind == "LSTM" else state
    assert h.shape == tuple((t_state[0] if kind == "LSTM" else t_state).shape)
    (out.sum() + h.sum()).backward()
    assert x.grad.shape == (5, 0, 3)
    assert all(not np.any(p.grad.numpy()) for p in g.parameters())


@pytest.mark.parametrize(
    "make, name",
    [
        (lambda d: nn.LSTM(2, 3, device=d), "LSTM"),
        (lambda d: nn.GRU(2, 3, device=d), "GRU"),
        (lambda d: nn.RNNCell(2, 3, device=d), "RNNCell"),
        (lambda d: nn.GRUCell(2, 3, device=d), "GRUCell"),
        (lambda d: nn.LSTMCell(2, 3, device=d), "LSTMCell"),
    ],
)
def test_recurrent_layers_take_the_cpu_and_refuse_other_devices(make, name):
    """device= is checked by the one rule every factory uses (it used to be
    ignored by the cells)."""
    make("cpu")
    make(gn.device("cpu"))
    with pytest.raises(gn.errors.DeviceError, match=f"{name}: device 'cuda' is not available"):
        make("cuda")
