"""glassnet.autograd.functional (jacobian, hessian, vjp, jvp, hvp, vhp) against
torch.autograd.functional, and glassnet.func.grad composing to any order."""

import numpy as np
import pytest

import glassnet as gn
from glassnet.autograd.functional import hessian, hvp, jacobian, jvp, vhp, vjp
from glassnet.func import grad, grad_and_value

pytestmark = pytest.mark.torch

RNG = np.random.default_rng(0)
A, B, V3, V2 = (
    RNG.standard_normal(3),
    RNG.standard_normal((2, 3)),
    RNG.standard_normal(3),
    RNG.standard_normal(2),
)


def two_in_one_out(x, y):
    return (y @ x.exp()).tanh()


def two_in_two_out(x, y):
    return x * 2 + 1, (y * y).sum(dim=0) * x


def one_number(x):
    return (x.sin() * x).sum() + (x * x * x).sum()


def _flat(result):
    if isinstance(result, (tuple, list)):
        return [a for r in result for a in _flat(r)]
    return [np.array(result.detach().numpy() if hasattr(result, "numpy") else result)]


def _same(ours, theirs):
    a, b = _flat(ours), _flat(theirs)
    assert len(a) == len(b)
    for x, y in zip(a, b):
        assert x.shape == y.shape
        np.testing.assert_allclose(x, y, rtol=1e-10, atol=1e-12)


def _args(lib, *arrays):
    return tuple(lib.tensor(a) for a in arrays)


@pytest.mark.parametrize(
    "fn, arrays",
    [
        (two_in_one_out, (A, B)),
        (two_in_two_out, (A, B)),
        (one_number, (A,)),
        (lambda x: x * x, (A,)),
    ],
)
def test_jacobian(torch, fn, arrays):
    single = len(arrays) == 1
    ours = jacobian(fn, _args(gn, *arrays)[0] if single else _args(gn, *arrays))
    theirs = torch.autograd.functional.jacobian(
        fn, _args(torch, *arrays)[0] if single else _args(torch, *arrays)
    )
    _same(ours, theirs)


def test_hessian(torch):
    _same(
        hessian(one_number, gn.tensor(A)),
        torch.autograd.functional.hessian(one_number, torch.tensor(A)),
    )

    def f(x, y):
        return (y @ x.exp()).sum() * x.sum()

    _same(hessian(f, _args(gn, A, B)), torch.autograd.functional.hessian(f, _args(torch, A, B)))


@pytest.mark.parametrize("name", ["vjp", "jvp", "hvp", "vhp"])
def test_products(torch, name):
    ours_fn = {"vjp": vjp, "jvp": jvp, "hvp": hvp, "vhp": vhp}[name]
    theirs_fn = getattr(torch.autograd.functional, name)
    if name == "vjp":
        _same(
            ours_fn(two_in_one_out, _args(gn, A, B), gn.tensor(V2)),
            theirs_fn(two_in_one_out, _args(torch, A, B), torch.tensor(V2)),
        )
    elif name == "jvp":
        _same(
            ours_fn(two_in_one_out, _args(gn, A, B), _args(gn, V3, B)),
            theirs_fn(two_in_one_out, _args(torch, A, B), _args(torch, V3, B)),
        )
    else:
        _same(
            ours_fn(one_number, gn.tensor(A), gn.tensor(V3)),
            theirs_fn(one_number, torch.tensor(A), torch.tensor(V3)),
        )


def test_create_graph_results_can_be_differentiated(torch):
    results = []
    for lib, fn in ((gn, hvp), (torch, torch.autograd.functional.hvp)):
        x = lib.tensor(A, requires_grad=True)
        _, hv = fn(one_number, x, lib.tensor(V3), create_graph=True)
        (d,) = lib.autograd.grad(hv.sum(), x)
        results.append(d)
    _same(results[0], results[1])


def test_results_are_detached_without_create_graph():
    x = gn.tensor(A, requires_grad=True)
    out, g = vjp(one_number, x)
    assert not out.requires_grad and not g.requires_grad


def test_strict_names_the_unused_input():
    with pytest.raises(gn.errors.GraphError, match="input 1"):
        vjp(lambda x, y: (x * 2).sum(), _args(gn, A, B), strict=True)
    _, (gx, gy) = vjp(lambda x, y: (x * 2).sum(), _args(gn, A, B))
    assert np.all(np.asarray(gy) == 0)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="v can be left out only"):
        vjp(lambda x: x * 2, gn.tensor(A))
    with pytest.raises(ValueError, match=r"v\[0\] has shape \(2,\), expected \(3,\)"):
        vjp(lambda x: x * 2, gn.tensor(A), gn.tensor(V2))
    with pytest.raises(TypeError, match="inputs must be a Tensor"):
        jacobian(lambda x: x, [1.0, 2.0])
    with pytest.raises(ValueError, match="single element"):
        hessian(lambda x: x * 2, gn.tensor(A))


def test_func_grad_composes_to_any_order():
    f = grad(lambda x: x.sin())
    x = gn.tensor(0.7, dtype=gn.float64)
    derivs = [f, grad(f), grad(grad(f)), grad(grad(grad(f)))]
    expected = [np.cos(0.7), -np.sin(0.7), -np.cos(0.7), np.sin(0.7)]
    for d, e in zip(derivs, expected):
        assert float(d(x)) == pytest.approx(e, rel=1e-12)


def test_func_grad_matches_torch_func(torch):
    def loss(w, x):
        return ((x @ w).tanh() ** 2).sum()

    w, x = RNG.standard_normal((3, 2)), RNG.standard_normal((4, 3))
    ours = grad(lambda w, x: (grad(loss)(w, x) ** 2).sum())(gn.tensor(w), gn.tensor(x))
    theirs = torch.func.grad(lambda w, x: (torch.func.grad(loss)(w, x) ** 2).sum())(
        torch.tensor(w), torch.tensor(x)
    )
    _same(ours, theirs)
    both = grad(loss, argnums=(0, 1))(gn.tensor(w), gn.tensor(x))
    tboth = torch.func.grad(loss, argnums=(0, 1))(torch.tensor(w), torch.tensor(x))
    _same(both, tboth)


def test_grad_and_value_and_aux():
    g, (value, aux) = grad_and_value(lambda x: ((x * x).sum(), "aux"), has_aux=True)(gn.tensor(A))
    np.testing.assert_allclose(np.asarray(g), 2 * A)
    assert float(value) == pytest.approx((A * A).sum()) and aux == "aux"
    with pytest.raises(gn.errors.GraphError, match="single element"):
        grad(lambda x: x * 2)(gn.tensor(A))


def test_the_torch_names_are_there():
    import glassnet.autograd.functional as functional

    assert functional.hessian is hessian
    assert gn.autograd.gradgradcheck is gn.gradgradcheck and gn.autograd.gradcheck is gn.gradcheck


def test_the_outermost_transform_returns_plain_tensors():
    def f(u):
        return (u**3).sum()

    t = gn.tensor(A)
    outer = grad(lambda u: grad(f)(u).sum())(t)
    assert outer.grad_fn is None and not outer.requires_grad
    np.testing.assert_allclose(np.asarray(outer), 6 * A)
