"""The public functions (``gn.exp``, ``gn.sum``, ``gn.cat``...): argument
handling in PyTorch's names (``dim``, ``keepdim``; NumPy's ``axis``,
``keepdims`` accepted too), then one op's ``apply``."""
import builtins
from collections import namedtuple

import numpy as np

from .. import backend
from ..errors import ShapeError, describe
from ..tensor import Tensor, to_array
from . import activation, arith, index, linalg, nnops, reduce, unary
from . import shape as shape_ops
from ._util import (array_arg, normalize_dim, normalize_dims, normalize_new_dim, pick_dim,
                    pick_keepdim)

MinMax = namedtuple("MinMax", ["values", "indices"])


def _arr(x):
    return x.data if isinstance(x, Tensor) else np.asarray(x)


def _operand(x, other):
    """A Tensor or Python number passes through; NumPy scalars become Python
    numbers (so they cannot upcast float32); lists/arrays become arrays."""
    if isinstance(x, np.generic):  # before float: np.float64 is a float subclass
        return x.item()
    if isinstance(x, Tensor) or isinstance(x, (int, float, bool)):
        return x
    return array_arg(x, other.data if isinstance(other, Tensor) else None)


def _const(x):
    return Tensor._make(x, False, None)


# ---- arithmetic --------------------------------------------------------------
def add(a, b, alpha=1):
    """a + alpha·b (elementwise, broadcasting)."""
    if alpha != 1:
        b = mul(b, alpha)
    return arith.Add.apply(_operand(a, b), _operand(b, a))


def sub(a, b, alpha=1):
    """a − alpha·b."""
    if alpha != 1:
        b = mul(b, alpha)
    return arith.Sub.apply(_operand(a, b), _operand(b, a))


def mul(a, b):
    return arith.Mul.apply(_operand(a, b), _operand(b, a))


def div(a, b):
    """True division a / b (integer inputs give floats, as in PyTorch)."""
    return arith.Div.apply(_operand(a, b), _operand(b, a))


def neg(x):
    return unary.Neg.apply(x)


def pow(x, exponent):
    """x ** exponent; exponent a number or a tensor (either side may be a number)."""
    if isinstance(exponent, np.generic):
        exponent = exponent.item()
    if isinstance(exponent, (int, float)) and isinstance(x, Tensor):
        return arith.PowScalar.apply(x, exponent)
    return arith.Pow.apply(_operand(x, exponent), _operand(exponent, x))


def maximum(a, b):
    return arith.Maximum.apply(_operand(a, b), _operand(b, a))


def minimum(a, b):
    return arith.Minimum.apply(_operand(a, b), _operand(b, a))


def square(x):
    return arith.PowScalar.apply(x, 2)


# ---- elementwise functions ------------------------------------------------
def exp(x):
    return unary.Exp.apply(x)


def log(x):
    return unary.Log.apply(x)


def sqrt(x):
    return unary.Sqrt.apply(x)


def abs(x):
    return unary.Abs.apply(x)


def sin(x):
    return unary.Sin.apply(x)


def cos(x):
    return unary.Cos.apply(x)


def tanh(x):
    return unary.Tanh.apply(x)


def sigmoid(x):
    return activation.Sigmoid.apply(x)


def relu(x):
    return activation.Relu.apply(x)


def leaky_relu(x, negative_slope=0.01):
    return activation.LeakyRelu.apply(x, negative_slope)


def elu(x, alpha=1.0):
    return activation.Elu.apply(x, alpha)


def gelu(x, approximate="none"):
    return activation.Gelu.apply(x, approximate)


def softplus(x, beta=1.0, threshold=20.0):
    return activation.Softplus.apply(x, beta, threshold)


def clamp(x, min=None, max=None):
    """Limit values to [min, max]; the gradient is 1 inside, 0 where clipped."""
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        out = x
        if min is not None:
            out = maximum(out, min)
        if max is not None:
            out = minimum(out, max)
        return out
    return unary.Clamp.apply(x, min, max)


clip = clamp


def where(condition, x, y):
    """x where condition is true, else y (broadcasting)."""
    return unary.Where.apply(_arr(condition), _operand(x, y), _operand(y, x))


