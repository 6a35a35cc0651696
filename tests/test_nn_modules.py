"""nn modules: Module mechanics (registration, state_dict, modes, hooks,
repr, summary), containers, Linear/Identity/Flatten/Dropout/activations
checked against PyTorch, and gradient clipping."""

import copy

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn
from glassnet.errors import DTypeError, ShapeError
from glassnet.nn import functional as F

TOL = {np.float64: 1e-10, np.float32: 1e-5}


def _copy_to_torch(torch, gn_module, t_module):
    """Load glassnet's weights into the torch module, by state_dict through numpy."""
    sd = {k: torch.from_numpy(v.numpy().copy()) for k, v in gn_module.state_dict().items()}
    t_module.load_state_dict(sd)


def _check_parity(torch, gn_module, t_module, shape, dtype, seed=0):
    """Same weights, same input, same upstream gradient: outputs, input
    gradients and parameter gradients must agree."""
    tol = TOL[dtype]
    gn_module.to(dtype)
    t_module.to(torch.float64 if dtype == np.float64 else torch.float32)
    _copy_to_torch(torch, gn_module, t_module)
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape).astype(dtype)
    gx = gn.tensor(x, requires_grad=True)
    tx = torch.tensor(x, requires_grad=True)
    out, t_out = gn_module(gx), t_module(tx)
    assert out.dtype == dtype
    np.testing.assert_allclose(out.detach().numpy(), t_out.detach().numpy(), rtol=tol, atol=tol)
    up = rng.standard_normal(out.shape).astype(dtype)
    out.backward(up)
    t_out.backward(torch.from_numpy(up))
    np.testing.assert_allclose(gx.grad.numpy(), tx.grad.numpy(), rtol=tol, atol=tol)
    t_params = dict(t_module.named_parameters())
    for name, p in gn_module.named_parameters():
        assert p.grad.dtype == dtype
        np.testing.assert_allclose(
            p.grad.numpy(), t_params[name].grad.numpy(), rtol=tol, atol=tol, err_msg=name
        )


# ---- Parameter and Module mechanics ------------------------------------------------
def test_parameter_is_a_leaf_tensor_that_requires_grad_and_shares_data():
    base = gn.ones(2, 3)
    p = nn.Parameter(base)
    assert isinstance(p, gn.Tensor) and p.requires_grad and p.is_leaf
    assert p.detach().numpy() is base.detach().numpy()
    assert repr(p).startswith("Parameter containing:\ntensor(")
    assert not nn.Parameter(gn.ones(1), requires_grad=False).requires_grad
    assert type(p * 2) is gn.Tensor  # results of ops are plain tensors
    with pytest.raises(TypeError):
        nn.Parameter(gn.tensor([1, 2]))  # integer tensors cannot require grad


class _Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(3, 4)
        self.act = nn.Tanh()
        self.out = nn.Linear(4, 2)
        self.scale = nn.Parameter(gn.ones(2))
        self.register_buffer("steps", gn.zeros(1))
        self.register_buffer("cache", gn.zeros(2), persistent=False)

    def forward(self, x):
        return self.out(self.act(self.hidden(x))) * self.scale


def test_registration_and_tree_walks():
    net = _Net()
    names = [n for n, _ in net.named_parameters()]
    assert names == ["scale", "hidden.weight", "hidden.bias", "out.weight", "out.bias"]
    assert len(list(net.parameters())) == 5
    assert [n for n, _ in net.named_buffers()] == ["steps", "cache"]
    assert [n for n, _ in net.named_children()] == ["hidden", "act", "out"]
    assert [n for n, _ in net.named_modules()] == ["", "hidden", "act", "out"]
    assert list(net.modules())[0] is net
    assert net.get_submodule("out") is net.out
    assert list(net.state_dict()) == [
        "scale",
        "steps",
        "hidden.weight",
        "hidden.bias",
        "out.weight",
        "out.bias",
    ]  # no non-persistent buffer
    assert "hidden" in dir(net)
    del net.act
    assert [n for n, _ in net.named_children()] == ["hidden", "out"]


