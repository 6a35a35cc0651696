"""gn.explain.trace_step: one training step in the article's notation.

The numbers of a trace must be autograd's (checked against an independent
run of the same network), the Mazur example must show the published hand
computation, and every render works in English and Chinese."""

import json

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn
from glassnet.explain import examples, trace_step
from glassnet.explain.examples import MAZUR_NAMES
from glassnet.explain.report import render

F64 = np.float64

# ---- Mazur's worked example -------------------------------------------------------

MAZUR_PUBLISHED = {  # name in the trace: value printed in the article
    "z1": 0.3775,
    "a1": 0.593269992,
    "a2": 0.596884378,
    "ŷ1": 0.75136507,
    "ŷ2": 0.772928465,
    "L": 0.298371109,
    "δ_z_out1": 0.138498562,
    "∂L/∂w_out11": 0.082167041,
}
MAZUR_UPDATED = {
    "w_out11": 0.35891648,
    "w_out12": 0.408666186,
    "w_out21": 0.511301270,
    "w_out22": 0.561370121,
    "w11": 0.149780716,
    "w12": 0.19956143,
    "w21": 0.24975114,
    "w22": 0.29950229,
}


def test_mazur_matches_the_published_hand_computation():
    ex = examples.mazur()
    t = trace_step(*ex)
    for name, value in MAZUR_PUBLISHED.items():
        assert t.row(name).value == pytest.approx(value, abs=1e-8), name
    for name, value in MAZUR_UPDATED.items():
        r = t.row(name, "updates")
        assert r.new == pytest.approx(value, abs=1e-8), name
    w_out, w_hidden = ex.model[2].weight.detach().numpy(), ex.model[0].weight.detach().numpy()
    assert w_out[0, 0] == pytest.approx(0.35891648, abs=1e-8)  # applied to the model
    assert w_hidden[1, 1] == pytest.approx(0.29950229, abs=1e-8)


def _squash(text):
    """Text with runs of spaces (the column padding) made single."""
    return " ".join(text.split())


def test_mazur_with_mazurs_names_prints_the_published_digits():
    text = _squash(trace_step(*examples.mazur(), names=MAZUR_NAMES).to_text(digits=9))
    for snippet in (
        "net_h1",
        "out_o1 = σ(net_o1)",
        "δ_o1",
        "∂L/∂w5 = δ_o1 · out_h1",
        "0.138498562 × 0.593269992 = 0.082167041",
        "0.358916480",
        "0.298371109",
        "w1 ← w1 − η·∂L/∂w1",
    ):
        assert snippet in text, snippet


# ---- numbers equal autograd's, for every activation and every loss -----------------

ACTIVATIONS = [
    nn.ReLU,
    nn.Sigmoid,
    nn.Tanh,
    lambda: nn.LeakyReLU(0.1),
    nn.ELU,
    nn.GELU,
    nn.Softplus,
    lambda: nn.Softmax(dim=-1),
    lambda: nn.LogSoftmax(dim=-1),
]
LOSSES = ["half", "mse", "l1", "huber", "bce", "bce_logits", "ce", "nll"]


def _linear(rng, n_in, n_out):
    layer = nn.Linear(n_in, n_out, dtype=F64)
    layer.weight.data[...] = rng.normal(0, 0.8, (n_out, n_in))
    layer.bias.data[...] = rng.normal(0, 0.5, n_out)
    return layer


def _problem(act, loss, n, seed):
    """The same random network built twice, with an input and a target."""

    def build():
        rng = np.random.default_rng(seed)
        mods = [_linear(rng, 3, 4), act(), _linear(rng, 4, 3)]
        if loss == "bce":
            mods.append(nn.Sigmoid())
        if loss == "nll":
            mods.append(nn.LogSoftmax(dim=1))
        return nn.Sequential(*mods)

    rng = np.random.default_rng(seed + 100)
    x = gn.tensor(rng.normal(0, 1, (n, 3)), dtype=F64)
    if loss in ("ce", "nll"):
        y = rng.integers(0, 3, n)
    elif loss in ("bce", "bce_logits"):
        y = gn.tensor(rng.integers(0, 2, (n, 3)), dtype=F64)
    else:
        y = gn.tensor(rng.normal(0, 2, (n, 3)), dtype=F64)
    loss_fn = {
        "half": nn.HalfSquaredError(reduction="sum"),
        "mse": nn.MSELoss(),
        "l1": nn.L1Loss(),
        "huber": nn.HuberLoss(delta=0.7),
        "bce": nn.BCELoss(),
        "bce_logits": nn.BCEWithLogitsLoss(),
        "ce": nn.CrossEntropyLoss(),
        "nll": nn.NLLLoss(),
    }[loss]
    return build(), build(), x, y, loss_fn


