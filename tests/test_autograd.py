"""The graph walk: chain rule over every path, accumulation, hooks,
retain_graph, no_grad, in-place detection, anomaly detection, custom
Functions, autograd.grad, and a 100,000-op chain."""

import gc
import tracemalloc

import numpy as np
import pytest

import glassnet as gn
from glassnet.errors import AnomalyError, GraphError, ShapeError


def test_scalar_expression_matches_torch(torch):
    def run(lib, a0, b0):
        a = lib.tensor(a0, dtype=lib.float64, requires_grad=True)
        b = lib.tensor(b0, dtype=lib.float64, requires_grad=True)
        c = a + b
        d = a * b + b**3
        c = c + c + 1
        c = c + 1 + c + (-a)
        d = d + d * 2 + (b + a).relu()
        d = d + 3 * d + (b - a).relu()
        e = c - d
        f = e**2
        g = f / 2.0
        g = g + 10.0 / f
        g.backward()
        return g.item(), a.grad.item(), b.grad.item()

    ours = run(gn, -4.0, 2.0)
    theirs = run(torch, -4.0, 2.0)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_diamond_gets_summed_gradient():
    x = gn.tensor(3.0, dtype=gn.float64, requires_grad=True)
    a = x * 2  # two paths from x ...
    b = x**2
    y = a * b  # ... joined again: y = 2x³
    y.backward()
    assert x.grad.item() == pytest.approx(6 * 3.0**2)


def test_node_used_many_times():
    x = gn.tensor([1.0, 2.0], dtype=gn.float64, requires_grad=True)
    h = x * 3
    total = h
    for _ in range(9):
        total = total + h  # h used 10 times
    total.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [30.0, 30.0])


def test_leaf_gradients_accumulate_across_backwards():
    w = gn.tensor([1.0, -1.0], requires_grad=True)
    for _ in range(3):
        (w * 2).sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), [6.0, 6.0])
    w.grad = None
    (w * 5).sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), [5.0, 5.0])


def test_shared_gradient_arrays_are_not_aliased_between_leaves():
    a = gn.tensor([1.0, 2.0], requires_grad=True)
    b = gn.tensor([3.0, 4.0], requires_grad=True)
    (a + b).sum().backward()  # Add sends the same array to both
    a.grad.zero_()
    np.testing.assert_allclose(b.grad.numpy(), [1.0, 1.0])
    (a + b).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), [1.0, 1.0])
    np.testing.assert_allclose(b.grad.numpy(), [2.0, 2.0])


def test_retain_graph_allows_a_second_backward():
    x = gn.tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp() * x).sum()
    y.backward(retain_graph=True)
    first = x.grad.numpy().copy()
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * first, rtol=1e-6)


def test_second_backward_through_freed_graph_raises():
    x = gn.tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp() * x).sum()
    y.backward()
    with pytest.raises(GraphError, match="second time"):
        y.backward()


def test_no_grad_builds_no_graph():
    x = gn.tensor([1.0, 2.0], requires_grad=True)
    with gn.no_grad():
        y = (x * 2).exp().sum()
    assert not y.requires_grad and y.grad_fn is None

    @gn.no_grad()
    def f(t):
        return t * 3

    @gn.no_grad
    def g(t):
        return t * 3

    assert f(x).grad_fn is None and g(x).grad_fn is None
    assert gn.is_grad_enabled()
    with gn.no_grad():
        with gn.enable_grad():
            z = x * 2
    assert z.grad_fn is not None


def test_set_grad_enabled():
    x = gn.tensor([1.0], requires_grad=True)
    with gn.set_grad_enabled(False):
        assert (x * 2).grad_fn is None
    assert (x * 2).grad_fn is not None


def test_non_scalar_backward_needs_gradient():
    x = gn.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    with pytest.raises(GraphError, match=r"scalar outputs.*\(2,\)"):
        y.backward()
    y.backward(gradient=gn.tensor([1.0, 0.5]))
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 1.0])
    with pytest.raises(ShapeError, match=r"gradient has shape \(3,\)"):
        (x * 2).backward(gradient=np.ones(3))


def test_backward_on_tensor_without_grad_explains():
    with pytest.raises(GraphError, match="does not require grad"):
        gn.tensor([1.0]).sum().backward()


