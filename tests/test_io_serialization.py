"""glassnet.io.save / load: state dicts and whole training checkpoints in
safetensors, without pickle; load(save(x)) == x with Python types kept, and
state dicts move to and from PyTorch."""

import json
import math

import numpy as np
import pytest
from conftest import need

import glassnet as gn
from glassnet.io import FormatError, load, save
from glassnet.io import safetensors as st

SAFETENSORS_HINT = "pip install safetensors (or pip install -e '.[test]')"


def assert_same(got, want, where="x"):
    """Deep equality that also checks types: int is not float, tuple is not
    list, Tensor is not ndarray, np.float32 is not float; NaN equals NaN."""
    assert type(got) is (gn.Tensor if isinstance(want, gn.Tensor) else type(want)) or (
        isinstance(want, dict) and type(got) is dict
    ), f"{where}: {type(got)} != {type(want)}"
    if isinstance(want, gn.Tensor):
        assert got.is_leaf and not got.requires_grad, where
        got, want = np.asarray(got), np.asarray(want)
    if isinstance(want, np.ndarray):
        assert got.dtype == want.dtype and got.shape == want.shape, where
        assert np.array_equal(got, want, equal_nan=want.dtype.kind in "fc"), where
    elif isinstance(want, dict):
        assert list(got) == list(want), where
        for (kg, vg), (kw, vw) in zip(got.items(), want.items()):
            assert_same(kg, kw, f"{where} key")
            assert_same(vg, vw, f"{where}[{kw!r}]")
    elif isinstance(want, (list, tuple)):
        assert len(got) == len(want), where
        for i, (g, w) in enumerate(zip(got, want)):
            assert_same(g, w, f"{where}[{i}]")
    elif isinstance(want, (float, np.floating)) and math.isnan(want):
        assert math.isnan(got), where
    else:
        assert got == want, where
        if isinstance(want, float):
            assert math.copysign(1, got) == math.copysign(1, want), where


def round_trip(obj, tmp_path, name="ck.safetensors"):
    path = tmp_path / name
    save(obj, path)
    return load(path)


def state_dict(seed=0):
    rng = np.random.default_rng(seed)
    return {
        "0.weight": gn.tensor(rng.normal(size=(4, 2)).astype(np.float32)),
        "0.bias": gn.tensor(np.zeros(4, np.float32)),
        "2.weight": gn.tensor(rng.normal(size=(1, 4)).astype(np.float32)),
        "2.bias": gn.tensor(np.float32([0.5])),
        "bn.num_batches_tracked": gn.tensor(np.int64(7)),
    }


def checkpoint():
    sd = state_dict()
    rng = np.random.default_rng(3)
    gn.manual_seed(11)
    gn.randn(5)  # move the generator off its seed
    return {
        "model": sd,
        "optimizer": {
            "state": {
                0: {
                    "step": 20,
                    "exp_avg": rng.normal(size=(4, 2)),
                    "exp_avg_sq": rng.random((4, 2)),
                },
                3: {"step": 20.0, "momentum_buffer": None},
            },
            "param_groups": [
                {
                    "lr": 1e-3,
                    "betas": (0.9, 0.999),
                    "eps": 1e-8,
                    "weight_decay": 0,
                    "amsgrad": False,
                    "foreach": None,
                    "params": [0, 1, 2, 3],
                    "name": "body",
                }
            ],
        },
        "scheduler": {
            "best": float("inf"),
            "mode": "min",
            "num_bad_epochs": 0,
            "last_epoch": 4,
            "_last_lr": [0.001],
            "eps": 1e-8,
            "mode_worse": float("-inf"),
        },
        "rng": gn.get_rng_state(),
        "numpy_rng": np.random.Generator(np.random.MT19937(5)).bit_generator.state,
        "epoch": 4,
        "history": {
            "loss": [0.9, 0.5, 0.25, 0.125],
            "val_loss": [1.0, 0.75, float("nan"), 0.5],
            "accuracy": [0.5, 0.75, 1.0, 1.0],
        },
    }


def test_state_dict_of_tensors_comes_back_as_leaf_tensors(tmp_path):
    sd = state_dict()
    sd["0.weight"].requires_grad_(True)  # as a Parameter would
    got = round_trip(sd, tmp_path)
    assert list(got) == list(sd)
    for k in sd:
        assert isinstance(got[k], gn.Tensor) and got[k].is_leaf and not got[k].requires_grad
        assert got[k].dtype == sd[k].dtype and np.array_equal(np.asarray(got[k]), np.asarray(sd[k]))


