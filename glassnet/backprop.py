"""The graph walk of reverse-mode differentiation (``autograd.backward`` and
``autograd.grad`` call ``run``).

Nodes run from the latest recorded down (a heap on their sequence numbers:
iterative, so a chain of 100,000 ops needs no recursion); the gradients that
reach a node from all its uses are summed before it runs (the chain rule
over every path), and the totals are added into the leaves' ``.grad``.
Saved arrays are freed as it goes, and so are large intermediate inputs
nobody else holds (``RELEASE_BYTES``).
"""

import heapq
import weakref

import numpy as np

from . import versions
from .errors import AnomalyError, GraphError, ShapeError, describe
from .grad_mode import enable_grad, state
from .tensor import POST_HOOKED, Tensor, to_array


def check_finite(arr, where):
    if isinstance(arr, np.ndarray) and arr.dtype.kind in "fc" and not np.isfinite(arr).all():
        kind = "NaN" if np.isnan(arr).any() else "Inf"
        raise AnomalyError(
            f"{where} produced {kind} values (shape {arr.shape}); detect_anomaly is on"
        )


def apply_hooks(hooks, grad):
    for hook in list(hooks):
        out = hook(Tensor._make(grad, False, None))
        if out is not None:
            new = to_array(out)
            if new.shape != grad.shape:
                raise ShapeError(
                    f"hook {hook!r} returned a gradient of shape {new.shape}, expected {grad.shape}"
                )
            grad = new
    return grad


def run(roots, root_grads, retain_graph, capture=None):
    """Backpropagate ``root_grads`` from ``roots`` (tensors with a grad_fn).

    Nodes run newest first (a heap on their sequence numbers), so each runs
    once, after every gradient that can reach it has been summed.

    Without ``capture``, leaf gradients are added into ``.grad``. With
    ``capture`` (a dict id(tensor) -> None for the wanted inputs), the
    gradient of each wanted tensor is stored there instead and no ``.grad``
    changes (``autograd.grad``).
    """
    pending, heap = _seeded(roots, root_grads)
    leaf_grads = {}
    stored = set()  # ids of arrays given to a leaf's .grad in this pass
    direct = capture is None
    post = _post_counts(heap) if direct and POST_HOOKED else None
    anomaly = state.anomaly
    while heap:
        node = heapq.heappop(heap)[1]
        grad = pending.pop(node)
        if node._watched:
            grad = _watch(node, grad, capture)
        saved = node.saved
        if saved is None or (saved and versions.latest > node.seq):
            node._check_saved()  # (freed, or something was changed in place since it was recorded)
        grads = node._run_backward(grad) if node._user else node.backward(node, grad)
        if grads.__class__ is not tuple:
            grads = (grads,)
        if anomaly:
            for gi in grads:
                if gi is not None:
                    check_finite(gi, f"{node.name()}")
        if not retain_graph and saved:
            node.saved = None  # freed: a second backward through it is an error
        release = False
        links = node.links
        parents = links if not node._released else _held(links)  # (zip stops at the n inputs)
        edge = (len(links) >> 1) - 1  # links[edge]: the node that made the input at hand
        for need, gi, p in zip(node.needs_input_grad, grads, parents):
            edge += 1
            if need and gi is not None:
                pn = links[edge]
                if gi.__class__ is not np.ndarray:
                    gi = np.asarray(gi)
                if p is not None:  # (None: a released input that has died since)
                    data = p._data
                    if gi.shape != data.shape or (
                        gi.dtype is not data.dtype and gi.dtype != data.dtype
                    ):
                        raise GraphError(
                            f"{node.name()} returned a gradient {describe(gi)} for an input "
                            f"{describe(data)}; a gradient must match its input's shape and "
                            "dtype"
                        )
                if pn is None:
                    if direct and p._hooks is None:
                        accumulate(p, gi, stored)  # no hook needs the total first
                    else:
                        key = id(p)
                        if key in leaf_grads:
                            leaf_grads[key][1] = leaf_grads[key][1] + gi
                        else:
                            leaf_grads[key] = [p, gi]
                else:
                    if p is not None and data.nbytes >= RELEASE_BYTES:
                        release = True
                    if pn in pending:
                        pending[pn] = pending[pn] + gi
                    else:
                        pending[pn] = gi
                        heapq.heappush(heap, (-pn.seq, pn))
        if post is not None:
            _count_down(node, grads, post)
        if release and not retain_graph:
            node.links = _released(node.parents) + node.edges
            node._released = True
    for leaf, g in leaf_grads.values():
        if leaf._hooks:
            g = apply_hooks(leaf._hooks, g)
        if capture is not None:
            if id(leaf) in capture:
                capture[id(leaf)] = g
        else:
            accumulate(leaf, g, stored)
            if leaf._post_hooks:
                run_post_hooks(leaf)
    if post:  # leaves that some of their uses gave no gradient (a None from a backward)
        for leaf, _, received in post.values():
            if received:
                run_post_hooks(leaf)