def test_integer_tensor_cannot_require_grad():
    with pytest.raises(gn.DTypeError, match="int64"):
        gn.tensor([1, 2], requires_grad=True)


def test_hooks_on_leaf_and_intermediate():
    x = gn.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    h = x * 3
    h.register_hook(lambda g: seen.append(g.numpy().copy()))
    handle = x.register_hook(lambda g: g * 10)
    (h * h).sum().backward()
    np.testing.assert_allclose(seen[0], 2 * 3 * np.array([1.0, 2.0]) * 1)  # d/dh of h² = 2h
    np.testing.assert_allclose(x.grad.numpy(), 10 * 18 * np.array([1.0, 2.0]))
    handle.remove()
    x.grad = None
    (x * 1).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [1.0, 1.0])


def test_hook_modifying_intermediate_gradient_changes_leaf_gradient():
    x = gn.tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    h.register_hook(lambda g: g * 0)
    (h + x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [1.0, 1.0])


def test_retain_grad_keeps_intermediate_gradient(torch):
    def run(lib):
        x = lib.tensor([0.5, -1.5], requires_grad=True)
        z = x * 2 + 1
        z.retain_grad()
        a = z.tanh()
        a.retain_grad()
        (a * a).sum().backward()
        return z.grad.numpy().copy(), a.grad.numpy().copy(), z.is_leaf

    ours, theirs = run(gn), run(torch)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-6)
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-6)
    assert ours[2] is False


