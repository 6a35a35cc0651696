"""The Transformer family against PyTorch: nn.TransformerEncoder,
nn.TransformerDecoderLayer, nn.TransformerDecoder and nn.Transformer.

PyTorch's weights are copied in through state_dict (so the keys must be
PyTorch's), the same inputs and upstream gradient go through both, and the
outputs and every input, mask and parameter gradient must agree (float64 to
1e-9, float32 to 1e-4): with and without attention masks (bool, float, causal)
and key padding masks, batch_first and norm_first both ways, batched and
unbatched, in train mode with dropout 0 and in eval mode with dropout on.
Also: the constructors' and forwards' signatures are PyTorch's, the causal
hint is read as PyTorch reads it, a small seq2seq model learns to copy, and
wrong shapes, masks and arguments raise errors that say what was expected."""

import inspect

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from opcheck import FEW, SETTINGS, assert_close, normal, seeds

import glassnet as gn
from glassnet.errors import ShapeError
from glassnet.nn.transformer import detect_is_causal

TOL = {np.dtype(np.float64): 1e-9, np.dtype(np.float32): 1e-4}
DTYPES = [np.float64, np.float32]

pytestmark = [
    pytest.mark.torch,  # PyTorch's notes on its nested-tensor path
    pytest.mark.filterwarnings("ignore:enable_nested_tensor is True"),
    pytest.mark.filterwarnings("ignore:The PyTorch API of nested tensors"),
]


# ---- helpers --------------------------------------------------------------------------------
def _tdtype(torch, dtype):
    return getattr(torch, np.dtype(dtype).name)


def _copy_from_torch(gmod, tmod):
    """PyTorch's weights into glassnet's, by state_dict (same keys, same shapes)."""
    tstate = tmod.state_dict()
    assert [(k, tuple(v.shape)) for k, v in tstate.items()] == [
        (k, v.shape) for k, v in gmod.state_dict().items()
    ]
    gmod.load_state_dict({k: v.detach().numpy() for k, v in tstate.items()})


def _scramble_norms(torch, tmod):
    """LayerNorms start at weight 1, bias 0: give them values so that they count."""
    for m in tmod.modules():
        if isinstance(m, torch.nn.LayerNorm) and m.bias is not None:
            torch.nn.init.normal_(m.weight)
            torch.nn.init.normal_(m.bias)


def _pairs(torch, arrays):
    """A (glassnet, torch) tensor pair per array (None stays None); floats require grad."""
    out = []
    for a in arrays:
        if a is None:
            out.append((None, None))
        else:
            grad = a.dtype.kind == "f"
            out.append((gn.tensor(a, requires_grad=grad), torch.tensor(a, requires_grad=grad)))
    return out


def _compare(torch, gout, tout, leaves, tol, seed=7):
    """Outputs agree; one random upstream gradient through both; the gradients of every
    (name, glassnet tensor, torch tensor) in ``leaves`` agree."""
    assert gout.shape == tuple(tout.shape), (gout.shape, tout.shape)
    assert gout.dtype == np.dtype(str(tout.dtype).replace("torch.", ""))
    assert_close(gout.data, tout.detach().numpy(), tol, "output")
    up = np.random.default_rng(seed).standard_normal(gout.shape).astype(gout.dtype)
    gout.backward(gn.tensor(up))
    tout.backward(torch.from_numpy(up))
    for name, g, t in leaves:
        if t.grad is None:
            assert g.grad is None or not g.grad.data.any(), f"{name}: PyTorch gives no gradient"
            continue
        assert g.grad is not None, f"{name}: no gradient, PyTorch gives one"
        assert_close(g.grad.data, t.grad.numpy(), tol, f"gradient of {name}")


def _leaves(gmod, tmod, named_inputs):
    gp, tp = dict(gmod.named_parameters()), dict(tmod.named_parameters())
    assert list(gp) == list(tp)
    leaves = [(k, gp[k], tp[k]) for k in gp]
    return leaves + [
        (k, g, t) for k, (g, t) in named_inputs.items() if g is not None and g.requires_grad
    ]


def _seq(seed, c, length, dtype):
    d, n = c["d"], c["N"]
    shape = (
        ((n, length, d) if c["batch_first"] else (length, n, d)) if c["batched"] else (length, d)
    )
    return normal(seed, shape, dtype, scale=2.0)


