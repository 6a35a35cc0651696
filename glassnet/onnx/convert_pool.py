"""Converters of the pooling ops: max, average and adaptive average pooling.

``ceil_mode`` differs: PyTorch (and glassnet) drop a last window that would
start past the input and its left padding; ONNX keeps it. Where that changes
the output size, the export pools with ``ceil_mode=0``, or, if only one axis
drops its window, over the input padded as glassnet's own op pads it
(``pool_geometry``: −∞ for max, zeros for the sums of average pooling, then
divided by PyTorch's divisors). With a dynamic height or width it needs a layer
whose last window is never dropped (stride + padding ≤ the dilated kernel).
"""

from __future__ import annotations

import numpy as np

from ..ops.pool import averaging_matrix, pool_geometry
from .step import Step, converts


def _ceil_mode(step: Step, dilation: tuple) -> int | None:
    """ONNX's ceil_mode (1 or 0) that gives glassnet's output size, or None when
    only one axis drops its last window (no single ceil_mode does)."""
    if not step.kw("ceil_mode", False):
        return 0
    kernel, stride = step.kw("kernel", (2, 2)), step.kw("stride", (2, 2))
    padding = step.kw("padding", (0, 0))
    hw, want = step.shape(0)[2:], step.out.shape[2:]
    spans = [n + 2 * p - d * (k - 1) - 1 for n, p, d, k in zip(hw, padding, dilation, kernel)]
    ceil = tuple(-(-span // s) + 1 for span, s in zip(spans, stride))
    if step.dynamic_axes(0) & {2, 3}:
        never_dropped = all(
            s + p <= d * (k - 1) + 1 for s, p, d, k in zip(stride, padding, dilation, kernel)
        )
        if not never_dropped or ceil != want:
            raise step.fail(
                "ceil_mode over a dynamic height or width where PyTorch's rule drops a last "
                "window for some sizes (ONNX keeps it); make those axes static"
            )
        return 1
    if want == ceil:
        return 1
    if want == tuple(span // s + 1 for span, s in zip(spans, stride)):
        return 0
    return None


def _explicit_pads(step: Step, dilation: tuple) -> list[int]:
    """Begin and end pads (H, W) as glassnet pads: ceil_mode's extra row and column
    at the end, so that every window is whole."""
    kernel, stride = step.kw("kernel", (2, 2)), step.kw("stride", (2, 2))
    (ph, pw), ceil = step.kw("padding", (0, 0)), bool(step.kw("ceil_mode", False))
    _, (eh, ew) = pool_geometry(step.shape(0)[2:], kernel, stride, (ph, pw), dilation, ceil)
    return [0, 0, ph, pw, 0, 0, ph + eh, pw + ew]


@converts("MaxPool2d")
def max_pool(step: Step) -> str:
    if step.kw("indices") is not None:
        raise step.fail("return_indices=True is not supported (ONNX numbers them otherwise)")
    g, dilation, x = step.g, step.kw("dilation", (1, 1)), step.x(0)
    ph, pw = step.kw("padding", (0, 0))
    ceil, pads = _ceil_mode(step, dilation), [ph, pw, ph, pw]
    if ceil is None:  # pad with −∞ as glassnet does, then whole windows only
        minus_inf = g.const(np.asarray(-np.inf, dtype=step.out.dtype), "minus_inf")
        x = g.node("Pad", [x, g.int64s(_explicit_pads(step, dilation), "pads"), minus_inf])
        ceil, pads = 0, [0, 0, 0, 0]
    return g.node(
        "MaxPool",
        [x],
        kernel_shape=list(step.kw("kernel", (2, 2))),
        strides=list(step.kw("stride", (2, 2))),
        pads=pads,
        dilations=list(dilation),
        ceil_mode=ceil,
    )


@converts("AvgPool2d")
def avg_pool(step: Step) -> str:
    """ONNX's AveragePool; with divisor_override, or where no single ceil_mode
    fits, the window sums divided by PyTorch's divisors."""
    g = step.g
    kernel, stride = step.kw("kernel", (2, 2)), step.kw("stride", (2, 2))
    divisor, counted = step.kw("divisor_override"), bool(step.kw("count_include_pad", True))
    ceil = _ceil_mode(step, (1, 1))
    if divisor is None and ceil is not None:
        ph, pw = step.kw("padding", (0, 0))
        return g.node(
            "AveragePool",
            [step.x(0)],
            kernel_shape=list(kernel),
            strides=list(stride),
            pads=[ph, pw, ph, pw],
            ceil_mode=ceil,
            count_include_pad=int(counted),
        )
    if step.kw("ceil_mode", False) and step.dynamic_axes(0) & {2, 3}:
        raise step.fail("divisor_override with ceil_mode over a dynamic height or width")
    if divisor is None:
        divisors = _pool_sizes(step, counted)
    else:
        divisors = np.asarray(divisor)
    sums = _window_sums(step)
    return g.node("Div", [sums, g.const(divisors.astype(step.out.dtype), "divisor")])


def _window_sums(step: Step) -> str:
    """Each window's sum over the input zero-padded as glassnet pads it (ceil_mode's
    extra end row and column included, so that every window is whole)."""
    g, kernel, stride = step.g, step.kw("kernel", (2, 2)), step.kw("stride", (2, 2))
    padded = g.node("Pad", [step.x(0), g.int64s(_explicit_pads(step, (1, 1)), "pads")])
    mean = g.node("AveragePool", [padded], kernel_shape=list(kernel), strides=list(stride))
    whole = np.asarray(kernel[0] * kernel[1], dtype=step.out.dtype)
    return g.node("Mul", [mean, g.const(whole, "window")])


def _pool_sizes(step: Step, counted: bool) -> np.ndarray:
    """(OH, OW): how many positions each window covers: of the input and its
    padding (``counted``), or of the input only (PyTorch's divisors)."""
    kernel, stride, padding = step.kw("kernel"), step.kw("stride"), step.kw("padding")
    counts = []
    for n, k, s, p, out in zip(step.shape(0)[2:], kernel, stride, padding, step.out.shape[2:]):
        start = np.arange(out) * s - p
        if counted:
            counts.append(np.minimum(start + k, n + p) - start)
        else:
            counts.append(np.minimum(start + k, n) - np.maximum(start, 0))
    return np.outer(counts[0], counts[1])


@converts("AdaptiveAvgPool2d")
def adaptive_avg_pool(step: Step) -> str:
    """(1, 1): GlobalAveragePool; sizes that divide the input's: an AveragePool;
    others: y = Aₕ x A_wᵀ with the op's own averaging matrices."""
    g, x = step.g, step.x(0)
    oh, ow = step.kw("output_size", (1, 1))
    if (oh, ow) == (1, 1):
        return g.node("GlobalAveragePool", [x])
    if step.dynamic_axes(0) & {2, 3}:
        raise step.fail(
            f"adaptive pooling to {(oh, ow)} of a dynamic height or width is not supported "
            "(only to (1, 1))"
        )
    h, w = step.shape(0)[2:]
    if h % oh == 0 and w % ow == 0:
        kernel = [h // oh, w // ow]
        return g.node("AveragePool", [x], kernel_shape=kernel, strides=kernel)
    dtype = step.out.dtype
    ah = g.const(averaging_matrix(h, oh, dtype), "rows")
    awt = g.const(np.ascontiguousarray(averaging_matrix(w, ow, dtype).T), "columns")
    return g.node("MatMul", [g.node("MatMul", [ah, x]), awt])
