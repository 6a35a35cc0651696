"""Every op explains itself: each ``Op`` subclass in the package states what
it computes and its local derivative rule (``formula``, ``rule``), and
``gn.explain`` shows that rule wherever the op runs — in the tape's text and
in the computation graph's tooltip.

BUILDERS holds one tiny computation per op class that records it; a new op
class without a builder fails ``test_every_op_class_has_a_builder``."""

import html
import importlib
import pkgutil
import re

import numpy as np
import pytest
from svgcheck import SVG, by_class, parse  # noqa: E402

import glassnet as gn
from glassnet import nn
from glassnet.autograd import Function, Op
from glassnet.explain import record
from glassnet.explain.draw.graph import graph_dot, graph_svg, op_label
from glassnet.explain.trace.rules import op_rule
from glassnet.nn import functional as F
from glassnet.ops import arith

F64 = np.float64


# the subpackages that need an extra to import (they define no op class)
NEEDS_EXTRA = ("glassnet.onnx", "glassnet.sklearn")


def _import_everything():
    """Import every module of the package, so that every op class exists."""
    for info in pkgutil.walk_packages(gn.__path__, "glassnet.", onerror=lambda name: None):
        if info.name.endswith("__main__"):
            continue
        try:
            importlib.import_module(info.name)
        except ImportError as exc:  # an extra is missing: only where that is expected
            if not info.name.startswith(NEEDS_EXTRA) or "pip install" not in str(exc):
                raise


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def op_classes():
    """Every Op subclass of the package that can run backward (an abstract base
    such as arith._Binary, with Op's own backward, is not an op)."""
    _import_everything()
    found = {c for c in _subclasses(Op) if c.__module__.startswith("glassnet.")}
    return sorted(
        (c for c in found if c.backward is not Op.backward),
        key=lambda c: (c.__module__, c.__qualname__),
    )


# ---- one tiny computation per op class ------------------------------------------------
def t(*shape, low=-1.0, high=1.0):
    """A float64 leaf that requires grad, values in [low, high)."""
    return gn.tensor(np.random.uniform(low, high, shape), dtype=F64, requires_grad=True)


def _rnn(mode):
    layer = {"RNN": nn.RNN, "GRU": nn.GRU, "LSTM": nn.LSTM}[mode](3, 4, dtype=F64)
    out, _ = layer(t(5, 2, 3))
    return out


def _fused_lstm():
    layer = nn.LSTM(3, 4)  # float32: one oneDNN node per layer
    x = gn.tensor(np.random.uniform(-1, 1, (5, 2, 3)), dtype=np.float32, requires_grad=True)
    out, (h, c) = layer(x)
    return out.sum() + h.sum() + c.sum()


def _fused_gru():
    layer = nn.GRU(3, 4)  # float32: one oneDNN node per layer
    x = gn.tensor(np.random.uniform(-1, 1, (5, 2, 3)), dtype=np.float32, requires_grad=True)
    out, h = layer(x)
    return out.sum() + h.sum()


def _index_put():
    x = t(3, 4) * 1.0  # not a leaf: x[...] = v records IndexPut
    x[1] = t(4)
    return x


def _second(fn, *shape):
    """A gradient taken with create_graph=True, then used again: the ops that
    only a create_graph backward records (IndexAdd, ScatterAlong, LinearMap, Erf)."""
    x = t(*shape)
    (g,) = gn.autograd.grad(fn(x), x, create_graph=True)
    return g * x