def _masks(seed, kind, L, S, c, dtype, padding):
    """An attention mask (L, S) of ``kind`` and a key padding mask; key 0 is never
    blocked (a row with every key blocked is NaN in PyTorch's softmax). With a float
    attention mask the padding mask is float too (PyTorch warns when the kinds differ)."""
    r = np.random.default_rng(seed)
    mask = None
    if kind == "causal":
        mask = np.triu(np.ones((L, S), bool), 1)
    elif kind == "bool":
        mask = r.random((L, S)) < 0.4
        mask[:, 0] = False
    elif kind == "float":
        mask = normal(seed + 1, (L, S), dtype)
    kpm = None
    if padding:
        kpm = r.random((c["N"], S) if c["batched"] else (S,)) < 0.4
        kpm[..., 0] = False
        if kind == "float":
            kpm = np.where(kpm, -np.inf, 0.0).astype(dtype)
    return mask, kpm


@st.composite
def cases(draw, causal_memory=False):
    H = draw(st.integers(1, 3))
    return {
        "H": H,
        "d": H * draw(st.integers(1, 3)),
        "ff": draw(st.integers(1, 6)),
        "S": draw(st.integers(1, 4)),
        "T": draw(st.integers(1, 4)),
        "N": draw(st.integers(1, 3)),
        "layers": draw(st.integers(1, 2)),
        "activation": draw(st.sampled_from(["relu", "gelu"])),
        "norm_first": draw(st.booleans()),
        "batch_first": draw(st.booleans()),
        "bias": draw(st.booleans()),
        "batched": draw(st.booleans()),
        "src_mask": draw(st.sampled_from(["none", "bool", "float", "causal"])),
        "tgt_mask": draw(st.sampled_from(["none", "bool", "float", "causal"])),
        "memory_mask": draw(st.sampled_from(["none", "bool", "float"])),
        "src_kpm": draw(st.booleans()),
        "tgt_kpm": draw(st.booleans()),
        "memory_kpm": draw(st.booleans()),
    }


def _layer_kwargs(c, dropout=0.0):
    return dict(
        dim_feedforward=c["ff"],
        dropout=dropout,
        activation=c["activation"],
        batch_first=c["batch_first"],
        norm_first=c["norm_first"],
        bias=c["bias"],
    )


def _build(torch, make, c, dtype, seed):
    """The same module in both libraries (``make(nn, dtype)``), PyTorch's weights copied."""
    torch.manual_seed(seed % 1000)
    tmod = make(torch.nn, _tdtype(torch, dtype))
    _scramble_norms(torch, tmod)
    gmod = make(gn.nn, np.dtype(dtype))
    _copy_from_torch(gmod, tmod)
    return gmod, tmod


def _decoder_layer(c, dropout=0.0):
    return lambda nn, dt: nn.TransformerDecoderLayer(
        c["d"], c["H"], dtype=dt, **_layer_kwargs(c, dropout)
    )


def _decoder_inputs(c, dtype, seed):
    tgt, memory = _seq(seed, c, c["T"], dtype), _seq(seed + 2, c, c["S"], dtype)
    tmask, tkpm = _masks(seed + 3, c["tgt_mask"], c["T"], c["T"], c, dtype, c["tgt_kpm"])
    mmask, mkpm = _masks(seed + 4, c["memory_mask"], c["T"], c["S"], c, dtype, c["memory_kpm"])
    return tgt, memory, tmask, mmask, tkpm, mkpm


_DECODER_NAMES = (
    "tgt",
    "memory",
    "tgt_mask",
    "memory_mask",
    "tgt_key_padding_mask",
    "memory_key_padding_mask",
)


# ---- TransformerDecoderLayer ----------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@SETTINGS
@given(c=cases(), seed=seeds)
def test_decoder_layer_matches_torch_train(torch, dtype, c, seed):
    gl, tl = _build(torch, _decoder_layer(c), c, dtype, seed)
    inputs = _pairs(torch, _decoder_inputs(c, dtype, seed))
    named = dict(zip(_DECODER_NAMES, inputs))
    causal = c["tgt_mask"] == "causal"
    gout = gl(*[g for g, _ in inputs], tgt_is_causal=causal)
    tout = tl(*[t for _, t in inputs], tgt_is_causal=causal)
    _compare(torch, gout, tout, _leaves(gl, tl, named), TOL[np.dtype(dtype)])


