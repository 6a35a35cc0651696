"""Pooling layers, as torch.nn: MaxPool2d, AvgPool2d and AdaptiveAvgPool2d.

Pooling shrinks each channel of an (N, C, H, W) input by summarising every
window: its maximum (the gradient goes to the winner only) or its mean (the
gradient is shared equally by the window). They have no parameters. The
arguments are kept as given (an int or a pair), as PyTorch keeps them, and
checked here, when the layer is made.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..ops._im2col import pair
from .functional import conv as F
from .module import Module

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ..hints import Size
    from ..tensor import Tensor


class MaxPool2d(Module):
    """y[n, c, p, q] = max of x[n, c] over the window at (p·s − pad, q·s − pad),
    kernel_size × kernel_size with taps ``dilation`` apart; padding counts as
    −∞. ``stride`` defaults to ``kernel_size``. With ``return_indices`` the
    forward also returns the flat index h·W + w of each maximum (int64);
    ``ceil_mode`` keeps a last partial window."""

    def __init__(
        self,
        kernel_size: Size,
        stride: Size | None = None,
        padding: Size = 0,
        dilation: Size = 1,
        return_indices: bool = False,
        ceil_mode: bool = False,
    ) -> None:
        super().__init__()
        name = "MaxPool2d"
        pair(kernel_size, "kernel_size", name)
        if stride is not None:
            pair(stride, "stride", name)
        pair(padding, "padding", name, allow_zero=True)
        pair(dilation, "dilation", name)
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.dilation = dilation
        self.return_indices = bool(return_indices)
        self.ceil_mode = bool(ceil_mode)

    def forward(self, input: Tensor) -> Any:  # a Tensor, or (output, indices)
        return F._max_pool(
            input,
            self.kernel_size,
            self.stride,
            self.padding,
            self.dilation,
            self.ceil_mode,
            self.return_indices,
            self,
        )

    def extra_repr(self) -> str:
        return (
            f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
            f"dilation={self.dilation}, ceil_mode={self.ceil_mode}"
        )


class AvgPool2d(Module):
    """y[n, c, p, q] = mean of x[n, c] over the kernel_size window at
    (p·s − pad, q·s − pad). The zero padding counts in the mean when
    ``count_include_pad`` (PyTorch's default); ``divisor_override`` replaces
    the window size as the divisor. ``stride`` defaults to ``kernel_size``."""

    def __init__(
        self,
        kernel_size: Size,
        stride: Size | None = None,
        padding: Size = 0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
        divisor_override: int | None = None,
    ) -> None:
        super().__init__()
        name = "AvgPool2d"
        pair(kernel_size, "kernel_size", name)
        if stride is not None:
            pair(stride, "stride", name)
        pair(padding, "padding", name, allow_zero=True)
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.ceil_mode = bool(ceil_mode)
        self.count_include_pad = bool(count_include_pad)
        self.divisor_override = divisor_override

    def forward(self, input: Tensor) -> Tensor:
        return F._avg_pool(
            input,
            self.kernel_size,
            self.stride,
            self.padding,
            self.ceil_mode,
            self.count_include_pad,
            self.divisor_override,
            self,
        )

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool2d(Module):
    """Average pooling to a fixed output size: output row o averages input rows
    ⌊o·H/OH⌋ … ⌈(o + 1)·H/OH⌉ − 1 (and so for columns), whatever H is.
    ``output_size`` is an int, a pair, or a pair with None (keep that size)."""

    def __init__(self, output_size: int | Sequence[int | None]) -> None:
        super().__init__()
        F.adaptive_output_size(output_size, (1, 1), "AdaptiveAvgPool2d")
        self.output_size = output_size

    def forward(self, input: Tensor) -> Tensor:
        return F._adaptive_avg_pool(input, self.output_size, self)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"
