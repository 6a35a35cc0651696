"""gn.explain.record(): the tensor-level trace of any computation."""

import threading

import numpy as np
import pytest

import glassnet as gn
from glassnet.autograd import Function, Op
from glassnet.explain import examples, record
from glassnet.explain.trace.numtext import Stats

F64 = np.float64


def _leaves():
    x = gn.tensor([[1.0, -2.0, 3.0], [0.5, 0.0, -1.0]], dtype=F64, requires_grad=True)
    w = gn.tensor([[0.2, -0.1], [0.4, 0.3], [-0.5, 0.6]], dtype=F64, requires_grad=True)
    return x, w


def test_records_ops_in_order_with_shapes_and_values():
    x, w = _leaves()
    with record() as tape:
        h = x @ w
        r = h.relu()
        loss = (r * r).sum()
    assert tape.ops == ["MatMul", "Relu", "Mul", "Sum"]
    mm, relu, mul, total = tape
    assert [s.shape for s in mm.inputs] == [(2, 3), (3, 2)] and mm.output.shape == (2, 2)
    assert [s.label for s in mul.inputs] == ["#1", "#1"] and relu.inputs[0].label == "#0"
    np.testing.assert_array_equal(mm.output.value, h.detach().numpy())
    assert total.output.shape == () and total.output.value == loss.item()
    assert mul.rule == "∂out/∂a = b, ∂out/∂b = a" and mul.forward == "out = a · b"
    assert all(n.in_graph and n.backward_calls == 0 for n in tape)


def test_backward_gradients_equal_autograds():
    x, w = _leaves()
    with record() as tape:
        h = x @ w
        h.retain_grad()
        r = h.relu()
        r.retain_grad()
        loss = (r * r).sum()
    loss.backward()  # after the block: still recorded
    mm, relu, mul, total = tape
    np.testing.assert_array_equal(mm.grads_in[0], x.grad.numpy())
    np.testing.assert_array_equal(mm.grads_in[1], w.grad.numpy())
    np.testing.assert_array_equal(mm.grad_out, h.grad.numpy())
    np.testing.assert_array_equal(relu.grad_out, r.grad.numpy())
    np.testing.assert_array_equal(relu.grads_in[0], h.grad.numpy())
    np.testing.assert_array_equal(mul.grads_in[0] + mul.grads_in[1], r.grad.numpy())
    assert total.grad_out == 1.0
    assert all(n.backward_calls == 1 for n in tape)


def test_model_parameters_are_named_and_get_their_grad():
    ex = examples.mazur()
    with record(ex.model) as tape:
        loss = ex.loss_fn(ex.model(ex.x), ex.y)
        loss.backward()
    linear = tape[0]
    assert linear.op == "Linear" and [s.label for s in linear.inputs] == ["", "0.weight", "0.bias"]
    assert linear.inputs[0].kind == "const"
    assert linear.grads_in[0] is None  # the input needs no gradient
    np.testing.assert_array_equal(linear.grads_in[1], ex.model[0].weight.grad.numpy())
    np.testing.assert_array_equal(tape[2].grads_in[1], ex.model[2].weight.grad.numpy())
    assert tape[2].grads_in[1][0, 0] == pytest.approx(0.082167041, abs=1e-8)  # Mazur's ∂E/∂w5
    assert linear.rule.startswith("∂L/∂x = δ W") and linear.forward == "y = x Wᵀ + b"


def test_large_values_are_summarised():
    x = gn.randn(30, 40, dtype=F64, requires_grad=True)
    with record() as tape:
        y = (x * 2.0).sum()
    y.backward()
    mul = tape[0]
    assert mul.params == ["2.0"] and mul.inputs[0].shape == (30, 40)
    text = tape.to_text()
    assert "min " in text and "‖·‖" in text and "(1200 values)" in text
    np.testing.assert_array_equal(mul.grads_in[0], x.grad.numpy())  # 1200 ≤ KEEP_LIMIT: whole
    big = gn.randn(100, 100, dtype=F64, requires_grad=True)
    with record() as tape:
        big.sum().backward()
    assert isinstance(tape[0].inputs[0].value, Stats)
    assert tape[0].inputs[0].value.norm == pytest.approx(np.linalg.norm(big.detach().numpy()))


