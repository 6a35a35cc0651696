"""Attention against PyTorch and finite differences:
F.scaled_dot_product_attention (bool / float masks, causal, broadcasting,
grouped-query heads, dropout, fully-blocked rows), the fused op behind it,
F.multi_head_attention_forward, nn.MultiheadAttention (packed and separate
projections, key_padding_mask, attn_mask 2-D / 3-D, batch_first both ways,
unbatched inputs, bias_k / bias_v, add_zero_attn, need_weights and
average_attn_weights) and nn.TransformerEncoderLayer (post- and pre-norm,
relu / gelu, masks, train and eval mode). Same weights (copied through
state_dict), same inputs, same upstream gradient; outputs and every input and
parameter gradient must agree (float64 to 1e-9, float32 to 1e-4)."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from opcheck import SETTINGS, assert_close, check_grad, normal, seeds

import glassnet as gn
from glassnet.errors import DTypeError, ShapeError
from glassnet.nn.transformer import generate_square_subsequent_mask
from glassnet.ops.attention import ScaledDotProductAttention

F = gn.nn.functional
TOL = {np.dtype(np.float64): 1e-9, np.dtype(np.float32): 1e-4}
DTYPES = [np.float64, np.float32]
MANY = settings(SETTINGS, max_examples=50)  # many flags to combine, and each example is cheap

pytestmark = pytest.mark.torch


# ---- helpers --------------------------------------------------------------------------
def _leaf_pairs(torch, arrays):
    """A glassnet and a torch tensor for each array; float arrays require grad."""
    pairs = []
    for a in arrays:
        if a is None:
            pairs.append((None, None))
            continue
        grad = a.dtype.kind == "f"
        pairs.append((gn.tensor(a, requires_grad=grad), torch.tensor(a, requires_grad=grad)))
    return pairs


def _backward_and_compare(torch, gouts, touts, gleaves, tleaves, tol, seed=7):
    """Compare outputs (None where PyTorch gives None), backpropagate one random upstream
    gradient per float output through both, compare the gradients of the named leaves."""
    r = np.random.default_rng(seed)
    pairs = []
    for i, (g, t) in enumerate(zip(gouts, touts)):
        if t is None:
            assert g is None, f"output {i}: PyTorch gives None, glassnet {g!r}"
            continue
        assert g.shape == tuple(t.shape), f"output {i}: shape {g.shape}, PyTorch {t.shape}"
        assert g.dtype == np.dtype(str(t.dtype).replace("torch.", "")), f"output {i} dtype"
        assert_close(g.detach().numpy(), t.detach().numpy(), tol, f"output {i}")
        if t.requires_grad:
            pairs.append((g, t))
    if not pairs:
        return
    ups = [r.standard_normal(g.shape).astype(g.dtype) for g, _ in pairs]
    gn.autograd.backward([g for g, _ in pairs], ups)
    torch.autograd.backward([t for _, t in pairs], [torch.from_numpy(u) for u in ups])
    for name, g in gleaves.items():
        t = tleaves[name]
        if t.grad is None:
            assert g.grad is None or not g.grad.numpy().any(), f"{name}: PyTorch gives no gradient"
            continue
        assert g.grad is not None, f"{name}: no gradient, PyTorch gives one"
        assert g.grad.dtype == g.dtype, f"{name}: gradient dtype {g.grad.dtype}"
        assert_close(g.grad.numpy(), t.grad.numpy(), tol, f"gradient of {name}")


def _copy_from_torch(gmod, tmod):
    gmod.load_state_dict({k: v.detach().numpy() for k, v in tmod.state_dict().items()})


def _params(gmod, tmod):
    tp = dict(tmod.named_parameters())
    gp = dict(gmod.named_parameters())
    assert sorted(gp) == sorted(tp), f"parameters {sorted(gp)}, PyTorch {sorted(tp)}"
    return gp, tp


# ---- scaled_dot_product_attention --------------------------------------------------------
@st.composite
def sdpa_cases(draw):
    batch = draw(hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=2, max_side=3))
    L, S, E, Ev = (draw(st.integers(1, 4)) for _ in range(4))
    bq, bk, bv = batch.input_shapes
    mask = draw(st.sampled_from(["none", "bool", "float", "causal"]))
    scores = np.broadcast_shapes(bq, bk) + (L, S)
    # a mask of the scores' shape, or with some dims 1 / dropped (it broadcasts)
    mshape = tuple(1 if draw(st.booleans()) else n for n in scores)
    mshape = mshape[draw(st.integers(0, len(scores) - 2)) :]
    scale = draw(st.sampled_from([None, 0.3, 1.7]))
    return bq + (L, E), bk + (S, E), bv + (S, Ev), mask, mshape, scale


@pytest.mark.parametrize("dtype", DTYPES)
@SETTINGS
@given(case=sdpa_cases(), seed=seeds)
def test_sdpa_matches_torch(torch, dtype, case, seed):
    sq, sk, sv, kind, mshape, scale = case
    r = np.random.default_rng(seed)
    arrays = [normal(seed, sq, dtype), normal(seed + 1, sk, dtype), normal(seed + 2, sv, dtype)]
    if kind == "bool":  # rows where every key is blocked happen too: both give zeros
        arrays.append(r.random(mshape) < 0.7)
    elif kind == "float":
        arrays.append(normal(seed + 3, mshape, dtype))
    (gq, tq), (gk, tk), (gv, tv), *mask = _leaf_pairs(torch, arrays)
    kw = {"is_causal": kind == "causal", "scale": scale}
    gout = F.scaled_dot_product_attention(gq, gk, gv, mask[0][0] if mask else None, **kw)
    tout = torch.nn.functional.scaled_dot_product_attention(
        tq, tk, tv, mask[0][1] if mask else None, **kw
    )
    gleaves, tleaves = {"query": gq, "key": gk, "value": gv}, {"query": tq, "key": tk, "value": tv}
    if kind == "float":
        gleaves["attn_mask"], tleaves["attn_mask"] = mask[0]
    _backward_and_compare(torch, [gout], [tout], gleaves, tleaves, TOL[np.dtype(dtype)])


@pytest.mark.parametrize("kind", ["bool", "float"])
def test_sdpa_fully_blocked_rows_give_zeros(torch, kind):
    q, k, v = normal(1, (2, 3, 4)), normal(2, (2, 5, 4)), normal(3, (2, 5, 2))
    keep = np.random.default_rng(0).random((2, 3, 5)) < 0.6
    keep[0, 1] = keep[1, 2] = False
    mask = keep if kind == "bool" else np.where(keep, 0.0, -np.inf)
    (gq, tq), (gk, tk), (gv, tv), (gm, tm) = _leaf_pairs(torch, [q, k, v, mask])
    gout = F.scaled_dot_product_attention(gq, gk, gv, gm)
    tout = torch.nn.functional.scaled_dot_product_attention(tq, tk, tv, tm)
    assert not gout.detach().numpy()[0, 1].any() and not gout.detach().numpy()[1, 2].any()
    _backward_and_compare(
        torch, [gout], [tout], {"q": gq, "k": gk, "v": gv}, {"q": tq, "k": tk, "v": tv}, 1e-9
    )


@pytest.mark.parametrize("Hk", [1, 2, 4])
def test_sdpa_grouped_query_heads(torch, Hk):
    arrays = [normal(1, (2, 4, 3, 2)), normal(2, (2, Hk, 5, 2)), normal(3, (2, Hk, 5, 3))]
    (gq, tq), (gk, tk), (gv, tv) = _leaf_pairs(torch, arrays)
    gout = F.scaled_dot_product_attention(gq, gk, gv, is_causal=True, enable_gqa=True)
    tout = torch.nn.functional.scaled_dot_product_attention(
        tq, tk, tv, is_causal=True, enable_gqa=True
    )
    _backward_and_compare(
        torch, [gout], [tout], {"q": gq, "k": gk, "v": gv}, {"q": tq, "k": tk, "v": tv}, 1e-9
    )


@pytest.mark.parametrize("kind", ["none", "bool", "float", "causal"])
def test_sdpa_gradcheck(kind):
    q, k, v = normal(1, (2, 3, 2)), normal(2, (2, 4, 2)), normal(3, (1, 4, 3))
    if kind == "none" or kind == "causal":
        check_grad(
            lambda q, k, v: F.scaled_dot_product_attention(
                q, k, v, is_causal=kind == "causal", scale=0.8
            ),
            q,
            k,
            v,
        )
    elif kind == "bool":
        keep = np.random.default_rng(0).random((3, 4)) < 0.6
        keep[:, 0] = True
        check_grad(
            lambda q, k, v, m: F.scaled_dot_product_attention(q, k, v, m),
            q,
            k,
            v,
            keep,
            grads=[True, True, True, False],
        )
    else:  # the float mask gets a gradient too
        check_grad(
            lambda q, k, v, m: F.scaled_dot_product_attention(q, k, v, m),
            q,
            k,
            v,
            normal(4, (2, 1, 4)),
        )


def test_sdpa_dropout_op_matches_torch(torch):
    """The fused op with a given dropout multiplier D equals PyTorch's
    softmax(scale·QKᵀ + B)·D @ V, values and gradients (mask included)."""
    q, k, v, b = normal(1, (2, 3, 4)), normal(2, (2, 5, 4)), normal(3, (2, 5, 3)), normal(4, (3, 5))
    drop = (np.random.default_rng(5).random((2, 3, 5)) >= 0.4) / 0.6
    (gq, tq), (gk, tk), (gv, tv), (gb, tb) = _leaf_pairs(torch, [q, k, v, b])
    gout = ScaledDotProductAttention.apply(gq, gk, gv, gb, scale=0.5, drop=drop)
    tp = torch.softmax(tq @ tk.transpose(-1, -2) * 0.5 + tb, dim=-1)
    tout = (tp * torch.from_numpy(drop)) @ tv
    _backward_and_compare(
        torch,
        [gout],
        [tout],
        {"q": gq, "k": gk, "v": gv, "b": gb},
        {"q": tq, "k": tk, "v": tv, "b": tb},
        1e-9,
    )


def test_sdpa_dropout_drops_weights():
    """With V = I the output is the dropped weights themselves: each is 0 or P/(1 − p),
    about a fraction p are 0, the seed fixes the draw, and the gradient is right."""
    q, k = gn.tensor(normal(1, (4, 30, 3))), gn.tensor(normal(2, (4, 20, 3)))
    eye = gn.tensor(np.eye(20)[None])
    p = F.scaled_dot_product_attention(q, k, eye).numpy()
    gn.manual_seed(3)
    out = F.scaled_dot_product_attention(q, k, eye, dropout_p=0.25).numpy()
    dropped = out == 0
    np.testing.assert_allclose(out[~dropped], p[~dropped] / 0.75, rtol=1e-12)
    assert abs(dropped.mean() - 0.25) < 0.03
    gn.manual_seed(3)
    np.testing.assert_array_equal(
        F.scaled_dot_product_attention(q, k, eye, dropout_p=0.25).numpy(), out
    )
    assert not F.scaled_dot_product_attention(q, k, eye, dropout_p=1.0).numpy().any()

    def reseeded(q, k, v):
        gn.manual_seed(11)
        return F.scaled_dot_product_attention(q, k, v, dropout_p=0.5)

    check_grad(reseeded, normal(1, (2, 3, 2)), normal(2, (2, 4, 2)), normal(3, (2, 4, 2)))


def test_sdpa_float32_stays_float32():
    q = gn.tensor(normal(1, (2, 3, 4), np.float32), requires_grad=True)
    out = F.scaled_dot_product_attention(q, q, q, is_causal=True, scale=np.float64(0.5))
    assert out.dtype == np.float32
    out.sum().backward()
    assert q.grad.dtype == np.float32


@pytest.mark.parametrize(
    "args, kwargs, error, words",
    [
        (((3,), (5, 4), (5, 6)), {}, ShapeError, "at least 2 dimensions"),
        (((3, 4), (5, 3), (5, 6)), {}, ShapeError, "same last dimension E"),
        (((3, 4), (5, 4), (6, 6)), {}, ShapeError, "same sequence length S"),
        (((2, 3, 4), (3, 5, 4), (3, 5, 6)), {}, ShapeError, "cannot be broadcast"),
        (
            ((2, 3, 4), (2, 5, 4), (2, 5, 6)),
            {"attn_mask": np.ones((4, 5), bool)},
            ShapeError,
            "attn_mask of shape (4, 5) does not broadcast to the attention scores' shape (2, 3, 5)",
        ),
        (
            ((2, 3, 4), (2, 5, 4), (2, 5, 6)),
            {"attn_mask": np.ones((2, 2, 3, 5), bool)},
            ShapeError,
            "does not broadcast",
        ),
        (
            ((3, 4), (5, 4), (5, 6)),
            {"attn_mask": np.ones((3, 5), np.int64)},
            DTypeError,
            "bool or floating-point",
        ),
        (
            ((3, 4), (5, 4), (5, 6)),
            {"attn_mask": np.ones((3, 5), np.float32)},
            DTypeError,
            "query's dtype float64",
        ),
        (
            ((3, 4), (5, 4), (5, 6)),
            {"attn_mask": np.ones((3, 5), bool), "is_causal": True},
            ValueError,
            "not both",
        ),
        (((3, 4), (5, 4), (5, 6)), {"dropout_p": 1.5}, ValueError, "between 0 and 1"),
        (
            ((1, 3, 3, 4), (1, 2, 5, 4), (1, 2, 5, 6)),
            {"enable_gqa": True},
            ShapeError,
            "multiple of the key heads",
        ),
    ],
)
def test_sdpa_errors(args, kwargs, error, words):
    q, k, v = (gn.tensor(np.zeros(s)) for s in args)
    with pytest.raises(error) as info:
        F.scaled_dot_product_attention(q, k, v, **kwargs)
    assert "scaled_dot_product_attention" in str(info.value)
    assert words in str(info.value)


def test_sdpa_dtype_mismatch():
    q = gn.tensor(np.zeros((3, 4), np.float32))
    with pytest.raises(DTypeError, match="float32, float64 and float32"):
        F.scaled_dot_product_attention(q, gn.tensor(np.zeros((5, 4))), q[:1])


# ---- MultiheadAttention ------------------------------------------------------------------
@st.composite
def mha_cases(draw):
    c = {
        "H": draw(st.integers(1, 3)),
        "hd": draw(st.integers(1, 3)),
        "L": draw(st.integers(1, 4)),
        "S": draw(st.integers(1, 4)),
        "N": draw(st.integers(1, 3)),
        "batched": draw(st.booleans()),
        "batch_first": draw(st.booleans()),
        "bias": draw(st.booleans()),
        "add_bias_kv": draw(st.booleans()),
        "add_zero_attn": draw(st.booleans()),
        "need_weights": draw(st.booleans()),
        "average": draw(st.booleans()),
        "inputs": draw(st.sampled_from(["self", "kv_same", "separate"])),
        "kdim": draw(st.sampled_from([None, 1, 3])),
        "vdim": draw(st.sampled_from([None, 2])),
        "attn_mask": draw(st.sampled_from(["none", "bool2", "bool3", "float2", "float3"])),
        "kpm": draw(st.sampled_from(["none", "bool", "float"])),
    }
    if c["inputs"] == "self":
        c["S"], c["kdim"], c["vdim"] = c["L"], None, None
    if c["inputs"] == "kv_same":
        c["vdim"] = c["kdim"]
    return c


def _mha_inputs(c, dtype, seed):
    """Arrays for query, key, value and the two masks; key 0 is never blocked (a row with
    every key blocked is NaN in PyTorch's need_weights path — tested separately)."""
    r = np.random.default_rng(seed)
    E, L, S, N = c["H"] * c["hd"], c["L"], c["S"], c["N"]

    def seq(T, d):
        if not c["batched"]:
            return (T, d)
        return (N, T, d) if c["batch_first"] else (T, N, d)

    q = normal(seed, seq(L, E), dtype)
    k = normal(seed + 1, seq(S, c["kdim"] or E), dtype)
    v = normal(seed + 2, seq(S, c["vdim"] or E), dtype)
    am = None
    if c["attn_mask"] != "none":
        shape = (
            (L, S) if c["attn_mask"].endswith("2") else ((N if c["batched"] else 1) * c["H"], L, S)
        )
        if c["attn_mask"].startswith("bool"):
            am = r.random(shape) < 0.4
            am[..., 0] = False
        else:
            am = normal(seed + 3, shape, dtype)
    kpm = None
    if c["kpm"] != "none":
        shape = (N, S) if c["batched"] else (S,)
        if c["kpm"] == "bool":
            kpm = r.random(shape) < 0.4
            kpm[..., 0] = False
        else:
            kpm = normal(seed + 4, shape, dtype)
    return q, k, v, am, kpm


@pytest.mark.parametrize("dtype", DTYPES)
@MANY
@given(c=mha_cases(), seed=seeds)
def test_mha_matches_torch(torch, dtype, c, seed):
    E = c["H"] * c["hd"]
    kw = dict(
        bias=c["bias"],
        add_bias_kv=c["add_bias_kv"],
        add_zero_attn=c["add_zero_attn"],
        kdim=c["kdim"],
        vdim=c["vdim"],
        batch_first=c["batch_first"],
    )
    torch.manual_seed(seed % 1000)
    tm = torch.nn.MultiheadAttention(E, c["H"], dtype=getattr(torch, np.dtype(dtype).name), **kw)
    gm = gn.nn.MultiheadAttention(E, c["H"], dtype=dtype, **kw)
    assert list(gm.state_dict()) == list(tm.state_dict())
    _copy_from_torch(gm, tm)
    q, k, v, am, kpm = _mha_inputs(c, dtype, seed)
    if c["inputs"] == "self":
        ((gq, tq),) = _leaf_pairs(torch, [q])
        gin, tin = (gq, gq, gq), (tq, tq, tq)
    elif c["inputs"] == "kv_same":
        (gq, tq), (gk, tk) = _leaf_pairs(torch, [q, k])
        gin, tin = (gq, gk, gk), (tq, tk, tk)
    else:
        pairs = _leaf_pairs(torch, [q, k, v])
        gin, tin = tuple(p[0] for p in pairs), tuple(p[1] for p in pairs)
    (gam, tam), (gkpm, tkpm) = _leaf_pairs(torch, [am, kpm])
    opts = dict(need_weights=c["need_weights"], average_attn_weights=c["average"])
    gout = gm(*gin, key_padding_mask=gkpm, attn_mask=gam, **opts)
    tout = tm(*tin, key_padding_mask=tkpm, attn_mask=tam, **opts)
    gleaves, tleaves = _params(gm, tm)
    for name, g, t in zip(("query", "key", "value"), gin, tin):
        gleaves[name], tleaves[name] = g, t
    for name, g, t in (("attn_mask", gam, tam), ("key_padding_mask", gkpm, tkpm)):
        if g is not None and g.requires_grad:
            gleaves[name], tleaves[name] = g, t
    _backward_and_compare(torch, gout, tout, gleaves, tleaves, TOL[np.dtype(dtype)])


@pytest.mark.parametrize("need_weights", [True, False])
def test_mha_causal_hint(torch, need_weights):
    """is_causal=True with the causal attn_mask: the same result as PyTorch, which uses
    the hint (and not the mask) when it can."""
    tm = torch.nn.MultiheadAttention(4, 2, batch_first=True, dtype=torch.float64)
    gm = gn.nn.MultiheadAttention(4, 2, batch_first=True, dtype=np.float64)
    _copy_from_torch(gm, tm)
    ((gx, tx),) = _leaf_pairs(torch, [normal(1, (2, 5, 4))])
    mask = generate_square_subsequent_mask(5, dtype=np.float64)
    gout = gm(gx, gx, gx, attn_mask=mask, is_causal=True, need_weights=need_weights)
    tout = tm(
        tx,
        tx,
        tx,
        attn_mask=torch.from_numpy(mask.numpy()),
        is_causal=True,
        need_weights=need_weights,
    )
    gleaves, tleaves = _params(gm, tm)
    gleaves["x"], tleaves["x"] = gx, tx
    _backward_and_compare(torch, gout, tout, gleaves, tleaves, 1e-9)
    np.testing.assert_array_equal(
        mask.numpy(), torch.nn.Transformer.generate_square_subsequent_mask(5, dtype=torch.float64)
    )


def test_mha_fully_padded_sequence(torch):
    """A sequence whose every key is padding: NaN with need_weights=True, the output
    bias alone with need_weights=False — as PyTorch."""
    tm = torch.nn.MultiheadAttention(4, 2, dtype=torch.float64)
    torch.nn.init.normal_(tm.out_proj.bias)
    gm = gn.nn.MultiheadAttention(4, 2, dtype=np.float64)
    _copy_from_torch(gm, tm)
    x = normal(1, (3, 2, 4))
    kpm = np.array([[False, False, True], [True, True, True]])
    for need in (True, False):
        g = (
            gm(
                gn.tensor(x),
                gn.tensor(x),
                gn.tensor(x),
                key_padding_mask=gn.tensor(kpm),
                need_weights=need,
            )[0]
            .detach()
            .numpy()
        )
        t = (
            tm(
                torch.tensor(x),
                torch.tensor(x),
                torch.tensor(x),
                key_padding_mask=torch.tensor(kpm),
                need_weights=need,
            )[0]
            .detach()
            .numpy()
        )
        np.testing.assert_allclose(g, t, rtol=1e-9, atol=1e-12, equal_nan=True)
    np.testing.assert_allclose(
        g[:, 1], np.broadcast_to(tm.out_proj.bias.detach().numpy(), (3, 4)), rtol=1e-12
    )


def test_mha_functional_matches_torch(torch):
    """F.multi_head_attention_forward with separate projection weights and static_k/v."""
    E, H, L, S, N = 4, 2, 3, 5, 2
    names = ["q_w", "k_w", "v_w", "in_b", "out_w", "out_b", "bias_k", "bias_v"]
    shapes = [(E, E), (E, 3), (E, 2), (3 * E,), (E, E), (E,), (1, 1, E), (1, 1, E)]
    arrays = [normal(10 + i, s) for i, s in enumerate(shapes)]
    arrays += [normal(1, (L, N, E)), normal(2, (S, N, 3)), normal(3, (S, N, 2))]
    pairs = dict(zip(names + ["query", "key", "value"], _leaf_pairs(torch, arrays)))
    kpm = np.zeros((N, S), bool)
    kpm[1, 3:] = True

    def run(lib, i):
        t = {k: v[i] for k, v in pairs.items()}
        mask = (gn.tensor if i == 0 else torch.tensor)(kpm)
        fn = (
            F.multi_head_attention_forward
            if i == 0
            else torch.nn.functional.multi_head_attention_forward
        )
        return fn(
            t["query"],
            t["key"],
            t["value"],
            E,
            H,
            None,
            t["in_b"],
            t["bias_k"],
            t["bias_v"],
            True,
            0.0,
            t["out_w"],
            t["out_b"],
            key_padding_mask=mask,
            use_separate_proj_weight=True,
            q_proj_weight=t["q_w"],
            k_proj_weight=t["k_w"],
            v_proj_weight=t["v_w"],
            average_attn_weights=False,
        )

    gout, tout = run(gn, 0), run(torch, 1)
    _backward_and_compare(
        torch,
        gout,
        tout,
        {k: v[0] for k, v in pairs.items()},
        {k: v[1] for k, v in pairs.items()},
        1e-9,
    )
    # static keys and values replace the projected ones
    static = [normal(20, (N * H, 4, E // H)), normal(21, (N * H, 4, E // H))]
    (gsk, tsk), (gsv, tsv) = _leaf_pairs(torch, static)
    w = [normal(30, (3 * E, E)), normal(31, (E, E))]
    (gw, tw), (gow, tow) = _leaf_pairs(torch, w)
    ((gx, tx),) = _leaf_pairs(torch, [normal(4, (L, N, E))])
    gout = F.multi_head_attention_forward(
        gx, gx, gx, E, H, gw, None, None, None, False, 0.0, gow, None, static_k=gsk, static_v=gsv
    )
    tout = torch.nn.functional.multi_head_attention_forward(
        tx, tx, tx, E, H, tw, None, None, None, False, 0.0, tow, None, static_k=tsk, static_v=tsv
    )
    _backward_and_compare(
        torch,
        gout,
        tout,
        {"x": gx, "w": gw, "ow": gow, "sk": gsk, "sv": gsv},
        {"x": tx, "w": tw, "ow": tow, "sk": tsk, "sv": tsv},
        1e-9,
    )


@pytest.mark.parametrize("variant", ["packed", "separate", "extras"])
def test_mha_gradcheck(variant):
    """Finite differences through inputs and weights of F.multi_head_attention_forward."""
    E, H, L, S, N = 4, 2, 2, 3, 2
    q, k = normal(1, (L, N, E)), normal(2, (S, N, E if variant == "packed" else 3))
    v = normal(3, (S, N, E if variant == "packed" else 2))
    w_in, b_in, w_out, b_out = (
        normal(4, (3 * E, E)),
        normal(5, (3 * E,)),
        normal(6, (E, E)),
        normal(7, (E,)),
    )
    kpm = np.array([[False, False, True], [False, False, False]])
    am = normal(8, (L, S))
    if variant == "packed":

        def fn(q, k, v, w_in, b_in, w_out, b_out):
            return F.multi_head_attention_forward(
                q,
                k,
                v,
                E,
                H,
                w_in,
                b_in,
                None,
                None,
                False,
                0.0,
                w_out,
                b_out,
                key_padding_mask=kpm,
                attn_mask=am,
            )

        check_grad(fn, q, k, v, w_in, b_in, w_out, b_out)
    elif variant == "separate":

        def fn(q, k, v, wq, wk, wv, w_out):
            return F.multi_head_attention_forward(
                q,
                k,
                v,
                E,
                H,
                None,
                None,
                None,
                None,
                False,
                0.0,
                w_out,
                None,
                use_separate_proj_weight=True,
                q_proj_weight=wq,
                k_proj_weight=wk,
                v_proj_weight=wv,
                need_weights=False,
            )

        check_grad(fn, q, k, v, normal(9, (E, E)), normal(10, (E, 3)), normal(11, (E, 2)), w_out)
    else:  # bias_k, bias_v, add_zero_attn, unbatched, per-head weights

        def fn(q, w_in, bk, bv):
            return F.multi_head_attention_forward(
                q,
                q,
                q,
                E,
                H,
                w_in,
                None,
                bk,
                bv,
                True,
                0.0,
                w_out,
                b_out,
                average_attn_weights=False,
            )

        check_grad(fn, normal(12, (L, E)), w_in, normal(13, (1, 1, E)), normal(14, (1, 1, E)))


@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"kdim": 3, "vdim": 2},
        {"bias": False},
        {"add_bias_kv": True},
        {"kdim": 5, "bias": False, "add_bias_kv": True},
    ],
)
def test_mha_state_dict_both_ways(torch, kw):
    """Same names, shapes and order as PyTorch; weights loaded either way give the same
    outputs."""
    torch.manual_seed(0)
    tm = torch.nn.MultiheadAttention(6, 3, dtype=torch.float64, **kw)
    gm = gn.nn.MultiheadAttention(6, 3, dtype=np.float64, **kw)
    tsd, gsd = tm.state_dict(), gm.state_dict()
    assert [(k, tuple(v.shape)) for k, v in tsd.items()] == [(k, v.shape) for k, v in gsd.items()]
    x = normal(1, (4, 2, 6))
    kv = normal(2, (5, 2, kw.get("kdim", 6))), normal(3, (5, 2, kw.get("vdim", 6)))
    tm.load_state_dict({k: torch.from_numpy(v.numpy().copy()) for k, v in gsd.items()})
    for _ in range(2):  # glassnet → torch, then torch (re-drawn) → glassnet
        g = gm(gn.tensor(x), *map(gn.tensor, kv))
        t = tm(torch.tensor(x), *map(torch.tensor, kv))
        for a, b in zip(g, t):
            assert_close(a.detach().numpy(), b.detach().numpy(), 1e-9, "output")
        for p in tm.parameters():
            torch.nn.init.normal_(p)
        _copy_from_torch(gm, tm)


def test_mha_default_init():
    """PyTorch's init: Xavier-uniform in_proj (bound √(6/(E + 3E))), zero biases,
    out_proj a Linear (bound 1/√E), Xavier-normal bias_k/v (σ = √(1/E)); seeded."""
    E = 64
    gn.manual_seed(0)
    m = gn.nn.MultiheadAttention(E, 4, add_bias_kv=True)
    w = m.in_proj_weight.detach().numpy()
    bound = math.sqrt(6 / (E + 3 * E))
    assert m.in_proj_weight.dtype == np.float32
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.95 * bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.01 * bound * 3
    assert not m.in_proj_bias.detach().numpy().any() and not m.out_proj.bias.detach().numpy().any()
    assert np.abs(m.out_proj.weight.detach().numpy()).max() <= 1 / math.sqrt(E)
    assert (
        abs(
            np.concatenate([m.bias_k.detach().numpy(), m.bias_v.detach().numpy()]).std()
            - math.sqrt(1 / E)
        )
        < 0.03
    )
    sep = gn.nn.MultiheadAttention(E, 4, kdim=16, vdim=32)
    assert sep.in_proj_weight is None and sep.k_proj_weight.shape == (E, 16)
    assert np.abs(sep.v_proj_weight.detach().numpy()).max() <= math.sqrt(6 / (E + 32))
    gn.manual_seed(0)
    again = gn.nn.MultiheadAttention(E, 4, add_bias_kv=True)
    np.testing.assert_array_equal(again.in_proj_weight.detach().numpy(), w)


def test_mha_dropout_on_weights():
    """In training mode the returned weights are the dropped ones: each 0 or
    w/(1 − p) of the eval-mode weight; eval mode and dropout 0 draw nothing."""
    m = gn.nn.MultiheadAttention(8, 2, dropout=0.5, dtype=np.float64)
    x = gn.tensor(normal(1, (6, 3, 8)))
    m.eval()
    _, w_eval = m(x, x, x, average_attn_weights=False)
    _, again = m(x, x, x, average_attn_weights=False)
    np.testing.assert_array_equal(w_eval.detach().numpy(), again.detach().numpy())
    m.train()
    gn.manual_seed(4)
    out, w = m(x, x, x, average_attn_weights=False)
    dropped = w.detach().numpy() == 0
    assert 0.3 < dropped.mean() < 0.7
    np.testing.assert_allclose(
        w.detach().numpy()[~dropped], 2 * w_eval.detach().numpy()[~dropped], rtol=1e-12
    )
    gn.manual_seed(4)
    out2, _ = m(x, x, x, need_weights=False)  # the SDPA path draws the same mask
    np.testing.assert_allclose(out2.detach().numpy(), out.detach().numpy(), rtol=1e-12, atol=1e-14)


def _mha(**kw):
    return gn.nn.MultiheadAttention(8, 2, dtype=np.float64, **kw)


def _z(*shape, dtype=np.float64):
    return gn.tensor(np.zeros(shape, dtype=dtype))


@pytest.mark.parametrize(
    "make, call, error, words",
    [
        (
            lambda: gn.nn.MultiheadAttention(10, 3),
            None,
            ValueError,
            "embed_dim 10 must be divisible by num_heads 3",
        ),
        (lambda: gn.nn.MultiheadAttention(0, 1), None, ValueError, "embed_dim must be a positive"),
        (lambda: gn.nn.MultiheadAttention(8, 2, dropout=1.5), None, ValueError, "between 0 and 1"),
        (
            _mha,
            lambda m: m(_z(5, 2, 6), _z(5, 2, 8), _z(5, 2, 8)),
            ShapeError,
            "query of shape (5, 2, 6) does not fit; expected (L, N, 8)",
        ),
        (
            lambda: _mha(batch_first=True),
            lambda m: m(_z(2, 5, 8), _z(2, 4, 6), _z(2, 4, 8)),
            ShapeError,
            "key of shape (2, 4, 6) does not fit; expected (N, S, 8)",
        ),
        (
            lambda: _mha(kdim=3, vdim=5),
            lambda m: m(_z(5, 8), _z(4, 3), _z(4, 3)),
            ShapeError,
            "value of shape (4, 3) does not fit; expected (S, 5)",
        ),
        (_mha, lambda m: m(_z(5, 2, 8), _z(4, 3, 8), _z(4, 3, 8)), ShapeError, "same batch size N"),
        (
            _mha,
            lambda m: m(_z(5, 2, 8), _z(4, 2, 8), _z(3, 2, 8)),
            ShapeError,
            "same sequence length S",
        ),
        (
            _mha,
            lambda m: m(_z(1, 5, 2, 8), _z(1, 4, 2, 8), _z(1, 4, 2, 8)),
            ShapeError,
            "query must be 3-D (L, N, 8) (batched) or 2-D (L, 8) (unbatched)",
        ),
        (_mha, lambda m: m(_z(5, 2, 8), _z(4, 8), _z(4, 8)), ShapeError, "key must be 3-D too"),
        (
            _mha,
            lambda m: m(
                _z(5, 2, 8), _z(4, 2, 8), _z(4, 2, 8), key_padding_mask=np.zeros((4, 2), bool)
            ),
            ShapeError,
            "key_padding_mask must have shape (2, 4)",
        ),
        (
            _mha,
            lambda m: m(_z(5, 2, 8), _z(4, 2, 8), _z(4, 2, 8), attn_mask=np.zeros((4, 5), bool)),
            ShapeError,
            "attn_mask must have shape (5, 4) (L, S) or (4, 5, 4) (N·num_heads, L, S)",
        ),
        (
            _mha,
            lambda m: m(_z(5, 2, 8), _z(4, 2, 8), _z(4, 2, 8), attn_mask=_z(2, 5, 4)),
            ShapeError,
            "got (2, 5, 4)",
        ),
        (
            _mha,
            lambda m: m(_z(5, 8), _z(4, 8), _z(4, 8), attn_mask=np.zeros((5, 4), np.int32)),
            DTypeError,
            "attn_mask must be a bool or floating-point mask",
        ),
        (
            _mha,
            lambda m: m(_z(5, 8), _z(4, 8), _z(4, 8), attn_mask=_z(5, 4, dtype=np.float32)),
            DTypeError,
            "float attn_mask must have the inputs' dtype float64",
        ),
        (
            _mha,
            lambda m: m(_z(5, 8), _z(5, 8), _z(5, 8), is_causal=True),
            ValueError,
            "needs attn_mask too",
        ),
        (
            _mha,
            lambda m: m(*[_z(5, 8, dtype=np.float32)] * 3),
            DTypeError,
            "query is float32 but the weights are float64",
        ),
    ],
)
def test_mha_errors(make, call, error, words):
    with pytest.raises(error) as info:
        m = make()
        call(m)
    assert "MultiheadAttention" in str(info.value)
    assert words in str(info.value)


def test_lazy_names_and_repr():
    assert F.scaled_dot_product_attention is gn.nn.functional.attention.scaled_dot_product_attention
    assert gn.nn.MultiheadAttention is gn.nn.attention.MultiheadAttention
    text = repr(gn.nn.MultiheadAttention(8, 2, kdim=3, vdim=4, batch_first=True))
    assert text.startswith(
        "MultiheadAttention(\n  embed_dim=8, num_heads=2, kdim=3, vdim=4, batch_first=True\n"
    )
    assert "(out_proj): Linear(in_features=8, out_features=8, bias=True)" in text


# ---- TransformerEncoderLayer ---------------------------------------------------------------
@st.composite
def encoder_cases(draw):
    return {
        "H": draw(st.integers(1, 3)),
        "hd": draw(st.integers(1, 3)),
        "ff": draw(st.integers(1, 6)),
        "S": draw(st.integers(1, 4)),
        "N": draw(st.integers(1, 3)),
        "activation": draw(st.sampled_from(["relu", "gelu"])),
        "norm_first": draw(st.booleans()),
        "batch_first": draw(st.booleans()),
        "bias": draw(st.booleans()),
        "batched": draw(st.booleans()),
        "mask": draw(st.sampled_from(["none", "bool", "float", "causal"])),
        "kpm": draw(st.booleans()),
    }


def _encoder_pair(torch, c, dtype, seed, dropout=0.0):
    d = c["H"] * c["hd"]
    kw = dict(
        dim_feedforward=c["ff"],
        dropout=dropout,
        activation=c["activation"],
        batch_first=c["batch_first"],
        norm_first=c["norm_first"],
        bias=c["bias"],
    )
    torch.manual_seed(seed % 1000)
    tl = torch.nn.TransformerEncoderLayer(
        d, c["H"], dtype=getattr(torch, np.dtype(dtype).name), **kw
    )
    if c["bias"]:  # LayerNorm starts at weight 1, bias 0: make them count
        for norm in (tl.norm1, tl.norm2):
            torch.nn.init.normal_(norm.weight)
            torch.nn.init.normal_(norm.bias)
    gl = gn.nn.TransformerEncoderLayer(d, c["H"], dtype=dtype, **kw)
    assert list(gl.state_dict()) == list(tl.state_dict())
    _copy_from_torch(gl, tl)
    return gl, tl


def _encoder_inputs(c, dtype, seed):
    d, S, N = c["H"] * c["hd"], c["S"], c["N"]
    shape = ((N, S, d) if c["batch_first"] else (S, N, d)) if c["batched"] else (S, d)
    x = normal(seed, shape, dtype, scale=2.0)
    r = np.random.default_rng(seed)
    mask = None
    if c["mask"] in ("bool", "causal"):
        mask = (
            np.triu(np.ones((S, S), bool), 1) if c["mask"] == "causal" else r.random((S, S)) < 0.4
        )
        mask[:, 0] = False
    kpm = None
    if c["kpm"]:
        kpm = r.random((N, S) if c["batched"] else (S,)) < 0.4
        kpm[..., 0] = False
    if c["mask"] == "float":  # both masks float (PyTorch warns when the kinds differ)
        mask = normal(seed + 1, (S, S), dtype)
        kpm = None if kpm is None else np.where(kpm, -np.inf, 0.0).astype(dtype)
    return x, mask, kpm


@pytest.mark.parametrize("dtype", DTYPES)
@SETTINGS
@given(c=encoder_cases(), seed=seeds)
def test_encoder_layer_matches_torch_train(torch, dtype, c, seed):
    gl, tl = _encoder_pair(torch, c, dtype, seed)
    x, mask, kpm = _encoder_inputs(c, dtype, seed)
    (gx, tx), (gm, tm), (gk, tk) = _leaf_pairs(torch, [x, mask, kpm])
    causal = c["mask"] == "causal"
    gout = gl(gx, src_mask=gm, src_key_padding_mask=gk, is_causal=causal)
    tout = tl(tx, src_mask=tm, src_key_padding_mask=tk, is_causal=causal)
    gleaves, tleaves = _params(gl, tl)
    for name, g, t in (("src", gx, tx), ("src_mask", gm, tm), ("src_key_padding_mask", gk, tk)):
        if g is not None and g.requires_grad:  # float masks get gradients too
            gleaves[name], tleaves[name] = g, t
    _backward_and_compare(torch, [gout], [tout], gleaves, tleaves, TOL[np.dtype(dtype)])


@pytest.mark.parametrize("dtype", DTYPES)
@SETTINGS
@given(c=encoder_cases(), seed=seeds)
def test_encoder_layer_matches_torch_eval(torch, dtype, c, seed):
    """Eval mode with dropout 0.1 (dropout off), no gradients: PyTorch takes its fused
    inference path where it can (not with a float src_mask, where PyTorch 2.13's fused
    path returns NaN and its regular path is the reference); the values agree."""
    gl, tl = _encoder_pair(torch, c, dtype, seed, dropout=0.1)
    gl.eval()
    tl.eval()
    x, mask, kpm = _encoder_inputs(c, dtype, seed)
    causal = c["mask"] == "causal"
    with gn.no_grad():
        g = gl(
            gn.tensor(x),
            None if mask is None else gn.tensor(mask),
            None if kpm is None else gn.tensor(kpm),
            is_causal=causal,
        )
    torch.backends.mha.set_fastpath_enabled(c["mask"] != "float")
    try:
        with torch.no_grad():
            t = tl(
                torch.tensor(x),
                None if mask is None else torch.tensor(mask),
                None if kpm is None else torch.tensor(kpm),
                is_causal=causal,
            )
    finally:
        torch.backends.mha.set_fastpath_enabled(True)
    assert_close(g.numpy(), t.numpy(), TOL[np.dtype(dtype)], "output")


def test_encoder_layer_gradcheck():
    gn.manual_seed(1)
    layer = gn.nn.TransformerEncoderLayer(
        4, 2, dim_feedforward=3, dropout=0.0, activation="gelu", dtype=np.float64
    )
    mask = generate_square_subsequent_mask(3, dtype=np.float64)
    check_grad(lambda x: layer(x, src_mask=mask, is_causal=True), normal(1, (3, 2, 4)))
    layer.norm_first = True
    check_grad(
        lambda x: layer(x, src_key_padding_mask=np.array([False, True, False])), normal(2, (3, 4))
    )


def test_encoder_layer_state_dict_and_activation_module(torch):
    torch.manual_seed(0)
    tl = torch.nn.TransformerEncoderLayer(
        4, 2, 8, dropout=0.0, activation=torch.nn.GELU(), batch_first=True, dtype=torch.float64
    )
    gl = gn.nn.TransformerEncoderLayer(
        4, 2, 8, dropout=0.0, activation=gn.nn.GELU(), batch_first=True, dtype=np.float64
    )
    assert [(k, tuple(v.shape)) for k, v in tl.state_dict().items()] == [
        (k, v.shape) for k, v in gl.state_dict().items()
    ]
    assert list(dict(gl.named_parameters())) == list(dict(tl.named_parameters()))
    _copy_from_torch(gl, tl)
    x = normal(1, (2, 3, 4))
    g, t = gl(gn.tensor(x)), tl(torch.tensor(x))
    assert_close(g.detach().numpy(), t.detach().numpy(), 1e-9, "output")
    # any callable works as the activation
    tl = torch.nn.TransformerEncoderLayer(
        4, 2, 8, dropout=0.0, activation=torch.tanh, dtype=torch.float64
    )
    gl = gn.nn.TransformerEncoderLayer(4, 2, 8, dropout=0.0, activation=F.tanh, dtype=np.float64)
    _copy_from_torch(gl, tl)
    g, t = gl(gn.tensor(x)), tl(torch.tensor(x))
    assert_close(g.detach().numpy(), t.detach().numpy(), 1e-9, "output with tanh")
    tiny = gn.nn.TransformerEncoderLayer(4, 2, 8, bias=False)
    assert tiny.linear1.bias is None and tiny.self_attn.in_proj_bias is None
    assert tiny.norm1.bias is None


def test_encoder_layer_errors():
    with pytest.raises(ValueError, match="activation should be one of .*gelu.*relu.*tanh"):
        gn.nn.TransformerEncoderLayer(4, 2, activation="swish")
    # any name of the activation registry (PyTorch: only 'relu' and 'gelu')
    from glassnet.nn.activation_registry import ACTIVATIONS

    for name in ACTIVATIONS.accepted():
        layer = gn.nn.TransformerEncoderLayer(4, 2, 8, activation=name)
        assert layer.activation is ACTIVATIONS[name].function
    with pytest.raises(TypeError, match="callable"):
        gn.nn.TransformerEncoderLayer(4, 2, activation=3)
    with pytest.raises(ValueError, match="embed_dim 6 must be divisible by num_heads 4"):
        gn.nn.TransformerEncoderLayer(6, 4)
    layer = gn.nn.TransformerEncoderLayer(4, 2, 8, batch_first=True)
    with pytest.raises(
        ShapeError,
        match=r"TransformerEncoderLayer\(d_model=4, nhead=2\): src "
        r"must be a Tensor shaped \(N, S, 4\) \(batched\) or "
        r"\(S, 4\) \(unbatched\), got shape \(2, 3, 5\)",
    ):
        layer(_z(2, 3, 5, dtype=np.float32))
    with pytest.raises(ShapeError, match=r"src_mask must have shape \(S, S\) = \(3, 3\)"):
        layer(_z(2, 3, 4, dtype=np.float32), src_mask=np.zeros((2, 3), bool))


def test_encoder_block_learns_to_attend():
    """A one-layer encoder and a linear read-out learn to copy the first token's
    features to every position, which only attention can do."""
    gn.manual_seed(0)
    layer = gn.nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0, batch_first=True)
    head = gn.nn.Linear(8, 2)
    params = list(layer.parameters()) + list(head.parameters())
    opt = gn.optim.Adam(params, lr=0.01)
    r = np.random.default_rng(0)
    x = r.standard_normal((64, 5, 8)).astype(np.float32)
    target = gn.tensor(np.repeat(x[:, :1, :2], 5, axis=1))
    x = gn.tensor(x)
    losses = []
    for _ in range(150):
        opt.zero_grad()
        loss = gn.nn.functional.mse_loss(head(layer(x)), target)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.1 * losses[0], (losses[0], losses[-1])
