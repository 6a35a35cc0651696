"""PyTorch's API surface that tutorials use, checked against torch itself:
devices and torch.cuda, dtype names and legacy constructors, Size,
torch.utils.data, DataLoader's arguments, topk, narrow, new_*, keyword
names, autograd.Variable, grad_fn names and next_functions."""

import inspect
import pickle

import numpy as np
import pytest
from conftest import need

import glassnet as gn
from glassnet.errors import DeviceError

torch = need("torch")
pytestmark = pytest.mark.torch


# ---- devices ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "args", [("cpu",), ("cpu", 0), ("cuda",), ("cuda", 1), ("cuda:2",), ("mps",), ("cpu:0",)]
)
def test_device_reads_and_prints_as_torch(args):
    d, t = gn.device(*args), torch.device(*args)
    assert (d.type, d.index) == (t.type, t.index)
    assert str(d) == str(t) and repr(d) == repr(t)
    assert gn.device(d) == d and hash(gn.device(*args)) == hash(d)
    assert (d == str(d)) == (t == str(t))  # as PyTorch: a device is not equal to a string


@pytest.mark.parametrize("bad", ["gpu", "cuda:x", "cuda:-1"])
def test_device_rejects_what_torch_rejects(bad):
    with pytest.raises(RuntimeError):
        torch.device(bad)
    with pytest.raises(RuntimeError, match="device"):
        gn.device(bad)


def test_device_is_immutable_and_pickles():
    d = gn.device("cuda", 0)
    with pytest.raises(AttributeError):
        d.index = 1
    assert pickle.loads(pickle.dumps(d)) == d


def test_cuda_and_mps_are_not_available():
    assert gn.cuda.is_available() is torch.cuda.is_available() is False
    assert gn.cuda.device_count() == torch.cuda.device_count() == 0
    assert gn.backends.mps.is_available() is False and gn.backends.mps.is_built() is False
    gn.cuda.manual_seed(0)
    gn.cuda.manual_seed_all(0)
    torch.cuda.manual_seed_all(0)  # torch too: no error without a GPU
    with pytest.raises(DeviceError, match="CPU only"):
        gn.cuda.current_device()


FACTORIES = [
    ("tensor", lambda m, **k: m.tensor([1.0, 2.0], **k)),
    ("zeros", lambda m, **k: m.zeros(2, 3, **k)),
    ("ones", lambda m, **k: m.ones((2, 3), **k)),
    ("empty", lambda m, **k: m.empty(2, **k)),
    ("full", lambda m, **k: m.full((2,), 3.0, **k)),
    ("arange", lambda m, **k: m.arange(5, **k)),
    ("linspace", lambda m, **k: m.linspace(0, 1, 5, **k)),
    ("eye", lambda m, **k: m.eye(3, **k)),
    ("rand", lambda m, **k: m.rand(2, 3, **k)),
    ("randn", lambda m, **k: m.randn(2, 3, **k)),
    ("randint", lambda m, **k: m.randint(0, 5, (3,), **k)),
    ("randperm", lambda m, **k: m.randperm(4, **k)),
    ("zeros_like", lambda m, **k: m.zeros_like(m.ones(2), **k)),
    ("ones_like", lambda m, **k: m.ones_like(m.ones(2), **k)),
    ("empty_like", lambda m, **k: m.empty_like(m.ones(2), **k)),
    ("full_like", lambda m, **k: m.full_like(m.ones(2), 7.0, **k)),
    ("rand_like", lambda m, **k: m.rand_like(m.ones(2), **k)),
    ("randn_like", lambda m, **k: m.randn_like(m.ones(2), **k)),
    ("as_tensor", lambda m, **k: m.as_tensor([1, 2], **k)),
]


@pytest.mark.parametrize("name,make", FACTORIES, ids=[f[0] for f in FACTORIES])
def test_factories_take_device(name, make):
    for dev in ("cpu", gn.device("cpu"), None):
        t = make(gn, device=dev)
        ref = make(torch, device=str(dev) if dev is not None else None)
        assert tuple(t.shape) == tuple(ref.shape) and str(t.device) == str(ref.device) == "cpu"
        assert t.dtype == np.dtype(str(ref.dtype).removeprefix("torch."))
    with pytest.raises(DeviceError, match=rf"{name}: device 'cuda' is not available.*CPU only"):
        make(gn, device="cuda")