@pytest.mark.parametrize("dtype", DTYPES)
@SETTINGS
@given(c=cases(), seed=seeds)
def test_decoder_layer_matches_torch_eval(torch, dtype, c, seed):
    """Eval mode with dropout 0.1 (dropout off), no gradients."""
    gl, tl = _build(torch, _decoder_layer(c, dropout=0.1), c, dtype, seed)
    gl.eval()
    tl.eval()
    arrays = _decoder_inputs(c, dtype, seed)
    with gn.no_grad():
        g = gl(*[None if a is None else gn.tensor(a) for a in arrays])
    with torch.no_grad():
        t = tl(*[None if a is None else torch.tensor(a) for a in arrays])
    assert_close(g.data, t.numpy(), TOL[np.dtype(dtype)], "output")


def test_decoder_layer_sub_modules_as_torch(torch):
    """Named as PyTorch's, so that state_dicts move across and a trace reads the same."""
    kw = dict(dim_feedforward=8, dropout=0.0)
    g, t = gn.nn.TransformerDecoderLayer(4, 2, **kw), torch.nn.TransformerDecoderLayer(4, 2, **kw)
    assert [n for n, _ in g.named_children()] == [n for n, _ in t.named_children()]
    assert [n for n, _ in g.named_children()] == [
        "self_attn",
        "multihead_attn",
        "linear1",
        "dropout",
        "linear2",
        "norm1",
        "norm2",
        "norm3",
        "dropout1",
        "dropout2",
        "dropout3",
    ]
    assert g.activation is gn.nn.functional.relu and g.activation_relu_or_gelu == 1
    with gn.explain.record(g) as tape:
        g(gn.randn(3, 2, 4), gn.randn(5, 2, 4)).sum().backward()
    text = str(tape)
    for name in (
        "self_attn.in_proj_weight",
        "multihead_attn.in_proj_weight",
        "linear2.weight",
        "norm3.weight",
        "multihead_attn.out_proj.weight",
    ):
        assert name in text, name


def test_self_attention_projects_once():
    """Self-attention runs the packed (3E, E) projection as one linear and does not
    also split the unused bias (no idle ops in the graph a trace shows)."""
    layer = gn.nn.TransformerEncoderLayer(4, 2, 8, dropout=0.0)
    with gn.explain.record(layer) as tape:
        layer(gn.randn(3, 2, 4))
    assert str(tape).count("self_attn.in_proj_bias (12,)") == 1  # the one Linear's input


# ---- the stacks -----------------------------------------------------------------------------
def _encoder(c, dropout=0.0, norm=True):
    def make(nn, dt):
        layer = nn.TransformerEncoderLayer(c["d"], c["H"], dtype=dt, **_layer_kwargs(c, dropout))
        final = nn.LayerNorm(c["d"], bias=c["bias"], dtype=dt) if norm else None
        return nn.TransformerEncoder(layer, c["layers"], final, enable_nested_tensor=False)

    return make


def _decoder(c, dropout=0.0, norm=True):
    def make(nn, dt):
        final = nn.LayerNorm(c["d"], bias=c["bias"], dtype=dt) if norm else None
        return nn.TransformerDecoder(_decoder_layer(c, dropout)(nn, dt), c["layers"], final)

    return make


@pytest.mark.parametrize("dtype", DTYPES)
@FEW
@given(c=cases(), norm=st.booleans(), seed=seeds)
def test_encoder_matches_torch(torch, dtype, c, norm, seed):
    gm, tm = _build(torch, _encoder(c, norm=norm), c, dtype, seed)
    src = _seq(seed, c, c["S"], dtype)
    mask, kpm = _masks(seed + 3, c["src_mask"], c["S"], c["S"], c, dtype, c["src_kpm"])
    inputs = _pairs(torch, [src, mask, kpm])
    named = dict(zip(("src", "mask", "src_key_padding_mask"), inputs))
    gout = gm(*[g for g, _ in inputs])  # is_causal=None: both look at the mask
    tout = tm(*[t for _, t in inputs])
    _compare(torch, gout, tout, _leaves(gm, tm, named), TOL[np.dtype(dtype)])


