"""Converters of the layers' ops: linear and matmul, convolution, pooling,
batch and layer normalization, embedding, scaled dot-product attention."""

from __future__ import annotations

import numpy as np

from ..ops.pool import averaging_matrix, pool_geometry
from .step import Step, converts


@converts("MatMul")
def matmul(step: Step) -> str:
    return step.g.node("MatMul", [step.x(0), step.x(1)])


@converts("Linear")
def linear(step: Step) -> str:
    """y = x Wᵀ + b: Gemm for a 2-D x, else MatMul with Wᵀ (then Add)."""
    g, x, w = step.g, step.x(0), step.x(1)
    bias = step.arg(2)
    if len(step.shape(0)) == 2:
        inputs = [x, w] + ([step.x(2)] if bias is not None else [])
        return g.node("Gemm", inputs, transB=1)
    out = g.node("MatMul", [x, g.node("Transpose", [w], perm=[1, 0])])
    return out if bias is None else g.node("Add", [out, step.x(2)])


@converts("Conv2d")
def conv(step: Step) -> str:
    """Conv1d runs as a Conv2d over (1, L) (stride, dilation and padding of the
    dummy axis 1, 0); ONNX gets the 1-D convolution it is."""
    stride, (top, bottom, left, right) = step.kw("stride", (1, 1)), step.kw("padding", (0,) * 4)
    dilation = step.kw("dilation", (1, 1))
    inputs = [step.x(0), step.x(1)] + ([step.x(2)] if step.arg(2) is not None else [])
    if len(step.shape(0)) == 3:
        attrs = dict(strides=[stride[1]], pads=[left, right], dilations=[dilation[1]])
    else:
        attrs = dict(
            strides=list(stride), pads=[top, left, bottom, right], dilations=list(dilation)
        )
    return step.g.node("Conv", inputs, group=int(step.kw("groups", 1)), **attrs)


@converts("ConvTranspose2d")
def conv_transpose(step: Step) -> str:
    """output_padding as a smaller crop at the end (pads p before, p − op after):
    ONNX Runtime refuses an output_padding not below the stride, which PyTorch
    allows (below the dilation). Where op > p the rows past the full output hold
    only the bias: zeros padded on, then the bias added."""
    g = step.g
    padding, extra_out = step.kw("padding", (0, 0)), step.kw("output_padding", (0, 0))
    ends = [max(p - op, 0) for p, op in zip(padding, extra_out)]
    beyond = [max(op - p, 0) for p, op in zip(padding, extra_out)]
    has_bias = step.arg(2) is not None
    late_bias = has_bias and any(beyond)
    inputs = [step.x(0), step.x(1)] + ([step.x(2)] if has_bias and not late_bias else [])
    out = g.node(
        "ConvTranspose",
        inputs,
        strides=list(step.kw("stride", (1, 1))),
        pads=list(padding) + ends,
        dilations=list(step.kw("dilation", (1, 1))),
        group=int(step.kw("groups", 1)),
    )
    if any(beyond):
        out = g.node("Pad", [out, g.int64s([0, 0, 0, 0, 0, 0, *beyond], "pads")])
    if late_bias:
        bias = g.node("Unsqueeze", [step.x(2), g.int64s([1, 2], "axes")])
        out = g.node("Add", [out, bias])
    return out


@converts("MaxPool2d")
def max_pool(step: Step) -> str:
    if step.kw("indices") is not None:
        raise step.fail("return_indices=True is not supported (ONNX numbers them otherwise)")
    ph, pw = step.kw("padding", (0, 0))
    return step.g.node(
        "MaxPool",
        [step.x(0)],
        kernel_shape=list(step.kw("kernel", (2, 2))),
        strides=list(step.kw("stride", (2, 2))),
        pads=[ph, pw, ph, pw],
        dilations=list(step.kw("dilation", (1, 1))),
        ceil_mode=int(step.kw("ceil_mode", False)),
    )