def _seeded(roots, root_grads):
    """The walk's start: ``pending`` (node -> the sum of the gradients that reached
    it so far) holding the roots' nodes, and ``heap`` ((−seq, node) of the nodes in
    pending: the latest recorded pops first)."""
    pending, heap = {}, []
    for t, g in zip(roots, root_grads):
        node = t.grad_fn
        if node in pending:
            pending[node] = pending[node] + g
        else:
            pending[node] = g
            heapq.heappush(heap, (-node.seq, node))
    return pending, heap


# An input that an op made (not a leaf) and that holds at least this many bytes is
# let go once backward has passed its consumer: an intermediate array that nobody
# else holds (a pre-activation z, say) is then freed at once, not with the whole
# graph. Smaller ones stay, so the explain tools still show every value of a
# small network after backward.
RELEASE_BYTES = 64 * 1024


def _released(parents):
    """``parents`` with each input that an op made held by a weak reference."""
    return tuple(
        [weakref.ref(p) if isinstance(p, Tensor) and p.grad_fn is not None else p for p in parents]
    )


def _held(parents):
    """``parents`` with the weak references resolved (None where one died)."""
    return [p() if p.__class__ is weakref.ref else p for p in parents]


def _post_counts(heap):
    """{id(leaf): [leaf, uses left, received]} for the leaves with post-accumulate
    hooks (and no gradient hooks) in the graph below the nodes of ``heap``: a leaf's
    ``.grad`` is complete once every node that uses it has run (a pre-pass over the
    graph, done only while some tensor has such a hook)."""
    counts = {}
    seen = set()
    stack = [node for _, node in heap]
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        links = node.links
        n = len(links) >> 1
        for i, need in enumerate(node.needs_input_grad):
            edge = links[n + i]
            if edge is not None:
                stack.append(edge)
            elif need:
                leaf = links[i]
                if leaf._post_hooks and leaf._hooks is None:
                    entry = counts.get(id(leaf))
                    if entry is None:
                        counts[id(leaf)] = [leaf, 1, False]
                    else:
                        entry[1] += 1
    return counts


def _count_down(node, grads, post):
    """After ``node`` ran: one use fewer for each of its leaf inputs in ``post``;
    the hooks of a leaf whose last use this was run now."""
    links = node.links
    n = len(links) >> 1
    for i, (need, gi) in enumerate(zip(node.needs_input_grad, grads)):
        if need and links[n + i] is None:
            entry = post.get(id(links[i]))
            if entry is None:
                continue
            entry[1] -= 1
            entry[2] = entry[2] or gi is not None
            if entry[1] == 0:
                del post[id(links[i])]
                if entry[2]:
                    run_post_hooks(entry[0])


def run_post_hooks(leaf):
    """Call ``leaf``'s post-accumulate hooks, its ``.grad`` being complete."""
    for hook in list(leaf._post_hooks or ()):
        hook(leaf)


def _watch(node, grad, capture, graph=False):
    """What a watched node's output gradient passes through before its
    backward: hooks on the output tensor (which may replace it), retain_grad
    (a copy into the tensor's ``.grad``) and ``autograd.grad``'s capture.
    ``graph``: the create_graph walk, whose gradients are Tensors."""
    if node._hooks:
        grad = (apply_graph_hooks if graph else apply_hooks)(node._hooks, grad)
    if node._retain is not None:
        t = node._retain()
        if t is not None and capture is None:
            if graph:
                t.grad = grad if t.grad is None else t.grad + grad
            else:
                accumulate(t, grad.copy(), set())
    if capture is not None:
        cid = node.__dict__.get("_capture_id")
        if cid is not None:
            capture[cid] = grad
    return grad


def accumulate(t, g, stored):
    """Add ``g`` into ``t.grad``. The first gradient is kept without a copy
    when it is a fresh array nobody else holds; later ones are added in place
    into that buffer (so a zero_grad(set_to_none=False) buffer is reused)."""
    grad = t.grad
    if grad is None:
        # a view (reshape, broadcast) shares memory with something else: copy it
        if g.base is not None or id(g) in stored:
            g = g.copy()
        stored.add(id(g))
        t.grad = Tensor._make(g, False, None)
        return
    buf = grad._data
    if id(buf) in stored or buf.__class__ is not np.ndarray:
        grad._data = np.asarray(buf + g)
        return
    try:
        np.add(buf, g, out=buf)
    except ValueError:  # a read-only buffer (e.g. set by the user)
        grad._data = buf + g


