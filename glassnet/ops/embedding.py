"""Embedding lookup: out[..., :] = W[index[...], :].

Each output row is a copy of one row of W (num_embeddings, embedding_dim),
so ∂L/∂W[v] is the sum of the output gradients of every position whose
index is v — a scatter-add, where an index used k times receives k rows.

The scatter-add runs as one 1-D ``np.add.at`` over flat positions
(row·D + column) rather than ``np.add.at`` over rows. Measured on the
project's 2-core machine (float32, time for one backward):

    indices × dim, vocabulary     np.add.at rows   flat np.add.at
    4096 × 256, 10000             21.5 ms          2.9 ms
    32768 × 64, 30000             42.8 ms          6.4 ms
    200000 × 8, 1000              34.1 ms          4.9 ms

Sort + ``np.add.reduceat`` was no faster than ``np.add.at`` over rows; a
one-hot matrix product wins (2–4×) only for vocabularies under ~64 and,
with multi-threaded OpenBLAS, its (V, n)·(n, D) shape is sometimes 100×
slower, so it is not used.
"""

import numpy as np

from .. import alloc
from ..autograd import Op
from ._graph import constant
from .index import IndexAdd


def scatter_add_rows(index, src, num_rows):
    """out (num_rows, D) with out[v] = Σ_{i: index[i] = v} src[i]; ``index`` 1-D (n,),
    ``src`` (n, D). Repeated indices add up."""
    dim = src.shape[1]
    out = alloc.zeros((num_rows, dim), dtype=src.dtype)
    flat = index.astype(np.intp)[:, None] * dim + np.arange(dim, dtype=np.intp)
    np.add.at(out.reshape(-1), flat.reshape(-1), src.reshape(-1))  # a view: writes into out
    return out


def renorm_rows_(weight, index, max_norm, norm_type):
    """Rescale, in place, each row of ``weight`` that ``index`` uses and whose
    p-norm (p = norm_type) exceeds ``max_norm`` to norm max_norm:
    w ← w · max_norm / (‖w‖ₚ + 1e-7), as PyTorch's embedding_renorm_."""
    rows = np.unique(index)
    norms = np.linalg.norm(weight[rows], ord=norm_type, axis=1)
    big = norms > max_norm
    if big.any():
        scale = (max_norm / (norms[big] + 1e-7)).astype(weight.dtype)
        weight[rows[big]] *= scale[:, None]


class Embedding(Op):
    """``index`` any shape of ints, out index.shape + (D,). The row
    ``padding_idx`` gets no gradient; with ``scale_grad_by_freq`` each
    position's gradient is divided by how often its index occurs in ``index``."""

    formula = "out[…] = W[index[…]], one row of W per index"
    rule = "∂L/∂W[v] = Σ of ∂L/∂out over the positions whose index is v (a scatter-add)"
    grad_fn_name = "EmbeddingBackward0"

    @staticmethod
    def forward(ctx, weight, index, *, padding_idx=None, scale_grad_by_freq=False):
        ctx.save_for_backward(index)
        ctx.shape, ctx.padding_idx, ctx.by_freq = weight.shape, padding_idx, scale_grad_by_freq
        return np.take(weight, index, axis=0)

    @staticmethod
    def backward(ctx, grad):
        (index,) = ctx.saved_tensors
        rows, dim = ctx.shape
        flat = index.reshape(-1)
        g = grad.reshape(-1, dim)
        if ctx.by_freq:
            counts = np.bincount(flat.astype(np.intp), minlength=rows)
            g = g * (1.0 / counts[flat]).astype(g.dtype)[:, None]
        gw = scatter_add_rows(flat, g, rows)
        if ctx.padding_idx is not None:
            gw[ctx.padding_idx] = 0
        return gw, None

    @staticmethod
    def backward_graph(ctx, grad):
        (index,) = ctx.saved_tensors
        flat = index.reshape(-1)
        rows, dim = ctx.shape
        scale = alloc.ones(flat.shape, dtype=grad._data.dtype)
        if ctx.by_freq:
            scale /= np.bincount(flat.astype(np.intp), minlength=rows)[flat]
        if ctx.padding_idx is not None:
            scale[flat == ctx.padding_idx % rows] = 0
        g = grad.reshape(-1, dim) * constant(scale[:, None])
        return IndexAdd.apply(g, ctx.shape, flat), None