def test_shared_modules_and_parameters_are_listed_once():
    lin = nn.Linear(2, 2)
    model = nn.Sequential(lin, nn.ReLU(), lin)
    assert len(list(model.parameters())) == 2
    assert len(list(model.modules())) == 3
    assert list(model.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]


def test_assignment_rules_and_clear_errors():
    class Early(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(gn.ones(1))

    with pytest.raises(AttributeError, match="before Module.__init__"):
        Early()

    class Forgot(nn.Module):
        def __init__(self):
            pass

        def forward(self, x):
            return x

    with pytest.raises(AttributeError, match=r"must call super\(\).__init__\(\)"):
        Forgot()(gn.ones(1))
    net = _Net()
    with pytest.raises(TypeError, match="parameter 'scale'"):
        net.scale = gn.ones(2)  # a plain tensor cannot replace a parameter
    net.scale = None
    assert "scale" not in dict(net.named_parameters())
    with pytest.raises(TypeError, match="register_buffer"):
        net.register_buffer("bad", np.zeros(2))
    with pytest.raises(KeyError, match="already exists"):
        net.register_buffer("hidden", gn.zeros(1))
    with pytest.raises(NotImplementedError, match=r"Module \[Module\].*forward"):
        nn.Module()(gn.ones(1))
    with pytest.raises(AttributeError, match="'_Net' object has no attribute 'nope'"):
        net.nope


def test_train_eval_zero_grad_apply_and_requires_grad():
    net = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.Dropout(), nn.Linear(2, 1)))
    assert all(m.training for m in net.modules())
    assert net.eval() is net and not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())
    net(gn.ones(3, 2)).sum().backward()
    grads = [p.grad for p in net.parameters()]
    assert all(g is not None for g in grads)
    net.zero_grad(set_to_none=False)
    for p, g in zip(net.parameters(), grads):
        assert p.grad is g and not p.grad.numpy().any()  # zeroed in place
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())
    seen = []
    net.apply(lambda m: seen.append(type(m).__name__))
    assert seen == ["Linear", "Dropout", "Linear", "Sequential", "Sequential"]
    net.requires_grad_(False)
    assert not any(p.requires_grad for p in net.parameters())


def test_forward_hooks_and_pre_hooks():
    lin = nn.Linear(2, 2)
    calls = []
    h1 = lin.register_forward_pre_hook(lambda m, args: (args[0] * 0,))
    h2 = lin.register_forward_hook(lambda m, args, out: calls.append(out.shape))
    out = lin(gn.ones(1, 2))
    np.testing.assert_allclose(out.detach().numpy(), lin.bias.detach().numpy()[None], rtol=1e-6)
    assert calls == [(1, 2)]
    h1.remove()
    h2.remove()
    lin(gn.ones(1, 2))
    assert calls == [(1, 2)]


def test_to_double_casts_parameters_in_place():
    lin = nn.Linear(3, 2)
    w = lin.weight
    lin.double()
    assert lin.weight is w and w.dtype == np.float64 and lin.bias.dtype == np.float64
    assert lin(gn.ones(1, 3, dtype=np.float64)).dtype == np.float64
    lin.to(np.float32)
    assert w.dtype == np.float32
    with pytest.raises(DTypeError):
        lin.to(np.int64)


def test_deepcopy_gives_independent_parameters():
    net = _Net()
    clone = copy.deepcopy(net)
    assert clone.hidden.weight is not net.hidden.weight
    assert isinstance(clone.hidden.weight, nn.Parameter)
    np.testing.assert_array_equal(
        clone.hidden.weight.detach().numpy(), net.hidden.weight.detach().numpy()
    )
    with gn.no_grad():
        clone.hidden.weight.data[...] = 0
    assert net.hidden.weight.detach().numpy().any()