def masked_fill(x, mask, value):
    """x with ``value`` at the positions where mask is true."""
    return unary.Where.apply(_arr(mask), value, x)


def clone(x):
    return unary.Clone.apply(x)


def to_dtype(x, dtype):
    """Cast to ``dtype``; float→float casts pass gradients, others leave the graph."""
    dtype = np.dtype(dtype)
    if x.data.dtype == dtype:
        return x
    if dtype.kind == "f" and x.data.dtype.kind == "f":
        return unary.Cast.apply(x, dtype)
    return _const(x.data.astype(dtype))


# ---- reductions ----------------------------------------------------------------
def sum(x, dim=None, keepdim=False, *, axis=None, keepdims=None, dtype=None):
    dims = normalize_dims(pick_dim(dim, axis, "sum"), x.ndim, "sum")
    out = reduce.Sum.apply(x, dims, bool(pick_keepdim(keepdim, keepdims)))
    return to_dtype(out, dtype) if dtype is not None else out


def mean(x, dim=None, keepdim=False, *, axis=None, keepdims=None):
    dims = normalize_dims(pick_dim(dim, axis, "mean"), x.ndim, "mean")
    return reduce.Mean.apply(x, dims, bool(pick_keepdim(keepdim, keepdims)))


def _correction(unbiased, correction, ddof):
    if correction is not None:
        return correction
    if ddof is not None:
        return ddof
    return 1 if unbiased is None or unbiased else 0


def var(x, dim=None, unbiased=None, keepdim=False, *, correction=None, axis=None,
        keepdims=None, ddof=None):
    """Variance, Σ(x − x̄)²/(N − correction); correction=1 (unbiased) by default, as PyTorch
    (NumPy's default is ddof=0)."""
    dims = normalize_dims(pick_dim(dim, axis, "var"), x.ndim, "var")
    return reduce.Var.apply(x, dims, bool(pick_keepdim(keepdim, keepdims)),
                            _correction(unbiased, correction, ddof))


def std(x, dim=None, unbiased=None, keepdim=False, *, correction=None, axis=None,
        keepdims=None, ddof=None):
    """Standard deviation, √var (correction=1 by default, as PyTorch)."""
    dims = normalize_dims(pick_dim(dim, axis, "std"), x.ndim, "std")
    return reduce.Std.apply(x, dims, bool(pick_keepdim(keepdim, keepdims)),
                            _correction(unbiased, correction, ddof))


def amax(x, dim=None, keepdim=False, *, axis=None, keepdims=None):
    dims = normalize_dims(pick_dim(dim, axis, "amax"), x.ndim, "amax")
    return reduce.AMax.apply(x, dims, bool(pick_keepdim(keepdim, keepdims)))


def amin(x, dim=None, keepdim=False, *, axis=None, keepdims=None):
    dims = normalize_dims(pick_dim(dim, axis, "amin"), x.ndim, "amin")
    return reduce.AMin.apply(x, dims, bool(pick_keepdim(keepdim, keepdims)))


def _min_max(x, dim, keepdim, other, largest, name):
    if isinstance(dim, Tensor) or other is not None:
        other = dim if other is None else other
        return maximum(x, other) if largest else minimum(x, other)
    if dim is None:
        if x.data.size == 0:
            raise ValueError(f"{name}: the tensor is empty, there is no {name}")
        return amax(x) if largest else amin(x)
    d = normalize_dim(dim, x.ndim, name)
    idx = (np.argmax if largest else np.argmin)(x.data, axis=d)
    if x.ndim == 0:
        return MinMax(x, _const(np.asarray(0)))
    values = reduce.TakeAlongDim.apply(x, idx, d, bool(keepdim))
    indices = np.expand_dims(idx, d) if keepdim else idx
    return MinMax(values, _const(np.asarray(indices, dtype=np.int64)))


def max(x, dim=None, keepdim=False, other=None, *, axis=None, keepdims=None):
    """max(x): the largest value; max(x, dim): (values, indices) along dim;
    max(x, other_tensor): elementwise maximum — as torch.max."""
    return _min_max(x, pick_dim(dim, axis, "max"), pick_keepdim(keepdim, keepdims), other,
                    True, "max")


