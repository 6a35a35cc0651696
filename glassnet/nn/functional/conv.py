"""Convolution and pooling as functions, as ``torch.nn.functional``:
conv1d, conv2d, conv_transpose2d, max_pool2d, avg_pool2d, adaptive_avg_pool2d.

Each checks its arguments (naming the function — or the layer, when a module
calls it — the shapes and what was expected), accepts an unbatched input
(no N axis) as PyTorch does, and runs one op of ``glassnet.ops.conv`` /
``glassnet.ops.pool``, where the math is.

Sizes (per spatial axis; PyTorch's formulas):

    conv:            out = ⌊(in + pad_before + pad_after − d·(k − 1) − 1) / s⌋ + 1
    conv_transpose:  out = (in − 1)·s − 2·pad + d·(k − 1) + output_padding + 1
    pooling:         as conv, with ⌈ ⌉ under ceil_mode (a last window must
                     start inside the input or the left padding)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, overload

import numpy as np

from ...errors import DTypeError, ShapeError
from ...functions import api
from ...ops import conv as conv_ops
from ...ops import pool as pool_ops
from ...ops._im2col import out_size, pair, single
from ...tensor import Tensor
from .._checks import float_tensor

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ...hints import Size

__all__ = [
    "conv1d",
    "conv2d",
    "conv_transpose2d",
    "max_pool2d",
    "avg_pool2d",
    "adaptive_avg_pool2d",
]


# ---- argument checks ------------------------------------------------------------
_tensor = float_tensor


def _batched(input, dims, name, layout):
    """(input with a batch axis, whether one was added): an unbatched input has
    dims + 1 axes, a batched one dims + 2."""
    if input.ndim == dims + 2:
        return input, False
    if input.ndim == dims + 1:
        return api.unsqueeze(input, 0), True
    raise ShapeError(
        f"{name}: expected a {dims + 1}-D (unbatched) or {dims + 2}-D (batched) "
        f"input {layout}, got shape {input.shape}"
    )


def _groups(groups, name):
    if isinstance(groups, bool) or not isinstance(groups, (int, np.integer)) or groups < 1:
        raise ValueError(f"{name}: groups must be a positive int, got {groups!r}")
    return int(groups)


def conv_padding(padding, kernel, stride, dilation, name):
    """Padding per spatial axis as (before, after) pairs. 'valid' is none;
    'same' pads d·(k − 1) in all, the odd one at the end (as PyTorch), and
    needs stride 1."""
    dims = len(kernel)
    if isinstance(padding, str):
        if padding == "valid":
            return ((0, 0),) * dims
        if padding == "same":
            if any(s != 1 for s in stride):
                raise ValueError(
                    f"{name}: padding='same' is not supported for strided "
                    f"convolutions (stride={stride}); use stride 1 or a number"
                )
            return tuple(
                (d * (k - 1) // 2, d * (k - 1) - d * (k - 1) // 2) for k, d in zip(kernel, dilation)
            )
        raise ValueError(
            f"{name}: invalid padding string {padding!r}; expected 'valid', "
            "'same', an int or a tuple of ints"
        )
    norm = pair if dims == 2 else single
    return tuple((p, p) for p in norm(padding, "padding", name, allow_zero=True))


def _check_weight(input, weight, bias, dims, name, transposed=False):
    _tensor(weight, name, "weight")
    if weight.ndim != dims + 2:
        layout = (
            "(in, out/groups, kH, kW)"
            if transposed
            else ("(out, in/groups, k)" if dims == 1 else "(out, in/groups, kH, kW)")
        )
        raise ShapeError(
            f"{name}: expected a {dims + 2}-D weight {layout}, got shape {weight.shape}"
        )
    if input.dtype != weight.dtype:
        raise DTypeError(
            f"{name}: input is {input.dtype} but the weight is {weight.dtype}; "
            f"convert one of them (x.to({weight.dtype.name}))"
        )
    if bias is not None:
        _tensor(bias, name, "bias")
        if bias.dtype != weight.dtype:
            raise DTypeError(f"{name}: bias is {bias.dtype} but the weight is {weight.dtype}")


def _check_bias(bias, out_channels, name):
    if bias is not None and bias.shape != (out_channels,):
        raise ShapeError(
            f"{name}: bias of shape {bias.shape} does not fit {out_channels} "
            f"output channels; expected ({out_channels},)"
        )


# ---- convolution ------------------------------------------------------------------
def conv1d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Size = 1,
    padding: Size | str = 0,
    dilation: Size = 1,
    groups: int = 1,
) -> Tensor:
    """1-D convolution of input (N, C_in, L) with weight (C_out, C_in/groups, k)."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, 1, "conv1d")