def _reference(model, x, y, loss_fn):
    """Plain autograd on an independent copy: z, a and their gradients per layer."""
    layers, h = [], x
    for m in model:
        h = m(h)
        h.retain_grad()
        if isinstance(m, nn.Linear):
            layers.append({"linear": m, "z": h, "a": h})
        else:
            layers[-1]["a"] = h
    loss = loss_fn(h, y)
    loss.backward()
    return layers, loss


def _col(t, j):
    return t.detach().numpy().reshape(-1, t.shape[-1])[:, j]


def _check_against_reference(t, ref, loss, lr):
    assert t.loss_value == pytest.approx(loss.item(), rel=1e-12)
    seen = set()
    for r in t.forward + t.backward + t.updates:
        if r.layer is None or r.index is None:
            continue
        L = ref[r.layer - 1]
        w, b = L["linear"].weight, L["linear"].bias
        expected = {
            "z": lambda: _col(L["z"], r.index[0]),
            "a": lambda: _col(L["a"], r.index[0]),
            "delta_a": lambda: _col(L["a"].grad, r.index[0]),
            "delta_z": lambda: _col(L["z"].grad, r.index[0]),
            "grad_w": lambda: w.grad.numpy()[r.index],
            "grad_b": lambda: b.grad.numpy()[r.index],
            "update": lambda: (
                (w if len(r.index) == 2 else b).detach().numpy()[r.index]
                - lr * (w if len(r.index) == 2 else b).grad.numpy()[r.index]
            ),
        }[r.kind]()
        np.testing.assert_allclose(
            np.squeeze(r.value),
            np.squeeze(expected),
            rtol=1e-12,
            atol=1e-15,
            err_msg=f"{r.kind} {r.name}",
        )
        seen.add(r.kind)
    assert {"z", "delta_a", "delta_z", "grad_w", "grad_b", "update"} <= seen | {"delta_z"}


def _check_formulas_hold(t):
    """The numbers put into each formula give its value (one sample)."""
    for r in t.forward + t.backward + t.updates:
        v = r.values
        if not v:
            continue
        if r.kind in ("grad_w", "delta_z"):
            assert r.value == pytest.approx(v[0] * v[1], rel=1e-12, abs=1e-15), r.name
        elif r.kind == "delta_a" and r.layer < len({q.layer for q in t.forward if q.layer}):
            assert r.value == pytest.approx(
                sum(a * b for a, b in zip(v[::2], v[1::2])), rel=1e-10, abs=1e-14
            ), r.name
        elif r.kind == "z":
            dot = sum(a * b for a, b in zip(v[:-1:2], v[1:-1:2]))
            assert r.value == pytest.approx(dot + v[-1], rel=1e-10, abs=1e-14), r.name
        elif r.kind == "update":
            assert r.new == pytest.approx(v[0] - t.lr * v[1], rel=1e-14, abs=1e-16), r.name


@pytest.mark.parametrize("act", ACTIVATIONS, ids=lambda a: getattr(a, "__name__", "lambda"))
@pytest.mark.parametrize("loss", LOSSES)
def test_trace_numbers_equal_autograd(act, loss):
    n = 1 if LOSSES.index(loss) % 2 == 0 else 3
    traced, ref_model, x, y, loss_fn = _problem(act, loss, n, seed=len(loss) * 7 + n)
    t = trace_step(traced, x, y, loss_fn, lr=0.3)
    ref, ref_loss = _reference(ref_model, x, y, loss_fn)
    _check_against_reference(t, ref, ref_loss, 0.3)
    if n == 1:
        _check_formulas_hold(t)
    for p_traced, p_ref in zip(traced.parameters(), ref_model.parameters()):
        np.testing.assert_array_equal(
            p_traced.detach().numpy(), p_ref.detach().numpy() - 0.3 * p_ref.grad.numpy()
        )
        np.testing.assert_array_equal(p_traced.grad.numpy(), p_ref.grad.numpy())


def test_gradients_equal_pytorch(torch):
    traced, _, x, y, loss_fn = _problem(nn.Tanh, "ce", 2, seed=3)
    tm = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 3)).double()
    with torch.no_grad():
        for pt, pg in zip(tm.parameters(), traced.parameters()):
            pt.copy_(torch.from_numpy(pg.detach().numpy().copy()))
    torch.nn.functional.cross_entropy(
        tm(torch.from_numpy(x.numpy())), torch.from_numpy(y)
    ).backward()
    t = trace_step(traced, x, y, loss_fn, lr=0.1, apply=False)
    for r in t.backward:
        if r.kind == "grad_w":
            pt = tm[0 if r.layer == 1 else 2].weight.grad.numpy()
            assert r.value == pytest.approx(pt[r.index], rel=1e-10, abs=1e-14)