def test_tensor_device_to_cpu_and_cuda():
    x = gn.ones(2, 3)
    assert x.device == gn.device("cpu") and str(x.device) == "cpu" and x.is_cuda is False
    assert repr(x.device) == repr(torch.ones(1).device)
    dev = gn.device("cuda" if gn.cuda.is_available() else "cpu")
    assert x.to(dev) is x and x.to("cpu") is x and x.cpu() is x
    assert x.to(dev, non_blocking=True) is x
    assert x.to(dev, gn.float64).dtype == gn.float64
    assert x.to(device="cpu", dtype=gn.long).dtype == gn.int64
    assert x.to(gn.ones(1, dtype=gn.float64)).dtype == gn.float64
    y = x.to(gn.float32, copy=True)
    assert y is not x and np.array_equal(y.numpy(), x.numpy())
    for call in (
        lambda: x.to("cuda"),
        lambda: x.to(gn.device("cuda", 0)),
        lambda: x.cuda(),
        lambda: x.to("mps"),
    ):
        with pytest.raises(DeviceError, match="CPU only"):
            call()
    # the same calls in torch (CPU build): cuda fails there too
    t = torch.ones(2, 3)
    assert t.to("cpu") is t and t.to(torch.device("cpu"), non_blocking=True) is t
    assert t.to(torch.ones(1, dtype=torch.float64)).dtype == torch.float64


def test_module_to_device():
    m = gn.nn.Linear(2, 3)
    assert m.to(gn.device("cpu")) is m and m.to("cpu", non_blocking=True) is m and m.cpu() is m
    assert m.to(gn.device("cpu"), gn.float64).weight.dtype == gn.float64
    assert m.to(gn.ones(1)).weight.dtype == gn.float32
    with pytest.raises(DeviceError, match="Linear.to: device 'cuda:0'"):
        m.to("cuda:0")
    with pytest.raises(DeviceError, match="Linear.cuda"):
        m.cuda()


# ---- dtypes -----------------------------------------------------------------------------
ALIASES = [
    "float",
    "double",
    "half",
    "long",
    "int",
    "short",
    "bool",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint8",
    "float16",
    "float32",
    "float64",
]


@pytest.mark.parametrize("name", ALIASES)
def test_dtype_names_are_torch_s(name):
    assert getattr(gn, name) == np.dtype(str(getattr(torch, name)).removeprefix("torch."))
    t = torch.zeros(2, dtype=getattr(torch, name))
    assert gn.zeros(2, dtype=getattr(gn, name)).dtype.name == str(t.dtype).removeprefix("torch.")


@pytest.mark.parametrize(
    "method", ["float", "double", "half", "long", "int", "short", "char", "byte", "bool"]
)
def test_cast_methods_and_type(method):
    t = getattr(torch.tensor([0.0, 1.5, -2.0]), method)()
    x = getattr(gn.tensor([0.0, 1.5, -2.0]), method)()
    assert x.dtype.name == str(t.dtype).removeprefix("torch.")
    np.testing.assert_array_equal(x.numpy(), t.numpy())
    assert x.type() == t.type().replace("torch.", "glassnet.")


def test_type_casts_as_torch():
    x, t = gn.zeros(2), torch.zeros(2)
    assert x.type(gn.float64).dtype == gn.float64 and t.type(torch.float64).dtype == torch.float64
    assert x.type(gn.LongTensor).dtype == gn.int64 and t.type(torch.LongTensor).dtype == torch.int64
    assert x.type("torch.DoubleTensor").dtype == gn.float64
    assert x.type(gn.float32) is x and t.type(torch.float32) is t
    with pytest.raises(TypeError, match="unknown tensor type"):
        x.type("torch.NoSuchTensor")


LEGACY = [
    "FloatTensor",
    "DoubleTensor",
    "LongTensor",
    "IntTensor",
    "BoolTensor",
    "ByteTensor",
    "HalfTensor",
    "ShortTensor",
    "CharTensor",
]