# ---- create_graph: the walk on Tensors ---------------------------------------------


def run_graph(roots, root_grads, retain_graph, capture=None, collect=None):
    """The walk of ``backward(create_graph=True)``: as ``run``, but the gradients
    are Tensors and every node's backward is made of recorded ops, so the
    gradients carry their own graph and can be differentiated again.

    A node gives its input gradients through ``differentiable_grads``. With
    ``collect`` (a dict id(tensor) -> None), the gradients that reach those
    tensors are summed there and go no further (the walk inside a composite
    op's backward, see ``differentiable_grads``)."""
    pending, heap = _seeded(roots, root_grads)
    leaf_grads = {}
    while heap:
        node = heapq.heappop(heap)[1]
        grad = pending.pop(node)
        if node._watched and collect is None:
            grad = _watch(node, grad, capture, graph=True)
        saved = node.saved
        if saved is None or (saved and versions.latest > node.seq):
            node._check_saved()
        grads = differentiable_grads(node, grad)
        if state.anomaly:
            for gi in grads:
                if gi is not None:
                    check_finite(gi._data, node.name())
        if not retain_graph and saved:
            node.saved = None
        links = node.links
        edge = (len(links) >> 1) - 1
        for need, gi, p in zip(node.needs_input_grad, grads, links):
            edge += 1
            if not need or gi is None:
                continue
            if gi.shape != p.shape or gi.dtype != p.dtype:
                raise GraphError(
                    f"{node.name()} returned a gradient {describe(gi._data)} for an input "
                    f"{describe(p._data)} (create_graph=True); a gradient must match its "
                    "input's shape and dtype"
                )
            if collect is not None and id(p) in collect:
                got = collect[id(p)]
                collect[id(p)] = gi if got is None else got + gi
                continue
            pn = links[edge]
            if pn is None:
                key = id(p)
                leaf_grads[key] = [p, leaf_grads[key][1] + gi] if key in leaf_grads else [p, gi]
            elif pn in pending:
                pending[pn] = pending[pn] + gi
            else:
                pending[pn] = gi
                heapq.heappush(heap, (-pn.seq, pn))
    for leaf, g in leaf_grads.values():
        if leaf._hooks:
            g = apply_graph_hooks(leaf._hooks, g)
        if capture is not None:
            if id(leaf) in capture:
                capture[id(leaf)] = g
        else:
            leaf.grad = g if leaf.grad is None else leaf.grad + g
            if leaf._post_hooks:
                run_post_hooks(leaf)


def differentiable_grads(node, grad):
    """The gradients of a node's inputs as Tensors with a graph of their own.

    An op gives them in one of two ways: ``backward_graph(ctx, grad)`` writes
    ∂L/∂x with other ops (its inputs are ``ctx.parents``); ``composite(ctx,
    *inputs)`` writes the op's forward with other ops, and the gradients are
    those of that expression (a walk from its output back to the inputs; the
    forward is computed again, only when create_graph is asked for). A
    user Function's ``backward`` runs on tensors already: it runs recorded."""
    if node._graph_backward is not None:  # a user Function (a tape's wrapper is not one)
        grads = node._graph_backward(grad)
    elif node.backward_graph is not None:
        grads = node.backward_graph(node, grad)
    elif node.composite is not None:
        parents = node.parents
        with enable_grad():
            out = node.composite(node, *parents)
        wanted = {id(p): None for p, need in zip(parents, node.needs_input_grad) if need}
        if out.grad_fn is not None:
            run_graph((out,), (grad,), True, collect=wanted)
        # an input given twice (x * x) gets its whole gradient once
        grads = tuple(
            wanted.pop(id(p), None) if need else None
            for p, need in zip(parents, node.needs_input_grad)
        )
    else:
        raise GraphError(
            f"{node.name()}: this op has no differentiable backward, so create_graph=True "
            f"cannot record its gradient. {node.no_graph_hint}"
        )
    return grads if grads.__class__ is tuple else (grads,)


def apply_graph_hooks(hooks, grad):
    """Tensor hooks on a create_graph gradient (a Tensor, which a hook may replace)."""
    for hook in list(hooks):
        out = hook(grad)
        if out is not None:
            if tuple(out.shape) != tuple(grad.shape):
                raise ShapeError(
                    f"hook {hook!r} returned a gradient of shape {tuple(out.shape)}, "
                    f"expected {tuple(grad.shape)}"
                )
            grad = out
    return grad
