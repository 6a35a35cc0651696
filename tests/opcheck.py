"""Shared machinery of the op-by-op tests (tests/test_ops_*.py).

``compare`` runs one computation in glassnet and in PyTorch (the oracle) on
the same input arrays, backpropagates the same random upstream gradient
through both, and checks that the outputs, their dtypes and every input
gradient (value, shape, dtype) agree. ``check_grad`` runs gn.gradcheck
(finite differences) in float64. Input values come from a NumPy generator
seeded by a hypothesis-drawn seed; hypothesis draws the shapes, broadcasts
and op arguments.
"""

import numpy as np
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import glassnet as gn

# float64 to 1e-10 relative, float32 to 1e-5 relative (see assert_close for the
# absolute floor that near-zero elements need)
RTOL = {np.dtype(np.float64): 1e-10, np.dtype(np.float32): 1e-5}
DTYPES = [np.float64, np.float32]

# derandomize: the same examples on every run; the torch fixture is
# function-scoped but stateless, so hypothesis may reuse it across examples
SETTINGS = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
FEW = settings(SETTINGS, max_examples=10)

seeds = st.integers(0, 2**32 - 1)


def shapes(min_dims=0, max_dims=3, min_side=1, max_side=4):
    return hnp.array_shapes(
        min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side
    )


def broadcast_shapes(n=2, min_dims=0, max_dims=3, max_side=4):
    """n shapes that broadcast together (each input_shapes tuple)."""
    return hnp.mutually_broadcastable_shapes(
        num_shapes=n, min_dims=min_dims, max_dims=max_dims, max_side=max_side
    )


# ---- input values -------------------------------------------------------------
def rng(seed):
    return np.random.default_rng(seed)


def normal(seed, shape, dtype=np.float64, scale=1.0):
    return np.asarray(rng(seed).standard_normal(shape) * scale, dtype=dtype)


def uniform(seed, shape, lo, hi, dtype=np.float64):
    return np.asarray(rng(seed).uniform(lo, hi, shape), dtype=dtype)


def away_from(seed, shape, points=(0.0,), gap=0.1, dtype=np.float64, scale=2.0):
    """Normal values nudged at least ``gap`` away from each kink in ``points``
    (where the derivative jumps and finite differences mean nothing)."""
    x = rng(seed).standard_normal(shape) * scale
    for p in points:
        near = np.abs(x - p) < gap
        x = np.where(near, p + np.where(x >= p, gap, -gap) * (1 + np.abs(x - p)), x)
    return np.asarray(x, dtype=dtype)


def distinct(seed, shape, dtype=np.float64, gap=0.05):
    """Values that are pairwise at least ``gap`` apart (no ties for max/min)."""
    n = int(np.prod(shape)) if shape else 1
    r = rng(seed)
    steps = gap + r.uniform(0, gap, n)
    vals = np.cumsum(steps) - steps.sum() / 2
    return np.asarray(r.permutation(vals).reshape(shape), dtype=dtype)


# ---- comparing with PyTorch ------------------------------------------------------
def torch_dtype(torch, dtype):
    return getattr(torch, np.dtype(dtype).name)


def np_dtype(torch_tensor):
    return np.dtype(str(torch_tensor.dtype).replace("torch.", ""))


def assert_close(actual, expected, rtol, what):
    """Elementwise |actual − expected| ≤ rtol·|expected| + rtol·max(1, max|expected|):
    relative, with an absolute floor scaled to the array (an element that is
    a difference of large numbers cannot be expected to keep its relative
    precision near zero)."""
    actual = np.asarray(actual)
    expected = np.asarray(expected)
    assert actual.shape == expected.shape, (
        f"{what}: shape {actual.shape}, PyTorch gives {expected.shape}"
    )
    finite = np.isfinite(expected)
    scale = max(1.0, float(np.max(np.abs(expected[finite])))) if finite.any() else 1.0
    np.testing.assert_allclose(
        actual, expected, rtol=rtol, atol=rtol * scale, equal_nan=True, err_msg=what
    )


def _flat(out):
    if isinstance(out, (tuple, list)):
        return list(out)
    return [out]


def _is_float(x):
    return isinstance(x, (np.ndarray, np.generic)) and x.dtype.kind == "f"