def test_delta_out_follows_the_loss_formula():
    t = trace_step(*examples.square())
    d = t.row("δ_out")
    assert d.formula == "∂L/∂ŷ = ŷ − y"
    assert d.value == pytest.approx(d.values[0] - d.values[1], rel=1e-12)
    ce = trace_step(
        nn.Sequential(nn.Linear(2, 3, dtype=F64)),
        [[0.3, -0.2]],
        np.array([2]),
        nn.CrossEntropyLoss(),
        lr=0.1,
    )
    assert ce.row("δ_out3").formula.endswith("− 1")
    assert ce.row("δ_out3").value == pytest.approx(ce.row("δ_out3").values[0] - 1, rel=1e-12)


# ---- names ----------------------------------------------------------------------------


def test_square_uses_the_articles_names_and_shows_a_dead_relu():
    t = trace_step(*examples.square())
    names = [r.name for r in t.forward + t.backward]
    for name in (
        "x",
        "z1",
        "a1",
        "z2",
        "ŷ",
        "δ_out",
        "∂L/∂w_out1",
        "∂L/∂b_out",
        "δ_a1",
        "δ_z1",
        "∂L/∂w11",
        "∂L/∂b1",
    ):
        assert name in names
    assert t.row("z2").value < 0 and t.row("∂L/∂w21").value == 0
    assert t.row("δ_z2").values[1] == 0  # relu'(z2) = 0, by autograd
    text = _squash(t.to_text())
    assert "∂L/∂w_out1 = δ_out · a1 = -1.3500 × 1.0000 = -1.3500" in text
    assert "δ_a1 = δ_out · w_out1 = -1.3500 × 0.7000 = -0.9450" in text
    assert "δ_z2 = δ_a2 · relu'(z2) = 0.4050 × 0 = 0" in text


def test_deeper_small_network_uses_layer_indices():
    gn.manual_seed(0)
    m = nn.Sequential(
        nn.Linear(2, 3, dtype=F64),
        nn.ReLU(),
        nn.Linear(3, 2, dtype=F64),
        nn.Tanh(),
        nn.Linear(2, 1, dtype=F64),
    )
    t = trace_step(m, [[0.5, -1.0]], [[0.2]], nn.MSELoss(), lr=0.1)
    assert t.names == "index" and t.detail == "full"
    for name in ("z[1][3]", "a[2][2]", "ŷ[1]", "∂L/∂W[2][2,3]", "δz[1][1]", "δ_out[1]"):
        t.row(name)
    assert (
        t.row("W[3][1,2]", "updates").old
        == m[4].weight.detach().numpy()[0, 1] + 0.1 * m[4].weight.grad.numpy()[0, 1]
    )


def test_large_network_is_summarised():
    gn.manual_seed(1)
    m = nn.Sequential(
        nn.Linear(16, 64, dtype=F64),
        nn.ReLU(),
        nn.Linear(64, 64, dtype=F64),
        nn.ReLU(),
        nn.Linear(64, 4, dtype=F64),
    )
    x = gn.randn(8, 16, dtype=F64)
    y = np.arange(8) % 4
    t = trace_step(m, x, y, nn.CrossEntropyLoss(), lr=0.05, apply=False)
    assert t.detail == "summary" and t.n_params == 16 * 64 + 64 + 64 * 64 + 64 + 64 * 4 + 4
    rows = t.forward + t.loss + t.backward + t.updates
    assert len(rows) < 80
    top = [r for r in t.backward if r.kind == "grad_w" and r.index is not None]
    assert len(top) == 9
    for r in top:
        g = m[2 * (r.layer - 1)].weight.grad.numpy()
        assert r.value == g[r.index]
        same_layer = np.abs(g) >= abs(r.value)
        assert same_layer.sum() <= 3  # one of the 3 largest
    assert t.row("∂L/∂W[2]").value.shape == (64, 64)
    text = t.to_text()
    assert "‖·‖" in text and "dead ReLUs in layer 1" in text and "W[2][" in text
    assert "最小" in t.to_text(lang="zh") and "“死”ReLU" in t.to_text(lang="zh")
    assert len(text.splitlines()) < 100


# ---- renders ------------------------------------------------------------------------------


