"""Reverse-mode automatic differentiation.

An op is a small class with ``forward(ctx, *arrays)`` and
``backward(ctx, grad)`` on raw NumPy arrays. ``Op.apply`` runs forward and,
when a gradient is needed, keeps the ctx as the graph node (``grad_fn``)
with the input tensors as its parents.

``backward`` walks the graph from the output in topological order (the
latest-recorded node first, from a heap: iterative, so a chain of 100,000
ops needs no recursion), sums the gradients that reach each node from all
its uses (chain rule over every path), and adds the totals into the leaves'
``.grad``; ``grad`` returns the gradients instead. The walk itself is in
``backprop.py``.
"""

import weakref

import numpy as np

from . import tensor as _tensor_module  # type: ignore[no-redef]  # (mypy, in the import cycle through functions/method_types.pyi)
from . import versions
from .backprop import RELEASE_BYTES  # noqa: F401 (RELEASE_BYTES)
from .backprop import accumulate as _accumulate
from .backprop import apply_hooks as _apply_hooks
from .backprop import check_finite as _check_finite
from .backprop import run as _run
from .backprop import run_graph as _run_graph
from .backprop import run_post_hooks as _run_post_hooks
from .errors import GraphError, ShapeError
from .grad_mode import (  # noqa: F401 (re-exported: gn.autograd.enable_grad...)
    detect_anomaly,
    enable_grad,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
    state,
)
from .tensor import Tensor, to_array


class Node:
    """A recorded op. Forward writes what backward needs into it (it is the
    ``ctx``); the graph walk reads it."""

    # seq: when it was recorded (versions.clock). A node's inputs were made before it,
    # so running nodes from the latest down visits every consumer of a node before the
    # node itself: a topological order, found without a pre-pass over the graph.
    # links: the n inputs, then the node that made each one (None for a leaf or a
    # constant) when this node was recorded, in one tuple: ``parents`` and ``edges``.
    # (One object, not two: Python's garbage collector scans every object a graph
    # holds, which for a long chain of small ops is a good part of its cost.)
    __slots__ = ("links", "needs_input_grad", "saved", "seq", "__dict__", "__weakref__")

    # rarely set, so kept as class-level defaults (an instance sets its own when needed)
    _hooks: list | None = None  # hooks registered on the output tensor
    _retain: weakref.ref | None = None  # weakref to the output tensor when it retains its grad
    _user = False  # a user-defined Function (backward on tensors), not a built-in Op
    _watched = False  # has hooks, retains its grad or is captured by grad(): see _watch
    _released = False  # its large intermediate inputs are held weakly: see RELEASE_BYTES
    _graph_backward = None  # a user Function's backward for create_graph (Function sets it)

    def save_for_backward(self, *arrays):
        """Keep arrays for backward; they are freed after backward unless
        ``retain_graph=True`` (``saved`` is None then), and an in-place change
        to them is detected."""
        self.saved = arrays

    @property
    def saved_tensors(self):
        if self.saved is None:
            raise GraphError(
                f"{self.name()}: trying to backward through the graph a second time; the arrays "
                "it saved were freed after the first backward. Pass retain_graph=True to the "
                "first backward() if you need to call it twice."
            )
        return self.saved

    # PyTorch's name for this op's node ("MulBackward0"); an op that PyTorch does not have
    # (and a user Function, as in PyTorch) is named "<its class>Backward"
    grad_fn_name = ""

    def name(self):
        """The node's name as PyTorch prints it in ``grad_fn=<...>``."""
        return self.grad_fn_name or type(self).__name__ + "Backward"

    @property
    def parents(self):
        """The op's inputs (tensors, or whatever else it was given)."""
        return self.links[: len(self.links) >> 1]

    @property
    def edges(self):
        """The node that made each input when this one was recorded (None: a leaf or a
        constant); an in-place change that later gives an input a new ``grad_fn``
        does not reroute this op's gradient."""
        return self.links[len(self.links) >> 1 :]

    @property
    def next_functions(self):
        """As PyTorch: a ``(node, 0)`` pair per tensor input, the node being the one
        that made it, an ``AccumulateGrad`` for a leaf that requires grad, or None
        (a constant). Inputs that are not arrays (a dim, a Python number) are left out
        (PyTorch lists a Python number operand of + − × ÷ as (None, 0))."""
        return tuple(
            (
                e
                if e is not None
                else AccumulateGrad(p)
                if isinstance(p, Tensor) and p.requires_grad
                else None,
                0,
            )
            for p, e in zip(self.parents, self.edges)
            if isinstance(p, (Tensor, np.ndarray))
        )

    def __repr__(self):
        return f"<{self.name()}>"

    def _check_saved(self):
        """Raise if an array this node saved for backward was changed in place
        after the node was recorded (its gradient would be computed from the
        new values), or if backward already freed them."""
        if self.saved is None:
            self.saved_tensors  # raises the "second time" error
        if versions.changed_since(self.saved, self.seq):
            raise GraphError(
                f"{self.name()}: one of the tensors it saved for backward was modified by an "
                "in-place operation after it was recorded. Use an out-of-place op "
                "(x = x + 1 instead of x += 1) or .clone() the tensor first."
            )


