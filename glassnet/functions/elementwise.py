"""The elementwise public functions (``gn.add``, ``gn.exp``, ``gn.relu``,
``gn.where``...): arithmetic with broadcasting, functions of each element,
clamp, where and masked_fill, clone and dtype casts; and the argument helpers
(``_operand``, ``_arr``, ``_const``) that ``math`` and ``shape`` share.
``math`` re-exports every public name here."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..ops import activation, arith, unary
from ..ops._util import array_arg
from ..tensor import Tensor

if TYPE_CHECKING:
    from ..hints import DTypeLike, TensorLike


def _arr(x):
    return x._data if isinstance(x, Tensor) else np.asarray(x)


def _operand(x, other):
    """A Tensor or Python number passes through; NumPy scalars become Python
    numbers (so they cannot upcast float32); lists/arrays become arrays."""
    if isinstance(x, np.generic):  # before float: np.float64 is a float subclass
        return x.item()
    if isinstance(x, Tensor) or isinstance(x, (int, float, bool)):
        return x
    return array_arg(x, other._data if isinstance(other, Tensor) else None)


def _const(x):
    return Tensor._make(x, False, None)


# ---- arithmetic --------------------------------------------------------------
def add(input: TensorLike, other: TensorLike, alpha: float = 1) -> Tensor:
    """a + alpha·b (elementwise, broadcasting)."""
    if alpha != 1:
        other = mul(other, alpha)
    return arith.Add.apply(_operand(input, other), _operand(other, input))


def sub(input: TensorLike, other: TensorLike, alpha: float = 1) -> Tensor:
    """a − alpha·b."""
    if alpha != 1:
        other = mul(other, alpha)
    return arith.Sub.apply(_operand(input, other), _operand(other, input))


def mul(input: TensorLike, other: TensorLike) -> Tensor:
    return arith.Mul.apply(_operand(input, other), _operand(other, input))


def div(input: TensorLike, other: TensorLike) -> Tensor:
    """True division a / b (integer inputs give floats, as in PyTorch)."""
    return arith.Div.apply(_operand(input, other), _operand(other, input))


def neg(input: Tensor) -> Tensor:
    return unary.Neg.apply(input)


def pow(input: TensorLike, exponent: TensorLike) -> Tensor:
    """x ** exponent; exponent a number or a tensor (either side may be a number)."""
    if isinstance(exponent, np.generic):
        exponent = exponent.item()
    if isinstance(exponent, (int, float)) and isinstance(input, Tensor):
        return arith.PowScalar.apply(input, exponent)
    return arith.Pow.apply(_operand(input, exponent), _operand(exponent, input))


def maximum(input: TensorLike, other: TensorLike) -> Tensor:
    return arith.Maximum.apply(_operand(input, other), _operand(other, input))


def minimum(input: TensorLike, other: TensorLike) -> Tensor:
    return arith.Minimum.apply(_operand(input, other), _operand(other, input))


def square(input: Tensor) -> Tensor:
    return arith.PowScalar.apply(input, 2)


# ---- elementwise functions ------------------------------------------------
def exp(input: Tensor) -> Tensor:
    return unary.Exp.apply(input)


def log(input: Tensor) -> Tensor:
    return unary.Log.apply(input)


def sqrt(input: Tensor) -> Tensor:
    return unary.Sqrt.apply(input)


def abs(input: Tensor) -> Tensor:
    return unary.Abs.apply(input)


def sin(input: Tensor) -> Tensor:
    return unary.Sin.apply(input)


def cos(input: Tensor) -> Tensor:
    return unary.Cos.apply(input)


def tanh(input: Tensor) -> Tensor:
    return unary.Tanh.apply(input)


def sigmoid(input: Tensor) -> Tensor:
    return activation.Sigmoid.apply(input)


def relu(input: Tensor) -> Tensor:
    return activation.Relu.apply(input)


def leaky_relu(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    return activation.LeakyRelu.apply(input, negative_slope)


def elu(input: Tensor, alpha: float = 1.0) -> Tensor:
    return activation.Elu.apply(input, alpha)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    return activation.Gelu.apply(input, approximate)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    return activation.Softplus.apply(input, beta, threshold)


def clamp(input: Tensor, min: TensorLike | None = None, max: TensorLike | None = None) -> Tensor:
    """Limit values to [min, max] (bounds: numbers or tensors, broadcast with x;
    where min > max the result is max, as in PyTorch). The gradient goes to x
    where min ≤ x ≤ max, to min where it is the result (x < min < max), to
    max where it is (x > max, or max < min)."""
    return unary.Clamp.apply(input, min, max)


clip = clamp


def where(condition: TensorLike, input: TensorLike, other: TensorLike) -> Tensor:
    """x where condition is true, else y (broadcasting)."""
    return unary.Where.apply(_arr(condition), _operand(input, other), _operand(other, input))


def masked_fill(input: Tensor, mask: TensorLike, value: TensorLike) -> Tensor:
    """x with ``value`` at the positions where mask is true."""
    return unary.Where.apply(_arr(mask), value, input)


def clone(input: Tensor) -> Tensor:
    return unary.Clone.apply(input)


def to_dtype(x: Tensor, dtype: DTypeLike) -> Tensor:
    """Cast to ``dtype``; float→float casts pass gradients, others leave the graph."""
    dtype = np.dtype(dtype)
    if x._data.dtype == dtype:
        return x
    if dtype.kind == "f" and x._data.dtype.kind == "f":
        return unary.Cast.apply(x, dtype)
    return _const(x._data.astype(dtype))
