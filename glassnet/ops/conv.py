"""Convolution and transposed convolution as one matrix multiply each (im2col).

Convolution (cross-correlation, as in every deep-learning library), for
input x (N, C, H, W), weight W (O, C/G, kH, kW) in G groups, bias b (O,):

    y[n, o, p, q] = b[o] + Σ_{c, i, j} W[o, c, i, j] · x_pad[n, g·C/G + c, p·sH + i·dH,
                                                              q·sW + j·dW]

with g = o // (O/G) the group of output channel o. Gathering every window
into a column (im2col) turns this into one batched matrix product per group,

    cols[n, g] : (C/G·kH·kW, P),    y[n, g] = W[g] (O/G, C/G·kH·kW) @ cols[n, g],

and the backward pass into two more:

    ∂L/∂W[g] = Σ_n ∂L/∂y[n, g] @ cols[n, g]ᵀ,    ∂L/∂b = Σ_{n, p, q} ∂L/∂y,
    ∂L/∂cols[n, g] = W[g]ᵀ @ ∂L/∂y[n, g],    ∂L/∂x = col2im(∂L/∂cols)

(col2im adds every column back where it was read from: kH·kW slice adds).
P counts the window positions (see ``_im2col.Windows``: OH·OW, or, for
stride 1 and windows of at least twice as many values as there are output
channels per group, whole rows, which makes im2col a copy of contiguous runs).

The transposed convolution is the adjoint of the convolution with respect to
its input — its forward is the convolution's input-gradient computation and
its backward uses the convolution's forward — with weight W (C_in, C_out/G,
kH, kW), as torch.nn.ConvTranspose2d.

A 1-D convolution is the 2-D one with height 1: (N, C, L) inputs and
(O, C/G, k) weights are viewed as (N, C, 1, L) and (O, C/G, 1, k).

A float32 2-D convolution without groups runs through oneDNN's convolution
instead when ``glassnet[onednn]`` is installed (``glassnet.backends.onednn``: what
PyTorch's conv2d runs on CPU; the same sums in another order, 2–3× faster on
a small CNN's layers); float64 (gradient checks) and
``glassnet.backends.onednn.disabled()`` run the im2col products above.
"""

import numpy as np

from .. import alloc
from ..autograd import Op
from ..backends import onednn
from ._im2col import Windows, pad2d
from .linear_map import LinearMap
from .shape import Pad


def _as_2d(x, w):
    """View 1-D convolution operands as 2-D ones of height 1."""
    if x.ndim == 3:
        return x[:, :, None, :], w[:, :, None, :]
    return x, w


def whole_rows(window_values, out_channels):
    """Use whole-row windows (``Windows(flat=True)``)? They make im2col a copy of
    contiguous runs instead of short strided rows, but each output channel (and
    its gradient) then needs a strided copy to drop the wrapped positions: worth
    it when a window holds at least twice as many values as there are output
    channels (per group). Measured: 1→8 channels 3×3 is faster without, 8→16 with."""
    return window_values >= 2 * out_channels


def _bias_grad(grad):
    """∂L/∂b[o] = Σ_{n, positions} ∂L/∂y[n, o, …] (summing the batch first: whole
    contiguous planes, several times faster than one reduction over three axes)."""
    return grad.sum(axis=0).reshape(grad.shape[1], -1).sum(axis=1)


