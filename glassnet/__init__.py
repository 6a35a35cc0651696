"""glassnet: a neural-network library whose backpropagation you can see.

import glassnet as gn
x = gn.tensor([1.0, 2.0], requires_grad=True)
y = (x ** 2).sum()
y.backward()
x.grad            # tensor([2., 4.])
"""

import sys as _sys

import numpy as _np

from . import (
    autograd,
    cuda,
    func,  # noqa: E402
)
from .creation import (
    BoolTensor,
    ByteTensor,
    CharTensor,
    DoubleTensor,
    FloatTensor,
    HalfTensor,
    IntTensor,
    LongTensor,
    ShortTensor,
    arange,
    empty,
    empty_like,
    eye,
    full,
    full_like,
    linspace,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    randperm,
    tensor,
    zeros,
    zeros_like,
)
from .devices import device
from .dtypes import (
    bool_,
    float16,
    float32,
    float64,
    get_default_dtype,
    int8,
    int16,
    int32,
    int64,
    set_default_dtype,
    uint8,
)
from .errors import AnomalyError, DeviceError, DTypeError, GlassnetError, GraphError, ShapeError
from .functions.api import (
    abs,
    add,
    all,
    allclose,
    amax,
    amin,
    any,
    argmax,
    argmin,
    as_tensor,
    broadcast_to,
    cat,
    chunk,
    clamp,
    clip,
    clone,
    concat,
    cos,
    div,
    elu,
    eq,
    equal,
    exp,
    expand,
    flatten,
    from_numpy,
    gather,
    ge,
    gelu,
    gt,
    index_select,
    is_floating_point,
    isclose,
    le,
    leaky_relu,
    linear,
    log,
    log_softmax,
    logsumexp,
    lt,
    masked_fill,
    matmul,
    max,
    maximum,
    mean,
    min,
    minimum,
    mm,
    mul,
    narrow,
    ne,
    neg,
    numel,
    pad,
    permute,
    pow,
    relu,
    reshape,
    roll,
    sigmoid,
    sin,
    softmax,
    softplus,
    split,
    sqrt,
    square,
    squeeze,
    stack,
    std,
    sub,
    sum,
    swapaxes,
    t,
    tanh,
    topk,
    transpose,
    unsqueeze,
    var,
    view,
    where,
)
from .functions.dlpack import from_dlpack
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .io import load, save
from .random import default_generator, get_rng_state, manual_seed, set_rng_state
from .tensor import Size, Tensor
from .train import callbacks, metrics  # noqa: E402
from .train.history import History
from .train.loop import evaluate, fit, predict

# torch.autograd's names for what lives elsewhere here: gradcheck in gradcheck.py and
# the function derivatives in func/ (autograd.py is the core and imports neither)
autograd.gradcheck = gradcheck  # type: ignore[attr-defined]
autograd.gradgradcheck = gradgradcheck  # type: ignore[attr-defined]
autograd.functional = func.functional  # type: ignore[attr-defined]
_sys.modules[__name__ + ".autograd.functional"] = func.functional

__version__ = "0.1.0"

true_divide = divide = div
multiply = mul
subtract = sub
negative = neg

_SUBMODULES = {
    "nn": "nn",
    "optim": "optim",
    "data": "data",
    "io": "io",
    "explain": "explain",
    "datasets": "data.datasets",
    "onednn": "backends.onednn",
    "utils": "utils",
    "backends": "backends",
    "distributed": "distributed",
    "onnx": "onnx",
}


def __getattr__(name):
    """Import the bigger subpackages (nn, optim, data, io, explain) on first use,
    so ``import glassnet`` stays light."""
    if name in _SUBMODULES:
        import importlib

        return importlib.import_module(f".{_SUBMODULES[name]}", __name__)
    if name == "load_model":  # a network saved with its model card, ready to predict
        from .train.saved import load_model

        return load_model
    raise AttributeError(f"module 'glassnet' has no attribute {name!r}")


# PyTorch's dtype names (NumPy dtypes here; NumPy has no bfloat16, so neither has glassnet).
# Last in this file: they shadow the builtins float, int and bool in it, as in torch.
dtype = _np.dtype
float = float32  # noqa: A001
double = float64
half = float16
long = int64
int = int32  # noqa: A001
short = int16
bool = bool_  # noqa: A001