@pytest.mark.parametrize("dtype", DTYPES)
@FEW
@given(c=cases(), norm=st.booleans(), seed=seeds)
def test_decoder_matches_torch(torch, dtype, c, norm, seed):
    gm, tm = _build(torch, _decoder(c, norm=norm), c, dtype, seed)
    inputs = _pairs(torch, _decoder_inputs(c, dtype, seed))
    named = dict(zip(_DECODER_NAMES, inputs))
    gout = gm(*[g for g, _ in inputs])
    tout = tm(*[t for _, t in inputs])
    _compare(torch, gout, tout, _leaves(gm, tm, named), TOL[np.dtype(dtype)])


def test_stack_layers_are_deep_copies(torch):
    layer = gn.nn.TransformerEncoderLayer(4, 2, 8)
    enc = gn.nn.TransformerEncoder(layer, 3)
    ws = [enc.layers[i].linear1.weight for i in range(3)]
    assert ws[0] is not ws[1] and ws[0] is not layer.linear1.weight
    np.testing.assert_array_equal(ws[0].data, ws[2].data)  # the same start, as PyTorch
    ws[0].data[...] = 0
    assert ws[1].data.any() and layer.linear1.weight.data.any()
    assert enc.num_layers == 3 and enc.norm is None and len(enc.layers) == 3
    assert not enc.use_nested_tensor and enc.enable_nested_tensor and enc.mask_check
    dec = gn.nn.TransformerDecoder(gn.nn.TransformerDecoderLayer(4, 2, 8), 2, gn.nn.LayerNorm(4))
    t = torch.nn.TransformerDecoder(
        torch.nn.TransformerDecoderLayer(4, 2, 8), 2, torch.nn.LayerNorm(4)
    )
    assert list(dec.state_dict()) == list(t.state_dict())


@pytest.mark.parametrize("padding", ["end", "anywhere"])
def test_encoder_eval_fast_path_differs_only_at_padding(torch, padding):
    """PyTorch's inference fast path (eval, no grad, batch_first, a padding mask that
    pads at the end) puts 0 at the padded positions before the final norm; glassnet
    computes them. Every position that is not padding agrees."""
    c = {
        "d": 4,
        "H": 2,
        "ff": 8,
        "activation": "relu",
        "batch_first": True,
        "norm_first": False,
        "bias": True,
        "layers": 2,
    }

    def make(nn, dt):
        layer = nn.TransformerEncoderLayer(4, 2, dtype=dt, **_layer_kwargs(c, 0.1))
        return nn.TransformerEncoder(layer, 2, nn.LayerNorm(4, dtype=dt))

    gm, tm = _build(torch, make, c, np.float64, 3)
    gm.eval()
    tm.eval()
    x = normal(4, (3, 5, 4))
    kpm = np.zeros((3, 5), bool)
    kpm[0, 3:] = kpm[2, 1:] = True
    if padding == "anywhere":
        kpm[1, 2] = True
    with gn.no_grad():
        g = gm(gn.tensor(x), src_key_padding_mask=gn.tensor(kpm)).data
    with torch.no_grad():
        t = tm(torch.tensor(x), src_key_padding_mask=torch.tensor(kpm)).numpy()
    assert_close(g[~kpm], t[~kpm], 1e-9, "values at the positions that are not padding")
    if padding == "anywhere":  # not left-aligned: PyTorch's regular path, equal everywhere
        assert_close(g, t, 1e-9, "every value")


def test_is_causal_hint_read_as_torch(torch):
    from torch.nn.modules.transformer import _detect_is_causal_mask

    causal = gn.nn.Transformer.generate_square_subsequent_mask(4, dtype=np.float64)
    tcausal = torch.nn.Transformer.generate_square_subsequent_mask(4, dtype=torch.float64)
    np.testing.assert_array_equal(causal.data, tcausal.numpy())
    bool_causal = np.triu(np.ones((4, 4), bool), 1)
    for mask, hint, size in (
        (causal, None, 4),
        (causal, None, 3),
        (causal, False, 4),
        (None, True, 4),
        (None, None, 4),
        (bool_causal, True, 4),
        (gn.zeros(4, 4, dtype=np.float64), None, 4),
    ):
        tmask = None if mask is None else torch.tensor(np.asarray(getattr(mask, "data", mask)))
        if tmask is None or tmask.dtype != torch.bool:
            assert detect_is_causal(mask, hint, size) == _detect_is_causal_mask(tmask, hint, size)
    assert detect_is_causal(bool_causal, None, 4)  # PyTorch's encoder: after making it float
    assert not detect_is_causal(~bool_causal, None, 4)