class Conv2d(Op):
    """Cross-correlation over the last two axes (or the last one for 3-D x),
    as one matrix product per group: cols = im2col(x_pad) (see the module
    docstring; oneDNN, when it runs it, computes the same sums).

    ``padding`` is (top, bottom, left, right) — asymmetric for 'same' with an
    even kernel; ``stride`` and ``dilation`` are pairs; ``groups`` splits the
    channels into independent convolutions (groups = C gives a depthwise one).
    The caller checks the shapes (see glassnet.nn.functional.conv).
    """

    formula = (
        "y[o, p, q] = b[o] + Σ_{c, i, j} W[o, c, i, j]·x_pad[c, p·sH + i·dH, q·sW + j·dW]"
        " for each sample, i.e. y = W @ cols + b, cols = im2col(x_pad) (a column per "
        "window)"
    )
    rule = (
        "∂L/∂W = Σ_n ∂L/∂y @ colsᵀ, ∂L/∂x = col2im(Wᵀ @ ∂L/∂y) (each window's "
        "gradient added back where it was read), ∂L/∂b = Σ_{n, p, q} ∂L/∂y"
    )
    grad_fn_name = "ConvolutionBackward0"

    kernel = None  # the oneDNN convolution, when it ran this one

    @staticmethod
    def forward(ctx, x, w, b=None, stride=(1, 1), padding=(0, 0, 0, 0), dilation=(1, 1), groups=1):
        ctx.args = (stride, padding, dilation, groups)
        if groups == 1 and x.ndim == 4 and x.dtype == np.float32 == w.dtype and onednn.available():
            return _onednn_forward(ctx, x, w, b, stride, padding, dilation)
        x4, w4 = _as_2d(x, w)
        n = x4.shape[0]
        o, cg, kh, kw = w4.shape
        xp = pad2d(x4, *padding)
        win = Windows(
            xp.shape[2:], (kh, kw), stride, dilation, flat=whole_rows(cg * kh * kw, o // groups)
        )
        cols = win.gather(xp).reshape(n, groups, cg * kh * kw, win.positions)
        out = np.matmul(w4.reshape(groups, o // groups, cg * kh * kw), cols)
        image = win.to_image(out.reshape(n, o, win.positions))  # (N, O, OH, OW), a view
        if b is not None:
            out = np.add(image, b.reshape(o, 1, 1))
        else:
            out = np.ascontiguousarray(image)
        need = ctx.needs_input_grad
        if need:
            ctx.save_for_backward(cols if need[1] else None, w)
            ctx.geometry = (x.shape, win, padding, groups)
        return out.reshape(out.shape[:2] + out.shape[3:]) if x.ndim == 3 else out

    @staticmethod
    def composite(ctx, x, w, b=None, *_):
        """y = W @ im2col(x_pad) + b with recorded ops (for create_graph)."""
        stride, padding, dilation, groups = ctx.args
        if x.ndim == 3:
            return Conv2d.composite(ctx, x.unsqueeze(2), w.unsqueeze(2), b).squeeze(2)
        top, bottom, left, right = padding
        xp = Pad.apply(x, (left, right, top, bottom), 0.0) if any(padding) else x
        n, o, (cg, kh, kw) = x.shape[0], w.shape[0], w.shape[1:]
        win = Windows(tuple(xp.shape[2:]), (kh, kw), stride, dilation)
        cols = LinearMap.apply(xp, win.gather, win.scatter)
        cols = cols.reshape(n, groups, cg * kh * kw, win.positions)
        out = w.reshape(groups, o // groups, cg * kh * kw) @ cols
        out = out.reshape((n, o) + win.out_hw)
        return out if b is None else out + b.reshape(o, 1, 1)

    @staticmethod
    def backward(ctx, grad):
        if ctx.kernel is not None:
            return _onednn_backward(ctx, grad)
        cols, w = ctx.saved_tensors
        x_shape, win, padding, groups = ctx.geometry
        need = ctx.needs_input_grad
        n, o = grad.shape[:2]
        g = win.from_image(grad.reshape((n, o) + win.out_hw))
        g = g.reshape(n, groups, o // groups, win.positions)
        gx = gw = gb = None
        if need[0]:
            wm = w.reshape(groups, o // groups, -1)
            gcols = np.matmul(wm.transpose(0, 2, 1), g)
            gcols = gcols.reshape((n, x_shape[1]) + win.kernel + (win.positions,))
            gxp = win.scatter(gcols)
            top, bottom, left, right = padding
            h, w_ = win.padded_hw
            gx = gxp[:, :, top : h - bottom, left : w_ - right].reshape(x_shape)
        if need[1]:
            gw = np.matmul(g, cols.transpose(0, 1, 3, 2)).sum(axis=0).reshape(w.shape)
        if len(need) > 2 and need[2]:
            gb = _bias_grad(grad)
        return gx, gw, gb


def _onednn_forward(ctx, x, w, b, stride, padding, dilation):
    """Conv2d's forward by oneDNN (float32, groups 1, 4-D x)."""
    x, w = np.ascontiguousarray(x), np.ascontiguousarray(w)
    kernel = onednn.conv_kernel(x.shape, w.shape, stride, padding, dilation, b is not None)
    out = alloc.empty(kernel.shapes[2], np.float32)
    kernel.forward(x, w, None if b is None else np.ascontiguousarray(b, np.float32), out)
    need = ctx.needs_input_grad
    if need:
        ctx.save_for_backward(x if need[1] else None, w if need[0] else None)
        ctx.kernel = kernel
    return out


def _onednn_backward(ctx, grad):
    x, w = ctx.saved_tensors
    need = ctx.needs_input_grad
    kernel = ctx.kernel
    x_shape, w_shape, _ = kernel.shapes
    need_b = len(need) > 2 and need[2]
    gx = alloc.empty(x_shape, np.float32) if need[0] else None
    gw = alloc.empty(w_shape, np.float32) if need[1] else None
    gb = alloc.empty(w_shape[0], np.float32) if need_b and need[1] else None
    if gx is not None or gw is not None:
        kernel.backward(x, w, np.ascontiguousarray(grad, np.float32), gx, gw, gb)
    if need_b and gb is None:  # the bias alone (x was not kept): Σ over batch and positions
        gb = _bias_grad(grad)
    return gx, gw, gb


class ConvTranspose2d(Op):
    """The adjoint of the convolution with respect to its input, W shaped
    (C_in, C_out/G, kH, kW) as torch.nn.ConvTranspose2d: each input pixel
    x[n, c, h, w] scatters W[c]·x[n, c, h, w] into the output at
    (h·sH + i·dH − pH, w·sW + j·dW − pW); ``output_padding`` adds rows/columns
    at the bottom/right (choosing among the output sizes a strided convolution
    maps to the same size)."""

    formula = (
        "y = col2im(Wᵀ @ x) + b: each input pixel x[c, h, w] adds W[c]·x[c, h, w] "
        "to its window of y"
    )
    rule = (
        "∂L/∂x = W @ gcols, ∂L/∂W = Σ_n x @ gcolsᵀ, ∂L/∂b = Σ_{n, p, q} ∂L/∂y, "
        "gcols = im2col(∂L/∂y): a plain convolution of the gradient"
    )
    grad_fn_name = "ConvolutionBackward0"

    @staticmethod
    def forward(
        ctx,
        x,
        w,
        b=None,
        stride=(1, 1),
        padding=(0, 0),
        output_padding=(0, 0),
        dilation=(1, 1),
        groups=1,
    ):
        ctx.args = (stride, padding, output_padding, dilation, groups)
        n, c, h, wd = x.shape
        og, kh, kw = w.shape[1:]
        cg, o = c // groups, og * groups
        padded = (
            (h - 1) * stride[0] + dilation[0] * (kh - 1) + 1 + output_padding[0],
            (wd - 1) * stride[1] + dilation[1] * (kw - 1) + 1 + output_padding[1],
        )
        # the windows of the padded output are the input's pixels: (OH, OW) = (H, W)
        # (strided layout: whole rows would only add copies of the columns here)
        win = Windows(padded, (kh, kw), stride, dilation, out_hw=(h, wd))
        xm = x.reshape(n, groups, cg, h * wd)
        cols = np.matmul(w.reshape(groups, cg, og * kh * kw).transpose(0, 2, 1), xm)
        out = win.scatter(cols.reshape(n, o, kh, kw, h * wd))
        ph, pw = padding
        if ph or pw:
            out = np.ascontiguousarray(out[:, :, ph : padded[0] - ph, pw : padded[1] - pw])
        if b is not None:
            out += b.reshape(o, 1, 1)
        if ctx.needs_input_grad:
            ctx.save_for_backward(x, w)
            ctx.geometry = (win, padding, groups)
        return out

    @staticmethod
    def composite(ctx, x, w, b=None, *_):
        """y = col2im(Wᵀ @ x) + b with recorded ops (for create_graph)."""
        stride, (ph, pw), output_padding, dilation, groups = ctx.args
        n, c, h, wd = x.shape
        og, kh, kw = w.shape[1:]
        cg, o = c // groups, og * groups
        padded = tuple(
            (size - 1) * s + d * (k - 1) + 1 + extra
            for size, s, d, k, extra in zip((h, wd), stride, dilation, (kh, kw), output_padding)
        )
        win = Windows(padded, (kh, kw), stride, dilation, out_hw=(h, wd))
        wm = w.reshape(groups, cg, og * kh * kw).transpose(1, 2)
        cols = (wm @ x.reshape(n, groups, cg, h * wd)).reshape(n, o, kh, kw, h * wd)
        out = LinearMap.apply(cols, win.scatter, win.gather)
        out = out[:, :, ph : padded[0] - ph, pw : padded[1] - pw]
        return out if b is None else out + b.reshape(o, 1, 1)

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_tensors
        win, (ph, pw), groups = ctx.geometry
        need = ctx.needs_input_grad
        n, c, h, wd = x.shape
        og, kh, kw = w.shape[1:]
        cg = c // groups
        # the adjoint of the scatter is the gather: a plain convolution of the gradient
        gcols = win.gather(pad2d(grad, ph, ph, pw, pw)).reshape(n, groups, og * kh * kw, h * wd)
        gx = gw = gb = None
        if need[0]:
            gx = np.matmul(w.reshape(groups, cg, og * kh * kw), gcols).reshape(x.shape)
        if need[1]:
            xm = x.reshape(n, groups, cg, h * wd)
            gw = np.matmul(xm, gcols.transpose(0, 1, 3, 2)).sum(axis=0).reshape(w.shape)
        if len(need) > 2 and need[2]:
            gb = _bias_grad(grad)
        return gx, gw, gb