def test_ops_without_a_graph_are_marked():
    a = gn.tensor([1.0, 2.0])
    with record() as tape:
        b = a * 3.0 + 1.0
    assert tape.ops == ["Mul", "Add"] and not tape[0].in_graph
    assert b.grad_fn is None
    assert "not in the graph" in tape.to_text()
    assert "不在计算图中" in tape.to_text(lang="zh")


def test_the_patch_is_removed_and_nothing_outside_is_recorded():
    originals = Op.__dict__["apply"], Function.__dict__["apply"]
    x, w = _leaves()
    before = x * 2.0
    with pytest.raises(ZeroDivisionError):
        with record() as tape:
            x + 1.0
            raise ZeroDivisionError
    assert (Op.__dict__["apply"], Function.__dict__["apply"]) == originals
    assert tape.ops == ["Add"]
    before + 1.0
    assert tape.ops == ["Add"]
    with pytest.raises(RuntimeError, match="already recording"):
        with tape:
            with tape:
                pass
    assert (Op.__dict__["apply"], Function.__dict__["apply"]) == originals


def test_nested_tapes_and_other_threads():
    x, _ = _leaves()
    with record() as outer:
        x.exp()
        with record() as inner:
            x.sin()
        done = []
        t = threading.Thread(target=lambda: done.append(x.cos()))
        t.start()
        t.join()
    assert outer.ops == ["Exp", "Sin"] and inner.ops == ["Sin"] and done


class Cube(Function):
    formula = "out = x³"
    rule = "∂out/∂x = 3x²"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x * x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 3 * x * x


def test_custom_functions_are_one_node():
    x = gn.tensor([1.0, 2.0], dtype=F64, requires_grad=True)
    with record() as tape:
        y = Cube.apply(x).sum()
    y.backward()
    assert tape.ops == ["Cube", "Sum"]  # the Muls inside Cube.forward are not listed
    assert (tape[0].forward, tape[0].rule) == ("out = x³", "∂out/∂x = 3x²")
    np.testing.assert_array_equal(tape[0].grads_in[0], x.grad.numpy())


def test_renders_in_both_languages():
    ex = examples.mazur()
    with record(ex.model) as tape:
        ex.loss_fn(ex.model(ex.x), ex.y).backward()
    en, zh = tape.to_text(lang="en"), tape.to_text(lang="zh")
    assert "Tensor-level trace: 5 ops" in en and "gradients sent back" in en
    assert "local rule" in en and "∂a/∂z = σ(z)(1 − σ(z)) = a(1 − a)" in en
    for label in ("张量级追踪", "局部导数", "上游梯度", "传回的梯度", "输入", "输出"):
        assert label in zh
    md = tape.to_markdown(lang="zh")
    assert md.startswith("### ") and "| # | 运算 |" in md and md.count("\n| ") == 6
    html = tape.to_html()
    assert html.startswith('<div class="glassnet-explain">') and html.count("<tr>") == 6
    assert tape._repr_html_() == html and str(tape) == tape.to_text()
    assert "Linear" in repr(tape)
    import json

    json.dumps(tape.to_dict())


def test_empty_tape_says_why():
    with record() as tape:
        pass
    assert len(tape) == 0
    assert "No ops were recorded" in tape.to_text()
    assert "没有记录到任何运算" in tape.to_html(lang="zh")


def test_html_is_escaped():
    x = gn.tensor([1.0, 2.0], requires_grad=True)
    x.name = "<script>"
    with record() as tape:
        (x * x).sum().backward()
    html = tape.to_html()
    assert "<script>" not in html and "&lt;script&gt;" in html