@pytest.mark.parametrize("name", LEGACY)
@pytest.mark.parametrize(
    "args",
    [(2, 3), ([1, 0, 2],), ((2, 3),), (), ("size",)],
    ids=["sizes", "list", "tuple-is-data", "empty", "Size"],
)
def test_legacy_constructors(name, args):
    if args == ("size",):
        g, t = getattr(gn, name)(gn.Size([2, 4])), getattr(torch, name)(torch.Size([2, 4]))
    else:
        g, t = getattr(gn, name)(*args), getattr(torch, name)(*args)
    assert isinstance(g, gn.Tensor) and isinstance(g, getattr(gn, name))
    assert tuple(g.shape) == tuple(t.shape) and g.dtype.name == str(t.dtype)[6:]
    if args and isinstance(args[0], (list, tuple)):
        np.testing.assert_array_equal(g.numpy(), t.numpy())


def test_legacy_isinstance_checks_the_dtype_as_torch():
    assert isinstance(gn.zeros(2), gn.FloatTensor) == isinstance(torch.zeros(2), torch.FloatTensor)
    assert isinstance(gn.zeros(2), gn.LongTensor) == isinstance(torch.zeros(2), torch.LongTensor)
    assert not isinstance(np.zeros(2, np.float32), gn.FloatTensor)
    x = gn.zeros(2)
    assert gn.FloatTensor(x) is x
    with pytest.raises(TypeError, match="float32"):
        gn.FloatTensor(gn.zeros(2, dtype=gn.long))
    with pytest.raises(DeviceError):
        gn.FloatTensor(2, device="cuda")


# ---- Size -----------------------------------------------------------------------------
def test_size_as_torch():
    x, t = gn.zeros(2, 3, 4), torch.zeros(2, 3, 4)
    for g, ref in (
        (x.shape, t.shape),
        (x.size(), t.size()),
        (x.shape[1:], t.shape[1:]),
        (x.shape + (5,), t.shape + (5,)),
        (gn.zeros(()).shape, torch.zeros(()).shape),
    ):
        assert isinstance(g, gn.Size) and isinstance(g, tuple) and g == tuple(ref)
        assert repr(g) == repr(ref).replace("torch.", "glassnet.")
        assert str(g) == str(ref).replace("torch.", "glassnet.")
        assert g.numel() == ref.numel()
    assert x.shape[0] == 2 and x.size(1) == 3 and x.shape == (2, 3, 4)
    assert f"{x.shape}" == "(2, 3, 4)"  # error messages show shapes as tuples
    assert gn.Size([2, 3]) == torch.Size([2, 3]) and hash(gn.Size([2])) == hash((2,))
    assert pickle.loads(pickle.dumps(x.shape)) == x.shape


# ---- torch.utils.data -----------------------------------------------------------------
def test_utils_data_is_glassnet_data():
    import glassnet.utils.data as utils_data
    from glassnet.utils.data import DataLoader, Dataset, Subset, TensorDataset, random_split

    assert gn.utils.data is utils_data
    assert (DataLoader, Dataset, Subset, TensorDataset, random_split) == (
        gn.data.DataLoader,
        gn.data.Dataset,
        gn.data.Subset,
        gn.data.TensorDataset,
        gn.data.random_split,
    )
    assert set(utils_data.__all__) <= set(dir(torch.utils.data))


def test_dataloader_takes_torch_s_arguments():
    from glassnet.utils.data import DataLoader, TensorDataset

    ds = TensorDataset(gn.arange(10.0), gn.arange(10))
    kwargs = dict(
        batch_size=4,
        num_workers=2,
        pin_memory=True,
        persistent_workers=True,
        prefetch_factor=2,
        worker_init_fn=lambda i: None,
        timeout=5,
        drop_last=True,
        collate_fn=None,
    )
    loader = DataLoader(ds, shuffle=True, generator=np.random.default_rng(0), **kwargs)
    batches = list(loader)
    assert len(loader) == len(batches) == 2 and all(len(b[0]) == 4 for b in batches)
    tds = torch.utils.data.TensorDataset(torch.arange(10.0), torch.arange(10))
    tloader = torch.utils.data.DataLoader(tds, sampler=[9, 8, 7, 6, 5], batch_size=2)
    loader = DataLoader(ds, sampler=[9, 8, 7, 6, 5], batch_size=2)
    assert len(loader) == len(tloader) == 3
    for g, t in zip(loader, tloader):
        np.testing.assert_array_equal(g[0].numpy(), t[0].numpy())
    with pytest.raises(ValueError, match="mutually exclusive"):
        DataLoader(ds, sampler=[0], shuffle=True)
    with pytest.raises(ValueError, match="num_workers"):
        DataLoader(ds, num_workers=-1)
    names = set(inspect.signature(torch.utils.data.DataLoader.__init__).parameters)
    assert names == set(inspect.signature(DataLoader.__init__).parameters)


