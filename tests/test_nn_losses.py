"""Losses (functions and modules): values and gradients (input and, where
PyTorch has one, target) equal PyTorch's for every reduction, in float64
(1e-10) and float32 (1e-5); stability at extreme values; clear errors."""

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn
from glassnet.errors import DTypeError, ShapeError
from glassnet.nn import functional as F

TOL = {np.float64: 1e-10, np.float32: 1e-5}
REDUCTIONS = ["mean", "sum", "none"]
DTYPES = [np.float64, np.float32]


def _t(torch, a, requires_grad=False):
    t = torch.from_numpy(np.array(a))
    return t.requires_grad_(True) if requires_grad else t


def _parity(torch, g_fn, t_fn, x, target, dtype, target_grad=False, seed=0):
    """Call g_fn(input, target) and t_fn(input, target) on the same data;
    compare the loss, and the gradients for a random upstream gradient."""
    tol = TOL[dtype]
    x = np.asarray(x, dtype=dtype)
    if np.asarray(target).dtype.kind == "f":
        target = np.asarray(target, dtype=dtype)
    gx, tx = gn.tensor(x, requires_grad=True), _t(torch, x, True)
    if target_grad:
        gy, ty = gn.tensor(target, requires_grad=True), _t(torch, target, True)
    else:
        gy, ty = gn.tensor(target), _t(torch, target)
    out, t_out = g_fn(gx, gy), t_fn(tx, ty)
    assert out.dtype == dtype and out.shape == tuple(t_out.shape)
    np.testing.assert_allclose(out.detach().numpy(), t_out.detach().numpy(), rtol=tol, atol=tol)
    up = np.random.default_rng(seed).uniform(0.5, 1.5, out.shape).astype(dtype)
    out.backward(up)
    t_out.backward(_t(torch, up))
    np.testing.assert_allclose(gx.grad.numpy(), tx.grad.numpy(), rtol=tol, atol=tol)
    assert gx.grad.dtype == dtype
    if target_grad:
        np.testing.assert_allclose(gy.grad.numpy(), ty.grad.numpy(), rtol=tol, atol=tol)


def _rng(seed=0):
    return np.random.default_rng(seed)


# ---- regression losses --------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_regression_losses_match_torch(torch, dtype, reduction):
    TF = torch.nn.functional
    rng = _rng()
    x = rng.standard_normal((4, 3)) * 2
    y = rng.standard_normal((4, 3))
    y[0, 0] = x[0, 0]  # a zero error: |d| has gradient 0 there
    y[1, 1] = x[1, 1] - 0.5  # exactly at Huber's delta=0.5
    w = rng.uniform(0.1, 2, (4, 3)).astype(dtype)
    r = reduction
    cases = [
        (lambda a, b: F.mse_loss(a, b, reduction=r), lambda a, b: TF.mse_loss(a, b, reduction=r)),
        (lambda a, b: F.l1_loss(a, b, reduction=r), lambda a, b: TF.l1_loss(a, b, reduction=r)),
        (lambda a, b: F.huber_loss(a, b, r), lambda a, b: TF.huber_loss(a, b, r)),
        (
            lambda a, b: F.huber_loss(a, b, r, delta=0.5),
            lambda a, b: TF.huber_loss(a, b, r, delta=0.5),
        ),
        (
            lambda a, b: F.huber_loss(a, b, r, delta=2.5),
            lambda a, b: TF.huber_loss(a, b, r, delta=2.5),
        ),
        (
            lambda a, b: F.mse_loss(a, b, reduction=r, weight=gn.tensor(w)),
            lambda a, b: TF.mse_loss(a, b, reduction=r, weight=_t(torch, w)),
        ),
        (
            lambda a, b: F.l1_loss(a, b, reduction=r, weight=w),
            lambda a, b: TF.l1_loss(a, b, reduction=r, weight=_t(torch, w)),
        ),
        (
            lambda a, b: F.huber_loss(a, b, r, 0.7, weight=w),
            lambda a, b: TF.huber_loss(a, b, r, 0.7, weight=_t(torch, w)),
        ),
        (nn.MSELoss(reduction=r), torch.nn.MSELoss(reduction=r)),
        (nn.L1Loss(reduction=r), torch.nn.L1Loss(reduction=r)),
        (nn.HuberLoss(reduction=r, delta=0.5), torch.nn.HuberLoss(reduction=r, delta=0.5)),
        (nn.HalfSquaredError(reduction=r), lambda a, b: 0.5 * TF.mse_loss(a, b, reduction=r)),
    ]
    for i, (g_fn, t_fn) in enumerate(cases):
        _parity(torch, g_fn, t_fn, x, y, dtype, target_grad=True, seed=i)