# ---- state_dict -----------------------------------------------------------------
def _twin_models(torch):
    g = nn.Sequential(
        nn.Linear(4, 8),
        nn.ReLU(),
        nn.Dropout(0.1),
        nn.Linear(8, 8),
        nn.Sequential(nn.Tanh(), nn.Linear(8, 3, bias=False)),
        nn.ModuleList([nn.Linear(3, 3)]),
        nn.ModuleDict({"head": nn.Linear(3, 2)}),
        nn.CrossEntropyLoss(weight=gn.ones(2)),
    )
    tn = torch.nn
    t = tn.Sequential(
        tn.Linear(4, 8),
        tn.ReLU(),
        tn.Dropout(0.1),
        tn.Linear(8, 8),
        tn.Sequential(tn.Tanh(), tn.Linear(8, 3, bias=False)),
        tn.ModuleList([tn.Linear(3, 3)]),
        tn.ModuleDict({"head": tn.Linear(3, 2)}),
        tn.CrossEntropyLoss(weight=torch.ones(2)),
    )
    return g, t


def test_state_dict_keys_and_shapes_equal_torch(torch):
    g, t = _twin_models(torch)
    gsd, tsd = g.state_dict(), t.state_dict()
    assert list(gsd) == list(tsd)
    for k in gsd:
        assert gsd[k].shape == tuple(tsd[k].shape), k
    assert not gsd["0.weight"].requires_grad
    assert gsd["0.weight"].numpy() is g[0].weight.detach().numpy()  # shares memory, as torch
    assert g.state_dict(keep_vars=True)["0.weight"] is g[0].weight


def test_load_state_dict_round_trip_from_torch_and_dtype_cast(torch):
    g, t = _twin_models(torch)
    t = t.double()
    sd = {k: v.numpy() for k, v in t.state_dict().items()}  # float64 arrays
    result = g.load_state_dict(sd)
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert repr(result) == "<All keys matched successfully>"
    for k, v in g.state_dict().items():
        assert v.dtype == np.float32  # cast to the parameter's dtype
        np.testing.assert_allclose(v.numpy(), sd[k], rtol=1e-6)
    w = g[0].weight
    g.load_state_dict({k: gn.tensor(v) for k, v in sd.items()})
    assert g[0].weight is w  # copied in place


def test_load_state_dict_errors_name_the_keys_and_shapes():
    net = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    sd = {k: v.numpy().copy() for k, v in net.state_dict().items()}
    before = net[0].weight.detach().numpy().copy()
    missing = dict(sd)
    del missing["2.bias"]
    with pytest.raises(
        nn.StateDictError,
        match=r"Sequential:\n\tMissing key\(s\) in "
        r'state_dict: "2.bias"',
    ):
        net.load_state_dict(missing)
    with pytest.raises(RuntimeError, match=r'Unexpected key\(s\) in state_dict: "3.weight"'):
        net.load_state_dict({**sd, "3.weight": np.zeros(1)})
    bad = {**sd, "0.weight": np.ones((3, 3), dtype=np.float32)}
    with pytest.raises(
        RuntimeError,
        match=r"size mismatch for 0.weight: copying a param "
        r"with shape \(3, 3\) from checkpoint, the shape "
        r"in current model is \(3, 2\)",
    ):
        net.load_state_dict(bad)
    with pytest.raises(RuntimeError, match="size mismatch"):
        net.load_state_dict(bad, strict=False)  # shapes must match even when not strict
    np.testing.assert_array_equal(net[0].weight.detach().numpy(), before)  # nothing half-loaded
    result = net.load_state_dict({"0.weight": np.zeros((3, 2)), "x": np.ones(1)}, strict=False)
    assert result.missing_keys == ["0.bias", "2.weight", "2.bias"]
    assert result.unexpected_keys == ["x"]
    assert not net[0].weight.detach().numpy().any()
    with pytest.raises(RuntimeError, match="numeric"):
        net.load_state_dict({**sd, "0.bias": np.array(["a", "b", "c"])})