def compare(torch, gn_fn, torch_fn, *arrays, grads=None, rtol=None, seed=12345):
    """Run ``gn_fn`` and ``torch_fn`` on tensors made from ``arrays`` and compare.

    Float arrays become tensors that require grad (unless ``grads`` lists,
    per array, which ones should); other arrays (indices, masks) become
    plain tensors. Outputs may be a tensor or a tuple of tensors. Checks:
    the output values and dtypes; then, with a random upstream gradient for
    every float output, each input's gradient value, shape and dtype (a
    float32 input gets a float32 gradient). Returns the glassnet outputs.
    """
    if grads is None:
        grads = [_is_float(a) for a in arrays]
    gins = [gn.tensor(a, requires_grad=g) for a, g in zip(arrays, grads)]
    tins = [torch.tensor(a, requires_grad=g) for a, g in zip(arrays, grads)]
    gouts = _flat(gn_fn(*gins))
    touts = _flat(torch_fn(*tins))
    assert len(gouts) == len(touts), f"{len(gouts)} outputs, PyTorch gives {len(touts)}"
    dtypes = [np.dtype(a.dtype) for a in arrays if _is_float(a)]
    tol = rtol if rtol is not None else max((RTOL[d] for d in dtypes), default=1e-10)
    for i, (g, t) in enumerate(zip(gouts, touts)):
        assert isinstance(g, gn.Tensor), f"output {i} is {type(g).__name__}, not a Tensor"
        assert g.dtype == np_dtype(t), f"output {i}: dtype {g.dtype}, PyTorch gives {t.dtype}"
        if g.dtype.kind in "fc":
            assert_close(g.detach().numpy(), t.detach().numpy(), tol, f"output {i} value")
        else:
            np.testing.assert_array_equal(g.numpy(), t.numpy(), err_msg=f"output {i} value")
    # backward with the same random upstream gradient (not just ones)
    r = rng(seed)
    pairs = [(g, t) for g, t in zip(gouts, touts) if t.requires_grad]
    for g, _ in pairs:
        assert g.requires_grad, "glassnet output does not require grad but PyTorch's does"
    if not pairs:
        return gouts
    ups = [r.standard_normal(t.shape).astype(np_dtype(t)) for _, t in pairs]
    gn.autograd.backward([g for g, _ in pairs], ups)
    torch.autograd.backward([t for _, t in pairs], [torch.from_numpy(u) for u in ups])
    for i, (gi, ti, a) in enumerate(zip(gins, tins, arrays)):
        if not grads[i]:
            continue
        if ti.grad is None:
            assert gi.grad is None or not gi.grad.numpy().any(), (
                f"input {i}: PyTorch gives no gradient, glassnet a non-zero one"
            )
            continue
        assert gi.grad is not None, f"input {i}: no gradient, PyTorch gives one"
        assert gi.grad.dtype == a.dtype, (
            f"input {i}: gradient dtype {gi.grad.dtype}, input is {a.dtype}"
        )
        assert_close(gi.grad.numpy(), ti.grad.numpy(), tol, f"gradient of input {i}")
    return gouts


def check_grad(fn, *arrays, grads=None, **kw):
    """gn.gradcheck of ``fn`` in float64 on tensors made from ``arrays``."""
    if grads is None:
        grads = [_is_float(a) for a in arrays]
    ins = [
        gn.tensor(np.asarray(a, dtype=np.float64) if g else a, requires_grad=g)
        for a, g in zip(arrays, grads)
    ]
    assert gn.gradcheck(fn, ins, **kw)


def verify(torch, gn_fn, torch_fn, *arrays, grads=None, rtol=None, gradcheck=True):
    """compare() against PyTorch; when the inputs are float64, also gradcheck."""
    out = compare(torch, gn_fn, torch_fn, *arrays, grads=grads, rtol=rtol)
    floats = [a for a in arrays if _is_float(a)]
    if gradcheck and floats and all(a.dtype == np.float64 for a in floats):
        check_grad(gn_fn, *arrays, grads=grads)
    return out


def graph_names(t):
    """The names of the backward nodes of the graph behind tensor ``t`` (each once)."""
    seen, stack, names = set(), [t.grad_fn], []
    while stack:
        node = stack.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        names.append(node.name())
        stack.extend(node.edges)
    return names