BUILDERS = {
    "IndexAdd": lambda: _second(lambda x: (x[[0, 0, 2]] ** 2).sum(), 3, 4),
    "ScatterAlong": lambda: _second(
        lambda x: (x.gather(1, gn.tensor([[0, 0], [1, 3], [2, 2]])) ** 2).sum(), 3, 4
    ),
    "LinearMap": lambda: _second(lambda x: (F.max_pool2d(x, 2) ** 2).sum(), 1, 1, 4, 4),
    "Erf": lambda: _second(lambda x: F.gelu(x).sum(), 3),
    "Masked": lambda: _second(lambda x: (F.relu(x) * x).sum(), 4),
    "Add": lambda: t(3) + t(3),
    "Sub": lambda: t(3) - t(3),
    "Mul": lambda: t(3) * t(3),
    "Div": lambda: t(3) / t(3, low=1, high=2),
    "Pow": lambda: t(3, low=0.5, high=2) ** t(3),
    "PowScalar": lambda: t(3) ** 2,
    "Maximum": lambda: gn.maximum(t(3), t(3)),
    "Minimum": lambda: gn.minimum(t(3), t(3)),
    "Sigmoid": lambda: gn.sigmoid(t(3)),
    "Relu": lambda: gn.relu(t(3)),
    "LeakyRelu": lambda: F.leaky_relu(t(3), 0.1),
    "Elu": lambda: F.elu(t(3)),
    "Gelu": lambda: F.gelu(t(3)),
    "Softplus": lambda: F.softplus(t(3)),
    "Neg": lambda: -t(3),
    "Exp": lambda: gn.exp(t(3)),
    "Log": lambda: gn.log(t(3, low=0.5, high=2)),
    "Sqrt": lambda: gn.sqrt(t(3, low=0.5, high=2)),
    "Abs": lambda: gn.abs(t(3)),
    "Sin": lambda: gn.sin(t(3)),
    "Cos": lambda: gn.cos(t(3)),
    "Tanh": lambda: gn.tanh(t(3)),
    "Clamp": lambda: gn.clamp(t(3), -0.5, 0.5),
    "Where": lambda: gn.where(gn.tensor([True, False, True]), t(3), t(3)),
    "Cast": lambda: t(3).float(),
    "Clone": lambda: t(3).clone(),
    "Sum": lambda: t(2, 3).sum(dim=1),
    "Mean": lambda: t(2, 3).mean(dim=1),
    "Var": lambda: t(2, 3).var(dim=1),
    "Std": lambda: t(2, 3).std(dim=1),
    "AMax": lambda: gn.amax(t(2, 3), dim=1),
    "AMin": lambda: gn.amin(t(2, 3), dim=1),
    "TakeAlongDim": lambda: t(2, 3).max(dim=1).values,
    "LogSumExp": lambda: gn.logsumexp(t(2, 3), dim=1),
    "MatMul": lambda: t(2, 3) @ t(3, 2),
    "Linear": lambda: F.linear(t(2, 3), t(4, 3), t(4)),
    "Softmax": lambda: F.softmax(t(2, 3), dim=1),
    "LogSoftmax": lambda: F.log_softmax(t(2, 3), dim=1),
    "CrossEntropyIndices": lambda: F.cross_entropy(t(4, 3), gn.tensor([0, 2, 1, 2])),
    "BinaryCrossEntropy": lambda: F.binary_cross_entropy(
        gn.sigmoid(t(4)), gn.tensor([0.0, 1.0, 1.0, 0.0], dtype=F64)
    ),
    "BinaryCrossEntropyWithLogits": lambda: F.binary_cross_entropy_with_logits(
        t(4), gn.tensor([0.0, 1.0, 1.0, 0.0], dtype=F64)
    ),
    "NLLLoss": lambda: F.nll_loss(F.log_softmax(t(4, 3), dim=1), gn.tensor([0, 2, 1, 2])),
    "SquaredError": lambda: F.mse_loss(t(4), t(4)),
    "GetItem": lambda: t(3, 4)[1:, 2],
    "IndexPut": _index_put,
    "Gather": lambda: gn.gather(t(2, 3), 1, gn.tensor([[0, 2], [1, 1]])),
    "Reshape": lambda: t(2, 3).reshape(3, 2),
    "Permute": lambda: t(2, 3, 4).permute(2, 0, 1),
    "Roll": lambda: t(2, 3).roll(1, 1),
    "Expand": lambda: t(1, 3).expand(2, 3),
    "Cat": lambda: gn.cat([t(2, 3), t(1, 3)], dim=0),
    "Stack": lambda: gn.stack([t(3), t(3)]),
    "Pad": lambda: gn.pad(t(2, 3), (1, 2)),
    "ScaledDotProductAttention": lambda: F.scaled_dot_product_attention(
        t(1, 2, 3), t(1, 4, 3), t(1, 4, 2)
    ),
    "Conv2d": lambda: F.conv2d(t(1, 2, 5, 5), t(3, 2, 3, 3), t(3)),
    "ConvTranspose2d": lambda: F.conv_transpose2d(t(1, 2, 3, 3), t(2, 3, 2, 2), t(3), stride=2),
    "MaxPool2d": lambda: F.max_pool2d(t(1, 2, 4, 4), 2),
    "AvgPool2d": lambda: F.avg_pool2d(t(1, 2, 4, 4), 2),
    "AdaptiveAvgPool2d": lambda: F.adaptive_avg_pool2d(t(1, 2, 5, 5), (2, 3)),
    "Embedding": lambda: F.embedding(gn.tensor([[0, 3], [3, 1]]), t(4, 2)),
    "BatchNorm": lambda: F.batch_norm(t(4, 3), None, None, t(3), t(3), training=True),
    "LayerNorm": lambda: F.layer_norm(t(2, 3), (3,), t(3), t(3)),
    "GateProjection": lambda: _rnn("GRU"),
    "RecurrentStep": lambda: _rnn("LSTM"),
    "LayerOutput": lambda: _rnn("RNN"),
    "LSTMLayer": _fused_lstm,
    "LayerState": _fused_lstm,
    "GRULayer": _fused_gru,
}
NEEDS_ONEDNN = {"LSTMLayer", "LayerState", "GRULayer"}

