"""autograd.grad() leaves the graph as it found it: what it marks to capture
an input's gradient is taken back, also when it raises."""

import numpy as np
import pytest

import glassnet as gn
from glassnet import backprop
from glassnet.errors import GraphError


def _graph():
    x = gn.tensor([1.0, -2.0, 3.0], requires_grad=True)
    h = (x * 2).tanh()
    y = (h * h).sum()
    return x, h, y


def _count_watch(monkeypatch):
    seen = []
    real = backprop._watch
    monkeypatch.setattr(
        backprop, "_watch", lambda node, g, c: seen.append(node) or real(node, g, c)
    )
    return seen


def test_grad_takes_back_its_marks(monkeypatch):
    x, h, y = _graph()
    node = h.grad_fn
    gx, gh = gn.autograd.grad(y, [x, h], retain_graph=True)
    assert node._watched is False and "_capture_id" not in node.__dict__
    seen = _count_watch(monkeypatch)
    y.backward()  # as if grad() had never run: no node is watched
    assert seen == []
    np.testing.assert_allclose(x.grad.numpy(), gx.numpy())
    assert h.grad is None
    np.testing.assert_allclose(gh.detach().numpy(), 2 * h.detach().numpy())


def test_a_second_grad_gives_the_same_answer_and_leaves_no_mark(monkeypatch):
    x, h, y = _graph()
    first = gn.autograd.grad(y, [h], retain_graph=True)[0].numpy()
    seen = _count_watch(monkeypatch)
    (gx,) = gn.autograd.grad(y, [x], retain_graph=True)  # h is not wanted now: not watched
    assert seen == []
    second = gn.autograd.grad(y, [h])[0].numpy()
    np.testing.assert_array_equal(first, second)
    assert x.grad is None and h.grad_fn._watched is False


def test_grad_that_raises_leaves_no_mark():
    x, h, y = _graph()
    constant = gn.tensor(1.0)
    with pytest.raises(GraphError, match="output .* does not require grad"):
        gn.autograd.grad([y, constant], [h])
    with pytest.raises(GraphError, match="input .* does not require grad"):
        gn.autograd.grad(y, [h, constant])
    assert h.grad_fn._watched is False and "_capture_id" not in h.grad_fn.__dict__


def test_grad_keeps_the_watch_of_hooks_and_retain_grad():
    x, h, y = _graph()
    h.retain_grad()
    calls = []
    h.register_hook(lambda g: calls.append(1))
    gn.autograd.grad(y, [h], retain_graph=True)
    assert h.grad_fn._watched is True and "_capture_id" not in h.grad_fn.__dict__
    y.backward()
    np.testing.assert_allclose(h.grad.numpy(), 2 * h.detach().numpy())
    assert calls == [1, 1]