def test_state_dict_file_is_plain_safetensors_with_path_names(tmp_path):
    save(state_dict(), tmp_path / "m.safetensors")
    arrays, meta = st.read_file(tmp_path / "m.safetensors")
    # (the file's order is the safetensors library's; gn.load restores the dict's)
    assert sorted(arrays) == sorted(state_dict()) and meta["format"] == "pt"
    assert json.loads(meta["glassnet"])["version"] == 1


def test_ndarrays_stay_ndarrays(tmp_path):
    sd = {k: np.asarray(v) for k, v in state_dict().items()}
    assert_same(round_trip(sd, tmp_path), sd)


def test_training_checkpoint_round_trips_exactly(tmp_path):
    ck = checkpoint()
    got = round_trip(ck, tmp_path)
    assert_same(got, ck)
    assert got["rng"]["state"]["state"] == ck["rng"]["state"]["state"] > 2**64
    assert got["numpy_rng"]["state"]["key"].dtype == np.uint32


def test_checkpoint_tensor_names_are_paths(tmp_path):
    save(checkpoint(), tmp_path / "ck.safetensors")
    names = set(st.load_file(tmp_path / "ck.safetensors"))
    assert names == {
        "model.0.weight",
        "model.0.bias",
        "model.2.weight",
        "model.2.bias",
        "model.bn.num_batches_tracked",
        "optimizer.state.0.exp_avg",
        "optimizer.state.0.exp_avg_sq",
        "numpy_rng.state.key",
    }


def test_restored_rng_state_continues_the_same_stream(tmp_path):
    gn.manual_seed(42)
    gn.rand(3)
    save({"rng": gn.get_rng_state()}, tmp_path / "r.safetensors")
    expected = np.asarray(gn.randn(6))
    gn.manual_seed(0)
    gn.set_rng_state(load(tmp_path / "r.safetensors")["rng"])
    assert np.array_equal(np.asarray(gn.randn(6)), expected)

    g = np.random.Generator(np.random.MT19937(9))
    g.random(3)
    save(g.bit_generator.state, tmp_path / "mt.safetensors")
    expected = g.random(4)
    h = np.random.Generator(np.random.MT19937(0))
    h.bit_generator.state = load(tmp_path / "mt.safetensors")
    assert np.array_equal(h.random(4), expected)


def test_python_and_numpy_types_are_kept(tmp_path):
    obj = {
        "ints": [0, -1, 2**63, 2**64 + 1, -(2**100), 10**5000],
        "floats": [0.1, -0.0, 1e308, 5e-324, float("inf"), float("-inf"), float("nan"), 1.0],
        "bools": [True, False],
        "none": None,
        "text": "权重 ✓",
        "empty": [[], {}, ()],
        "tuples": (1, (2.0, "3"), [4]),
        "keys": {0: "int", 1.5: "float", None: "none", (1, 2): "tuple", "s": "str", True: "bool"},
        "$dollar": {"$$two": 1, "$tensor": "not a tag"},
        "$only": 1,
        "numpy": [
            np.float32(0.1),
            np.float64(0.2),
            np.float16(1.5),
            np.int64(-3),
            np.uint64(2**64 - 1),
            np.int8(-128),
            np.bool_(True),
        ],
        "arrays": (np.arange(3), np.array(1.5), np.zeros((2, 0)), gn.tensor(3.0)),
    }
    got = round_trip(obj, tmp_path)
    assert_same(got, obj)


def test_shared_arrays_are_stored_once_and_stay_shared(tmp_path):
    w = gn.tensor(np.ones((2, 2), np.float32))
    a = np.arange(4.0)
    got = round_trip({"encoder": w, "decoder": w, "x": [a, a]}, tmp_path)
    assert got["encoder"] is got["decoder"] and got["x"][0] is got["x"][1]
    assert sorted(st.load_file(tmp_path / "ck.safetensors")) == ["encoder", "x.0"]


def test_colliding_paths_get_distinct_names(tmp_path):
    obj = {"a.b": np.zeros(1), "a": {"b": np.ones(1)}, "": np.full(1, 2.0)}
    assert_same(round_trip(obj, tmp_path), obj)
    assert sorted(st.load_file(tmp_path / "ck.safetensors")) == ["", "a.b", "a.b#2"]


def test_bare_array_and_scalars_at_top_level(tmp_path):
    for obj in [np.arange(3.0), gn.tensor([1, 2]), 3, "x", None, [1.5]]:
        assert_same(round_trip(obj, tmp_path), obj)
    assert list(st.load_file(tmp_path / "ck.safetensors")) == []


