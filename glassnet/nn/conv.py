"""Convolution layers, as torch.nn: Conv1d, Conv2d and ConvTranspose2d.

A convolution layer is the article's neuron z = w·x + b slid over an image:
every output channel o has a small kernel W[o] (in/groups × kH × kW) that is
dotted with each window of the input, so the same weights are shared by
every position. Its backward pass is the same chain rule as a linear layer's,
summed over the positions that shared the weights (see glassnet.ops.conv).

Parameter names, shapes and default initialization are PyTorch's, so a
state_dict moves between the two libraries:

    Conv1d / Conv2d:   weight (out, in/groups, *kernel), bias (out,)
    ConvTranspose2d:   weight (in, out/groups, kH, kW),  bias (out,)

both drawn from U(−1/√fan_in, 1/√fan_in) with fan_in = weight.shape[1]·kH·kW
(kaiming_uniform_(a=√5), PyTorch's default), from the seeded generator.

Differences from PyTorch: only padding_mode='zeros'; no device argument.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .. import dtypes
from ..ops._im2col import pair, single
from . import init
from .functional import conv as F
from .module import Module
from .parameter import Parameter

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ..hints import DTypeLike, Size
    from ..tensor import Tensor

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def _positive(value, name, layer):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{layer}: {name} must be a positive int, got {value!r}")
    return int(value)


class _ConvNd(Module):
    """What the convolution layers share: argument checks, parameters, init, repr."""

    _dims = 2
    transposed = False
    weight: Parameter
    bias: Parameter | None
    padding: tuple[int, ...] | str

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Size,
        stride: Size,
        padding: Size | str,
        dilation: Size,
        groups: int,
        bias: bool,
        padding_mode: str,
        output_padding: Size,
        dtype: DTypeLike | None,
    ) -> None:
        super().__init__()
        layer = type(self).__name__
        norm = pair if self._dims == 2 else single
        self.in_channels = _positive(in_channels, "in_channels", layer)
        self.out_channels = _positive(out_channels, "out_channels", layer)
        self.kernel_size = norm(kernel_size, "kernel_size", layer)
        self.stride = norm(stride, "stride", layer)
        self.dilation = norm(dilation, "dilation", layer)
        self.groups = _positive(groups, "groups", layer)
        self.output_padding = norm(output_padding, "output_padding", layer, allow_zero=True)
        if self.in_channels % self.groups:
            raise ValueError(
                f"{layer}: in_channels={in_channels} must be divisible by groups={groups}"
            )
        if self.out_channels % self.groups:
            raise ValueError(
                f"{layer}: out_channels={out_channels} must be divisible by groups={groups}"
            )
        if isinstance(padding, str):
            F.conv_padding(padding, self.kernel_size, self.stride, self.dilation, layer)
            self.padding = padding
        else:
            self.padding = norm(padding, "padding", layer, allow_zero=True)
        if padding_mode not in _PADDING_MODES:
            raise ValueError(
                f"{layer}: padding_mode must be one of {_PADDING_MODES}, got {padding_mode!r}"
            )
        if padding_mode != "zeros":
            raise NotImplementedError(
                f"{layer}: padding_mode={padding_mode!r} is not "
                "supported; glassnet pads with zeros only "
                "(padding_mode='zeros')"
            )
        self.padding_mode = padding_mode
        dtype = dtypes.get_default_dtype() if dtype is None else np.dtype(dtype)
        if self.transposed:
            shape = (self.in_channels, self.out_channels // self.groups)
        else:
            shape = (self.out_channels, self.in_channels // self.groups)
        self.weight = Parameter(np.empty(shape + self.kernel_size, dtype=dtype))
        if bias:
            self.bias = Parameter(np.empty((self.out_channels,), dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Redraw weight and bias with PyTorch's default initialization."""
        init.default_layer_init_(self.weight, self.bias)

    def extra_repr(self) -> str:
        s = (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}"
        )
        zeros = (0,) * self._dims
        if self.padding != zeros:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * self._dims:
            s += f", dilation={self.dilation}"
        if self.output_padding != zeros:
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class _Conv(_ConvNd):
    """What Conv1d and Conv2d share: PyTorch's constructor and the forward pass
    over ``_dims`` spatial dimensions."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Size,
        stride: Size = 1,
        padding: Size | str = 0,
        dilation: Size = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        dtype: DTypeLike | None = None,
    ) -> None:
        super().__init__(
            in_channels,
            out_channels,
            kernel_size,
            stride,
            padding,
            dilation,
            groups,
            bias,
            padding_mode,
            0,
            dtype,
        )

    def forward(self, input: Tensor) -> Tensor:
        return F._conv(
            input,
            self.weight,
            self.bias,
            self.stride,
            self.padding,
            self.dilation,
            self.groups,
            self._dims,
            self,
        )


class Conv1d(_Conv):
    """1-D convolution: input (N, in_channels, L) (or unbatched (in_channels, L))
    → (N, out_channels, L_out), L_out = ⌊(L + 2·padding − dilation·(k − 1) − 1)
    / stride⌋ + 1. ``padding`` may be 'valid' (none) or 'same' (L_out = L,
    stride 1 only)."""

    _dims = 1


class Conv2d(_Conv):
    """2-D convolution: input (N, in_channels, H, W) (or unbatched (C, H, W)) →
    (N, out_channels, H_out, W_out), each output pixel

        y[n, o, p, q] = b[o] + Σ_{c, i, j} W[o, c, i, j] · x[n, c, p·s + i·d − pad,
                                                              q·s + j·d − pad]

    ``groups`` splits the channels into independent convolutions (groups =
    in_channels is a depthwise convolution); ``padding`` may be 'valid' or
    'same' (output size = input size, stride 1 only; with an even kernel the
    extra row/column of padding goes at the bottom/right, as PyTorch)."""


class ConvTranspose2d(_ConvNd):
    """Transposed 2-D convolution (the gradient of Conv2d with respect to its
    input; "deconvolution"): input (N, in_channels, H, W) → (N, out_channels,
    H_out, W_out), H_out = (H − 1)·stride − 2·padding + dilation·(kH − 1) +
    output_padding + 1. Each input pixel adds a copy of the kernel, scaled by
    its value, into the output. ``forward(input, output_size)`` picks the
    output_padding that gives ``output_size``, as PyTorch."""

    transposed = True

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Size,
        stride: Size = 1,
        padding: Size = 0,
        output_padding: Size = 0,
        groups: int = 1,
        bias: bool = True,
        dilation: Size = 1,
        padding_mode: str = "zeros",
        dtype: DTypeLike | None = None,
    ) -> None:
        if isinstance(padding, str):
            raise ValueError(
                f"ConvTranspose2d: padding must be an int or a pair of ints, got "
                f"{padding!r} ('same'/'valid' are for Conv2d)"
            )
        super().__init__(
            in_channels,
            out_channels,
            kernel_size,
            stride,
            padding,
            dilation,
            groups,
            bias,
            padding_mode,
            output_padding,
            dtype,
        )
        for op, s, d in zip(self.output_padding, self.stride, self.dilation):
            if op >= s and op >= d:
                raise ValueError(
                    f"ConvTranspose2d: output_padding {self.output_padding} must "
                    f"be smaller than either stride {self.stride} or dilation "
                    f"{self.dilation}"
                )

    def forward(self, input: Tensor, output_size: Sequence[int] | None = None) -> Tensor:
        output_padding = self.output_padding
        if output_size is not None:
            output_padding = self._output_padding(input, output_size)
        return F._conv_transpose(
            input,
            self.weight,
            self.bias,
            self.stride,
            self.padding,
            output_padding,
            self.groups,
            self.dilation,
            self,
        )

    def _output_padding(self, input: Any, output_size: Sequence[int]) -> tuple[int, ...]:
        """The output_padding that makes the output (…, *output_size)."""
        size = tuple(output_size)[-2:]
        hw = tuple(getattr(input, "shape", ()))[-2:]
        if len(size) != 2 or len(hw) != 2:
            raise ValueError(
                f"{self}: output_size must end with (H_out, W_out), "
                f"got {output_size!r} for an input of shape "
                f"{getattr(input, 'shape', None)}"
            )
        pads = []
        for n, want, k, s, p, d in zip(
            hw, size, self.kernel_size, self.stride, self.padding, self.dilation
        ):
            smallest = (n - 1) * s - 2 * p + d * (k - 1) + 1
            if not smallest <= want < smallest + s:
                raise ValueError(
                    f"{self}: requested an output size of {size}, but for an input "
                    f"of shape {input.shape} the valid sizes are {smallest} to "
                    f"{smallest + s - 1} along each axis (stride {s})"
                )
            pads.append(want - smallest)
        return tuple(pads)
