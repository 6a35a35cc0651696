"""float32 2-D convolutions through oneDNN (glassnet.backends.onednn.conv_kernel, used
by glassnet.ops.conv.Conv2d) against glassnet's im2col convolution and
against PyTorch: output and every gradient over hypothesis-drawn sizes,
strides, paddings (asymmetric too), dilations, with and without bias; only
the gradients asked for; which path runs (float64, groups, 1-D and
``onednn.disabled()`` take im2col); inference; an in-place change caught;
the kernel cache."""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from opcheck import SETTINGS, assert_close, seeds

import glassnet as gn
from glassnet import nn
from glassnet.backends import onednn
from glassnet.errors import GraphError

TOL = 2e-5


pytestmark = pytest.mark.usefixtures("needs_onednn")


def _conv(x, w, b, fused, **kw):
    """Output, the op's node and the gradients of x, w, b (None where not asked)."""
    leaves = [
        gn.tensor(a, requires_grad=r) if a is not None else None
        for a, r in ((x[0], x[1]), (w[0], w[1]), (b[0], b[1]) if b else (None, False))
    ]
    if fused:
        y = nn.functional.conv2d(*leaves, **kw)
    else:
        with onednn.disabled():
            y = nn.functional.conv2d(*leaves, **kw)
    up = np.random.default_rng(0).standard_normal(y.shape).astype(np.float32)
    if y.requires_grad:
        y.backward(gn.tensor(up))
    return y, [None if t is None or t.grad is None else t.grad.numpy() for t in leaves]


def _pairs(low, high):
    return st.tuples(st.integers(low, high), st.integers(low, high))


@settings(SETTINGS, max_examples=20)
@given(
    n=st.integers(1, 3),
    c=st.integers(1, 5),
    o=st.integers(1, 6),
    h=st.integers(3, 9),
    w=st.integers(3, 9),
    k=_pairs(1, 3),
    stride=_pairs(1, 2),
    pad=_pairs(0, 2),
    dilation=_pairs(1, 2),
    bias=st.booleans(),
    seed=seeds,
)
def test_onednn_matches_im2col(n, c, o, h, w, k, stride, pad, dilation, bias, seed):
    # the kernel fits the padded input
    assume(h + 2 * pad[0] >= dilation[0] * (k[0] - 1) + 1)
    assume(w + 2 * pad[1] >= dilation[1] * (k[1] - 1) + 1)
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, c, h, w)).astype(np.float32)
    wt = rng.standard_normal((o, c) + k).astype(np.float32)
    b = (rng.standard_normal(o).astype(np.float32), True) if bias else None
    kw = dict(stride=stride, padding=pad, dilation=dilation)
    y, grads = _conv((x, True), (wt, True), b, True, **kw)
    assert y.grad_fn.kernel is not None  # oneDNN ran it
    y_ref, ref = _conv((x, True), (wt, True), b, False, **kw)
    assert y_ref.grad_fn.kernel is None
    assert_close(np.asarray(y), np.asarray(y_ref), TOL, "output")
    for i, (g, r) in enumerate(zip(grads, ref)):
        if r is None:
            assert g is None
        else:
            assert g.dtype == np.float32 and g.shape == r.shape
            assert_close(g, r, TOL, f"gradient {i}")


def test_asymmetric_same_padding_and_torch(torch):
    """padding='same' with an even kernel pads more at the bottom and right;
    PyTorch's conv2d runs the same oneDNN convolution."""
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 3, 7, 6)).astype(np.float32)
    tm = torch.nn.Conv2d(3, 4, (2, 4), padding="same")
    gm = nn.Conv2d(3, 4, (2, 4), padding="same")
    gm.load_state_dict(
        {k: gn.tensor(v.detach().numpy().copy()) for k, v in tm.state_dict().items()}
    )
    xt, xg = torch.tensor(x, requires_grad=True), gn.tensor(x, requires_grad=True)
    yt, yg = tm(xt), gm(xg)
    assert yg.grad_fn.kernel is not None
    up = rng.standard_normal(yt.shape).astype(np.float32)
    yt.backward(torch.tensor(up))
    yg.backward(gn.tensor(up))
    assert_close(yg.detach().numpy(), yt.detach().numpy(), TOL, "output")
    assert_close(xg.grad.numpy(), xt.grad.numpy(), TOL, "input gradient")
    assert_close(gm.weight.grad.numpy(), tm.weight.grad.numpy(), TOL, "weight gradient")
    assert_close(gm.bias.grad.numpy(), tm.bias.grad.numpy(), TOL, "bias gradient")