# ---- PyTorch --------------------------------------------------------------
def test_gn_save_loads_in_torch_and_torch_files_load_in_gn(tmp_path, torch):
    stt = need("safetensors.torch", SAFETENSORS_HINT)
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.ReLU(), torch.nn.Linear(4, 1))
    sd = {k: v for k, v in state_dict().items() if not k.startswith("bn.")}
    save(sd, tmp_path / "gn.safetensors")
    net.load_state_dict(stt.load_file(str(tmp_path / "gn.safetensors")), strict=True)
    for k, v in net.state_dict().items():
        assert np.array_equal(v.numpy(), np.asarray(sd[k]))

    net2 = torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.ReLU(), torch.nn.Linear(4, 1))
    stt.save_file(net2.state_dict(), str(tmp_path / "torch.safetensors"))
    got = load(tmp_path / "torch.safetensors")
    assert set(got) == set(net2.state_dict())
    for k, v in net2.state_dict().items():
        assert isinstance(got[k], gn.Tensor) and not got[k].requires_grad
        assert np.array_equal(np.asarray(got[k]), v.numpy())


def test_torch_optimizer_and_scheduler_state_dicts_round_trip(tmp_path, torch):
    """The real PyTorch layouts (Adam with amsgrad, SGD with momentum,
    ReduceLROnPlateau, StepLR), with tensors turned into ndarrays."""
    torch.manual_seed(0)
    w = torch.nn.Parameter(torch.randn(3, 2, dtype=torch.float64))
    b = torch.nn.Parameter(torch.randn(3, dtype=torch.float64))
    adam = torch.optim.Adam([w, b], lr=0.01, amsgrad=True)
    sgd = torch.optim.SGD([{"params": [w]}, {"params": [b], "lr": 0.5}], lr=0.1, momentum=0.9)
    plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(adam)
    step = torch.optim.lr_scheduler.StepLR(sgd, step_size=2)
    for _ in range(3):
        for opt in (adam, sgd):
            opt.zero_grad()
            ((w.sum(0) ** 2).sum() + b.sum()).backward()
            opt.step()
        plateau.step(1.0)
        step.step()

    def to_numpy(x):
        if isinstance(x, torch.Tensor):
            return x.detach().numpy()
        if isinstance(x, dict):
            return {k: to_numpy(v) for k, v in x.items()}
        if isinstance(x, (list, tuple)):
            return type(x)(to_numpy(v) for v in x)
        return x

    ck = {
        name: to_numpy(obj.state_dict())
        for name, obj in [("adam", adam), ("sgd", sgd), ("plateau", plateau), ("step", step)]
    }
    assert_same(round_trip(ck, tmp_path), ck)


# ---- what cannot be saved -------------------------------------------------
class FakeModule:
    def state_dict(self):
        return {}


@pytest.mark.parametrize(
    "obj, message",
    [
        (
            {"scheduler": {"lr_lambdas": [lambda e: 0.9**e]}},
            r"\['scheduler'\]\['lr_lambdas'\]\[0\], a function",
        ),
        ({"seen": {1, 2}}, r"\['seen'\], a set"),
        ({"model": FakeModule()}, r"a FakeModule .*save its \.state_dict\(\) instead"),
        ({"x": [1 + 2j]}, r"\['x'\]\[0\], a complex"),
        ({"x": np.longdouble(1)}, r"\['x'\], a longdouble"),
        ({"key": {np.zeros(1).tobytes(): 1}}, r"a bytes"),
    ],
)
def test_unsupported_values_are_refused_naming_where(tmp_path, obj, message):
    path = tmp_path / "ck.safetensors"
    save({"epoch": 1}, path)
    with pytest.raises(TypeError, match=message):
        save(obj, path)
    assert load(path) == {"epoch": 1}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ck.safetensors"]


def test_object_arrays_are_refused_naming_the_tensor(tmp_path):
    with pytest.raises(TypeError, match="'model.w' has dtype object"):
        save({"model": {"w": np.array([None])}}, tmp_path / "x.safetensors")


# ---- bad files -------------------------------------------------------------
def test_truncated_and_foreign_files_name_the_file(tmp_path):
    path = tmp_path / "ck.safetensors"
    save(checkpoint(), path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(FormatError, match=f"^{path}: .*truncated"):
        load(path)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + data[8:100])
    with pytest.raises(FormatError, match=f"^{path}: .*PNG image"):
        load(path)


BIG = "0x" + "f" * 4000  # an int of 16,000 bits, which Python will not print in decimal