# ---- repr and summary -------------------------------------------------------------------
def test_repr_matches_torch(torch):
    g, t = _twin_models(torch)
    assert repr(g) == repr(t)
    tn = torch.nn
    pairs = [
        (nn.ReLU(inplace=True), tn.ReLU(inplace=True)),
        (nn.LeakyReLU(0.2), tn.LeakyReLU(0.2)),
        (nn.LeakyReLU(0.2, True), tn.LeakyReLU(0.2, True)),
        (nn.ELU(0.5), tn.ELU(0.5)),
        (nn.GELU("tanh"), tn.GELU("tanh")),
        (nn.Softplus(2.0, 10.0), tn.Softplus(2.0, 10.0)),
        (nn.Softmax(dim=-1), tn.Softmax(dim=-1)),
        (nn.LogSoftmax(1), tn.LogSoftmax(1)),
        (nn.Sigmoid(), tn.Sigmoid()),
        (nn.Identity(), tn.Identity()),
        (nn.Flatten(0, 2), tn.Flatten(0, 2)),
        (nn.Dropout(0.25), tn.Dropout(0.25)),
        (nn.MSELoss(), tn.MSELoss()),
        (nn.L1Loss(), tn.L1Loss()),
        (nn.HuberLoss(delta=2.0), tn.HuberLoss(delta=2.0)),
        (nn.NLLLoss(), tn.NLLLoss()),
        (nn.BCELoss(), tn.BCELoss()),
        (nn.BCEWithLogitsLoss(), tn.BCEWithLogitsLoss()),
        (nn.Sequential(), tn.Sequential()),
        (nn.ModuleList(), tn.ModuleList()),
        (nn.Linear(5, 6, bias=False), tn.Linear(5, 6, bias=False)),
    ]
    for a, b in pairs:
        assert repr(a) == repr(b)


def test_summary_lists_layers_output_shapes_and_parameter_counts():
    model = nn.Sequential(
        nn.Flatten(),
        nn.Linear(12, 8),
        nn.ReLU(),
        nn.Dropout(0.5),
        nn.Sequential(nn.Linear(8, 3), nn.LogSoftmax(dim=1)),
    )
    model[1].bias.requires_grad_(False)
    state = gn.get_rng_state()
    s = model.summary((5, 3, 4))
    assert gn.get_rng_state() == state  # the dropout draw was undone
    assert s.total_params == 12 * 8 + 8 + 8 * 3 + 3 == 131
    assert s.trainable_params == 131 - 8
    rows = {r.name: r for r in s.rows}
    assert rows[""].output_shape == (5, 3) and rows[""].num_params == 131
    assert rows["0"].output_shape == (5, 12)
    assert rows["1"].output_shape == (5, 8) and rows["1"].num_params == 104
    assert rows["4"].num_params == 27 and rows["4.0"].output_shape == (5, 3)
    assert rows["4.1"].depth == 2
    text = str(s)
    lines = text.splitlines()
    assert lines[0].split() == ["Layer", "(type)", "Output", "Shape", "Param", "#"]
    assert lines[2].split() == ["Sequential", "(5,", "3)", "131"]
    assert lines[4].split() == ["1:", "Linear", "(5,", "8)", "104"]
    assert "    1: LogSoftmax" in text  # indented under its parent
    assert "Total params: 131" in text and "Trainable params: 123" in text
    assert "Non-trainable params: 8" in text and "Input shape: (5, 3, 4)" in text
    assert repr(s) == text
    # without an input size: counts only
    bare = model.summary()
    assert bare.rows[1].output_shape is None and " - " in str(bare)
    with pytest.raises(TypeError, match="summary: input_size"):
        model.summary("big")


# ---- containers -------------------------------------------------------------------------
def test_sequential_indexing_len_append_insert_and_delete():
    a, b, c = nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)
    seq = nn.Sequential(a, b)
    assert len(seq) == 2 and seq[0] is a and seq[-1] is b
    assert seq.append(c) is seq and seq[2] is c and len(seq) == 3
    assert list(seq) == [a, b, c]
    head = seq[:2]
    assert isinstance(head, nn.Sequential) and list(head) == [a, b]
    out = seq(gn.ones(4, 2))
    assert out.shape == (4, 1)
    seq.insert(1, nn.Tanh())
    assert [type(m).__name__ for m in seq] == ["Linear", "Tanh", "ReLU", "Linear"]
    del seq[1]
    assert list(seq._modules) == ["0", "1", "2"] and seq[1] is b
    seq.insert(-1, nn.Identity())  # before the last, as list.insert and torch
    assert [type(m).__name__ for m in seq] == ["Linear", "ReLU", "Identity", "Linear"]
    del seq[2]
    seq[1] = nn.Sigmoid()
    assert isinstance(seq[1], nn.Sigmoid)
    named = nn.Sequential({"fc": nn.Linear(1, 1), "act": nn.ReLU()})
    assert list(named.state_dict()) == ["fc.weight", "fc.bias"]
    with pytest.raises(IndexError, match="Sequential index 5 is out of range"):
        seq[5]
    with pytest.raises(TypeError, match="not a Module"):
        nn.Sequential(nn.Linear(1, 1), gn.relu)