def test_half_squared_error_is_the_articles_loss():
    """L = (y − ŷ)²/2: with reduction='sum' each prediction's gradient is
    δ_out = ŷ − y; with 'mean' it is MSELoss/2."""
    y_hat = gn.tensor([[2.0], [-1.0], [0.5]], requires_grad=True)
    y = gn.tensor([[1.5], [1.0], [0.5]])
    loss = nn.HalfSquaredError(reduction="sum")(y_hat, y)
    assert abs(loss.item() - (0.25 + 4.0 + 0.0) / 2) < 1e-6
    loss.backward()
    np.testing.assert_allclose(y_hat.grad.numpy(), (y_hat - y).detach().numpy())
    mean = F.half_squared_error(y_hat, y)
    assert abs(mean.item() - nn.MSELoss()(y_hat, y).item() / 2) < 1e-7
    assert mean.dtype == np.float32
    assert F.half_squared_error(y_hat, y, reduction="none").shape == (3, 1)


def test_regression_target_shape_and_dtype_rules():
    x = gn.zeros(4, 1)
    with pytest.warns(
        UserWarning,
        match=r"target size \(4,\) that is different to the "
        r"input size \(4, 1\)",
    ):
        assert F.mse_loss(x, gn.zeros(4), reduction="none").shape == (4, 4)
    with pytest.raises(ShapeError, match=r"mse_loss: input \(4, 1\) and target \(3, 1\)"):
        F.mse_loss(x, gn.zeros(3, 1))
    with pytest.raises(DTypeError, match="input is float32 but target is float64"):
        F.l1_loss(x, gn.zeros(4, 1, dtype=np.float64))
    out = F.mse_loss(x, np.ones((4, 1)))  # arrays and integer targets take the input's dtype
    assert out.dtype == np.float32 and out.item() == 1.0
    assert F.mse_loss(x, gn.ones(4, 1, dtype=np.int64)).dtype == np.float32
    with pytest.raises(
        ValueError, match="mse_loss: reduction must be 'mean', 'sum' or 'none', got 'avg'"
    ):
        F.mse_loss(x, x, reduction="avg")
    with pytest.raises(ValueError, match="MSELoss: reduction"):
        nn.MSELoss(reduction="max")
    with pytest.raises(ValueError, match="delta must be positive"):
        nn.HuberLoss(delta=0)
    with pytest.raises(ValueError, match="same size"):
        F.mse_loss(x, x, weight=gn.ones(4))
    with pytest.raises(DTypeError, match="floating-point input"):
        F.mse_loss(gn.zeros(4, dtype=np.int64), gn.zeros(4))


# ---- cross-entropy and NLL ----------------------------------------------------------------
def _ce_data(shape, seed=0):
    rng = _rng(seed)
    logits = rng.standard_normal(shape) * 2
    n_classes = shape[0] if len(shape) == 1 else shape[1]
    tshape = () if len(shape) == 1 else (shape[0],) + shape[2:]
    target = rng.integers(0, n_classes, tshape).astype(np.int64)
    return logits, target, n_classes