OPS = op_classes()


def test_the_walk_finds_the_ops():
    names = {c.__name__ for c in OPS}
    assert len(OPS) >= 60
    assert {"Add", "Conv2d", "BatchNorm", "RecurrentStep", "LSTMLayer", "AMin"} <= names
    assert arith._Binary not in OPS  # an abstract base, not an op


def test_every_op_class_has_a_builder():
    missing = sorted(c.__name__ for c in OPS if c.__name__ not in BUILDERS)
    assert not missing, f"op classes without a builder in BUILDERS: {missing}"
    stale = sorted(set(BUILDERS) - {c.__name__ for c in OPS})
    assert not stale, f"BUILDERS names classes that are not ops: {stale}"


@pytest.mark.parametrize("cls", OPS, ids=lambda c: c.__name__)
def test_op_states_its_rule(cls):
    formula, rule = op_rule(cls)
    assert formula.strip() and "∂" in rule, (
        f"{cls.__module__}.{cls.__qualname__} must set formula (what it computes) and rule "
        f"(its local derivative, with a '∂'); got formula={formula!r}, rule={rule!r}"
    )
    assert "\n" not in formula + rule and rule == rule.strip()


@pytest.mark.parametrize("cls", OPS, ids=lambda c: c.__name__)
def test_explain_shows_the_rule(cls, request):
    if cls.__name__ in NEEDS_ONEDNN:
        request.getfixturevalue("needs_onednn")
    formula, rule = op_rule(cls)
    with record() as tape:
        out = BUILDERS[cls.__name__]()
        loss = out.sum() if out.ndim else out
    loss.backward()
    nodes = [n for n in tape if n.op == cls.__name__]
    assert nodes, f"the builder for {cls.__name__} recorded {tape.ops}, not {cls.__name__}"
    node = nodes[0]
    assert (node.forward, node.rule) == (formula, rule)
    assert node.in_graph and node.backward_calls >= 1
    # the op's block of the printed tape: its heading with the formula, then the rule
    block = next(
        b for b in tape.to_text().split("\n\n") if b.startswith(f"#{node.index} {cls.__name__}")
    )
    assert block.startswith(f"#{node.index} {cls.__name__} — {formula}\n")
    assert re.search(r"^  local rule +" + re.escape(rule) + "$", block, re.M), block
    # the table layouts (Markdown, HTML) have a rule column
    assert rule.replace("\\", "\\\\").replace("|", "\\|") in tape.to_markdown()
    assert html.escape(rule) in tape.to_html()
    # the graph's tooltip of that op states the rule too
    tips = [
        g.find(SVG + "title").text
        for g in by_class(parse(graph_svg(loss)), "op")
        if g.get("data-op") == op_label(cls)
    ]
    assert tips and all(formula in tip and rule in tip for tip in tips)


