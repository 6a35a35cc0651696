"""erf, which NumPy lacks (for the exact GELU), on NumPy alone.

erf is odd, so it is computed for a = |x| and given x's sign, in three pieces:

    a < 1:      erf(a) = a · P(a²)                 P ≈ erf(√t)/√t on t ∈ [0, 1]
    1 ≤ a < 6:  erf(a) = 1 − e^(−a²) · Q(a)        Q ≈ e^(a²)·erfc(a) (smooth, 0.43 … 0.09)
    a ≥ 6:      erf(a) = 1                         (erfc(6) = 2e-17, under half an ulp of 1)

P and Q are polynomials (Q in two pieces, [1, 3) and [3, 6)), evaluated by
Horner's rule in a variable centred on their interval. Their coefficients
are Chebyshev interpolants of math.erf / math.erfc, converted to powers:
``derive()`` recomputes them (the tests check that it gives these numbers).
Float64 results are within a few ulps of the true erf; other float dtypes
are computed in float64 and rounded.
"""

import numpy as np

_CUT = 1.0  # a < _CUT: P;  Q up to 6;  erf = 1 from there on

# (low, high, degree) of each piece of Q, a polynomial in u = (a − centre)/half-width ∈ [−1, 1]
_Q_PIECES = ((1.0, 3.0, 18), (3.0, 6.0, 16))
_P_DEGREE = 13  # P in s = 2t − 1 for t = a² in [0, 1]

_P = (
    0.9654687386698674,
    -0.1405360890227171,
    0.019852496688980155,
    -0.002285485561150613,
    0.00021751715607070407,
    -1.7537169412572517e-05,
    1.2233826350891619e-06,
    -7.511568697415412e-08,
    4.115984506109393e-09,
    -2.0369178890496508e-10,
    9.006161118413322e-12,
    -1.3952790331978474e-13,
    6.992462871265266e-14,
    -1.0018501753863254e-13,
)
_Q = (
    (
        0.25539567631050547,
        -0.10679646185349198,
        0.04180275260355186,
        -0.01546063776415123,
        0.005440738536823939,
        -0.001831664278135715,
        0.0005924700018527675,
        -0.00018477834864945124,
        5.5728281918749676e-05,
        -1.6293796436526282e-05,
        4.6282727916192915e-06,
        -1.2793330838828955e-06,
        3.4468370762228804e-07,
        -9.101706738079335e-08,
        2.352319482381433e-08,
        -5.6353074192255444e-09,
        1.3330989821099858e-09,
        -4.608854551298573e-10,
        1.211521800358606e-10,
    ),
    (
        0.1224848042738414,
        -0.039023892946395265,
        0.012179532227870415,
        -0.0037279443948838287,
        0.0011201614262946798,
        -0.0003307140942102231,
        9.601433166601535e-05,
        -2.7431486134964653e-05,
        7.7175565380975e-06,
        -2.1391881648756403e-06,
        5.846430285538158e-07,
        -1.5802597536957464e-07,
        4.2037919276350104e-08,
        -1.059113129755061e-08,
        2.750443791339396e-09,
        -9.635289258264622e-10,
        2.4336201184762746e-10,
    ),
)


def derive():
    """The coefficients of P and of each piece of Q (lowest power first), from
    Chebyshev interpolation of math.erf / math.erfc at degree + 1 nodes."""
    import math

    from numpy.polynomial import chebyshev

    def fit(f, degree):  # f on [-1, 1] -> power coefficients in that variable
        nodes = np.cos(np.pi * (np.arange(degree + 1) + 0.5) / (degree + 1))
        values = [f(float(s)) for s in nodes]
        return tuple(
            float(c) for c in chebyshev.cheb2poly(chebyshev.chebfit(nodes, values, degree))
        )

    def p(s):
        t = (s + 1) / 2
        return math.erf(math.sqrt(t)) / math.sqrt(t)

    pieces = []
    for low, high, degree in _Q_PIECES:
        mid, half = (low + high) / 2, (high - low) / 2
        pieces.append(
            fit(
                lambda u, mid=mid, half=half: (
                    math.erfc(mid + half * u) * math.exp((mid + half * u) ** 2)
                ),
                degree,
            )
        )
    return fit(p, _P_DEGREE), tuple(pieces)


def _horner(coefficients, u):
    y = np.full_like(u, coefficients[-1])
    for c in coefficients[-2::-1]:
        y *= u
        y += c
    return y


def erf(x):
    """The error function erf(x) = 2/√π ∫₀ˣ e^(−t²) dt, elementwise, in x's dtype
    (float64 for integers); erf(±inf) = ±1, erf(nan) = nan."""
    x = np.asarray(x)
    dtype = x.dtype if x.dtype.kind == "f" else np.dtype(np.float64)
    a = np.abs(x, dtype=np.float64)
    out = np.ones_like(a)  # a ≥ 6 (and inf)
    small = a < _CUT
    if small.any():
        s = a[small]
        out[small] = s * _horner(_P, 2 * s * s - 1)
    for (low, high, _), coefficients in zip(_Q_PIECES, _Q):
        inside = (a >= low) & (a < high)
        if inside.any():
            s = a[inside]
            mid, half = (low + high) / 2, (high - low) / 2
            out[inside] = 1 - np.exp(-s * s) * _horner(coefficients, (s - mid) / half)
    out[np.isnan(a)] = np.nan
    np.copysign(out, x, out=out)
    return out.astype(dtype, copy=False)