CE_OPTIONS = [
    dict(),
    dict(weight=True),
    dict(ignore_index=1),
    dict(label_smoothing=0.2),
    dict(weight=True, ignore_index=0, label_smoothing=0.1),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(6, 4), (3, 4, 2, 2), (5,)])
@pytest.mark.parametrize("options", CE_OPTIONS)
def test_cross_entropy_with_class_indices_matches_torch(torch, dtype, shape, options):
    logits, target, n_classes = _ce_data(shape)
    w = _rng(9).uniform(0.2, 2.0, n_classes).astype(dtype) if options.get("weight") else None
    kw = {k: v for k, v in options.items() if k != "weight"}
    if "ignore_index" in kw and len(shape) > 1:
        target.flat[0] = kw["ignore_index"]
    for r in REDUCTIONS:
        _parity(
            torch,
            lambda a, b: F.cross_entropy(
                a, b, None if w is None else gn.tensor(w), reduction=r, **kw
            ),
            lambda a, b: torch.nn.functional.cross_entropy(
                a, b, None if w is None else _t(torch, w), reduction=r, **kw
            ),
            logits,
            target,
            dtype,
        )
        _parity(
            torch,
            nn.CrossEntropyLoss(None if w is None else gn.tensor(w), reduction=r, **kw),
            torch.nn.CrossEntropyLoss(None if w is None else _t(torch, w), reduction=r, **kw),
            logits,
            target,
            dtype,
        )


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(6, 4), (3, 4, 5), (4,)])
@pytest.mark.parametrize(
    "options",
    [dict(), dict(weight=True), dict(label_smoothing=0.3), dict(weight=True, label_smoothing=0.1)],
)
def test_cross_entropy_with_class_probabilities_matches_torch(torch, dtype, shape, options):
    rng = _rng(4)
    logits = rng.standard_normal(shape)
    cdim = 0 if len(shape) == 1 else 1
    probs = rng.uniform(0, 1, shape)
    probs /= probs.sum(axis=cdim, keepdims=True)
    n_classes = shape[cdim]
    w = rng.uniform(0.2, 2.0, n_classes).astype(dtype) if options.get("weight") else None
    ls = options.get("label_smoothing", 0.0)
    for r in REDUCTIONS:
        _parity(
            torch,
            lambda a, b: F.cross_entropy(a, b, w, reduction=r, label_smoothing=ls),
            lambda a, b: torch.nn.functional.cross_entropy(
                a, b, None if w is None else _t(torch, w), reduction=r, label_smoothing=ls
            ),
            logits,
            probs,
            dtype,
            target_grad=True,
        )


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(6, 4), (3, 4, 5), (4,)])
@pytest.mark.parametrize(
    "options", [dict(), dict(weight=True), dict(ignore_index=2), dict(weight=True, ignore_index=0)]
)
def test_nll_loss_matches_torch(torch, dtype, shape, options):
    logits, target, n_classes = _ce_data(shape, seed=3)
    logp = logits - np.log(np.exp(logits).sum(axis=0 if len(shape) == 1 else 1, keepdims=True))
    w = _rng(5).uniform(0.2, 2.0, n_classes).astype(dtype) if options.get("weight") else None
    ii = options.get("ignore_index", -100)
    if len(shape) > 1:
        target.flat[1] = ii if ii >= 0 else target.flat[1]
    for r in REDUCTIONS:
        _parity(
            torch,
            lambda a, b: F.nll_loss(a, b, w, ignore_index=ii, reduction=r),
            lambda a, b: torch.nn.functional.nll_loss(
                a, b, None if w is None else _t(torch, w), ignore_index=ii, reduction=r
            ),
            logp,
            target,
            dtype,
        )
        _parity(
            torch,
            nn.NLLLoss(None if w is None else gn.tensor(w), ii, r),
            torch.nn.NLLLoss(None if w is None else _t(torch, w), ignore_index=ii, reduction=r),
            logp,
            target,
            dtype,
        )