def test_graph_dot_tooltips_state_the_rule():
    x = t(3)
    dot = graph_dot((x * x).sum())
    assert f'tooltip="MulBackward0\\n{arith.Mul.formula}\\n{arith.Mul.rule}"' in dot


def test_op_rule_reads_the_class_attributes():
    assert op_rule(arith.Add) == ("out = a + b", "∂out/∂a = 1, ∂out/∂b = 1")
    assert op_rule(arith.Add.__new__(arith.Add)) == op_rule(arith.Add)  # a node

    class Bare(arith.Add):
        pass

    assert op_rule(Bare) == ("", "")  # not inherited: a subclass states its own

    class Cube(Function):
        formula = "out = x³"
        rule = "∂out/∂x = 3x²"

    assert op_rule(Cube) == ("out = x³", "∂out/∂x = 3x²")


# ---- rules that were wrong for what backward computes, checked in numbers ---------------
def _grad(fn, x):
    x = gn.tensor(x, dtype=F64, requires_grad=True)
    fn(x).sum().backward()
    return x.grad.numpy()


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def test_cross_entropy_rule_with_class_weights_and_smoothing():
    # ∂Lₙ/∂xₙ = (1−ε)·w_yₙ·(pₙ − onehot(yₙ)) + (ε/C)·(pₙ·Σ_c w_c − w), ÷ Σ w_yₙ for 'mean'
    logits = np.random.uniform(-2, 2, (4, 3))
    y, w, eps = np.array([0, 2, 1, 2]), np.array([0.5, 2.0, 1.0]), 0.2
    got = _grad(
        lambda x: F.cross_entropy(x, gn.tensor(y), gn.tensor(w, dtype=F64), label_smoothing=eps),
        logits,
    )
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    onehot = np.eye(3)[y]
    rule = (1 - eps) * w[y][:, None] * (p - onehot) + eps / 3 * (p * w.sum() - w)
    np.testing.assert_allclose(got, rule / w[y].sum(), rtol=1e-12, atol=1e-15)


def test_softplus_rule_past_its_threshold():
    # ∂a/∂z = σ(βz), and 1 where βz > threshold (a = z there)
    z = np.array([-1.0, 0.2, 0.8, 3.0])
    got = _grad(lambda x: F.softplus(x, beta=2.0, threshold=1.0), z)
    np.testing.assert_allclose(got, np.where(2 * z > 1.0, 1.0, _sigmoid(2 * z)), rtol=1e-12)


def test_gelu_tanh_rule():
    # ∂a/∂z = ½(1 + t) + ½z(1 − t²)·√(2/π)(1 + 3·0.044715z²), t = tanh(√(2/π)(z + 0.044715z³))
    z = np.linspace(-3, 3, 7)
    got = _grad(lambda x: F.gelu(x, approximate="tanh"), z)
    c = np.sqrt(2 / np.pi)
    t_ = np.tanh(c * (z + 0.044715 * z**3))
    rule = 0.5 * (1 + t_) + 0.5 * z * (1 - t_**2) * c * (1 + 3 * 0.044715 * z**2)
    np.testing.assert_allclose(got, rule, rtol=1e-12)