# ---- topk, narrow, new_* ----------------------------------------------------------------
@pytest.mark.parametrize(
    "k,dim,largest", [(2, -1, True), (1, 0, True), (3, 1, False), (0, 1, True), (4, 1, False)]
)
def test_topk_matches_torch(k, dim, largest):
    rng = np.random.default_rng(k)
    a = rng.standard_normal((3, 4))
    x = gn.tensor(a, requires_grad=True)
    t = torch.tensor(a, requires_grad=True)
    got, ref = x.topk(k, dim, largest=largest), t.topk(k, dim, largest=largest)
    np.testing.assert_allclose(got.values.detach().numpy(), ref.values.detach().numpy())
    np.testing.assert_array_equal(got.indices.numpy(), ref.indices.numpy())
    assert got.indices.dtype == gn.int64 and got[0] is got.values
    g = rng.standard_normal(ref.values.shape)
    (got.values * gn.tensor(g)).sum().backward()
    (ref.values * torch.tensor(g)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy())
    v, i = gn.topk(x, k, dim=dim, largest=largest)
    np.testing.assert_array_equal(i.numpy(), ref.indices.numpy())


def test_topk_errors():
    with pytest.raises(IndexError, match="topk: k=5 is out of range for dim -1 of size 4"):
        gn.zeros(3, 4).topk(5)


@pytest.mark.parametrize("dim,start,length", [(0, 0, 2), (1, 1, 3), (1, -2, 2), (-1, 4, 0)])
def test_narrow_matches_torch(dim, start, length):
    a = np.arange(12.0).reshape(3, 4)
    x, t = gn.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    got, ref = x.narrow(dim, start, length), t.narrow(dim, start, length)
    np.testing.assert_array_equal(got.detach().numpy(), ref.detach().numpy())
    assert np.shares_memory(got.detach().numpy(), x.detach().numpy()) or got.numel() == 0
    assert got.grad_fn.name() == ref.grad_fn.name() == "SliceBackward0"
    (got * 2).sum().backward()
    (ref * 2).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), t.grad.numpy())
    np.testing.assert_array_equal(
        gn.narrow(x, dim, start, length).detach().numpy(),
        torch.narrow(t, dim, start, length).detach().numpy(),
    )
    with pytest.raises(IndexError, match="narrow: start 3 and length 5"):
        x.narrow(1, 3, 5)


@pytest.mark.parametrize("dtype", ["float64", "int64", "float32"])
def test_new_factories_follow_self_as_torch(dtype):
    x = gn.zeros(2, dtype=getattr(gn, dtype))
    t = torch.zeros(2, dtype=getattr(torch, dtype))
    calls = [
        ("new_zeros", (2, 3), {}),
        ("new_zeros", ((2, 3),), {}),
        ("new_ones", (3,), {}),
        ("new_full", ((2,), 3), {}),
        ("new_empty", ((0,),), {}),
        ("new_tensor", ([1, 2],), {}),
        ("new_tensor", ([1.5],), {}),
        ("new_ones", (2,), {"dtype": "long"}),
        ("new_zeros", (2,), {"requires_grad": True}),
    ]
    for name, args, kw in calls:
        gkw = {k: getattr(gn, v) if k == "dtype" else v for k, v in kw.items()}
        tkw = {k: getattr(torch, v) if k == "dtype" else v for k, v in kw.items()}
        if "requires_grad" in kw and dtype == "int64":
            continue
        g, r = getattr(x, name)(*args, **gkw), getattr(t, name)(*args, **tkw)
        assert tuple(g.shape) == tuple(r.shape) and g.dtype.name == str(r.dtype)[6:], name
        assert g.requires_grad == r.requires_grad
        if name != "new_empty":
            np.testing.assert_array_equal(g.detach().numpy(), r.detach().numpy())
    with pytest.raises(DeviceError):
        x.new_zeros(2, device="cuda")


