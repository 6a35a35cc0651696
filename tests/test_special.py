"""glassnet.ops._special.erf: NumPy only, within a few ulps of the true erf."""

import math

import numpy as np
import pytest
from conftest import need

import glassnet as gn
from glassnet.ops import _special


def _points():
    """Dense over the pieces and their joins, tiny and huge magnitudes, both signs."""
    a = np.concatenate(
        [
            np.linspace(0, 7, 14001),
            np.geomspace(1e-310, 30, 4000),
            [1e300],
            np.nextafter([1.0, 3.0, 6.0], 0),
            [1.0, 3.0, 6.0],
            np.nextafter([1.0, 3.0, 6.0], 10),
        ]
    )
    return np.concatenate([a, -a])


def test_float64_erf_matches_math_erf_to_a_few_ulps():
    x = _points()
    got = _special.erf(x)
    want = np.array([math.erf(v) for v in x])
    assert got.dtype == np.float64
    # math.erf is itself within ~1 ulp: 4 ulps of the larger magnitude between them
    ulps = np.abs(got - want) / np.spacing(np.abs(want))
    worst = int(np.argmax(ulps))
    assert ulps[worst] <= 4, f"erf({x[worst]!r}) = {got[worst]!r}, math.erf gives {want[worst]!r}"
    np.testing.assert_array_equal(np.signbit(got), np.signbit(x))  # odd, erf(-0.0) = -0.0


def test_float64_erf_against_high_precision():
    mpmath = need("mpmath")
    mpmath.mp.dps = 30
    x = np.linspace(-6.5, 6.5, 2601)
    want = np.array([float(mpmath.erf(mpmath.mpf(float(v)))) for v in x])
    np.testing.assert_allclose(_special.erf(x), want, rtol=1e-15, atol=0)


def test_float32_erf_is_the_float64_one_rounded():
    x = _points()
    x = x[np.abs(x) < 1e30].astype(np.float32)
    got = _special.erf(x)
    assert got.dtype == np.float32
    want = np.array([math.erf(float(v)) for v in x]).astype(np.float32)
    np.testing.assert_array_max_ulp(got, want, maxulp=1)


def test_infinities_nan_and_integers():
    got = _special.erf(np.array([np.inf, -np.inf, np.nan, 0.0]))
    np.testing.assert_array_equal(got, [1.0, -1.0, np.nan, 0.0])
    assert _special.erf(np.array([0, 1, -2])).dtype == np.float64
    np.testing.assert_allclose(
        _special.erf(np.array([0, 1, -2])), [0, math.erf(1), math.erf(-2)], rtol=1e-15
    )
    assert _special.erf(np.empty((0, 3), np.float32)).shape == (0, 3)


def test_the_stored_coefficients_are_what_derive_gives():
    p, q = _special.derive()
    # math.erf's last-bit differences between C libraries move the fit by ~1e-13 at most
    np.testing.assert_allclose(p, _special._P, rtol=0, atol=1e-12)
    for mine, stored in zip(q, _special._Q):
        np.testing.assert_allclose(mine, stored, rtol=0, atol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_exact_gelu_matches_torch(torch, dtype):
    x = np.concatenate([np.linspace(-12, 12, 2001), [-40.0, 40.0, 0.0]]).astype(dtype)
    t = gn.tensor(x, requires_grad=True)
    y = gn.gelu(t)
    y.sum().backward()
    tx = torch.tensor(x, requires_grad=True)
    ty = torch.nn.functional.gelu(tx)
    ty.sum().backward()
    # for x < 0, 1 + erf(x/√2) cancels: either side's result is off by ~|x|·ulp(1) (|x| ≤ 12)
    tol = {"rtol": 4 * np.finfo(dtype).eps, "atol": 12 * np.finfo(dtype).eps}
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), **tol)
    np.testing.assert_allclose(t.grad.numpy(), tx.grad.numpy(), **tol)
