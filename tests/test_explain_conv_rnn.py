"""Seeing convolutions and recurrence: the conv trace and the gradient flow
through time."""

import numpy as np
import pytest
from conftest import need

import glassnet as gn
from glassnet.explain.trace.convolution import trace_conv
from glassnet.explain.trace.recurrent import gradient_flow


@pytest.mark.parametrize("stride, padding, dilation", [(1, 1, 1), (2, 0, 1), (1, 2, 2)])
def test_conv_trace_numbers_are_the_layers_and_autograds(stride, padding, dilation):
    gn.manual_seed(0)
    conv = gn.nn.Conv2d(
        2, 3, 3, stride=stride, padding=padding, dilation=dilation, dtype=gn.float64
    )
    x = gn.randn(2, 2, 7, 7, dtype=gn.float64)
    out_shape = conv(x).shape
    target = gn.randn(*out_shape, dtype=gn.float64)
    loss_fn = gn.nn.MSELoss()
    conv.weight.grad = None
    loss_fn(conv(x), target).backward()
    w_grad, b_grad = conv.weight.grad.numpy().copy(), conv.bias.grad.numpy().copy()
    # Σ over every output position of δ · patch is the kernel gradient
    total = np.zeros_like(w_grad[1])
    for n in range(out_shape[0]):
        for i in range(out_shape[2]):
            for j in range(out_shape[3]):
                t = trace_conv(conv, x, (n, 1, i, j), loss_fn=loss_fn, target=target)
                assert t.value == pytest.approx(t.layer_value, rel=1e-12, abs=1e-12)
                total += t.delta * t.patch
    np.testing.assert_allclose(t.kernel_grad, w_grad[1], rtol=1e-12)
    np.testing.assert_allclose(total, w_grad[1], rtol=1e-10, atol=1e-14)
    assert t.bias_grad == pytest.approx(b_grad[1])
    np.testing.assert_array_equal(conv.weight.grad.numpy(), w_grad)  # .grad restored
    assert "Σ W · patch" in str(t) and "δ" in str(t)
    assert "卷积核" in t.__class__(**{**t.__dict__, "lang": "zh"}).to_text()


def test_conv_trace_rejects_grouped_conv():
    with pytest.raises(TypeError, match="groups=1"):
        trace_conv(gn.nn.Conv2d(2, 2, 3, groups=2), gn.randn(1, 2, 4, 4))


def _flow(kind, x, y, forget_bias=0.0):
    gn.manual_seed(1)
    module = getattr(gn.nn, kind)(3, 8, batch_first=True, dtype=gn.float64)
    if forget_bias:  # PyTorch's gate order is i, f, g, o: the forget gate's rows are H:2H
        module.bias_hh_l0.data[8:16] += forget_bias
    return module, gradient_flow(module, x, y, gn.nn.MSELoss())


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_gradient_flow_ends_with_the_modules_own_gradient(kind):
    gn.manual_seed(0)
    x, y = gn.randn(4, 12, 3, dtype=gn.float64), gn.ones(4, 8, dtype=gn.float64)
    module, flow = _flow(kind, x, y)
    out, _ = module(x)
    last = out[:, -1]
    last.retain_grad()
    gn.nn.MSELoss()(last, y).backward()
    assert flow.norms[-1] == pytest.approx(np.linalg.norm(last.grad.numpy()), rel=1e-10)
    assert len(flow.norms) == 12 and "‖∂L/∂hₜ‖" in str(flow)


def test_lstm_holds_the_gradient_better_than_a_tanh_rnn():
    gn.manual_seed(0)
    x, y = gn.randn(8, 40, 3, dtype=gn.float64), gn.ones(8, 8, dtype=gn.float64)
    _, rnn = _flow("RNN", x, y)
    # with the forget gate open (bias 3: f = σ(3) ≈ 0.95, the usual "forget bias"
    # initialization, and what training on long dependencies learns) the cell state
    # carries the gradient back; with f ≈ 0.5 it halves at every step
    _, lstm = _flow("LSTM", x, y, forget_bias=3.0)
    shrink = lambda f: f.norms[0] / f.norms[-1]  # noqa: E731
    assert shrink(rnn) < 1e-6  # vanished over 40 tanh steps
    assert shrink(lstm) > 100 * shrink(rnn)


def test_gradient_flow_plot_writes_a_png(tmp_path):
    need("matplotlib")
    x, y = gn.randn(2, 6, 3, dtype=gn.float64), gn.ones(2, 8, dtype=gn.float64)
    _, rnn = _flow("RNN", x, y)
    _, lstm = _flow("LSTM", x, y)
    path = tmp_path / "flow.png"
    rnn.plot(path, others=(lstm,))
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