# ---- keyword names ---------------------------------------------------------------------
def test_keyword_names_are_torch_s():
    a, b = np.ones((2, 3)), np.ones((3, 2))
    for mod in (gn, torch):
        x, y = mod.tensor(a), mod.tensor(b)
        assert tuple(mod.matmul(input=x, other=y).shape) == (2, 2)
        assert tuple(mod.mm(input=x, mat2=y).shape) == (2, 2)
        assert tuple(mod.add(input=x, other=x, alpha=2).shape) == (2, 3)
        assert tuple(mod.sum(input=x, dim=1, keepdim=True).shape) == (2, 1)
        assert tuple(mod.gather(input=x, dim=1, index=mod.zeros(2, 1, dtype=mod.long)).shape) == (
            2,
            1,
        )
        assert tuple(mod.where(x > 0, input=x, other=x).shape) == (2, 3)
        assert tuple(mod.clamp(input=x, min=0, max=1).shape) == (2, 3)
        assert tuple(mod.transpose(input=x, dim0=0, dim1=1).shape) == (3, 2)
        assert mod.equal(input=x, other=x) and mod.allclose(input=x, other=x)


# ---- autograd.Variable, grad_fn names -----------------------------------------------------
def test_variable_as_torch():
    from torch.autograd import Variable as TV

    for V, mod in ((gn.autograd.Variable, gn), (TV, torch)):
        x = mod.ones(2)
        v = V(x, requires_grad=True)
        assert isinstance(v, mod.Tensor) and v.requires_grad and v.is_leaf and not x.requires_grad
        assert not V(x).requires_grad
        with pytest.raises(TypeError):
            V([1.0, 2.0])


def _graphs(m, F):
    x = m.tensor(np.linspace(0.1, 1.2, 12).reshape(3, 4), requires_grad=True)
    w = m.tensor(np.ones((5, 4)), requires_grad=True)
    v = m.tensor(np.ones(4), requires_grad=True)
    tgt = m.tensor([0, 1, 2])
    return {
        "add": x + x,
        "sub": x - 1,
        "mul": x * 2,
        "div": x / 2,
        "pow": x**2,
        "rpow": 2**x,
        "powt": x**x,
        "maximum": m.maximum(x, x),
        "neg": -x,
        "exp": x.exp(),
        "log": x.log(),
        "sqrt": x.sqrt(),
        "abs": x.abs(),
        "sin": x.sin(),
        "cos": x.cos(),
        "tanh": x.tanh(),
        "clamp": x.clamp(0, 1),
        "clamp_t": x.clamp(m.zeros(4, dtype=m.float64)),
        "where": m.where(x > 0, x, x),
        "cast": x.float(),
        "clone": x.clone(),
        "sum": x.sum(),
        "sum_dim": x.sum(0),
        "mean": x.mean(),
        "mean_dim": x.mean(1),
        "var": x.var(),
        "std": x.std(0),
        "amax": x.amax(0),
        "amin": x.amin(0),
        "max_dim": x.max(0)[0],
        "min_dim": x.min(1)[0],
        "max": x.max(),
        "min": x.min(),
        "logsumexp": x.logsumexp(0),
        "reshape": x.reshape(12),
        "view": x.view(12),
        "unsqueeze": x.unsqueeze(0),
        "permute": x.permute(1, 0),
        "transpose": x.transpose(0, 1),
        "t": x.t(),
        "expand": x[None].expand(2, 3, 4),
        "cat": m.cat([x, x]),
        "stack": m.stack([x, x]),
        "pad": (F.pad if hasattr(F, "pad") else gn.pad)(x, (1, 1)),
        "select": x[0],
        "slice": x[1:],
        "select2": x[:, 0],
        "index": x[m.tensor([0, 1])],
        "mask": x[x > 0],
        "gather": x.gather(1, m.zeros(3, 1, dtype=m.long)),
        "narrow": x.narrow(1, 0, 2),
        "topk": x.topk(2)[0],
        "mm": x @ w.t(),
        "mv": x @ v,
        "dot": v @ v,
        "bmm": x[None] @ w.t()[None],
        "linear": F.linear(x, w, m.ones(5, dtype=m.float64)),
        "linear_nobias": F.linear(x, w),
        "linear_3d": F.linear(x[None], w, m.ones(5, dtype=m.float64)),
        "sigmoid": x.sigmoid(),
        "relu": x.relu(),
        "leaky_relu": F.leaky_relu(x),
        "elu": F.elu(x),
        "gelu": F.gelu(x),
        "softplus": F.softplus(x),
        "softmax": x.softmax(1),
        "log_softmax": x.log_softmax(1),
        "cross_entropy": F.cross_entropy(x, tgt),
        "nll": F.nll_loss(x, tgt),
        "bce": F.binary_cross_entropy(x.sigmoid(), m.ones(3, 4, dtype=m.float64)),
        "bce_logits": F.binary_cross_entropy_with_logits(x, m.ones(3, 4, dtype=m.float64)),
        "mse": F.mse_loss(x, m.ones(3, 4, dtype=m.float64)),
        "embedding": F.embedding(tgt, w),
    }