@pytest.mark.parametrize("need", [(False, True, True), (True, False, False), (False, False, True)])
def test_only_the_gradients_asked_for(need):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 3, 6, 6)).astype(np.float32)
    wt = rng.standard_normal((4, 3, 3, 3)).astype(np.float32)
    b = rng.standard_normal(4).astype(np.float32)
    y, grads = _conv((x, need[0]), (wt, need[1]), (b, need[2]), True)
    _, ref = _conv((x, need[0]), (wt, need[1]), (b, need[2]), False)
    for g, r, asked in zip(grads, ref, need):
        assert (g is not None) == asked
        if asked:
            assert_close(g, r, TOL, "gradient")


def test_which_path_runs():
    x32, w32 = gn.zeros(1, 4, 5, 5), gn.zeros(4, 4, 3, 3, requires_grad=True)
    assert nn.functional.conv2d(x32, w32).grad_fn.kernel is not None
    x64 = gn.zeros(1, 4, 5, 5, dtype=np.float64)
    w64 = gn.zeros(4, 4, 3, 3, dtype=np.float64, requires_grad=True)
    assert nn.functional.conv2d(x64, w64).grad_fn.kernel is None  # float64: im2col
    w_grouped = gn.zeros(4, 2, 3, 3, requires_grad=True)
    assert nn.functional.conv2d(x32, w_grouped, groups=2).grad_fn.kernel is None
    assert (
        nn.functional.conv1d(
            gn.zeros(1, 4, 5), gn.zeros(4, 4, 3, requires_grad=True)
        ).grad_fn.kernel
        is None
    )
    with onednn.disabled():
        assert nn.functional.conv2d(x32, w32).grad_fn.kernel is None


def test_inference_without_a_graph():
    rng = np.random.default_rng(3)
    conv = nn.Conv2d(3, 5, 3, padding=1)
    x = gn.tensor(rng.standard_normal((2, 3, 8, 8)).astype(np.float32))
    with gn.no_grad():
        y = conv(x)
    assert y.grad_fn is None
    with onednn.disabled():
        ref = conv(x)
    assert_close(y.detach().numpy(), ref.detach().numpy(), TOL, "output")


def test_a_weight_changed_in_place_before_backward_is_an_error():
    conv = nn.Conv2d(2, 3, 3)
    y = conv(gn.ones(1, 2, 5, 5, requires_grad=True))
    with gn.no_grad():
        conv.weight.mul_(2.0)
    with pytest.raises(GraphError, match="modified by an in-place operation"):
        y.sum().backward()


def test_the_kernel_cache_keeps_the_latest_geometries():
    """The cache keeps the latest KEEP geometries; a graph recorded before
    its kernel left the cache still runs its backward with it."""
    onednn.clear_caches()
    conv = nn.Conv2d(2, 3, 3)
    x = np.random.default_rng(4).standard_normal((1, 2, 3, 3)).astype(np.float32)
    first = conv(gn.tensor(x, requires_grad=True))
    for size in range(4, 4 + onednn.KEEP + 1):
        conv(gn.ones(1, 2, size, size, requires_grad=True)).sum().backward()
    kept = onednn.cached("conv")
    assert len(kept) == onednn.KEEP
    sizes = {key[0][2] for key in kept}
    assert sizes == set(range(5, 5 + onednn.KEEP))  # the oldest two went
    conv.zero_grad()
    first.sum().backward()  # its kernel is out of the cache, held by the graph
    got = conv.weight.grad.numpy().copy()
    conv.zero_grad()
    with onednn.disabled():
        conv(gn.tensor(x)).sum().backward()
    assert_close(got, conv.weight.grad.numpy(), TOL, "weight gradient after eviction")


def test_two_threads_at_once():
    """Kernels share their buffers, so one thread at a time runs them; each
    thread gets its own correct answer."""
    import threading

    rng = np.random.default_rng(5)
    conv = nn.Conv2d(3, 4, 3)
    xs = [rng.standard_normal((4, 3, 12, 12)).astype(np.float32) for _ in range(2)]
    with onednn.disabled():
        expected = [conv(gn.tensor(x)).detach().numpy() for x in xs]
    results = [[], []]

    def work(i):
        for _ in range(30):
            results[i].append(conv(gn.tensor(xs[i])).detach().numpy())

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i in range(2):
        for y in results[i]:
            assert_close(y, expected[i], TOL, f"thread {i}")