def tampered(tmp_path, tree, tensors=None, version=1):
    path = tmp_path / "t.safetensors"
    doc = tree if isinstance(tree, str) else json.dumps({"version": version, "tree": tree})
    st.save_file(tensors or {}, path, metadata={"glassnet": doc})
    return path


@pytest.mark.parametrize(
    "tree, tensors, version, message",
    [
        ("{not json", None, 1, "'glassnet' metadata is not valid JSON"),
        ('{"version": 1, "tree": 1, "tree": 2}', None, 1, "duplicate key 'tree'"),
        ({"a": 1}, None, 7, "newer glassnet .format version 7"),
        (
            {"a": {"$tensor": "w"}},
            None,
            1,
            r"at \['a'\]: refers to tensor 'w', which the file does not hold",
        ),
        ({"a": 1}, {"w": np.ones(1)}, 1, r"tensor\(s\) \['w'\] are not referred to"),
        ({"a": {"$eval": "print(1)"}}, None, 1, r"at \['a'\]: unknown tag '\$eval'"),
        ({"a": {"$float": "1e3"}}, None, 1, r"bad '\$float' value"),
        ({"a": {"$int": "0xZZ"}}, None, 1, r"bad '\$int' value"),
        ({"a": {"$scalar": ["object", 1]}}, None, 1, "bad NumPy scalar dtype 'object'"),
        ({"a": {"$scalar": ["int8", 1000]}}, None, 1, "does not fit a int8 scalar"),
        ({"a": {"$scalar": ["float32", "1"]}}, None, 1, "bad value '1' for a float32 scalar"),
        ({"a": {"$dict": [[[1], 2]]}}, None, 1, "not hashable"),
        ({"a": {"$dict": [1]}}, None, 1, r"must be \[key, value\]"),
        ({"a": {"$x": 1, "b": 2}}, None, 1, r"misplaced tag '\$x'"),
        # values no error message may print whole: ints of over 4300 digits (were a ValueError)
        (
            {"a": {"$scalar": ["int8", {"$int": BIG}]}},
            None,
            1,
            "value <an int of 16000 bits> does not fit a int8 scalar",
        ),
        (
            {"a": {"$scalar": ["float32", {"$int": BIG}]}},
            None,
            1,
            "bad value <an int of 16000 bits>",
        ),
        (
            {"a": {"$dict": [[[{"$int": BIG}], 1]]}},
            None,
            1,
            "dict key <a list holding an int of over 4300 digits> is not hashable",
        ),
        (
            {"a": {"$dict": [[{"$int": BIG}, {"$eval": 1}]]}},
            None,
            1,
            r"at \['a'\]\[<an int of 16000 bits>\]: unknown tag '\$eval'",
        ),
        # names NumPy would parse (with a warning) or widen: only what save writes
        ({"a": {"$scalar": ["a", 1.0]}}, None, 1, "bad NumPy scalar dtype 'a'"),
        ({"a": {"$scalar": ["longdouble", 1.0]}}, None, 1, "bad NumPy scalar dtype 'longdouble'"),
        (
            {"a": {"$scalar": ["float16", 1e10]}},
            None,
            1,
            "value 10000000000.0 does not fit a float16",
        ),
    ],
    ids=lambda v: str(v)[:40],
)
def test_tampered_glassnet_metadata_gives_clear_errors(tmp_path, tree, tensors, version, message):
    path = tampered(tmp_path, tree, tensors, version)
    with pytest.raises(FormatError, match=message) as info:
        load(path)
    assert str(info.value).startswith(f"{path}: ")


def test_version_must_be_an_int_not_a_bool(tmp_path):
    path = tampered(tmp_path, '{"version": true, "tree": 1}')
    with pytest.raises(FormatError, match="'version' .an int. and 'tree'"):
        load(path)


def nested(depth):
    """``depth`` containers inside one another, the kinds that take the most
    JSON levels (tuples, dicts with tuple keys) alternating, around the leaf
    that takes the most (a NumPy NaN)."""
    obj = np.float32("nan")
    for i in range(depth):
        obj = {(i,): obj} if i % 2 else (obj,)
    return obj