def conv2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Size = 1,
    padding: Size | str = 0,
    dilation: Size = 1,
    groups: int = 1,
) -> Tensor:
    """2-D convolution (cross-correlation) of input (N, C_in, H, W) with weight
    (C_out, C_in/groups, kH, kW): y[n, o] = b[o] + Σ_c W[o, c] ⋆ x[n, c]."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, 2, "conv2d")


def _conv(input, weight, bias, stride, padding, dilation, groups, dims, name):
    layout = "(N, C, L)" if dims == 1 else "(N, C, H, W)"
    x, unbatched = _batched(_tensor(input, name), dims, name, layout)
    _check_weight(x, weight, bias, dims, name)
    norm = pair if dims == 2 else single
    stride = norm(stride, "stride", name)
    dilation = norm(dilation, "dilation", name)
    groups = _groups(groups, name)
    kernel = weight.shape[2:]
    pads = conv_padding(padding, kernel, stride, dilation, name)
    out_channels, per_group = weight.shape[:2]
    if x.shape[1] != per_group * groups:
        raise ShapeError(
            f"{name}: input of shape {input.shape} has {x.shape[1]} channels, "
            f"expected {per_group * groups} (weight {weight.shape} with "
            f"groups={groups} takes {per_group} per group)"
        )
    if out_channels % groups:
        raise ShapeError(
            f"{name}: weight {weight.shape} has {out_channels} output channels, "
            f"not divisible by groups={groups}"
        )
    _check_bias(bias, out_channels, name)
    spatial = x.shape[2:]
    padded = tuple(n + a + b for n, (a, b) in zip(spatial, pads))
    reach = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation))
    if any(p < r for p, r in zip(padded, reach)) or 0 in spatial:
        raise ShapeError(
            f"{name}: input of shape {input.shape} is too small: its padded size "
            f"{padded} is smaller than the (dilated) kernel {reach}"
        )
    if dims == 1:
        stride, dilation, pads = (1,) + stride, (1,) + dilation, ((0, 0),) + pads
    out = conv_ops.Conv2d.apply(
        x, weight, bias, stride=stride, dilation=dilation, padding=pads[0] + pads[1], groups=groups
    )
    return api.squeeze(out, 0) if unbatched else out


def conv_transpose2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Size = 1,
    padding: Size = 0,
    output_padding: Size = 0,
    groups: int = 1,
    dilation: Size = 1,
) -> Tensor:
    """Transposed 2-D convolution (the gradient of conv2d with respect to its
    input) of input (N, C_in, H, W) with weight (C_in, C_out/groups, kH, kW).
    Argument order as PyTorch's (groups before dilation)."""
    return _conv_transpose(
        input, weight, bias, stride, padding, output_padding, groups, dilation, "conv_transpose2d"
    )