def test_renders_in_both_languages():
    t = trace_step(*examples.house())
    en, zh = t.to_text(lang="en"), t.to_text(lang="zh")
    assert "Forward pass" in en and "Backward pass" in en and "Gradient descent" in en
    for label in ("前向传播", "损失", "反向传播", "梯度下降", "学习率"):
        assert label in zh
    assert "δ_z1 = δ_a1 · σ'(z1)" in _squash(en) and "δ_z1 = δ_a1 · σ'(z1)" in _squash(zh)
    for s in (en, zh):  # the same notation in both
        assert "∂L/∂w11" in s and "w_out1" in s and "η" in s
    md = t.to_markdown(lang="zh")
    assert md.startswith("### ") and "| 量 | 公式 | 代入数值 | 结果 |" in md
    html = t.to_html(lang="zh")
    assert html.startswith('<div class="glassnet-explain"><style>') and html.endswith("</div>")
    assert "<table>" in html and "前向传播" in html
    assert t._repr_html_() == t.to_html() and str(t) == t.to_text()
    assert t.to_text(lang=None) == t.to_text(lang=t.lang)


def test_text_columns_are_aligned():
    for line_group in trace_step(*examples.mazur()).to_text().split("\n\n")[1:]:
        lines = [
            ln for ln in line_group.splitlines()[1:] if ln.count(" = ") >= 2 and "'(z)" not in ln
        ]  # rows with a formula
        ends = {render.width(ln[: ln.rindex(" = ")]) for ln in lines}
        assert lines and len(ends) == 1, line_group


def test_html_and_markdown_escape():
    t = trace_step(*examples.square(), names={"x": "<x&y>"})
    html = t.to_html()
    assert "&lt;x&amp;y&gt;" in html and "<x&y>" not in html
    l1 = trace_step(*examples.square()[:3], nn.L1Loss(), 0.1)
    assert "\\|y − ŷ\\|" in l1.to_markdown() or "\\|ŷ − y\\|" in l1.to_markdown()


def test_every_loss_formula_is_written():
    ex = examples.square()
    formulas = {}
    for loss_fn in (
        nn.HalfSquaredError(),
        nn.MSELoss(),
        nn.L1Loss(),
        nn.HuberLoss(delta=0.5),
        nn.BCEWithLogitsLoss(),
    ):
        y = [[1.0]] if isinstance(loss_fn, nn.BCEWithLogitsLoss) else ex.y
        formulas[type(loss_fn).__name__] = (
            trace_step(examples.square().model, ex.x, y, loss_fn, 0.1).row("L").formula
        )
    assert formulas == {
        "HalfSquaredError": "½(y − ŷ)²",
        "MSELoss": "(ŷ − y)²",
        "L1Loss": "|ŷ − y|",
        "HuberLoss": "0.5·(|ŷ − y| − 0.25)",
        "BCEWithLogitsLoss": "−[y·ln σ(ŷ) + (1 − y)·ln(1 − σ(ŷ))]",
    }
    t = trace_step(*examples.xor())
    assert t.row("L").formula == "(1/4)·Σ −[y·ln ŷ + (1 − y)·ln(1 − ŷ)]"
    weighted = trace_step(*examples.square()[:3], nn.BCEWithLogitsLoss(pos_weight=[2.0]), 0.1)
    assert weighted.row("L").formula == "BCEWithLogitsLoss(ŷ, y)"  # shown generically
    assert weighted.row("δ_out").formula == "∂L/∂ŷ"


def test_structured_data_and_json():
    t = trace_step(*examples.mazur(), apply=False)
    d = t.to_dict()
    json.dumps(d)
    assert set(d) >= {"forward", "loss", "backward", "updates", "lr", "applied"}
    r = next(x for x in d["backward"] if x["name"] == "∂L/∂w_out11")
    assert r["formula"] == "δ_z_out1 · a1" and r["numbers"] == "0.1385 × 0.5933"
    assert r["value"] == pytest.approx(0.082167041, abs=1e-8)
    assert "StepTrace" in repr(t)


def test_apply_false_leaves_the_model_and_apply_true_is_an_sgd_step():
    ex = examples.house()
    before = [p.detach().numpy().copy() for p in ex.model.parameters()]
    t = trace_step(*ex, apply=False)
    assert not t.applied
    for p, b in zip(ex.model.parameters(), before):
        np.testing.assert_array_equal(p.detach().numpy(), b)
        assert p.grad is not None
    gn.manual_seed(4)
    a = nn.Sequential(nn.Linear(3, 5), nn.Sigmoid(), nn.Linear(5, 2))  # float32
    b = nn.Sequential(nn.Linear(3, 5), nn.Sigmoid(), nn.Linear(5, 2))
    b.load_state_dict({k: v.clone() for k, v in a.state_dict().items()})
    x, y = gn.randn(4, 3), gn.randn(4, 2)
    for p in a.parameters():
        p.grad = gn.ones_like(p)  # stale gradients are discarded, as zero_grad would
    trace_step(a, x, y, nn.MSELoss(), lr=0.2)
    opt = gn.optim.SGD(b.parameters(), lr=0.2)
    opt.zero_grad()
    nn.MSELoss()(b(x), y).backward()
    opt.step()
    for pa, pb in zip(a.parameters(), b.parameters()):
        np.testing.assert_array_equal(pa.detach().numpy(), pb.detach().numpy())


