"""ReLU's forward (glassnet.ops.activation.relu_array) takes big inputs in
blocks against a block of zeros (NumPy's maximum against a scalar is not
vectorized): the same values as np.maximum(x, 0) bit for bit, a NaN kept
and ±inf right, across block boundaries, in every float dtype and layout,
never writing into or sharing the input; and nn.ReLU's gradient on such an
input."""

import numpy as np
import pytest

import glassnet as gn
from glassnet.ops import activation

BLOCK = activation._BLOCK
SHAPES = [
    (),
    (0,),
    (7,),
    (3, 0, 2),
    (100, 16),
    (BLOCK,),
    (BLOCK + 1,),
    (3, BLOCK // 2 + 5),
    (64, 8, 26, 26),
]


def _input(shape, dtype, seed=0):
    x = np.asarray(np.random.default_rng(seed).standard_normal(shape) * 3).astype(dtype)
    flat = x.reshape(-1)
    specials = [np.nan, -np.inf, np.inf, -0.0, 0.0]
    for i, v in enumerate(specials):
        for where in (i, flat.size // 2 + i, flat.size - 1 - i):  # first, middle, last block
            if 0 <= where < flat.size:
                flat[where] = v
    return x


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16])
def test_relu_array_equals_numpys_maximum(shape, dtype):
    x = _input(shape, dtype)
    before = x.copy()
    out = activation.relu_array(x)
    expected = np.maximum(x, 0)
    assert out.dtype == expected.dtype and out.shape == expected.shape
    np.testing.assert_array_equal(out, expected)  # (NaN where NaN, bit for bit elsewhere)
    assert np.array_equal(np.signbit(out), np.signbit(expected))
    np.testing.assert_array_equal(x, before)  # the input is untouched
    assert not np.shares_memory(out, x)


@pytest.mark.parametrize("layout", ["transposed", "strided"])
def test_relu_array_of_views(layout):
    base = _input((300, 2 * BLOCK // 300 + 7), np.float32)
    x = base.T if layout == "transposed" else base[:, ::2]
    np.testing.assert_array_equal(activation.relu_array(x), np.maximum(x, 0))


def test_relu_layer_on_a_big_input_and_its_gradient():
    x = gn.tensor(_input((3, BLOCK // 2 + 5), np.float32), requires_grad=True)
    y = gn.nn.ReLU()(x)
    np.testing.assert_array_equal(y.detach().numpy(), np.maximum(x.detach().numpy(), 0))
    up = np.random.default_rng(1).standard_normal(x.shape).astype(np.float32)
    y.backward(gn.tensor(up))
    np.testing.assert_array_equal(x.grad.numpy(), up * (y.detach().numpy() > 0))