def _conv_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation, name):
    x, unbatched = _batched(_tensor(input, name), 2, name, "(N, C, H, W)")
    _check_weight(x, weight, bias, 2, name, transposed=True)
    stride = pair(stride, "stride", name)
    dilation = pair(dilation, "dilation", name)
    padding = pair(padding, "padding", name, allow_zero=True)
    output_padding = pair(output_padding, "output_padding", name, allow_zero=True)
    groups = _groups(groups, name)
    in_channels, per_group = weight.shape[:2]
    if x.shape[1] != in_channels:
        raise ShapeError(
            f"{name}: input of shape {input.shape} has {x.shape[1]} channels, "
            f"expected {in_channels} (weight {weight.shape} is (in, out/groups, "
            "kH, kW))"
        )
    if in_channels % groups:
        raise ShapeError(
            f"{name}: weight {weight.shape} has {in_channels} input channels, "
            f"not divisible by groups={groups}"
        )
    _check_bias(bias, per_group * groups, name)
    for op, s, d in zip(output_padding, stride, dilation):
        if op >= s and op >= d:
            raise ValueError(
                f"{name}: output_padding {output_padding} must be smaller than "
                f"either stride {stride} or dilation {dilation}"
            )
    size = tuple(
        (n - 1) * s - 2 * p + d * (k - 1) + op + 1
        for n, s, p, d, k, op in zip(
            x.shape[2:], stride, padding, dilation, weight.shape[2:], output_padding
        )
    )
    if min(size) < 1 or 0 in x.shape[2:]:
        raise ShapeError(
            f"{name}: input of shape {input.shape} gives an empty output "
            f"{size}; the padding {padding} is too large for it"
        )
    out = conv_ops.ConvTranspose2d.apply(
        x,
        weight,
        bias,
        stride=stride,
        padding=padding,
        output_padding=output_padding,
        dilation=dilation,
        groups=groups,
    )
    return api.squeeze(out, 0) if unbatched else out


# ---- pooling -----------------------------------------------------------------------
def _pool_args(input, kernel_size, stride, padding, dilation, name):
    kernel = pair(kernel_size, "kernel_size", name)
    stride = (
        kernel if stride is None or stride == () or stride == [] else pair(stride, "stride", name)
    )
    padding = pair(padding, "padding", name, allow_zero=True)
    dilation = pair(dilation, "dilation", name)
    x, unbatched = _batched(_tensor(input, name), 2, name, "(N, C, H, W)")
    return x, unbatched, kernel, stride, padding, dilation


def _pool_size(x, input, kernel, stride, padding, dilation, ceil_mode, name):
    hw = tuple(
        out_size(n, k, s, d, p, p, ceil_mode)
        for n, k, s, d, p in zip(x.shape[2:], kernel, stride, dilation, padding)
    )
    if min(hw) < 1 or 0 in x.shape[1:]:
        raise ShapeError(
            f"{name}: input of shape {input.shape} is too small for kernel "
            f"{kernel} (stride {stride}, padding {padding}, dilation "
            f"{dilation}): the output would be {hw}"
        )
    return hw