@converts("AvgPool2d")
def avg_pool(step: Step) -> str:
    """divisor_override d: the window sums over the zero-padded input (padded as
    glassnet pads it, ceil_mode's extra row and column included, so that every
    window is whole), divided by d."""
    g = step.g
    kernel, stride, (ph, pw) = (
        step.kw("kernel", (2, 2)),
        step.kw("stride", (2, 2)),
        step.kw("padding", (0, 0)),
    )
    ceil, divisor = bool(step.kw("ceil_mode", False)), step.kw("divisor_override")
    if divisor is None:
        return g.node(
            "AveragePool",
            [step.x(0)],
            kernel_shape=list(kernel),
            strides=list(stride),
            pads=[ph, pw, ph, pw],
            ceil_mode=int(ceil),
            count_include_pad=int(step.kw("count_include_pad", True)),
        )
    if ceil and step.dynamic_axes(0) & {2, 3}:
        raise step.fail("divisor_override with ceil_mode over a dynamic height or width")
    _, (eh, ew) = pool_geometry(step.shape(0)[2:], kernel, stride, (ph, pw), (1, 1), ceil)
    pads = g.int64s([0, 0, ph, pw, 0, 0, ph + eh, pw + ew], "pads")
    padded = g.node("Pad", [step.x(0), pads])
    mean = g.node("AveragePool", [padded], kernel_shape=list(kernel), strides=list(stride))
    scale = np.asarray(kernel[0] * kernel[1] / divisor, dtype=step.out.dtype)
    return g.node("Mul", [mean, g.const(scale, "scale")])


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


@converts("BatchNorm")
def batch_norm(step: Step) -> str:
    if step.kw("training", True):
        raise step.fail(
            "batch statistics (training mode, or track_running_stats=False) are not "
            "supported; export uses running_mean and running_var in eval mode"
        )
    g, channels = step.g, step.shape(0)[1]
    dtype = step.out.dtype
    scale = step.x(1) if step.arg(1) is not None else g.const(np.ones(channels, dtype), "ones")
    bias = step.x(2) if step.arg(2) is not None else g.const(np.zeros(channels, dtype), "zeros")
    mean, var = step.x("running_mean"), step.x("running_var")
    return g.node(
        "BatchNormalization", [step.x(0), scale, bias, mean, var], epsilon=float(step.kw("eps"))
    )


@converts("LayerNorm")
def layer_norm(step: Step) -> str:
    g, ndim = step.g, int(step.kw("ndim"))
    shape, dtype = step.shape(0)[-ndim:], step.out.dtype
    scale = step.x(1) if step.arg(1) is not None else g.const(np.ones(shape, dtype), "ones")
    inputs = [step.x(0), scale] + ([step.x(2)] if step.arg(2) is not None else [])
    return g.node("LayerNormalization", inputs, axis=-ndim, epsilon=float(step.kw("eps", 1e-5)))


@converts("Embedding")
def embedding(step: Step) -> str:
    index = step.x(1)
    if np.asarray(step.arg(1)).dtype not in (np.int64, np.int32):
        index = step.g.cast(index, np.int64)
    return step.g.node("Gather", [step.x(0), index], axis=0)


@converts("ScaledDotProductAttention")
def attention(step: Step) -> str:
    """softmax(scale·Q Kᵀ + B, −∞ where keep is False) V."""
    if step.kw("drop") is not None:
        raise step.fail("attention dropout (training) cannot be exported")
    g, dtype = step.g, step.out.dtype
    rank = len(step.shape(1))
    perm = list(range(rank - 2)) + [rank - 1, rank - 2]
    scores = g.node("MatMul", [step.x(0), g.node("Transpose", [step.x(1)], perm=perm)])
    scores = g.node("Mul", [scores, g.const(np.asarray(step.kw("scale"), dtype), "scale")])
    if step.arg(3) is not None:
        scores = g.node("Add", [scores, step.x(3)])
    if step.kw("keep") is not None:
        keep = step.x("keep", np.bool_)
        scores = g.node("Where", [keep, scores, g.const(np.asarray(-np.inf, dtype), "minus_inf")])
    weights = g.node("Softmax", [scores], axis=-1)
    return g.node("MatMul", [weights, step.x(2)])