def test_module_list_and_dict():
    layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    assert len(layers) == 3 and len(list(layers.parameters())) == 6
    layers.append(nn.ReLU())
    layers.extend([nn.Tanh()])
    layers.insert(0, nn.Identity())
    assert [type(m).__name__ for m in layers] == [
        "Identity",
        "Linear",
        "Linear",
        "Linear",
        "ReLU",
        "Tanh",
    ]
    del layers[0]
    assert list(layers._modules) == [str(i) for i in range(5)]
    assert isinstance(layers[1:3], nn.ModuleList) and len(layers[1:3]) == 2
    with pytest.raises(NotImplementedError):
        layers(gn.ones(1))
    d = nn.ModuleDict({"enc": nn.Linear(2, 3), "dec": nn.Linear(3, 2)})
    d["act"] = nn.ReLU()
    assert list(d.keys()) == ["enc", "dec", "act"] and "dec" in d and len(d) == 3
    assert list(d.state_dict()) == ["enc.weight", "enc.bias", "dec.weight", "dec.bias"]
    assert isinstance(d.pop("act"), nn.ReLU) and len(d) == 2
    with pytest.raises(KeyError, match="ModuleDict has no module 'zzz'"):
        d["zzz"]
    with pytest.raises(TypeError, match="not a Module"):
        d["x"] = 3


# ---- Linear -------------------------------------------------------------------------------
def test_linear_default_init_is_uniform_in_plus_minus_one_over_sqrt_fan_in():
    gn.manual_seed(3)
    lin = nn.Linear(400, 300)
    bound = 1 / np.sqrt(400)
    w = lin.weight.detach().numpy()
    assert w.shape == (300, 400) and lin.bias.shape == (300,) and w.dtype == np.float32
    assert np.abs(w).max() <= bound and np.abs(lin.bias.detach().numpy()).max() <= bound
    assert abs(w.std() - bound / np.sqrt(3)) < 0.01 * bound  # U(-b, b): std b/√3
    assert abs(w.mean()) < 0.01 * bound
    gn.manual_seed(3)
    np.testing.assert_array_equal(nn.Linear(400, 300).weight.detach().numpy(), w)  # seeded


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(
    "shape,bias", [((5, 3), True), ((2, 4, 3), True), ((3,), True), ((5, 3), False)]
)
def test_linear_matches_torch(torch, dtype, shape, bias):
    _check_parity(torch, nn.Linear(3, 4, bias=bias), torch.nn.Linear(3, 4, bias=bias), shape, dtype)


def test_linear_errors_name_the_layer_shapes_and_dtypes():
    lin = nn.Linear(3, 2)
    with pytest.raises(
        ShapeError,
        match=r"Linear\(in_features=3, out_features=2, bias=True\)"
        r".*\(4, 5\).*\(\.\.\., 3\)",
    ):
        lin(gn.ones(4, 5))
    with pytest.raises(DTypeError, match="input is float64 but the weight is float32"):
        lin(gn.ones(4, 3, dtype=np.float64))
    with pytest.raises(TypeError, match="expected a Tensor"):
        lin(np.ones((4, 3)))
    with pytest.raises(ValueError, match="in_features"):
        nn.Linear(-1, 2)