def test_is_causal_hint_needs_the_mask():
    layer = gn.nn.TransformerEncoderLayer(4, 2, 8, dropout=0.0)
    with pytest.raises(ValueError, match="is_causal=True is a hint .* needs attn_mask"):
        gn.nn.TransformerEncoder(layer, 1)(gn.randn(3, 2, 4), is_causal=True)


# ---- Transformer ----------------------------------------------------------------------------
def _model(c, dropout=0.0):
    return lambda nn, dt: nn.Transformer(
        c["d"],
        c["H"],
        c["layers"],
        c["layers"],
        c["ff"],
        dropout,
        c["activation"],
        batch_first=c["batch_first"],
        norm_first=c["norm_first"],
        bias=c["bias"],
        dtype=dt,
    )


@pytest.mark.parametrize("dtype", DTYPES)
@FEW
@given(c=cases(), seed=seeds)
def test_transformer_matches_torch(torch, dtype, c, seed):
    gm, tm = _build(torch, _model(c), c, dtype, seed)
    src = _seq(seed + 9, c, c["S"], dtype)
    smask, skpm = _masks(seed + 5, c["src_mask"], c["S"], c["S"], c, dtype, c["src_kpm"])
    tgt, _, tmask, mmask, tkpm, mkpm = _decoder_inputs(c, dtype, seed)
    names = (
        "src",
        "tgt",
        "src_mask",
        "tgt_mask",
        "memory_mask",
        "src_key_padding_mask",
        "tgt_key_padding_mask",
        "memory_key_padding_mask",
    )
    inputs = _pairs(torch, [src, tgt, smask, tmask, mmask, skpm, tkpm, mkpm])
    named = dict(zip(names, inputs))
    gout = gm(*[g for g, _ in inputs])
    tout = tm(*[t for _, t in inputs])
    _compare(torch, gout, tout, _leaves(gm, tm, named), TOL[np.dtype(dtype)])


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("norm_first", [False, True])
def test_transformer_eval_matches_torch(torch, batch_first, norm_first):
    """Eval mode with the default dropout 0.1, causal target mask as a tutorial writes
    it; float32, as a script would run it."""
    c = {
        "d": 8,
        "H": 2,
        "layers": 2,
        "ff": 16,
        "activation": "gelu",
        "bias": True,
        "batch_first": batch_first,
        "norm_first": norm_first,
        "batched": True,
        "N": 3,
    }
    gm, tm = _build(torch, _model(c, dropout=0.1), c, np.float32, 5)
    gm.eval()
    tm.eval()
    src, tgt = _seq(1, c, 6, np.float32), _seq(2, c, 5, np.float32)
    mask = gn.nn.Transformer.generate_square_subsequent_mask(5)
    with gn.no_grad():
        g = gm(gn.tensor(src), gn.tensor(tgt), tgt_mask=mask, tgt_is_causal=True)
    with torch.no_grad():
        t = tm(
            torch.tensor(src),
            torch.tensor(tgt),
            tgt_mask=torch.nn.Transformer.generate_square_subsequent_mask(5),
            tgt_is_causal=True,
        )
    assert g.dtype == np.float32
    assert_close(g.data, t.numpy(), 1e-4, "output")


