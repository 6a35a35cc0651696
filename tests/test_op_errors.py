"""Bad input raises an error at the call that caused it, and the message
names the op, the shapes (or dtypes, or dims) involved and what was
expected."""

import re

import numpy as np
import pytest

import glassnet as gn
from glassnet.ops.softmax import CrossEntropyIndices


def raises(exc, *fragments):
    """pytest.raises that also requires every fragment in the message."""
    return pytest.raises(exc, match="(?s)" + "".join(f"(?=.*{re.escape(f)})" for f in fragments))


def test_matmul_shape_mismatch():
    with raises(gn.ShapeError, "matmul", "(2, 3)", "(4, 5)", "(3)", "(4)"):
        gn.ones(2, 3) @ gn.ones(4, 5)
    with raises(gn.ShapeError, "matmul", "(2, 2, 3)", "(4, 3, 5)", "batch"):
        gn.matmul(gn.ones(2, 2, 3), gn.ones(4, 3, 5))
    with raises(gn.ShapeError, "matmul", "()", "at least 1 dimension"):
        gn.matmul(gn.tensor(1.0), gn.ones(3))
    with raises(gn.ShapeError, "mm", "(3,)", "2-D"):
        gn.mm(gn.ones(3), gn.ones(3, 3))


def test_linear_shape_mismatch():
    with raises(gn.ShapeError, "linear", "(2, 3)", "(4, 5)", "5"):
        gn.linear(gn.ones(2, 3), gn.ones(4, 5))
    with raises(gn.ShapeError, "linear", "bias", "(3,)", "(4,)"):
        gn.linear(gn.ones(2, 5), gn.ones(4, 5), gn.ones(3))


@pytest.mark.parametrize(
    "name, fn",
    [
        ("add", lambda a, b: a + b),
        ("sub", lambda a, b: a - b),
        ("mul", lambda a, b: a * b),
        ("div", lambda a, b: a / b),
        ("pow", lambda a, b: a**b),
        ("maximum", gn.maximum),
        ("minimum", gn.minimum),
    ],
)
def test_binary_ops_that_cannot_broadcast(name, fn):
    with raises(gn.ShapeError, name, "(2, 3) float32", "(4,) float32", "broadcast"):
        fn(gn.ones(2, 3), gn.ones(4))


def test_where_that_cannot_broadcast():
    with raises(gn.ShapeError, "where", "(2,) bool", "(3,)", "(2,)"):
        gn.where(gn.ones(2) > 0, gn.ones(3), gn.ones(2))


def test_reshape_view_to_a_wrong_size():
    with raises(gn.ShapeError, "reshape", "(2, 3)", "6 elements", "(4, 2)"):
        gn.ones(2, 3).reshape(4, 2)
    with raises(gn.ShapeError, "view", "(2, 3)", "(-1, 4)"):
        gn.ones(2, 3).view(-1, 4)


def test_cat_stack_with_mismatched_shapes():
    with raises(gn.ShapeError, "cat", "(2, 3)", "(2, 4)", "dim 0"):
        gn.cat([gn.ones(2, 3), gn.ones(2, 4)], 0)
    with raises(gn.ShapeError, "stack", "(2, 3)", "(3, 2)", "equal shape"):
        gn.stack([gn.ones(2, 3), gn.ones(3, 2)])
    with raises(ValueError, "cat", "non-empty"):
        gn.cat([])


def test_other_shape_ops_with_bad_arguments():
    with raises(gn.ShapeError, "expand", "(2, 3)", "(4, 3)"):
        gn.ones(2, 3).expand(4, 3)
    with raises(gn.ShapeError, "permute", "(0, 0)"):
        gn.ones(2, 3).permute(0, 0)
    with raises(gn.ShapeError, "split", "[2, 2]", "5"):
        gn.ones(5, 3).split([2, 2])
    with raises(gn.ShapeError, "pad", "(1, 1, 1, 1, 1, 1)", "(2, 3)"):
        gn.pad(gn.ones(2, 3), (1, 1, 1, 1, 1, 1))


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda x: x.sum(dim=5), "sum"),
        (lambda x: x.mean(dim=(0, -3)), "mean"),
        (lambda x: x.var(dim=5), "var"),
        (lambda x: x.std(dim=5), "std"),
        (lambda x: x.amax(dim=5), "amax"),
        (lambda x: x.max(dim=5), "max"),
        (lambda x: x.min(dim=5), "min"),
        (lambda x: x.argmax(dim=5), "argmax"),
        (lambda x: x.logsumexp(dim=5), "logsumexp"),
        (lambda x: x.softmax(dim=5), "softmax"),
        (lambda x: x.log_softmax(dim=5), "log_softmax"),
        (lambda x: x.transpose(0, 5), "transpose"),
        (lambda x: x.squeeze(5), "squeeze"),
        (lambda x: gn.cat([x, x], 5), "cat"),
        (lambda x: x.gather(5, gn.zeros(2, 3, dtype=gn.int64)), "gather"),
        (lambda x: x.split(1, dim=5), "split"),
    ],
)
def test_unknown_dim(call, name):
    with raises(IndexError, name, "out of range", "2 dimensions", "-2 to 1"):
        call(gn.ones(2, 3))


