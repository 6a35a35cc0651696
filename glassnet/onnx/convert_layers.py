"""Converters of the layers' ops: linear and matmul, convolution, batch and
layer normalization, embedding, scaled dot-product attention (pooling:
``convert_pool``)."""

from __future__ import annotations

from typing import Any

import numpy as np

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
    attrs: dict[str, Any]
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