# ---- errors -------------------------------------------------------------------------------


class _Custom(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(2, 1)

    def forward(self, x):
        return self.fc(x)


@pytest.mark.parametrize(
    "model, words",
    [
        (_Custom(), ["_Custom", "nn.Sequential", "gn.explain.record()"]),
        (nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.5), nn.Linear(2, 1)), ["layer 1", "Dropout"]),
        (nn.Sequential(nn.ReLU(), nn.Linear(2, 1)), ["before any Linear"]),
        (
            nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Tanh(), nn.Linear(2, 1)),
            ["follows another activation"],
        ),
        (nn.Sequential(), ["no Linear layer"]),
    ],
)
def test_unsupported_models_point_to_the_tape(model, words):
    with pytest.raises(TypeError) as err:
        trace_step(model, [[1.0, 2.0]], [[1.0]], nn.MSELoss(), lr=0.1)
    for w in words:
        assert w in str(err.value)
    assert "record" in str(err.value)


@pytest.mark.parametrize(
    "kwargs, words",
    [
        (dict(lr=0), "lr"),
        (dict(lr=-1.0), "lr"),
        (dict(lr="0.1"), "lr"),
        (dict(lr=True), "lr"),
        (dict(lr=float("nan")), "lr"),
        (dict(names="greek"), "names"),
        (dict(detail="all"), "detail"),
        (dict(lang="fr"), "language"),
    ],
)
def test_bad_arguments(kwargs, words):
    ex = examples.square()
    args = dict(lr=0.1)
    args.update(kwargs)
    with pytest.raises(ValueError, match=words):
        trace_step(ex.model, ex.x, ex.y, ex.loss_fn, **args)


def test_bad_input_and_loss():
    ex = examples.house()
    with pytest.raises(ValueError, match=r"x has shape \(1, 3\), expected \(N, 2\)"):
        trace_step(ex.model, [[1.0, 2.0, 3.0]], ex.y, ex.loss_fn, 0.1)
    for model, x, y in (ex[:3], examples.xor()[:3]):
        with pytest.raises(ValueError, match="single number"):
            trace_step(model, x, y, nn.MSELoss(reduction="none"), 0.1)
    with pytest.raises(ValueError, match="names='article'"):
        big = nn.Sequential(nn.Linear(2, 12), nn.ReLU(), nn.Linear(12, 1))
        trace_step(big, [[1.0, 2.0]], [[1.0]], nn.MSELoss(), 0.1, names="article")
    frozen = examples.square().model
    frozen[0].weight.requires_grad_(False)
    with pytest.raises(ValueError, match="weight of Linear layer 1 does not require grad"):
        trace_step(frozen, [[1.0]], [[1.0]], nn.MSELoss(), 0.1)


def test_every_example_traces():
    for name, make in examples.EXAMPLES.items():
        ex = make()
        assert isinstance(ex, examples.Example)
        state = gn.get_rng_state()
        t = trace_step(*make())
        assert gn.get_rng_state() == state  # building and tracing draw no random numbers
        assert np.isfinite(t.loss_value) and t.detail == "full", name


def test_layers_without_bias_and_a_loss_function():
    gn.manual_seed(0)
    m = nn.Sequential(nn.Linear(2, 2, bias=False, dtype=F64), nn.ELU(), nn.Linear(2, 1, dtype=F64))
    t = trace_step(m, [[0.5, -1.0]], [[0.3]], nn.functional.mse_loss, lr=0.1)
    assert t.row("z1").formula == "w11·x1 + w12·x2" and t.loss_name == "mse_loss"
    assert t.row("L").formula == "mse_loss(ŷ, y)"
    assert t.row("δ_out").value == pytest.approx(2 * (t.row("ŷ").value - 0.3), rel=1e-12)
    assert not any(r.name.startswith("b") for r in t.updates[:4])
    np.testing.assert_array_equal(
        m[0].weight.detach().numpy(),
        [
            [t.row("w11", "updates").new, t.row("w12", "updates").new],
            [t.row("w21", "updates").new, t.row("w22", "updates").new],
        ],
    )