class AccumulateGrad:
    """What ``next_functions`` shows for a leaf that requires grad, as PyTorch:
    the step that adds the gradient into ``variable.grad``."""

    __slots__ = ("variable",)
    next_functions = ()

    def __init__(self, variable):
        self.variable = variable

    def name(self):
        return "torch::autograd::AccumulateGrad"

    def __repr__(self):
        return "<AccumulateGrad>"


def Variable(data, requires_grad=False, volatile=False):  # noqa: N802 (PyTorch's name)
    """PyTorch's legacy wrapper, kept for old code (since PyTorch 0.4 a Variable
    is a Tensor): a new leaf sharing ``data``'s memory, outside any graph
    (``data.detach()``), requiring grad when asked."""
    if not isinstance(data, Tensor):
        raise TypeError(f"Variable: data has to be a tensor, got {type(data).__name__}")
    return data.detach().requires_grad_(bool(requires_grad))


class Op(Node):
    """Base of the built-in ops: subclasses define ``forward(ctx, *args)``
    returning an ndarray and ``backward(ctx, grad)`` returning one gradient
    array (or None) per argument, and state, in the article's notation, what
    they compute and their local derivative rule, which ``glassnet.explain``
    shows (read by ``explain.trace.rules.op_rule``)::

        formula = "out = a · b"
        rule = "∂out/∂a = b, ∂out/∂b = a"

    ``rule`` says what ``backward`` computes: ∂out/∂x for an elementwise op
    (backward multiplies ∂L/∂out by it, ⊙), else ∂L/∂x in terms of ∂L/∂out
    (Σ, ᵀ, @). Each op class states its own (a subclass does not inherit
    them); tests/test_op_rules.py checks that every one does."""

    differentiable = True
    formula = ""  # what the op computes, e.g. "a = σ(z)"
    rule = ""  # its local derivative rule, e.g. "∂a/∂z = a(1 − a)"

    # For create_graph=True (gradients that can be differentiated again) an op gives its
    # backward as recorded ops in one of two ways (backprop.differentiable_grads):
    # backward_graph(ctx, grad) -> one Tensor (or None) per input, written with Tensor
    # operations on grad and ctx.parents; or composite(ctx, *inputs) -> its forward
    # written with other ops, whose graph the walk differentiates.
    backward_graph = None
    composite = None
    # what a create_graph walk that meets an op with neither says to do instead
    no_graph_hint = "Higher-order gradients through this op are not supported."

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError

    @staticmethod
    def backward(ctx, grad):
        raise NotImplementedError

    def _run_backward(self, grad):
        return self.backward(self, grad)

    @classmethod
    def apply(cls, *args, **kwargs):
        ctx = cls.__new__(cls)
        ctx.saved = ()
        arrays, edges, needs = [], [], []
        record = False
        for a in args:
            if isinstance(a, Tensor):
                data = a._data
                arrays.append(data)
                # the node that made each input, taken now: an in-place change that later
                # gives an input a new grad_fn must not reroute this op's gradient
                edges.append(a.grad_fn)
                need = a.requires_grad
                needs.append(need)
                if need:
                    record = True
            else:
                arrays.append(a)
                edges.append(None)
                needs.append(False)
        if record and state.enabled and cls.differentiable:
            ctx.seq = next(versions.clock)
            ctx.links = args + tuple(edges)
            ctx.needs_input_grad = tuple(needs)
            out = cls.forward(ctx, *arrays, **kwargs)
            if out.__class__ is not np.ndarray:
                out = np.asarray(out)
            result = Tensor._make(out, True, ctx)
        else:
            ctx.needs_input_grad = None
            out = cls.forward(ctx, *arrays, **kwargs)
            if out.__class__ is not np.ndarray:
                out = np.asarray(out)
            result = Tensor._make(out, False, None)
        if state.anomaly:
            _check_finite(out, f"{cls.__name__} forward")
        return result


def _edges(args):
    """The node that made each input, taken now: an in-place change that later
    gives an input tensor a new grad_fn must not reroute this op's gradient."""
    return [a.grad_fn if isinstance(a, Tensor) else None for a in args]


