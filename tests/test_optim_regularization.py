"""L1/L2 penalties: values, gradients (vs PyTorch), the L2 = weight_decay
identity for SGD and Adam (not AdamW), dtypes and errors."""

import numpy as np
import pytest
from test_optim import gn_loss, gn_params

import glassnet as gn
from glassnet import optim
from glassnet.optim import l1_penalty, l2_penalty

W = np.array([[0.5, -1.5, 0.0], [2.0, -0.25, 1.0]])
B = np.array([0.3, -0.7])


def test_values_and_gradients_by_hand():
    w = gn.tensor(W, requires_grad=True)
    b = gn.tensor(B, requires_grad=True)
    l2 = l2_penalty([w, b], lam=0.1)
    assert l2.item() == pytest.approx(0.05 * ((W**2).sum() + (B**2).sum()), rel=1e-14)
    l2.backward()
    np.testing.assert_allclose(w.grad.numpy(), 0.1 * W, rtol=1e-14)
    np.testing.assert_allclose(b.grad.numpy(), 0.1 * B, rtol=1e-14)

    w.grad = None
    l1 = l1_penalty(w, lam=0.2)
    assert l1.item() == pytest.approx(0.2 * np.abs(W).sum(), rel=1e-14)
    l1.backward()
    np.testing.assert_array_equal(w.grad.numpy(), 0.2 * np.sign(W))  # 0 where w = 0


@pytest.mark.torch
def test_gradients_match_pytorch(torch):
    w = gn.tensor(W, requires_grad=True)
    b = gn.tensor(B, requires_grad=True)
    (l1_penalty([w, b], 0.3) + l2_penalty([w], 0.7)).backward()
    tw = torch.tensor(W, requires_grad=True)
    tb = torch.tensor(B, requires_grad=True)
    (0.3 * (tw.abs().sum() + tb.abs().sum()) + 0.35 * (tw**2).sum()).backward()
    np.testing.assert_allclose(w.grad.numpy(), tw.grad.numpy(), rtol=1e-14, atol=0)
    np.testing.assert_allclose(b.grad.numpy(), tb.grad.numpy(), rtol=1e-14, atol=0)


def _train(make_opt, lam_in_loss, steps=20):
    params = gn_params()
    opt = make_opt(params)
    for _ in range(steps):
        opt.zero_grad()
        loss = gn_loss(params)
        if lam_in_loss:
            loss = loss + l2_penalty(params, lam=lam_in_loss)
        loss.backward()
        opt.step()
    return [p.detach().numpy() for p in params]


@pytest.mark.parametrize(
    "make_opt",
    [
        lambda ps, wd=0.0: optim.SGD(ps, lr=0.1, weight_decay=wd),
        lambda ps, wd=0.0: optim.SGD(ps, lr=0.05, momentum=0.9, nesterov=True, weight_decay=wd),
        lambda ps, wd=0.0: optim.Adam(ps, lr=0.01, weight_decay=wd),
    ],
    ids=["SGD", "SGD-nesterov", "Adam"],
)
def test_l2_penalty_in_the_loss_is_weight_decay(make_opt):
    with_penalty = _train(make_opt, lam_in_loss=0.1)
    with_decay = _train(lambda ps: make_opt(ps, wd=0.1), lam_in_loss=0.0)
    plain = _train(make_opt, lam_in_loss=0.0)
    for a, b, c in zip(with_penalty, with_decay, plain):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
    assert max(np.abs(a - c).max() for a, c in zip(with_penalty, plain)) > 1e-3


def test_l2_penalty_is_not_adamw_decay():
    with_penalty = _train(lambda ps: optim.Adam(ps, lr=0.01), lam_in_loss=0.1)
    adamw = _train(lambda ps: optim.AdamW(ps, lr=0.01, weight_decay=0.1), lam_in_loss=0.0)
    assert max(np.abs(a - b).max() for a, b in zip(with_penalty, adamw)) > 1e-4


def test_l1_drives_weights_toward_zero():
    w = gn.tensor(W.copy(), requires_grad=True)
    opt = optim.SGD([w], lr=0.01)
    for _ in range(300):
        opt.zero_grad()
        l1_penalty(w).backward()
        opt.step()
    assert np.abs(w.detach().numpy()).max() <= 0.01 + 1e-12


def test_float32_stays_float32():
    w = gn.tensor(W.astype(np.float32), requires_grad=True)
    assert l1_penalty(w, 0.5).dtype == np.float32
    assert l2_penalty([w], 0.5).dtype == np.float32


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (lambda: l2_penalty([]), ValueError, r"l2_penalty: got no tensors to penalize"),
        (
            lambda: l1_penalty([np.ones(2)]),
            TypeError,
            r"l1_penalty: params\[0\] is a ndarray, expected a Tensor",
        ),
        (
            lambda: l2_penalty(gn.tensor([1, 2])),
            gn.DTypeError,
            r"l2_penalty: params\[0\] is a int64 tensor of shape \(2,\), expected a floating-point",
        ),
        (
            lambda: l2_penalty(gn.tensor([1.0]), lam=-0.1),
            ValueError,
            r"l2_penalty: lam \(the penalty strength λ\) must be a number >= 0, got -0.1",
        ),
        (lambda: l1_penalty(gn.tensor([1.0]), lam="big"), ValueError, r"l1_penalty: lam"),
        (lambda: l1_penalty(3.0), TypeError, r"l1_penalty: params must be a Tensor or an iterable"),
    ],
)
def test_bad_arguments(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