def test_grad_fn_names_are_torch_s():
    got = {k: y.grad_fn.name() for k, y in _graphs(gn, gn.nn.functional).items()}
    ref = {k: y.grad_fn.name() for k, y in _graphs(torch, torch.nn.functional).items()}
    assert got == ref
    y = gn.ones(2, requires_grad=True) * 2
    assert repr(y).endswith("grad_fn=<MulBackward0>)")


def test_next_functions_as_torch():
    def names(y):
        return [(f.name() if f is not None else None, i) for f, i in y.grad_fn.next_functions]

    for make in (
        lambda m, x: (x * m.ones(2) + m.ones(2)).sum(),
        lambda m, x: (x - x).exp(),
        lambda m, x: m.cat([x, x]),
    ):
        xs = gn.ones(2, requires_grad=True), torch.ones(2, requires_grad=True)
        g, t = make(gn, xs[0]), make(torch, xs[1])
        assert names(g) == names(t)
        while g.grad_fn.next_functions[0][0].name() != "torch::autograd::AccumulateGrad":
            g, t = g.grad_fn.next_functions[0][0], t.grad_fn.next_functions[0][0]
            assert [n for n, _ in names_of(g)] == [n for n, _ in names_of(t)]
            g = _Node(g)
            t = _Node(t)
        acc = g.grad_fn.next_functions[0][0]
        assert acc.variable is xs[0] and acc.next_functions == ()


def names_of(node):
    return [(f.name() if f is not None else None, i) for f, i in node.next_functions]


class _Node:
    """A node held like a tensor (``.grad_fn``) so the walk above reads both alike."""

    def __init__(self, node):
        self.grad_fn = node


@pytest.mark.parametrize(
    "shifts, dims",
    [(1, None), (-7, None), ((3,), None), (2, 1), (-1, -1), ((1, -2), (0, 2)), ((5, 5), (1, 1))],
)
def test_roll_matches_torch(shifts, dims):
    x = np.random.default_rng(0).standard_normal((2, 3, 4))
    w = np.random.default_rng(1).standard_normal((2, 3, 4))
    a, b = gn.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out_a, out_b = gn.roll(a, shifts, dims), torch.roll(b, shifts, dims)
    np.testing.assert_array_equal(np.asarray(out_a.detach()), out_b.detach().numpy())
    (out_a * gn.tensor(w)).sum().backward()
    (out_b * torch.tensor(w)).sum().backward()
    np.testing.assert_array_equal(np.asarray(a.grad), b.grad.numpy())
    assert out_a.grad_fn.name() == out_b.grad_fn.name() == "RollBackward0"
    assert np.array_equal(np.asarray(a.roll(shifts, dims).detach()), out_b.detach().numpy())


def test_roll_errors():
    x = gn.zeros(2, 3)
    with pytest.raises(ValueError, match="2 shifts for 1 dims"):
        gn.roll(x, (1, 2), 0)
    with pytest.raises(ValueError, match="without dims, shifts must be one number"):
        gn.roll(x, (1, 2))