def _activation_pairs(tn):
    return [
        (nn.ReLU(), tn.ReLU()),
        (nn.Sigmoid(), tn.Sigmoid()),
        (nn.Tanh(), tn.Tanh()),
        (nn.LeakyReLU(0.2), tn.LeakyReLU(0.2)),
        (nn.ELU(0.7), tn.ELU(0.7)),
        (nn.GELU(), tn.GELU()),
        (nn.GELU("tanh"), tn.GELU("tanh")),
        (nn.Softplus(), tn.Softplus()),
        (nn.Softplus(beta=2.0, threshold=1.0), tn.Softplus(beta=2.0, threshold=1.0)),
        (nn.Softmax(dim=1), tn.Softmax(dim=1)),
        (nn.Softmax(dim=0), tn.Softmax(dim=0)),
        (nn.LogSoftmax(dim=-1), tn.LogSoftmax(dim=-1)),
        (nn.Identity(), tn.Identity()),
        (nn.Flatten(), tn.Flatten()),
        (nn.Flatten(0, 1), tn.Flatten(0, 1)),
    ]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_activation_and_shape_layers_match_torch(torch, dtype):
    for i, (g, t) in enumerate(_activation_pairs(torch.nn)):
        _check_parity(torch, g, t, (4, 3, 2), dtype, seed=i)


def test_functional_activations_match_torch(torch):
    x = np.random.default_rng(1).standard_normal((3, 5)) * 3
    tx = torch.from_numpy(x)
    TF = torch.nn.functional
    cases = [
        (F.relu(gn.tensor(x)), TF.relu(tx)),
        (F.sigmoid(gn.tensor(x)), TF.sigmoid(tx)),
        (F.tanh(gn.tensor(x)), TF.tanh(tx)),
        (F.leaky_relu(gn.tensor(x), 0.3), TF.leaky_relu(tx, 0.3)),
        (F.elu(gn.tensor(x), 2.0), TF.elu(tx, 2.0)),
        (F.gelu(gn.tensor(x)), TF.gelu(tx)),
        (F.softplus(gn.tensor(x), 0.5), TF.softplus(tx, 0.5)),
        (F.softmax(gn.tensor(x), 0), TF.softmax(tx, 0)),
        (F.log_softmax(gn.tensor(x), dim=1), TF.log_softmax(tx, dim=1)),
        (F.softmax(gn.tensor(x), 1, dtype=np.float32), TF.softmax(tx, 1, dtype=torch.float32)),
    ]
    for g, t in cases:
        assert g.dtype == t.numpy().dtype
        np.testing.assert_allclose(g.numpy(), t.numpy(), rtol=1e-6, atol=1e-12)
    w, b = np.ones((2, 5)), np.arange(2.0)
    np.testing.assert_allclose(
        F.linear(gn.tensor(x), gn.tensor(w), gn.tensor(b)).numpy(),
        TF.linear(tx, torch.from_numpy(w), torch.from_numpy(b)).numpy(),
    )
    with pytest.warns(UserWarning, match="Implicit dimension"):
        assert F.softmax(gn.tensor(x)).shape == (3, 5)
    with pytest.raises(TypeError, match="relu: expected a Tensor"):
        F.relu(x)


def test_mlp_forward_backward_and_sgd_steps_match_torch(torch):
    """The article's loop — forward, loss, backward, w ← w − η·∂L/∂w — five
    times in both libraries from the same weights gives the same weights."""
    tn = torch.nn
    g = nn.Sequential(
        nn.Linear(2, 6), nn.Sigmoid(), nn.Linear(6, 4), nn.ELU(), nn.Linear(4, 1)
    ).double()
    t = tn.Sequential(
        tn.Linear(2, 6), tn.Sigmoid(), tn.Linear(6, 4), tn.ELU(), tn.Linear(4, 1)
    ).double()
    _copy_to_torch(torch, g, t)
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((16, 2)), rng.standard_normal((16, 1))
    for _ in range(5):
        loss = nn.MSELoss()(g(gn.tensor(x)), gn.tensor(y))
        t_loss = tn.MSELoss()(t(torch.from_numpy(x)), torch.from_numpy(y))
        g.zero_grad()
        t.zero_grad()
        loss.backward()
        t_loss.backward()
        assert abs(loss.item() - t_loss.item()) < 1e-12
        with gn.no_grad():
            for p in g.parameters():
                p -= 0.5 * p.grad
        with torch.no_grad():
            for p in t.parameters():
                p -= 0.5 * p.grad
    for k, v in t.state_dict().items():
        np.testing.assert_allclose(g.state_dict()[k].numpy(), v.numpy(), rtol=1e-10, atol=1e-12)


