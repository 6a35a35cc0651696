"""Gradients of gradients (create_graph=True), op family by op family, against
PyTorch: the second derivative as a Hessian-vector product and the third as
the derivative of that, at the same float64 inputs; gradgradcheck (finite
differences of the gradient) on each family; the walk's bookkeeping (leaf
.grad with a graph, hooks, retain_grad, user Functions, errors)."""

import zlib

import numpy as np
import pytest
from higher_cases import CASES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import glassnet as gn
from glassnet.autograd import Function, Op
from glassnet.nn import functional as F

pytestmark = pytest.mark.torch


def _np(t):
    """A glassnet or PyTorch tensor's values as a NumPy array (a copy)."""
    return np.array(t.detach().numpy() if hasattr(t, "numpy") else t)


def _run(lib, F_, fn, arrays, order, seed):
    """The derivatives of Σ w ⊙ fn(inputs) up to ``order``: each a tuple (one per
    input) of the gradient of Σ vₖ ⊙ (the previous one), v drawn from ``seed``."""
    rng = np.random.default_rng(seed)
    arrays = list(arrays)
    xs = [lib.tensor(a, requires_grad=True) for a in arrays]
    out = fn(lib, F_, *xs)
    w = lib.tensor(rng.standard_normal(tuple(out.shape)))
    scalar = (out * w).sum()
    found = []
    for k in range(order):
        last = k == order - 1
        grads = lib.autograd.grad(scalar, xs, create_graph=not last, allow_unused=True)
        found.append([None if g is None else _np(g) for g in grads])
        if last:
            break
        terms = [
            (g * lib.tensor(rng.standard_normal(tuple(g.shape)))).sum()
            for g in grads
            if g is not None and g.requires_grad
        ]
        if not terms:  # the derivatives from here on are zero
            found += [[np.zeros(a.shape) for a in arrays]] * (order - 1 - k)
            break
        scalar = sum(terms[1:], terms[0])
    return found


@pytest.mark.parametrize("name", sorted(CASES))
def test_second_and_third_derivatives_equal_pytorchs(torch, name):
    fn, shapes, *extra = CASES[name]
    extra = extra[0] if extra else {}
    order = extra.get("order", 3)
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    arrays = [rng.standard_normal(s) for s in shapes]
    ours = _run(gn, F, fn, arrays, order, 7)
    theirs = _run(torch, torch.nn.functional, extra.get("oracle", fn), arrays, order, 7)
    for k, (a, b) in enumerate(zip(ours, theirs), 1):
        for i, (ga, gb) in enumerate(zip(a, b)):
            gb = np.zeros_like(arrays[i]) if gb is None else gb
            ga = np.zeros_like(arrays[i]) if ga is None else ga
            np.testing.assert_allclose(
                ga, gb, rtol=1e-7, atol=1e-9, err_msg=f"{name}: order {k}, input {i}"
            )


GRADGRAD = [
    "mul-div", "pow-tensor", "exp-log-sqrt", "sin-cos-tanh", "sigmoid", "gelu", "softplus",
    "var-std", "logsumexp", "getitem", "gather", "setitem", "matmul", "linear", "softmax",
    "cross-entropy", "mse", "bce-logits", "conv2d", "conv-transpose2d", "avg-pool",
    "batch-norm", "layer-norm", "attention",
]  # fmt: skip


@pytest.mark.parametrize("name", ["batch-norm", "layer-norm"])
def test_normalizations_second_derivative_equals_pytorchs_own(torch, name):
    """Up to the second order the oracle above is PyTorch's own op."""
    fn, shapes, _ = CASES[name]
    rng = np.random.default_rng(3)
    arrays = [rng.standard_normal(s) for s in shapes]
    ours = _run(gn, F, fn, arrays, 2, 5)
    theirs = _run(torch, torch.nn.functional, fn, arrays, 2, 5)
    for a, b in zip(ours, theirs):
        for ga, gb in zip(a, b):
            np.testing.assert_allclose(ga, gb, rtol=1e-7, atol=1e-9)