def test_transformer_defaults_and_init(torch):
    g, t = gn.nn.Transformer(), torch.nn.Transformer()
    assert [(k, tuple(v.shape)) for k, v in t.state_dict().items()] == [
        (k, v.shape) for k, v in g.state_dict().items()
    ]
    assert (g.d_model, g.nhead, g.batch_first) == (512, 8, False)
    assert len(g.encoder.layers) == len(g.decoder.layers) == 6
    assert g.encoder.layers[0].linear1.out_features == 2048
    assert g.encoder.layers[0].dropout.p == 0.1 and g.encoder.norm.eps == 1e-5
    # Xavier-uniform for every matrix: the copies of a layer no longer start equal
    w0, w1 = g.encoder.layers[0].linear1.weight.data, g.encoder.layers[1].linear1.weight.data
    assert not np.array_equal(w0, w1)
    bound = np.sqrt(6 / (512 + 2048))
    assert np.abs(w0).max() <= bound and np.abs(w0).max() > 0.9 * bound
    assert g.encoder.norm.weight.data.min() == 1  # vectors are not touched
    assert g.encoder.layers[0].norm1.weight.dtype == np.float32


def test_custom_encoder_and_decoder(torch):
    enc = gn.nn.TransformerEncoder(gn.nn.TransformerEncoderLayer(4, 2, 8, dropout=0.0), 1)
    dec = gn.nn.TransformerDecoder(gn.nn.TransformerDecoderLayer(4, 2, 8, dropout=0.0), 1)
    model = gn.nn.Transformer(4, 2, custom_encoder=enc, custom_decoder=dec)
    assert model.encoder is enc and model.decoder is dec
    assert sorted(model.state_dict()) == sorted(
        ["encoder." + k for k in enc.state_dict()] + ["decoder." + k for k in dec.state_dict()]
    )
    out = model(gn.randn(5, 2, 4), gn.randn(3, 2, 4))
    assert out.shape == (3, 2, 4)


@pytest.mark.parametrize(
    "cls",
    [
        "TransformerEncoderLayer",
        "TransformerEncoder",
        "TransformerDecoderLayer",
        "TransformerDecoder",
        "Transformer",
    ],
)
def test_signatures_are_torch(torch, cls):
    """The same parameter names, order and defaults as PyTorch's (activation: the relu
    function of each library)."""
    for method in ("__init__", "forward"):
        gsig = inspect.signature(getattr(getattr(gn.nn, cls), method)).parameters
        tsig = inspect.signature(getattr(getattr(torch.nn, cls), method)).parameters
        assert list(gsig) == list(tsig), method
        for name in gsig:
            gd, td = gsig[name].default, tsig[name].default
            if callable(td):
                assert gd.__name__ == td.__name__, name
            else:
                assert gd == td or (gd is inspect.Parameter.empty) == (
                    td is inspect.Parameter.empty
                )
    gen = inspect.signature(gn.nn.Transformer.generate_square_subsequent_mask).parameters
    assert list(gen) == ["sz", "device", "dtype"]


def test_transformer_learns_to_copy():
    """A tiny seq2seq model with learned positions learns to copy its input sequence
    (teacher forcing, causal target mask, cross-entropy)."""
    gn.manual_seed(0)
    vocab, length, d, bos = 6, 5, 16, 0
    nn = gn.nn
    embed, pos = nn.Embedding(vocab, d), nn.Embedding(length, d)
    model = nn.Transformer(d, 2, 1, 1, 32, dropout=0.0, batch_first=True)
    head = nn.Linear(d, vocab)
    params = [*embed.parameters(), *pos.parameters(), *model.parameters(), *head.parameters()]
    opt = gn.optim.Adam(params, lr=0.01)
    r = np.random.default_rng(0)
    src = r.integers(1, vocab, (64, length))
    tgt_in = np.concatenate([np.full((64, 1), bos), src[:, :-1]], axis=1)
    mask = nn.Transformer.generate_square_subsequent_mask(length)
    positions = gn.tensor(np.arange(length))

    def run():
        x = embed(gn.tensor(src)) + pos(positions)
        y = embed(gn.tensor(tgt_in)) + pos(positions)
        return head(model(x, y, tgt_mask=mask))

    losses = []
    for _ in range(60):
        opt.zero_grad()
        logits = run()
        loss = nn.functional.cross_entropy(logits.reshape(-1, vocab), gn.tensor(src.reshape(-1)))
        loss.backward()
        opt.step()
        losses.append(loss.item())
    accuracy = (run().data.argmax(-1) == src).mean()
    assert losses[-1] < 0.25 * losses[0], (losses[0], losses[-1])
    assert accuracy > 0.9, accuracy