# ---- Dropout --------------------------------------------------------------------------------
def test_dropout_statistics_scaling_and_eval():
    p = 0.3
    drop = nn.Dropout(p)
    x = gn.ones(200, 500)
    out = drop(x)
    zero = out.numpy() == 0
    n = zero.size
    assert abs(zero.mean() - p) < 4 * np.sqrt(p * (1 - p) / n)  # binomial, 4 sigma
    np.testing.assert_allclose(out.numpy()[~zero], 1 / (1 - p), rtol=1e-6)
    assert abs(out.numpy().mean() - 1) < 0.01  # expected value kept
    assert out.dtype == np.float32
    drop.eval()
    assert drop(x) is x
    assert F.dropout(x, p, training=False) is x
    assert F.dropout(x, 0.0) is x
    assert not F.dropout(x, 1.0).numpy().any()
    with pytest.raises(ValueError, match="between 0 and 1, but got 1.5"):
        nn.Dropout(1.5)
    with pytest.raises(ValueError, match="between 0 and 1"):
        F.dropout(x, -0.1)


def test_dropout_is_seeded_and_its_gradient_is_the_mask():
    x = gn.randn(50, 40, requires_grad=True)
    gn.manual_seed(7)
    a = F.dropout(x, 0.5)
    gn.manual_seed(7)
    b = F.dropout(x, 0.5)
    np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
    c = F.dropout(x, 0.5, generator=np.random.default_rng(7))
    np.testing.assert_array_equal(a.detach().numpy(), c.detach().numpy())
    a.sum().backward()
    kept = a.detach().numpy() != 0
    np.testing.assert_allclose(x.grad.numpy(), np.where(kept, 2.0, 0.0))


# ---- gradient clipping ---------------------------------------------------------------------
@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, float("inf")])
@pytest.mark.parametrize("max_norm", [0.5, 1e3])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_clip_grad_norm_matches_torch(torch, norm_type, max_norm, dtype):
    rng = np.random.default_rng(2)
    grads = [rng.standard_normal(s).astype(dtype) for s in [(3, 4), (4,), (2, 2, 2)]]
    ps = [nn.Parameter(gn.zeros(*g.shape, dtype=dtype)) for g in grads]
    tps = [torch.nn.Parameter(torch.zeros(g.shape, dtype=torch.from_numpy(g).dtype)) for g in grads]
    for p, tp, g in zip(ps, tps, grads):
        p.grad = gn.tensor(g)
        tp.grad = torch.from_numpy(g.copy())
    ps.append(nn.Parameter(gn.zeros(2, dtype=dtype)))  # no grad: skipped
    total = nn.utils.clip_grad_norm_(ps, max_norm, norm_type)
    t_total = torch.nn.utils.clip_grad_norm_(tps, max_norm, norm_type)
    tol = TOL[dtype]
    assert total.dtype == dtype
    np.testing.assert_allclose(total.item(), t_total.item(), rtol=tol)
    for p, tp in zip(ps, tps):
        np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), rtol=tol, atol=tol)


def test_clip_grad_value_and_edge_cases(torch):
    g = np.array([[-3.0, 0.5], [2.0, -0.1]])
    p, tp = (
        nn.Parameter(gn.zeros(2, 2, dtype=np.float64)),
        torch.nn.Parameter(torch.zeros(2, 2, dtype=torch.float64)),
    )
    p.grad, tp.grad = gn.tensor(g), torch.from_numpy(g.copy())
    nn.utils.clip_grad_value_(p, 1.0)
    torch.nn.utils.clip_grad_value_(tp, 1.0)
    np.testing.assert_array_equal(p.grad.numpy(), tp.grad.numpy())
    assert nn.utils.clip_grad_norm_([nn.Parameter(gn.zeros(2))], 1.0).item() == 0.0
    p.grad = gn.tensor([np.nan, 1.0], dtype=np.float64)
    with pytest.raises(RuntimeError, match="total norm"):
        nn.utils.clip_grad_norm_(p, 1.0, error_if_nonfinite=True)
    assert gn.nn.utils.clip_grad_norm_ is nn.utils.clip_grad_norm_