def test_unknown_dim_for_a_new_dimension():
    with raises(IndexError, "unsqueeze", "dim 4", "-3 to 2"):
        gn.ones(2, 3).unsqueeze(4)
    with raises(IndexError, "stack", "dim 3", "-2 to 1"):
        gn.stack([gn.ones(2)], dim=3)


def test_repeated_dim():
    with raises(ValueError, "amax", "(0, 0)", "twice"):
        gn.ones(2, 3).amax(dim=(0, 0))


def test_integer_tensors_cannot_require_grad():
    with raises(gn.DTypeError, "requires_grad", "int64", "(3,)", "floating-point"):
        gn.tensor([1, 2, 3], requires_grad=True)
    with raises(gn.DTypeError, "requires_grad", "int64"):
        gn.arange(3).requires_grad_()
    with raises(gn.DTypeError, "requires_grad", "bool"):
        gn.tensor([True, False], requires_grad=True)


def test_gather_with_a_bad_index():
    x = gn.ones(2, 3)
    with raises(IndexError, "gather", "5", "dim 1", "(2, 3)", "0 to 2"):
        x.gather(1, gn.tensor([[0, 5]]))
    with raises(IndexError, "gather", "-1", "0 to 2"):  # NumPy would wrap it around
        x.gather(1, gn.tensor([[-1]]))
    with raises(gn.ShapeError, "gather", "(2,) int64", "(2, 3) float32", "dimensions"):
        x.gather(1, gn.tensor([0, 1]))
    with raises(gn.ShapeError, "gather", "(3, 1)", "(2, 3)", "dimension 0"):
        x.gather(1, gn.tensor([[0], [1], [1]]))
    with raises(TypeError, "gather", "integer", "float32"):
        x.gather(1, gn.tensor([[0.0, 1.0]]))


def test_indexing_out_of_range():
    with raises(IndexError, "index", "(2, 3)", "5"):
        gn.ones(2, 3)[5]
    with raises(IndexError, "(2, 3)", "5"):
        gn.ones(2, 3).index_select(1, gn.tensor([5]))


def test_setitem_with_a_value_of_the_wrong_shape():
    with raises(gn.ShapeError, "setitem", "(2, 3)", "(4,)"):
        gn.ones(2, 3)[0] = gn.ones(4)
    y = gn.ones(2, 3, requires_grad=True) * 2
    with raises(gn.ShapeError, "setitem", "(2, 3)", "(4,)"):
        y[0] = gn.ones(4, requires_grad=True)


def test_non_scalar_backward_without_gradient():
    y = gn.ones(2, 3, requires_grad=True) * 2
    with raises(gn.GraphError, "backward", "(2, 3)", "gradient="):
        y.backward()
    with raises(gn.ShapeError, "backward", "(3,)", "(2, 3)"):
        y.backward(gradient=np.ones(3, dtype=np.float32))


def test_cross_entropy_bad_input():
    logits = gn.ones(2, 3)

    def ce(target, weight=None, reduction="mean"):
        return CrossEntropyIndices.apply(logits, np.asarray(target), weight, -100, reduction, 0.0)

    with raises(IndexError, "cross_entropy", "target 7", "0 to 2"):
        ce([0, 7])
    with raises(gn.ShapeError, "cross_entropy", "(2, 3)", "(2,)", "(3,)"):
        ce([0, 1, 1])
    with raises(gn.DTypeError, "cross_entropy", "integer", "float"):
        ce([0.0, 1.0])
    with raises(ValueError, "cross_entropy", "'avg'", "'mean'"):
        ce([0, 1], reduction="avg")
    with raises(gn.ShapeError, "cross_entropy", "weight", "(2,)", "(3,)"):
        ce([0, 1], weight=np.ones(2, dtype=np.float32))


def test_op_misuse():
    with raises(ValueError, "clamp", "min", "max"):
        gn.clamp(gn.ones(3))
    with raises(ValueError, "gelu", "'exact'", "'tanh'"):
        gn.gelu(gn.ones(3), approximate="exact")
    with raises(ValueError, "flatten", "start_dim 1", "end_dim 0"):
        gn.ones(2, 3).flatten(1, 0)