def min(x, dim=None, keepdim=False, other=None, *, axis=None, keepdims=None):
    """min(x), min(x, dim) → (values, indices), min(x, other) — as torch.min."""
    return _min_max(x, pick_dim(dim, axis, "min"), pick_keepdim(keepdim, keepdims), other,
                    False, "min")


def logsumexp(x, dim, keepdim=False, *, axis=None, keepdims=None):
    """ln Σ exp(x) over dim, without overflow."""
    dims = normalize_dims(pick_dim(dim, axis, "logsumexp"), x.ndim, "logsumexp")
    return reduce.LogSumExp.apply(x, dims, bool(pick_keepdim(keepdim, keepdims)))


def softmax(x, dim=-1, *, axis=None):
    d = normalize_dim(pick_dim(dim, axis, "softmax", -1), x.ndim, "softmax")
    return nnops.Softmax.apply(x, d)


def log_softmax(x, dim=-1, *, axis=None):
    d = normalize_dim(pick_dim(dim, axis, "log_softmax", -1), x.ndim, "log_softmax")
    return nnops.LogSoftmax.apply(x, d)


def _arg(x, dim, keepdim, fn, name):
    if dim is None:
        out = fn(x.data.reshape(-1))
        return _const(np.asarray(out, dtype=np.int64).reshape((1,) * x.ndim if keepdim else ()))
    d = normalize_dim(dim, x.ndim, name)
    out = fn(x.data, axis=d, keepdims=bool(keepdim))
    return _const(np.asarray(out, dtype=np.int64))