def test_nll_loss_with_every_target_ignored_is_nan_with_zero_gradient_like_torch(torch):
    logp = np.log(np.full((3, 4), 0.25))
    target = np.array([1, 1, 1])
    _parity(
        torch,
        lambda a, b: F.nll_loss(a, b, ignore_index=1),
        lambda a, b: torch.nn.functional.nll_loss(a, b, ignore_index=1),
        logp,
        target,
        np.float64,
    )
    assert np.isnan(F.nll_loss(gn.tensor(logp), target, ignore_index=1).item())


def test_log_softmax_then_nll_equals_cross_entropy():
    logits, target, _ = _ce_data((8, 5))
    x = gn.tensor(logits)
    a = F.nll_loss(F.log_softmax(x, dim=1), target)
    b = F.cross_entropy(x, target)
    assert abs(a.item() - b.item()) < 1e-6


def test_cross_entropy_is_stable_for_huge_logits(torch):
    logits = np.array([[1e4, -1e4, 0.0], [-5e3, 5e3, 1e3]])
    target = np.array([1, 1])
    _parity(torch, F.cross_entropy, torch.nn.functional.cross_entropy, logits, target, np.float32)
    out = F.cross_entropy(gn.tensor(logits, dtype=np.float32), target)
    assert np.isfinite(out.item()) and abs(out.item() - 1e4) < 1


def test_classification_errors_are_clear():
    x = gn.zeros(4, 3)
    with pytest.raises(
        IndexError,
        match=r"cross_entropy: target 3 is out of bounds: "
        r"expected class indices 0 to 2",
    ):
        F.cross_entropy(x, np.array([0, 1, 2, 3]))
    with pytest.raises(
        ShapeError,
        match=r"cross_entropy: input \(4, 3\) \(N, C, \.\.\.\) "
        r"needs class-index targets of shape \(4,\), "
        r"got \(4, 1\)",
    ):
        F.cross_entropy(x, np.zeros((4, 1), dtype=np.int64))
    with pytest.raises(ShapeError, match="class-probability targets must have the input's"):
        F.cross_entropy(x, np.zeros((4, 2)))
    with pytest.raises(
        ShapeError,
        match=r"weight should have one value per class, shape "
        r"\(3,\), got \(2,\)",
    ):
        nn.CrossEntropyLoss(weight=gn.ones(2))(x, np.zeros(4, dtype=np.int64))
    with pytest.raises(ValueError, match="label_smoothing must be between"):
        F.cross_entropy(x, np.zeros(4, dtype=np.int64), label_smoothing=1.5)
    with pytest.raises(DTypeError, match="nll_loss: target must hold class indices"):
        F.nll_loss(x, np.zeros(4))
    with pytest.raises(ValueError, match="reduction"):
        F.nll_loss(x, np.zeros(4, dtype=np.int64), reduction="avg")
    with pytest.raises(TypeError, match="cross_entropy: expected a Tensor"):
        F.cross_entropy(np.zeros((4, 3)), np.zeros(4, dtype=np.int64))


def test_loss_modules_keep_weights_as_buffers_like_torch(torch):
    w = np.array([1.0, 2.0, 3.0], dtype=np.float32)
    pairs = [
        (nn.CrossEntropyLoss(gn.tensor(w)), torch.nn.CrossEntropyLoss(_t(torch, w))),
        (nn.NLLLoss(gn.tensor(w)), torch.nn.NLLLoss(_t(torch, w))),
        (nn.BCELoss(w), torch.nn.BCELoss(_t(torch, w))),
        (nn.BCEWithLogitsLoss(pos_weight=w), torch.nn.BCEWithLogitsLoss(pos_weight=_t(torch, w))),
        (nn.MSELoss(), torch.nn.MSELoss()),
    ]
    for g, t in pairs:
        assert list(g.state_dict()) == list(t.state_dict())