@overload
def max_pool2d(
    input: Tensor,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Size = 0,
    dilation: Size = 1,
    ceil_mode: bool = False,
    return_indices: Literal[False] = False,
) -> Tensor: ...
@overload
def max_pool2d(
    input: Tensor,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Size = 0,
    dilation: Size = 1,
    ceil_mode: bool = False,
    *,
    return_indices: Literal[True],
) -> tuple[Tensor, Tensor]: ...
@overload
def max_pool2d(
    input: Tensor,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Size = 0,
    dilation: Size = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Tensor | tuple[Tensor, Tensor]: ...


def max_pool2d(
    input: Tensor,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Size = 0,
    dilation: Size = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Tensor | tuple[Tensor, Tensor]:
    """y = the maximum of each kH×kW window (padding counts as −∞); with
    ``return_indices`` also the flat index h·W + w of each maximum in its
    input plane (int64). ``stride`` defaults to ``kernel_size``."""
    return _max_pool(
        input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, "max_pool2d"
    )


def _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, name):
    x, unbatched, kernel, stride, padding, dilation = _pool_args(
        input, kernel_size, stride, padding, dilation, name
    )
    for p, k, d in zip(padding, kernel, dilation):
        if p > (d * (k - 1) + 1) // 2:
            raise ValueError(
                f"{name}: padding {padding} should be at most half of the "
                f"effective kernel size (kernel {kernel}, dilation {dilation})"
            )
    _pool_size(x, input, kernel, stride, padding, dilation, ceil_mode, name)
    sink: list[np.ndarray] = []  # the op appends the indices here when asked
    out = pool_ops.MaxPool2d.apply(
        x,
        kernel=kernel,
        stride=stride,
        padding=padding,
        dilation=dilation,
        ceil_mode=bool(ceil_mode),
        indices=sink if return_indices else None,
    )
    if unbatched:
        out = api.squeeze(out, 0)
    if not return_indices:
        return out
    idx = sink[0][0] if unbatched else sink[0]
    return out, Tensor._make(idx, False, None)


def avg_pool2d(
    input: Tensor,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Size = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> Tensor:
    """y = the mean of each kH×kW window: the sum divided by the window's size,
    counting the zero padding (``count_include_pad``) or not, or by
    ``divisor_override``. ``stride`` defaults to ``kernel_size``."""
    return _avg_pool(
        input,
        kernel_size,
        stride,
        padding,
        ceil_mode,
        count_include_pad,
        divisor_override,
        "avg_pool2d",
    )


def _avg_pool(
    input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, name
):
    x, unbatched, kernel, stride, padding, _ = _pool_args(
        input, kernel_size, stride, padding, 1, name
    )
    for p, k in zip(padding, kernel):
        if p > k // 2:
            raise ValueError(
                f"{name}: padding {padding} should be at most half of the kernel size {kernel}"
            )
    if divisor_override is not None and (
        isinstance(divisor_override, bool)
        or not isinstance(divisor_override, (int, np.integer))
        or divisor_override == 0
    ):
        raise ValueError(
            f"{name}: divisor_override must be a non-zero int, got {divisor_override!r}"
        )
    _pool_size(x, input, kernel, stride, padding, (1, 1), ceil_mode, name)
    out = pool_ops.AvgPool2d.apply(
        x,
        kernel=kernel,
        stride=stride,
        padding=padding,
        ceil_mode=bool(ceil_mode),
        count_include_pad=bool(count_include_pad),
        divisor_override=divisor_override,
    )
    return api.squeeze(out, 0) if unbatched else out


def adaptive_output_size(output_size, hw, name):
    """output_size as an (OH, OW) pair; None keeps that input size."""
    if isinstance(output_size, (tuple, list)):
        sizes = tuple(output_size)
    else:
        sizes = (output_size, output_size)
    if len(sizes) != 2 or any(
        s is not None and (isinstance(s, bool) or not isinstance(s, (int, np.integer)) or s < 1)
        for s in sizes
    ):
        raise ValueError(
            f"{name}: output_size must be a positive int or a pair of them "
            f"(None keeps the input size), got {output_size!r}"
        )
    return tuple(int(n if s is None else s) for s, n in zip(sizes, hw))


def adaptive_avg_pool2d(input: Tensor, output_size: int | Sequence[int | None]) -> Tensor:
    """Average pooling to a fixed output size (OH, OW): output row o averages
    input rows ⌊o·H/OH⌋ to ⌈(o + 1)·H/OH⌉ − 1 (and so for columns)."""
    return _adaptive_avg_pool(input, output_size, "adaptive_avg_pool2d")


def _adaptive_avg_pool(input, output_size, name):
    x, unbatched = _batched(_tensor(input, name), 2, name, "(N, C, H, W)")
    size = adaptive_output_size(output_size, x.shape[2:], name)
    if 0 in x.shape[2:]:
        raise ShapeError(f"{name}: input of shape {input.shape} has an empty spatial axis")
    out = pool_ops.AdaptiveAvgPool2d.apply(x, output_size=size)
    return api.squeeze(out, 0) if unbatched else out