@pytest.mark.filterwarnings("ignore:Support for mismatched key_padding_mask")
@pytest.mark.parametrize("training", [True, False])
def test_tutorial_masks_match_torch(torch, training):
    """The masks of PyTorch's translation tutorial: a bool src_mask of False, a float
    causal tgt_mask built by masked_fill, bool padding masks (the src's passed again as
    memory_key_padding_mask); encoder and decoder also called on their own, as its
    greedy decoding does."""
    c = {
        "d": 8,
        "H": 2,
        "layers": 2,
        "ff": 16,
        "activation": "relu",
        "bias": True,
        "batch_first": False,
        "norm_first": False,
    }
    gm, tm = _build(torch, _model(c), c, np.float64, 11)
    gm.train(training)
    tm.train(training)
    S, T, N = 6, 5, 3
    src_mask = np.zeros((S, S), bool)
    tgt_mask = np.where((np.triu(np.ones((T, T))) == 1).T, 0.0, -np.inf)
    src_pad, tgt_pad = np.zeros((N, S), bool), np.zeros((N, T), bool)
    src_pad[1, 4:] = tgt_pad[2, 3:] = True
    (gs, ts), (gt, tt) = _pairs(torch, [normal(1, (S, N, 8)), normal(2, (T, N, 8))])
    masks = [src_mask, tgt_mask, None, src_pad, tgt_pad, src_pad]
    gmasks = [None if m is None else gn.tensor(m) for m in masks]
    tmasks = [None if m is None else torch.tensor(m) for m in masks]
    gout, tout = gm(gs, gt, *gmasks), tm(ts, tt, *tmasks)
    gmem, tmem = gm.encoder(gs, gmasks[0]), tm.encoder(ts, tmasks[0])
    assert_close(gmem.data, tmem.detach().numpy(), 1e-9, "encoder alone")
    gdec = gm.decoder(gt, gmem, gmasks[1])
    assert_close(gdec.data, tm.decoder(tt, tmem, tmasks[1]).detach().numpy(), 1e-9, "decoder alone")
    leaves = _leaves(gm, tm, {"src": (gs, ts), "tgt": (gt, tt)})
    _compare(torch, gout, tout, leaves, 1e-9)


def test_seq2seq_example_reverses_digits():
    """examples/seq2seq_reverse.py: nn.Transformer with teacher forcing, then greedy
    decoding of new sequences (measured: every one of 200 right after 120 steps)."""
    import os
    import sys

    sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(__file__)), "examples"))
    import seq2seq_reverse

    _, accuracy = seq2seq_reverse.train(steps=150)
    assert accuracy >= 0.9, accuracy


# ---- errors ---------------------------------------------------------------------------------
def _z(*shape):
    return gn.zeros(*shape)


@pytest.mark.parametrize(
    "make, words",
    [
        (
            lambda: gn.nn.TransformerDecoderLayer(6, 4),
            r"TransformerDecoderLayer: d_model 6 must be divisible by nhead 4",
        ),
        (lambda: gn.nn.Transformer(10, 3), r"d_model 10 must be divisible by nhead 3"),
        (
            lambda: gn.nn.TransformerEncoder(gn.nn.TransformerEncoderLayer(4, 2, 8), 0),
            r"TransformerEncoder: num_layers must be a positive int, got 0",
        ),
        (
            lambda: gn.nn.TransformerDecoder(gn.nn.TransformerDecoderLayer(4, 2, 8), 2.0),
            r"TransformerDecoder: num_layers must be a positive int, got 2.0",
        ),
        (
            lambda: gn.nn.TransformerDecoderLayer(4, 2, activation="swish"),
            r"TransformerDecoderLayer: activation should be one of .*gelu.*relu",
        ),
    ],
)
def test_construction_errors(make, words):
    with pytest.raises(ValueError, match=words):
        make()


def test_a_device_other_than_the_cpu_is_refused():
    with pytest.raises(
        gn.errors.DeviceError,
        match=r"Transformer: device 'cuda' is not available; glassnet runs on the CPU only",
    ):
        gn.nn.Transformer(4, 2, device="cuda")
    with pytest.raises(gn.errors.DeviceError, match=r"TransformerDecoderLayer: device 'cuda:1'"):
        gn.nn.TransformerDecoderLayer(4, 2, device="cuda:1")