def test_containers_nest_64_deep_and_no_deeper(tmp_path):
    from glassnet.io.tree import MAX_DEPTH

    assert MAX_DEPTH == 64
    assert_same(round_trip(nested(MAX_DEPTH), tmp_path), nested(MAX_DEPTH))
    path = tmp_path / "ck.safetensors"
    with pytest.raises(
        ValueError,
        match=r"save: \[0\]\[\(63,\)\]\[0\].*\.\.\. nests lists/tuples/dicts "
        "more than 64 deep",
    ):
        save([nested(MAX_DEPTH)], path)
    deep = [1]
    for _ in range(5000):
        deep = [deep]
    with pytest.raises(ValueError, match="more than 64 deep"):  # was a RecursionError
        save(deep, path)
    assert_same(load(path), nested(MAX_DEPTH))  # the file before is intact


@pytest.mark.parametrize(
    "doc, message",
    [
        # JSON nested past what save writes: refused before it is parsed (was a RecursionError)
        (
            '{"version": 1, "tree": ' + "[" * 5000 + "]" * 5000 + "}",
            "the 'glassnet' metadata nests arrays/objects more than 196 levels deep",
        ),
        (
            '{"version": 1, "tree": ' + '{"a": ' * 5000 + "1" + "}" * 5000 + "}",
            "more than 196 levels",
        ),
        # within the JSON bound but deeper than save writes: refused while decoding
        (
            '{"version": 1, "tree": ' + "[" * 65 + "]" * 65 + "}",
            r"at \[0\]\[0\]\[0\]\[0\]\[0\]\[0\]\[0\]\[0\]\.\.\.: "
            r"lists/tuples/dicts nested more than 64 deep",
        ),
        (
            '{"version": 1, "tree": ' + '{"$tuple": [' * 65 + "]}" * 65 + "}",
            "nested more than 64 deep",
        ),
    ],
    ids=["lists 5000 deep", "dicts 5000 deep", "lists 65 deep", "tuples 65 deep"],
)
def test_deeply_nested_metadata_is_a_format_error(tmp_path, doc, message):
    path = tampered(tmp_path, doc)
    with pytest.raises(FormatError, match=message) as info:
        load(path)
    assert str(info.value).startswith(f"{path}: ")


def test_files_without_glassnet_metadata_load_as_tensors(tmp_path):
    arrays = {"w": np.ones((2, 2), np.float16), "step": np.array(3)}
    st.save_file(arrays, tmp_path / "plain.safetensors")
    got = load(tmp_path / "plain.safetensors")
    assert list(got) == ["step", "w"]  # the file's order: the library writes int64 before float16
    assert all(isinstance(v, gn.Tensor) for v in got.values())
    assert got["w"].dtype == np.float16 and int(np.asarray(got["step"])) == 3


def test_glassnet_model_and_optimizer_resume_from_a_checkpoint(tmp_path):
    """Model + Adam state saved mid-training and loaded into fresh objects
    continue exactly as the uninterrupted run."""

    def make():
        gn.manual_seed(0)
        net = gn.nn.Sequential(gn.nn.Linear(2, 8), gn.nn.Tanh(), gn.nn.Linear(8, 1))
        return net, gn.optim.Adam(net.parameters(), lr=0.05)

    x = gn.tensor(np.random.default_rng(0).normal(size=(16, 2)).astype(np.float32))
    y = (x * x).sum(1, keepdim=True)

    def train(net, opt, steps):
        for _ in range(steps):
            opt.zero_grad()
            ((net(x) - y) ** 2).mean().backward()
            opt.step()

    net, opt = make()
    train(net, opt, 3)
    save({"model": net.state_dict(), "optimizer": opt.state_dict(), "epoch": 3}, tmp_path / "c")
    train(net, opt, 4)

    net2, opt2 = make()
    ck = load(tmp_path / "c")
    net2.load_state_dict(ck["model"])
    opt2.load_state_dict(ck["optimizer"])
    train(net2, opt2, 7 - ck["epoch"])
    for (k, a), (_, b) in zip(net.state_dict().items(), net2.state_dict().items()):
        assert np.array_equal(np.asarray(a), np.asarray(b)), k


def test_load_takes_torch_loads_keywords(tmp_path):
    """torch.load(path, map_location="cpu", weights_only=True) runs unchanged;
    a GPU map_location is refused naming load, the CPU only."""
    path = tmp_path / "w.st"
    gn.save({"w": gn.tensor([1.0, 2.0])}, path)
    for kwargs in (
        {"weights_only": True},
        {"weights_only": False},
        {"map_location": "cpu"},
        {"map_location": gn.device("cpu"), "weights_only": True, "mmap": False},
    ):
        np.testing.assert_array_equal(np.asarray(gn.load(path, **kwargs)["w"]), [1.0, 2.0])
    with pytest.raises(gn.errors.DeviceError, match="load: device 'cuda' .*CPU only"):
        gn.load(path, map_location="cuda")