# ---- binary cross-entropy -----------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_cross_entropy_matches_torch(torch, dtype, reduction):
    rng = _rng(6)
    p = rng.uniform(0.02, 0.98, (5, 3))
    y = (rng.uniform(size=(5, 3)) > 0.5).astype(float)
    y[0] = [0.3, 0.7, 0.5]  # soft labels too
    w = rng.uniform(0.5, 2.0, 3).astype(dtype)
    r = reduction
    TF = torch.nn.functional
    _parity(
        torch,
        lambda a, b: F.binary_cross_entropy(a, b, reduction=r),
        lambda a, b: TF.binary_cross_entropy(a, b, reduction=r),
        p,
        y,
        dtype,
        target_grad=True,
    )
    _parity(
        torch,
        lambda a, b: F.binary_cross_entropy(a, b, gn.tensor(w), reduction=r),
        lambda a, b: TF.binary_cross_entropy(a, b, _t(torch, w), reduction=r),
        p,
        y,
        dtype,
        target_grad=True,
    )
    _parity(torch, nn.BCELoss(reduction=r), torch.nn.BCELoss(reduction=r), p, y, dtype)


def test_binary_cross_entropy_clamps_logs_at_minus_100_like_torch(torch):
    p = np.array([0.0, 1.0, 0.0, 1.0, 0.5])
    y = np.array([1.0, 0.0, 0.0, 1.0, 1.0])
    gp = gn.tensor(p, requires_grad=True)
    tp = _t(torch, p, True)
    out = F.binary_cross_entropy(gp, gn.tensor(y), reduction="none")
    t_out = torch.nn.functional.binary_cross_entropy(tp, _t(torch, y), reduction="none")
    np.testing.assert_allclose(out.detach().numpy(), t_out.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(out.detach().numpy()[:2], [100.0, 100.0])
    out.sum().backward()
    t_out.sum().backward()
    # ±1/max(x(1 − x), 1e−12) at x = 0 or 1: ±1e12 (PyTorch's ε is a float32 1e−12)
    np.testing.assert_allclose(gp.grad.numpy(), tp.grad.numpy(), rtol=1e-8)
    assert abs(gp.grad.numpy()[0] + 1e12) < 1


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_with_logits_matches_torch(torch, dtype, reduction):
    rng = _rng(7)
    z = rng.standard_normal((6, 3)) * 4
    y = (rng.uniform(size=(6, 3)) > 0.5).astype(float)
    y[0] = [0.2, 0.9, 0.5]
    w = rng.uniform(0.5, 2.0, (6, 1)).astype(dtype)
    pw = np.array([0.5, 2.0, 3.0], dtype=dtype)
    r = reduction
    TF = torch.nn.functional
    for kw_g, kw_t in [
        ({}, {}),
        ({"pos_weight": pw}, {"pos_weight": _t(torch, pw)}),
        ({"pos_weight": gn.tensor(pw)}, {"pos_weight": _t(torch, pw)}),
    ]:
        for weight in (None, w):
            _parity(
                torch,
                lambda a, b: F.binary_cross_entropy_with_logits(a, b, weight, reduction=r, **kw_g),
                lambda a, b: TF.binary_cross_entropy_with_logits(
                    a, b, None if weight is None else _t(torch, weight), reduction=r, **kw_t
                ),
                z,
                y,
                dtype,
                target_grad=True,
            )
    _parity(
        torch,
        nn.BCEWithLogitsLoss(w, r, pw),
        torch.nn.BCEWithLogitsLoss(_t(torch, w), reduction=r, pos_weight=_t(torch, pw)),
        z,
        y,
        dtype,
        target_grad=True,
    )


def test_bce_with_logits_is_stable_for_huge_logits(torch):
    z = np.array([1e4, -1e4, 800.0, -800.0, 0.0])
    y = np.array([0.0, 1.0, 1.0, 0.0, 1.0])
    for dtype in DTYPES:
        _parity(
            torch,
            lambda a, b: F.binary_cross_entropy_with_logits(a, b, reduction="none"),
            lambda a, b: torch.nn.functional.binary_cross_entropy_with_logits(
                a, b, reduction="none"
            ),
            z,
            y,
            dtype,
        )
    out = F.binary_cross_entropy_with_logits(gn.tensor(z), gn.tensor(y), reduction="none")
    np.testing.assert_allclose(out.numpy(), [1e4, 1e4, 0.0, 0.0, np.log(2)], rtol=1e-6)


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")  # (0·∞, as PyTorch)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_with_logits_gradient_at_infinite_logits(torch, reduction):
    """σ(z) comes from e^(z − softplus(z)) only when every logit is finite (the
    loss says so); ±∞ logits take the other way and match PyTorch's gradient."""
    z = np.array([np.inf, -np.inf, 3.0, -2.0, np.inf, -np.inf])
    y = np.array([1.0, 0.0, 0.5, 1.0, 0.0, 1.0])
    for dtype in DTYPES:
        gz, tz = gn.tensor(z.astype(dtype), requires_grad=True), _t(torch, z.astype(dtype), True)
        out = F.binary_cross_entropy_with_logits(
            gz, gn.tensor(y.astype(dtype)), reduction=reduction
        )
        t_out = torch.nn.functional.binary_cross_entropy_with_logits(
            tz, _t(torch, y.astype(dtype)), reduction=reduction
        )
        np.testing.assert_allclose(out.detach().numpy(), t_out.detach().numpy(), rtol=1e-6)
        out.sum().backward()
        t_out.sum().backward()
        np.testing.assert_allclose(gz.grad.numpy(), tz.grad.numpy(), rtol=1e-6)


def test_binary_cross_entropy_errors():
    x = gn.full((4, 2), 0.5)
    with pytest.raises(
        ShapeError,
        match=r"binary_cross_entropy: target size \(4,\) must be "
        r"the same as input size \(4, 2\)",
    ):
        F.binary_cross_entropy(x, gn.zeros(4))
    with pytest.raises(ValueError, match="between 0 and 1.*binary_cross_entropy_with_logits"):
        F.binary_cross_entropy(gn.tensor([0.5, 1.5]), gn.zeros(2))
    with pytest.raises(ShapeError, match=r"pos_weight of shape \(3,\) cannot be broadcast"):
        F.binary_cross_entropy_with_logits(x, gn.zeros(4, 2), pos_weight=gn.ones(3))
    with pytest.raises(ShapeError, match="binary_cross_entropy_with_logits: target size"):
        nn.BCEWithLogitsLoss()(x, gn.zeros(2, 4))


def test_sigmoid_then_bce_equals_bce_with_logits():
    z = gn.tensor(_rng(8).standard_normal((5, 2)), dtype=np.float64)
    y = gn.tensor((_rng(9).uniform(size=(5, 2)) > 0.5).astype(float))
    a = F.binary_cross_entropy(F.sigmoid(z), y)
    b = F.binary_cross_entropy_with_logits(z, y)
    assert abs(a.item() - b.item()) < 1e-12


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("targets", [[1, 4, 3, 0, 2], [1, -100, 3, -100, 0], [-100] * 5])
def test_cross_entropy_plain_path_ignored_targets_match_torch(torch, reduction, targets):
    # (N, C) logits without weights or smoothing take the fused fast path
    x = np.random.default_rng(3).normal(size=(5, 6)).astype(np.float32)
    a, b = gn.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ours = gn.nn.functional.cross_entropy(a, gn.tensor(targets), reduction=reduction)
    theirs = torch.nn.functional.cross_entropy(b, torch.tensor(targets), reduction=reduction)
    upstream = (
        np.linspace(0.5, 1.5, ours.detach().numpy().size).astype(np.float32).reshape(ours.shape)
    )
    ours.backward(gn.tensor(upstream))
    theirs.backward(torch.tensor(upstream))
    np.testing.assert_allclose(
        ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-5, equal_nan=True
    )
    np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-5, atol=1e-7)
    assert ours.dtype == np.float32 and a.grad.dtype == np.float32