def argmax(x, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """Index of the largest value (over the flattened tensor when dim is None). No gradient."""
    return _arg(x, pick_dim(dim, axis, "argmax"), pick_keepdim(keepdim, keepdims),
                np.argmax, "argmax")


def argmin(x, dim=None, keepdim=False, *, axis=None, keepdims=None):
    return _arg(x, pick_dim(dim, axis, "argmin"), pick_keepdim(keepdim, keepdims),
                np.argmin, "argmin")


def all(x, dim=None, keepdim=False):
    dims = normalize_dims(dim, x.ndim, "all")
    return _const(np.asarray(np.all(x.data, axis=dims, keepdims=keepdim)))


def any(x, dim=None, keepdim=False):
    dims = normalize_dims(dim, x.ndim, "any")
    return _const(np.asarray(np.any(x.data, axis=dims, keepdims=keepdim)))


# ---- linear algebra -----------------------------------------------------------
def matmul(a, b):
    """Matrix product with NumPy/PyTorch rules: 1-D, 2-D and batched (broadcast)."""
    return linalg.MatMul.apply(_operand(a, b), _operand(b, a))


def mm(a, b):
    if a.ndim != 2 or b.ndim != 2:
        raise ShapeError(f"mm: expects two 2-D tensors, got {describe(a)} and {describe(b)}")
    return matmul(a, b)


def linear(x, weight, bias=None):
    """y = x Wᵀ + b in one fused op (W shaped (out_features, in_features))."""
    if bias is None:
        return linalg.Linear.apply(x, weight)
    return linalg.Linear.apply(x, weight, bias)


# ---- shape -----------------------------------------------------------------------
def _shape_args(shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    return tuple(int(s) for s in shape)


def reshape(x, *shape):
    """Same elements in a new shape (one dim may be -1)."""
    return _reshape(x, _shape_args(shape))


def _reshape(x, new_shape, op="reshape"):
    if new_shape == x.data.shape:
        return x
    return shape_ops.Reshape.apply(x, new_shape, op=op)


def view(x, *shape):
    """As reshape: NumPy returns a view when the memory layout allows, else a copy."""
    return _reshape(x, _shape_args(shape), "view")


def flatten(x, start_dim=0, end_dim=-1):
    if x.ndim == 0:
        return reshape(x, 1)
    s = normalize_dim(start_dim, x.ndim, "flatten")
    e = normalize_dim(end_dim, x.ndim, "flatten")
    if s > e:
        raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
    shp = x.shape
    return reshape(x, shp[:s] + (int(np.prod(shp[s:e + 1])),) + shp[e + 1:])


def permute(x, *dims):
    dims = _shape_args(dims)
    if len(dims) != x.ndim:
        raise ShapeError(f"permute: {dims} must list each of the {x.ndim} dimensions of "
                         f"{describe(x.data)} once")
    dims = tuple(normalize_dim(d, x.ndim, "permute") for d in dims)
    if sorted(dims) != list(range(x.ndim)):
        raise ShapeError(f"permute: {dims} must list each dimension once")
    return shape_ops.Permute.apply(x, dims)


def transpose(x, dim0, dim1):
    """Swap two dims."""
    if x.ndim == 0:
        return x
    d0 = normalize_dim(dim0, x.ndim, "transpose")
    d1 = normalize_dim(dim1, x.ndim, "transpose")
    order = list(range(x.ndim))
    order[d0], order[d1] = order[d1], order[d0]
    return shape_ops.Permute.apply(x, tuple(order))


swapaxes = transpose


def t(x):
    """Transpose of a tensor with at most 2 dims."""
    if x.ndim > 2:
        raise ShapeError(f"t: expects a tensor with at most 2 dimensions, got {x.shape}; use "
                         "transpose(dim0, dim1) or permute")
    return transpose(x, 0, 1) if x.ndim == 2 else x


def squeeze(x, dim=None):
    """Remove dims of size 1 (all of them, or those named by dim)."""
    if dim is None:
        new = tuple(n for n in x.shape if n != 1)
    else:
        dims = normalize_dims(dim, x.ndim, "squeeze") or ()
        new = tuple(n for i, n in enumerate(x.shape) if not (i in dims and n == 1))
    return _reshape(x, new)


def unsqueeze(x, dim):
    """Insert a dim of size 1 at ``dim`` (−ndim−1 ≤ dim ≤ ndim)."""
    d = normalize_new_dim(dim, x.ndim, "unsqueeze")
    return _reshape(x, x.shape[:d] + (1,) + x.shape[d:])


def expand(x, *sizes):
    """Broadcast to a larger shape without copying; -1 keeps a dim."""
    sizes = _shape_args(sizes)
    lead = len(sizes) - x.ndim
    if lead < 0:
        raise ShapeError(f"expand: the new shape {sizes} has fewer dimensions than "
                         f"{describe(x.data)}")
    full = tuple(x.shape[i - lead] if s == -1 and i >= lead else s for i, s in enumerate(sizes))
    return shape_ops.Expand.apply(x, full)


def expand_as(x, other):
    return expand(x, *other.shape)


def broadcast_to(x, shape):
    return expand(x, *shape)


def _tensors(tensors, name):
    tensors = list(tensors)
    if not tensors:
        raise ValueError(f"{name}: expects a non-empty list of tensors")
    return [tt if isinstance(tt, Tensor) else Tensor(tt) for tt in tensors]


def cat(tensors, dim=0, *, axis=None):
    """Join tensors along an existing dim."""
    tensors = _tensors(tensors, "cat")
    d = normalize_dim(pick_dim(dim, axis, "cat", 0), tensors[0].ndim, "cat")
    return shape_ops.Cat.apply(*tensors, dim=d)


concat = concatenate = cat


def stack(tensors, dim=0, *, axis=None):
    """Join tensors of equal shape along a new dim."""
    tensors = _tensors(tensors, "stack")
    d = normalize_new_dim(pick_dim(dim, axis, "stack", 0), tensors[0].ndim, "stack")
    return shape_ops.Stack.apply(*tensors, dim=d)


def split(x, split_size_or_sections, dim=0):
    """Split into pieces of a given size (the last may be smaller) or of the listed sizes."""
    d = normalize_dim(dim, x.ndim, "split")
    n = x.shape[d]
    if isinstance(split_size_or_sections, int):
        size = split_size_or_sections
        if size <= 0:
            raise ValueError(f"split: split_size must be positive, got {size}")
        sizes = [size] * (n // size) + ([n % size] if n % size else [])
    else:
        sizes = [int(s) for s in split_size_or_sections]
        if builtins.sum(sizes) != n:
            raise ShapeError(f"split: sections {sizes} add up to {builtins.sum(sizes)}, but "
                             f"dim {dim} has size {n}")
    pieces, start = [], 0
    for s in sizes:
        idx = (slice(None),) * d + (slice(start, start + s),)
        pieces.append(index.GetItem.apply(x, idx))
        start += s
    return tuple(pieces)


def chunk(x, chunks, dim=0):
    """Split into ``chunks`` pieces of size ceil(n/chunks) (fewer if that covers n)."""
    if chunks <= 0:
        raise ValueError(f"chunk: chunks must be positive, got {chunks}")
    n = x.shape[normalize_dim(dim, x.ndim, "chunk")]
    return split(x, builtins.max(1, -(-n // chunks)), dim)


def pad(x, pad, mode="constant", value=0.0):
    """Pad with a constant (torch.nn.functional.pad's order: last dim first)."""
    if mode != "constant":
        raise ValueError(f"pad: mode {mode!r} is not supported; glassnet pads with mode="
                         "'constant' (any fill value)")
    return shape_ops.Pad.apply(x, tuple(int(p) for p in pad), value)


# ---- indexing ----------------------------------------------------------------------
def _index_arg(idx):
    if isinstance(idx, Tensor):
        return idx.data
    if isinstance(idx, tuple):
        return tuple(_index_arg(i) for i in idx)
    if isinstance(idx, list):
        return np.asarray([_index_arg(i) for i in idx]) if idx and isinstance(idx[0], Tensor) \
            else np.asarray(idx)
    return idx


def getitem(x, idx):
    return index.GetItem.apply(x, _index_arg(idx))


def index_put(x, idx, value):
    """Out-of-place ``x[idx] = value`` (differentiable in x and value)."""
    return index.IndexPut.apply(x, _operand(value, x), _index_arg(idx))


def gather(x, dim, idx):
    """out[..i..] = x[..idx[..i..]..] along dim, as torch.gather."""
    d = normalize_dim(dim, x.ndim, "gather")
    return index.Gather.apply(x, d, _arr(idx))


def index_select(x, dim, idx):
    d = normalize_dim(dim, x.ndim, "index_select")
    return index.GetItem.apply(x, (slice(None),) * d + (_arr(idx),))


# ---- comparisons (no gradient) ----------------------------------------------------
def _compare(fn, a, b):
    return _const(np.asarray(fn(_arr(a) if not isinstance(a, (int, float)) else a,
                                _arr(b) if not isinstance(b, (int, float)) else b)))


def eq(a, b):
    return _compare(np.equal, a, b)


def ne(a, b):
    return _compare(np.not_equal, a, b)


def lt(a, b):
    return _compare(np.less, a, b)


def le(a, b):
    return _compare(np.less_equal, a, b)


def gt(a, b):
    return _compare(np.greater, a, b)


def ge(a, b):
    return _compare(np.greater_equal, a, b)


def isclose(a, b, rtol=1e-5, atol=1e-8):
    return _const(np.isclose(_arr(a), _arr(b), rtol=rtol, atol=atol))


def allclose(a, b, rtol=1e-5, atol=1e-8):
    return bool(np.allclose(_arr(a), _arr(b), rtol=rtol, atol=atol))


def equal(a, b):
    """True if both have the same shape and elements."""
    return bool(np.array_equal(_arr(a), _arr(b)))


def as_tensor(data, dtype=None):
    """A tensor sharing memory with ``data`` when it is already an ndarray of that dtype."""
    if isinstance(data, Tensor) and (dtype is None or data.dtype == np.dtype(dtype)):
        return data
    return _const(to_array(data, dtype))


def from_numpy(array):
    """A tensor sharing memory with ``array`` (its dtype kept)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected an ndarray, got {type(array).__name__}")
    return _const(array)


def numel(x):
    return x.data.size


def is_floating_point(x):
    return backend.is_float(x.data.dtype)