def test_layer_norm_third_derivative_by_finite_differences():
    rng = np.random.default_rng(0)
    x0, w, v, u = (rng.standard_normal((2, 5)) for _ in range(4))

    def second(xa, create_graph=False):
        x = gn.tensor(xa, requires_grad=True)
        (g,) = gn.autograd.grad((F.layer_norm(x, (5,)) * gn.tensor(w)).sum(), x, create_graph=True)
        (h,) = gn.autograd.grad((g * gn.tensor(v)).sum(), x, create_graph=create_graph)
        return x, h

    x, h = second(x0, create_graph=True)
    (third,) = gn.autograd.grad((h * gn.tensor(u)).sum(), x)
    numeric = np.zeros_like(x0)
    for i in np.ndindex(x0.shape):
        step = np.zeros_like(x0)
        step[i] = 1e-5
        change = np.asarray(second(x0 + step)[1]) - np.asarray(second(x0 - step)[1])
        numeric[i] = (change * u).sum()
    numeric /= 2e-5
    np.testing.assert_allclose(np.asarray(third), numeric, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name", GRADGRAD)
def test_gradgradcheck(name):
    fn, shapes, *_ = CASES[name]
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    small = [tuple(min(n, 3) if len(s) < 3 else n for n in s) for s in shapes]
    xs = [gn.tensor(rng.standard_normal(s), requires_grad=True) for s in small]
    try:
        fn(gn, F, *xs)
    except Exception:  # the shrunken shapes do not fit this op: use the case's own
        xs = [gn.tensor(rng.standard_normal(s), requires_grad=True) for s in shapes]
    assert gn.autograd.gradgradcheck(lambda *a: fn(gn, F, *a), xs, atol=1e-6, rtol=1e-4)


def test_gradgradcheck_points_at_a_wrong_second_derivative():
    class DetachedSquare(Function):
        """x²: its gradient 2x is right, but computed from a detached x, so the
        gradient's own derivative is 0 instead of 2."""

        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 2 * x.detach()

    x = gn.tensor([0.5, -1.5], dtype=gn.float64, requires_grad=True)
    assert gn.gradcheck(DetachedSquare.apply, x)
    with pytest.raises(gn.GradcheckError, match=r"gradgradcheck: second derivative .* input 0"):
        gn.gradgradcheck(DetachedSquare.apply, x)
    assert not gn.gradgradcheck(DetachedSquare.apply, x, raise_exception=False)


def test_every_op_has_a_differentiable_backward():
    """Each Op class gives its gradient as recorded ops (backward_graph or
    composite), or says what to do instead (the fused recurrent steps)."""
    from test_op_rules import OPS

    without = [
        c.__name__
        for c in OPS
        if c.backward_graph is None and c.composite is None and c.no_graph_hint == Op.no_graph_hint
    ]
    assert not without, f"ops without a create_graph rule: {without}"


@pytest.mark.parametrize("mode", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_recurrent_layers_with_fused_steps_off(torch, mode, bidirectional):
    ours = getattr(gn.nn, mode)(3, 4, num_layers=2, bidirectional=bidirectional, dtype=gn.float64)
    theirs = getattr(torch.nn, mode)(3, 4, num_layers=2, bidirectional=bidirectional).double()
    theirs.load_state_dict({k: torch.tensor(np.asarray(v)) for k, v in ours.state_dict().items()})
    x = np.random.default_rng(1).standard_normal((5, 2, 3))
    gx, tx = gn.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    with pytest.raises(gn.errors.GraphError, match=r"backends\.fused\.disabled\(\)"):
        gn.autograd.grad(ours(gx)[0].sum(), gx, create_graph=True)
    with gn.backends.fused.disabled():
        out = ours(gx)[0]
    results = []
    for lib, o, xx, params in ((gn, out, gx, ours), (torch, theirs(tx)[0], tx, theirs)):
        wanted = [xx, *params.parameters()]
        g1 = lib.autograd.grad((o**2).sum(), wanted, create_graph=True)
        g2 = lib.autograd.grad(sum((g * g).sum() for g in g1), wanted)
        results.append([_np(g) for g in g2])
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-8, atol=1e-10)


def test_fused_steps_off_gives_the_same_first_derivative():
    layer = gn.nn.LSTM(3, 4, dtype=gn.float64)
    x = gn.tensor(np.random.default_rng(2).standard_normal((4, 2, 3)), requires_grad=True)
    fused = gn.autograd.grad(layer(x)[0].sum(), x)[0]
    with gn.backends.fused.disabled():
        plain = gn.autograd.grad(layer(x)[0].sum(), x)[0]
    np.testing.assert_allclose(np.asarray(plain), np.asarray(fused), rtol=1e-12)


def test_backward_create_graph_leaves_a_differentiable_grad():
    x = gn.tensor([1.0, 2.0], dtype=gn.float64, requires_grad=True)
    (x**3).sum().backward(create_graph=True)
    assert x.grad.grad_fn is not None  # 3x², with a graph
    np.testing.assert_allclose(np.asarray(x.grad.detach()), [3.0, 12.0])
    first = x.grad
    x.grad = None
    first.sum().backward()  # d/dx Σ 3x² = 6x
    np.testing.assert_allclose(np.asarray(x.grad), [6.0, 12.0])


def test_backward_create_graph_accumulates_out_of_place():
    x = gn.tensor([1.0, 2.0], dtype=gn.float64, requires_grad=True)
    (x**2).sum().backward(create_graph=True)
    kept = x.grad
    (x**2).sum().backward(create_graph=True)
    np.testing.assert_allclose(np.asarray(kept.detach()), [2.0, 4.0])  # not changed in place
    np.testing.assert_allclose(np.asarray(x.grad.detach()), [4.0, 8.0])


def test_hooks_and_retain_grad_see_graph_tensors(torch):
    """A hook on y runs in every backward that passes y, the double backward too
    (as in PyTorch)."""
    results = []
    for lib in (gn, torch):
        x = lib.tensor([1.0, -2.0], dtype=lib.float64, requires_grad=True)
        y = x * x
        y.retain_grad()
        seen = []
        y.register_hook(lambda g, seen=seen: seen.append(g) or g * 3)
        (g,) = lib.autograd.grad((y * x).sum(), x, create_graph=True)
        assert seen and seen[0].grad_fn is not None
        (h,) = lib.autograd.grad(g.sum(), x)
        results.append((_np(g), _np(h), len(seen)))
    (g, h, calls), (tg, th, tcalls) = results
    np.testing.assert_allclose(g, 7 * np.array([1.0, 4.0]))  # x² + 3x·2x
    np.testing.assert_allclose(g, tg)
    np.testing.assert_allclose(h, th)
    assert calls == tcalls == 2


def test_a_user_function_differentiates_twice_through_its_saved_input():
    class Cube(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x**3

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 3 * x**2

    x = gn.tensor([0.5, 2.0], dtype=gn.float64, requires_grad=True)
    (g,) = gn.autograd.grad(Cube.apply(x).sum(), x, create_graph=True)
    (h,) = gn.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(np.asarray(h), [3.0, 12.0])


def test_grad_outputs_that_require_grad_are_part_of_the_graph():
    x = gn.tensor([1.0, 2.0], dtype=gn.float64, requires_grad=True)
    v = gn.tensor([3.0, 5.0], dtype=gn.float64, requires_grad=True)
    (g,) = gn.autograd.grad(x**2, x, grad_outputs=v, create_graph=True)  # 2x·v
    gx, gv = gn.autograd.grad(g.sum(), [x, v])
    np.testing.assert_allclose(np.asarray(gx), [6.0, 10.0])
    np.testing.assert_allclose(np.asarray(gv), [2.0, 4.0])


def test_first_order_records_nothing_extra():
    x = gn.tensor([1.0, 2.0], requires_grad=True)
    (g,) = gn.autograd.grad((x * x).sum(), x)
    assert g.grad_fn is None and not g.requires_grad
    (x * x).sum().backward()
    assert x.grad.grad_fn is None


def test_an_op_without_a_rule_says_so():
    class Twice(Op):
        formula = "out = 2x"
        rule = "∂out/∂x = 2"

        @staticmethod
        def forward(ctx, x):
            return 2 * x

        @staticmethod
        def backward(ctx, grad):
            return 2 * grad

    x = gn.tensor([1.0], requires_grad=True)
    with pytest.raises(gn.errors.GraphError, match="TwiceBackward: this op has no differentiable"):
        gn.autograd.grad(Twice.apply(x).sum(), x, create_graph=True)


BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / (b * b + 0.5),
    "pow": lambda a, b: (a * a + 0.5) ** b,
    "maximum": lambda a, b: a.maximum(b) if hasattr(a, "maximum") else None,
}


@pytest.mark.parametrize("name", sorted(BINARY))
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3),
    seed=st.integers(0, 2**16),
)
def test_binary_ops_second_derivatives_over_broadcast_shapes(torch, name, shapes, seed):
    """Second derivatives of every binary op with broadcasting (the gradient is
    summed back to each operand's shape, and that sum is differentiated too)."""
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(s) for s in shapes.input_shapes]
    fn = BINARY[name]
    ours = _run(gn, F, lambda lib, F_, a, b: fn(a, b) * a, arrays, 2, seed)
    theirs = _run(torch, torch.nn.functional, lambda lib, F_, a, b: fn(a, b) * a, arrays, 2, seed)
    for a, b in zip(ours[1], theirs[1]):
        np.testing.assert_allclose(a, b, rtol=1e-7, atol=1e-9)