def test_construction_type_errors():
    with pytest.raises(
        TypeError, match="TransformerEncoder: the layer to repeat must be a Module, got str"
    ):
        gn.nn.TransformerEncoder("layer", 2)
    with pytest.raises(TypeError, match="activation should be .* or a callable, got int"):
        gn.nn.TransformerDecoderLayer(4, 2, activation=3)
    gn.nn.TransformerDecoderLayer(4, 2, 8, device="cpu")  # the CPU is fine


@pytest.mark.parametrize(
    "call, words",
    [
        (
            lambda m: m(_z(3, 2, 4), _z(5, 2, 6)),
            r"TransformerDecoderLayer\(d_model=4, nhead=2\): memory must be a Tensor shaped "
            r"\(S, N, 4\) \(batched\) or \(S, 4\) \(unbatched\), got shape \(5, 2, 6\)",
        ),
        (lambda m: m(_z(3, 2, 5), _z(5, 2, 4)), r"tgt must be a Tensor shaped \(T, N, 4\)"),
        (
            lambda m: m(_z(3, 2, 4), _z(5, 3, 4)),
            r"memory \(5, 3, 4\) and tgt \(3, 2, 4\) must have the same batch size N \(dim 1\)",
        ),
        (lambda m: m(_z(3, 2, 4), _z(5, 4)), r"must both be batched \(3-D\) or both unbatched"),
        (
            lambda m: m(_z(3, 2, 4), _z(5, 2, 4), tgt_mask=np.zeros((3, 5), bool)),
            r"tgt_mask must have shape \(T, T\) = \(3, 3\) or \(N·nhead, T, T\) = \(4, 3, 3\), "
            r"got \(3, 5\)",
        ),
        (
            lambda m: m(_z(3, 2, 4), _z(5, 2, 4), memory_mask=np.zeros((3, 3), bool)),
            r"memory_mask must have shape \(T, S\) = \(3, 5\) or \(N·nhead, T, S\) = \(4, 3, 5\), "
            r"got \(3, 3\)",
        ),
        (
            lambda m: m(_z(3, 2, 4), _z(5, 2, 4), memory_key_padding_mask=np.zeros((2, 3), bool)),
            r"memory_key_padding_mask must have shape \(N, S\) = \(2, 5\) .*got \(2, 3\)",
        ),
        (
            lambda m: m(_z(3, 4), _z(5, 4), tgt_key_padding_mask=np.zeros((1, 3), bool)),
            r"tgt_key_padding_mask must have shape \(T,\) = \(3,\) .*got \(1, 3\)",
        ),
    ],
)
def test_decoder_layer_shape_errors(call, words):
    with pytest.raises(ShapeError, match=words):
        call(gn.nn.TransformerDecoderLayer(4, 2, 8))


@pytest.mark.parametrize(
    "call, words",
    [
        (
            lambda m: m(_z(5, 2, 4), _z(3, 3, 4)),
            r"Transformer\(d_model=4, nhead=2\): the batch number of src and tgt must be equal "
            r"\(dim 1\), got src \(5, 2, 4\) and tgt \(3, 3, 4\)",
        ),
        (
            lambda m: m(_z(5, 2, 6), _z(3, 2, 6)),
            r"the feature number of src and tgt must be equal to d_model = 4",
        ),
        (lambda m: m(_z(5, 4), _z(3, 2, 4)), r"must both be batched \(3-D\) or both unbatched"),
        (lambda m: m(_z(5, 2, 4, 1), _z(3, 2, 4)), r"src must be a 3-D Tensor \(S, N, 4\)"),
        (
            lambda m: m(_z(5, 2, 4), _z(3, 2, 4), src_mask=np.zeros((3, 3), bool)),
            r"TransformerEncoderLayer\(d_model=4, nhead=2\): src_mask must have shape \(S, S\) = "
            r"\(5, 5\)",
        ),
        (
            lambda m: m(_z(5, 2, 4), _z(3, 2, 4), memory_mask=np.zeros((5, 3), bool)),
            r"memory_mask must have shape \(T, S\) = \(3, 5\)",
        ),
    ],
)
def test_transformer_shape_errors(call, words):
    with pytest.raises(ShapeError, match=words):
        call(gn.nn.Transformer(4, 2, 1, 1, 8))