def test_chain_of_100000_ops_has_no_recursion_error():
    x = gn.tensor(1.0, dtype=gn.float64, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0000001
    y.backward()
    assert x.grad.item() == pytest.approx(1.0000001**100_000, rel=1e-9)


def _chain_cost(n):
    x = gn.tensor(np.ones(4), requires_grad=True)
    tracemalloc.start()
    y = x
    for _ in range(n):
        y = y + 1.0
    y.sum().backward()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def test_chain_memory_is_linear_in_length():
    small, large = _chain_cost(20_000), _chain_cost(40_000)
    assert large < 2.4 * small


def test_version_counter_detects_in_place_change_of_saved_tensor():
    x = gn.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()  # Exp saves its output y
    z = y.sum()
    y.add_(1)  # changes y, recorded as a new op
    with pytest.raises(GraphError, match=r"ExpBackward.*in-place"):
        z.backward()


def test_version_counter_detects_no_grad_change_of_saved_input():
    w = gn.tensor([[1.0, 2.0]], requires_grad=True)
    x = gn.tensor([[3.0, 4.0]])
    loss = gn.nn.functional.linear(x, w).sum()  # Linear saves x and w
    with gn.no_grad():
        x.mul_(2)  # truly in place: the saved array changed
    with pytest.raises(GraphError, match=r"MmBackward0.*in-place"):
        loss.backward()


@pytest.mark.parametrize("input_needs_grad", [False, True])
def test_optimizer_step_between_forward_and_backward(torch, input_needs_grad):
    # the step changes W in place after the forward. ∂L/∂W = gᵀx does not need W, so
    # that is fine; ∂L/∂x = g·W does, so with an input that needs its gradient, PyTorch
    # refuses, and so do we
    for lib, error in ((gn, GraphError), (torch, RuntimeError)):
        lib.manual_seed(0)
        layer = lib.nn.Linear(3, 2)
        opt = lib.optim.SGD(layer.parameters(), lr=0.1)
        x = lib.ones(4, 3, requires_grad=input_needs_grad)
        loss = layer(x).sum()
        for p in layer.parameters():
            p.grad = lib.zeros_like(p)
        opt.step()
        if input_needs_grad:
            with pytest.raises(error, match="in-?place"):
                loss.backward()
        else:
            loss.backward()
            np.testing.assert_allclose(layer.weight.grad.numpy(), np.full((2, 3), 4.0))


def test_in_place_change_stamps_are_forgotten_when_the_array_dies():
    from glassnet import versions

    t = gn.tensor([1.0, 2.0])
    with gn.no_grad():
        t.add_(1)
    key = id(t._data)  # the stamp is kept per array
    assert key in versions.changed and t._version == 1
    del t
    gc.collect()
    assert key not in versions.changed


def test_in_place_change_of_a_tensor_a_custom_function_saved_is_detected():
    class Cube(gn.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)  # a Function saves tensors, not arrays
            return x**3

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * 3 * x**2

    x = gn.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1
    loss = Cube.apply(y).sum()
    with gn.no_grad():
        y.mul_(2)
    with pytest.raises(GraphError, match=r"CubeBackward.*in-place"):
        loss.backward()


def test_in_place_change_of_an_input_that_was_not_saved_is_allowed(torch):
    # Linear saves x and W but not b (∂L/∂b needs neither): changing b in place between
    # forward and backward is fine, as in PyTorch
    def run(lib):
        x = lib.tensor([[3.0, 4.0]])
        w = lib.tensor([[1.0, 2.0]], requires_grad=True)
        b = lib.tensor([0.5], requires_grad=True)
        loss = (lib.nn.functional.linear(x, w, b) ** 2).sum()
        with lib.no_grad():
            b.add_(1)
        loss.backward()
        return w.grad.numpy().copy(), b.grad.numpy().copy()

    for ours, theirs in zip(run(gn), run(torch)):
        np.testing.assert_allclose(ours, theirs)


def test_every_node_runs_once_after_all_its_gradients_arrived(torch):
    # a wide DAG whose branches rejoin at different depths: a node that ran before all
    # of its consumers would pass on a partial sum
    def run(lib):
        x = lib.tensor([0.3, -0.7, 1.1], dtype=lib.float64, requires_grad=True)
        a = x.tanh()
        b = a * x
        c = (b + a).sigmoid()
        d = c * a + b.exp()
        e = (d * c).sum() + (a * a).sum() + b.sum()
        e.backward()
        return x.grad.numpy().copy()

    np.testing.assert_allclose(run(gn), run(torch), rtol=1e-12)


def test_in_place_on_non_leaf_is_differentiable(torch):
    def run(lib):
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * 2
        y.mul_(x)  # y = 2x², in place
        y[0] = 5.0
        y += 1
        y.sum().backward()
        return y.detach().numpy().copy(), x.grad.numpy().copy()

    (ov, og), (tv, tg) = run(gn), run(torch)
    np.testing.assert_allclose(ov, tv)
    np.testing.assert_allclose(og, tg)


def test_in_place_on_leaf_requiring_grad_raises_unless_no_grad():
    w = gn.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(GraphError, match="leaf tensor that requires grad"):
        w.add_(1)
    with gn.no_grad():
        w -= 0.5
    np.testing.assert_allclose(w.detach().numpy(), [0.5, 1.5])
    assert w.is_leaf and w.requires_grad


def test_detect_anomaly_names_the_op():
    x = gn.tensor([-1.0, 1.0], requires_grad=True)
    with gn.autograd.detect_anomaly():
        with pytest.raises(AnomalyError, match="Log forward produced NaN"):
            x.log()
        y = gn.tensor([0.0, 1.0], requires_grad=True)
        with pytest.raises(AnomalyError, match="SqrtBackward"):
            y.sqrt().sum().backward()
    # outside detect_anomaly nothing raises
    with np.errstate(invalid="ignore"):
        x.log()


def test_autograd_grad_returns_gradients_without_touching_dot_grad(torch):
    x = gn.tensor([1.0, 2.0], dtype=gn.float64, requires_grad=True)
    h = x * x
    y = (h * 3).sum()
    gx, gh = gn.autograd.grad(y, [x, h])
    np.testing.assert_allclose(
        gx.detach().numpy(), 6 * x.detach().numpy() * 1.0 * 1
    )  # d(3x²)/dx = 6x
    np.testing.assert_allclose(gh.numpy(), [3.0, 3.0])
    assert x.grad is None
    unused = gn.tensor([1.0], requires_grad=True)
    with pytest.raises(GraphError, match="not used"):
        gn.autograd.grad((x * 2).sum(), [unused])
    assert gn.autograd.grad((x * 2).sum(), [unused], allow_unused=True) == (None,)


def test_custom_function_matches_builtin_and_gradchecks():
    class Cube(gn.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x**3

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * 3 * x**2

    x = gn.tensor([0.5, -1.0, 2.0], dtype=gn.float64, requires_grad=True)
    y = Cube.apply(x)
    assert y.grad_fn.name() == "CubeBackward"
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 3 * x.detach().numpy() ** 2)
    assert gn.gradcheck(Cube.apply, (gn.randn(4, dtype=gn.float64, requires_grad=True),))


def test_custom_function_returning_its_input_as_gradient_is_not_aliased():
    class Identity(gn.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * 1

        @staticmethod
        def backward(ctx, grad):
            return grad

    x = gn.tensor([1.0, 2.0], requires_grad=True)
    Identity.apply(x).sum().backward()
    x.grad.data[0] = 99.0
    np.testing.assert_allclose(x.detach().numpy(), [1.0, 2.0])


def test_gradcheck_reports_input_element_and_values():
    class WrongSquare(gn.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * 3 * x  # should be 2x

    x = gn.tensor([1.0, 2.0], dtype=gn.float64, requires_grad=True)
    with pytest.raises(gn.GradcheckError, match=r"input 0.*element \(0,\).*analytic.*numeric"):
        gn.gradcheck(WrongSquare.apply, (x,))
    assert gn.gradcheck(WrongSquare.apply, (x,), raise_exception=False) is False
    with pytest.raises(TypeError, match="float64"):
        gn.gradcheck(lambda t: t * 2, (gn.tensor([1.0], requires_grad=True),))


def test_grad_fn_names_and_next_functions():
    x = gn.tensor([1.0], requires_grad=True)
    y = (x * 2).exp()
    assert y.grad_fn.name() == "ExpBackward0"  # PyTorch's names
    assert y.grad_fn.next_functions[0][0].name() == "MulBackward0"
    assert "grad_fn=<ExpBackward0>" in repr(y)


def test_float32_stays_float32_through_a_training_step():
    w = gn.randn(3, 2, requires_grad=True)
    x = gn.randn(5, 3)
    loss = ((x @ w).tanh() * 0.5 - 1).pow(2).mean() / 2
    loss.backward()
    assert loss.dtype == np.float32 and w.grad.dtype == np.float32
    with gn.no_grad():
        w -= 0.1 * w.grad
    assert w.dtype == np.float32


def test_grad_mode_is_per_thread():
    import threading

    x = gn.tensor([1.0], requires_grad=True)
    seen = {}
    inside, release = threading.Event(), threading.Event()

    def other():
        with gn.no_grad():
            inside.set()
            release.wait(5)

    t = threading.Thread(target=other)
    t.start()
    inside.wait(5)
    seen["main"] = (x * 2).grad_fn is not None  # the other thread's no_grad is its own
    release.set()
    t.join()
    assert seen["main"]


def test_backward_with_inputs_only_fills_those(torch):
    def run(lib):
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        b = lib.tensor([3.0, 4.0], requires_grad=True)
        h = a * b
        h.retain_grad()
        (h * h).sum().backward(inputs=[a, h])
        return a.grad.numpy().copy(), b.grad, h.grad.numpy().copy()

    (ga, gb, gh), (ta, tb, th) = run(gn), run(torch)
    np.testing.assert_allclose(ga, ta)
    np.testing.assert_allclose(gh, th)
    assert gb is None and tb is None


def test_large_intermediate_is_freed_during_backward_not_with_the_graph():
    # z = x·W is only held by the ReLU node's inputs; once backward has passed ReLU,
    # z's array must go even while the graph (loss) is still alive
    import weakref

    gn.manual_seed(0)
    x = gn.randn(256, 256)
    w = gn.randn(256, 256, requires_grad=True)
    z = x @ w
    z_array = weakref.ref(z.detach().numpy())
    probe = weakref.ref(z)
    loss = z.relu().sum()
    del z
    assert probe() is not None  # held by the graph before backward
    loss.backward()
    gc.collect()
    assert probe() is None  # released, though `loss` (the graph) lives on
    assert z_array() is None
    np.testing.assert_allclose(
        w.grad.numpy(),
        x.detach().numpy().T @ (x.detach().numpy() @ w.detach().numpy() > 0),
        rtol=1e-4,
        atol=1e-3,
    )


def test_load_state_dict_between_forward_and_backward_is_detected(torch):
    # load_state_dict writes the saved weight in place: both libraries refuse the backward
    for lib, error in ((gn, GraphError), (torch, RuntimeError)):
        lib.manual_seed(0)
        layer = lib.nn.Linear(3, 2)
        loss = layer(lib.ones(4, 3, requires_grad=True)).sum()
        layer.load_state_dict({k: v * 2 for k, v in layer.state_dict().items()})
        with pytest.raises(error, match="in-?place"):
            loss.backward()