class Function(Node):
    """User-defined op, as ``torch.autograd.Function``::

        class Cube(gn.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x ** 3
            @staticmethod
            def backward(ctx, grad):
                x, = ctx.saved_tensors
                return grad * 3 * x ** 2

        y = Cube.apply(x)

    ``forward`` receives tensors (outside the graph) and returns a tensor;
    ``backward`` receives and returns tensors, one gradient (or None) per input.
    Set ``formula`` and ``rule`` (see ``Op``) to have ``glassnet.explain``
    show them: ``formula = "out = x³"``, ``rule = "∂out/∂x = 3x²"``.
    """

    _user = True

    @classmethod
    def apply(cls, *args, **kwargs):
        ctx = cls.__new__(cls)
        ctx.saved = ()
        needs = any(isinstance(a, Tensor) and a.requires_grad for a in args)
        inner = tuple(a.detach() if isinstance(a, Tensor) else a for a in args)
        with no_grad():
            out = cls.forward(ctx, *inner, **kwargs)
        if not isinstance(out, Tensor):
            raise TypeError(
                f"{cls.__name__}.forward must return a Tensor, got {type(out).__name__}"
            )
        if needs and state.enabled:
            ctx.seq = next(versions.clock)
            ctx._inner = inner
            ctx.links = (*args, *_edges(args))
            ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
            return Tensor._make(out._data, True, ctx)
        return Tensor._make(out._data, False, None)

    def _checked(self, grads):
        """backward's result as a tuple, one gradient per forward input, or a clear error."""
        if not isinstance(grads, tuple):
            grads = (grads,)
        if len(grads) != len(self.parents):
            raise GraphError(
                f"{type(self).__name__}.backward returned {len(grads)} gradients, "
                f"expected {len(self.parents)} (one per forward input)"
            )
        return grads

    def _graph_backward(self, grad):
        """backward for create_graph=True: recorded, with the saved inputs
        standing for the graph's own input tensors (forward saw detached copies)."""
        inner = self.__dict__.get("_inner", ())
        swap = {id(d): p for d, p in zip(inner, self.parents) if isinstance(d, Tensor)}
        kept = self.saved
        self.saved = tuple(swap.get(id(s), s) for s in kept)
        try:
            grads = self._checked(self.backward(self, grad))
        finally:
            self.saved = kept
        return tuple(
            g if g is None or isinstance(g, Tensor) else Tensor(to_array(g)) for g in grads
        )

    def _run_backward(self, grad):
        with no_grad():
            grads = self._checked(self.backward(self, Tensor._make(grad, False, None)))
        taken = [s._data if isinstance(s, Tensor) else s for s in self.saved]
        taken += [p._data for p in self.parents if isinstance(p, Tensor)]
        out = []
        for g in grads:
            if g is None:
                out.append(None)
                continue
            arr = to_array(g)
            # a gradient that is an input or a saved array must not be accumulated into
            if any(arr is t for t in taken):
                arr = arr.copy()
            out.append(arr)
        return tuple(out)


def _root_grad(t, gradient):
    if gradient is None:
        if t._data.size != 1:
            raise GraphError(
                f"backward: grad can be implicitly created only for scalar outputs, this output "
                f"has shape {t.shape}. Pass gradient= (an array of that shape), or reduce it "
                "first (e.g. loss.sum() or loss.mean())."
            )
        seed = np.empty(t._data.shape, dtype=t._data.dtype)  # (np.ones is slower for one number)
        seed.fill(1)
        return seed
    g = to_array(gradient, dtype=t._data.dtype, copy=True)
    if g.shape != t._data.shape:
        raise ShapeError(
            f"backward: gradient has shape {g.shape}, expected the output's shape {t.shape}"
        )
    return g


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """Accumulate d(tensors)/d(leaf) into every contributing leaf's ``.grad``.
    With ``create_graph=True`` the gradients are recorded (``.grad`` carries a
    graph and can be differentiated again, and is added to out of place);
    ``retain_graph`` then defaults to True."""
    if retain_graph is None:
        retain_graph = create_graph
    if inputs is not None:
        # only these tensors get gradients added into .grad (as PyTorch's inputs=)
        inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
        outs = [tensors] if isinstance(tensors, Tensor) else list(tensors)
        gouts = [grad_tensors] if isinstance(tensors, Tensor) else grad_tensors
        got = grad(outs, inputs, gouts, retain_graph, create_graph, allow_unused=True)
        for x, g in zip(inputs, got):
            if g is not None:
                _add_to_grad(x, g, create_graph, hooked=True)
        return
    if tensors.__class__ is Tensor and tensors.grad_fn is not None and not create_graph:
        # loss.backward(), the usual call: one root that an op made (so it requires grad)
        _run((tensors,), (_root_grad(tensors, grad_tensors),), bool(retain_graph))
        return
    if isinstance(tensors, Tensor):
        tensors = [tensors]
        grad_tensors = [grad_tensors]
    elif grad_tensors is None:
        grad_tensors = [None] * len(tensors)
    roots, grads = [], []
    for t, g in zip(tensors, grad_tensors):
        if not t.requires_grad:
            raise GraphError(
                f"backward: this tensor (shape {t.shape}) does not require grad and has no "
                "grad_fn; did you create it inside no_grad(), or forget requires_grad=True "
                "on the inputs?"
            )
        gr = _root_grad_tensor(t, g) if create_graph else _root_grad(t, g)
        if t.grad_fn is None:  # a leaf: its gradient is the seed itself
            _add_to_grad(t, gr, create_graph)
            continue
        roots.append(t)
        grads.append(gr)
    if roots and create_graph:
        with enable_grad():
            _run_graph(roots, grads, bool(retain_graph))
    elif roots:
        _run(roots, grads, bool(retain_graph))


def _add_to_grad(t, g, create_graph, hooked=False):
    """A leaf's gradient into its ``.grad``: in place (a NumPy add, after its hooks
    unless ``hooked``: grad() ran them already), or, for create_graph, as a
    recorded sum; then its post-accumulate hooks."""
    if create_graph:
        t.grad = g if t.grad is None else t.grad + g
    else:
        g = g._data if g.__class__ is Tensor else g
        _accumulate(t, _apply_hooks(t._hooks, g) if t._hooks and not hooked else g, set())
    if t._post_hooks:
        _run_post_hooks(t)


def grad(
    outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, allow_unused=False
):
    """Return d(outputs)/d(inputs) as a tuple of tensors, leaving ``.grad`` alone.
    With ``create_graph=True`` they carry a graph of their own (differentiable
    again, to any order); ``retain_graph`` then defaults to True."""
    if retain_graph is None:
        retain_graph = create_graph
    single = isinstance(inputs, Tensor)
    inputs = [inputs] if single else list(inputs)
    outputs = [outputs] if isinstance(outputs, Tensor) else list(outputs)
    if grad_outputs is None or isinstance(grad_outputs, Tensor):
        grad_outputs = [grad_outputs] * len(outputs)
    capture = {}
    marked = {}  # node -> its _watched before this call: put back after the walk
    try:
        for x in inputs:
            if not x.requires_grad:
                raise GraphError(f"grad: an input of shape {x.shape} does not require grad")
            capture[id(x)] = None
            node = x.grad_fn
            if node is not None:
                marked.setdefault(node, node._watched)
                node._capture_id = id(x)
                node._watched = True
        roots, grads = [], []
        for t, g in zip(outputs, grad_outputs):
            if not t.requires_grad:
                raise GraphError(f"grad: an output of shape {t.shape} does not require grad")
            gr = _root_grad_tensor(t, g) if create_graph else _root_grad(t, g)
            if t.grad_fn is None:
                if id(t) in capture:
                    capture[id(t)] = gr if capture[id(t)] is None else capture[id(t)] + gr
                continue
            roots.append(t)
            grads.append(gr)
        if roots and create_graph:
            with enable_grad():
                _run_graph(roots, grads, bool(retain_graph), capture=capture)
        elif roots:
            _run(roots, grads, bool(retain_graph), capture=capture)
    finally:  # the graph as it was: no capture mark, _watched only where hooks/retain_grad set it
        for node, watched in marked.items():
            node.__dict__.pop("_capture_id", None)
            node._watched = watched
    result = []
    for x in inputs:
        g = capture[id(x)]
        if g is None and not allow_unused:
            raise GraphError(
                f"grad: an input of shape {x.shape} was not used to compute the "
                "outputs; pass allow_unused=True to get None for it"
            )
        if g is not None and g.__class__ is not Tensor:
            g = Tensor._make(g, False, None)
        result.append(g)
    return tuple(result)


def _root_grad_tensor(t, gradient):
    """The seed of a create_graph walk, as a Tensor: ones for a scalar output, or the
    given gradient (which may itself require grad: its graph is kept)."""
    if isinstance(gradient, Tensor):
        if gradient.shape != t.shape:
            raise ShapeError(
                f"backward: gradient has shape {tuple(gradient.shape)}, expected the output's "
                f"shape {tuple(t.shape)}"
            )
        return gradient
    return Tensor._make(_root_grad(t, gradient), False, None)


_tensor_module._backward = (
    backward  # Tensor.backward calls it (tensor.py cannot import this module)
)
