"""Optimizer: the base of every update rule (SGD, Adam, ...).

It holds ``param_groups`` (a list of dicts: ``'params'`` plus that group's
hyper-parameters, missing ones filled from ``defaults``) and ``state`` (per
parameter: step counts and running averages, as ndarrays). ``step()`` walks
every parameter that has a gradient and lets the subclass's ``_update``
change ``p._data`` in place; ``state_dict()`` / ``load_state_dict()`` use
PyTorch's layout, so a checkpoint can move between the two libraries::

    {'state': {0: {'step': array(3.), 'exp_avg': array(...), ...}, ...},
     'param_groups': [{'lr': 0.001, ..., 'params': [0, 1, 2]}]}

Differences from PyTorch: state arrays are NumPy arrays (``step`` is a Python
int in ``state`` and a 0-d float64 array in ``state_dict()``), a parameter
listed twice in one group is an error (PyTorch warns), hyper-parameters of
every group are checked (PyTorch checks only the constructor's), and
``load_state_dict`` copies the arrays it is given (PyTorch may alias them).
"""

from __future__ import annotations

import copy
import math
import numbers
from collections import defaultdict
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import alloc, dtypes, versions
from ..errors import DTypeError, ShapeError
from ..grad_mode import enable_grad
from ..tensor import Tensor

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from typing import TypeAlias

    # what every optimizer takes: Tensors (model.parameters()), or param groups (dicts)
    Params: TypeAlias = "Iterable[Tensor] | Iterable[dict[str, Any]]"


class Optimizer:
    """Base class: ``Optimizer(params, defaults)``.

    ``params`` is an iterable of Tensors, or of dicts (param groups) each with
    a ``'params'`` entry and optional per-group hyper-parameters. Subclasses
    set ``defaults``, check a group in ``_check_group`` and update one
    parameter in ``_update(param, grad, state, group)`` (arrays, in place).
    """

    def __init__(self, params: Params, defaults: dict[str, Any]) -> None:
        name = type(self).__name__
        if isinstance(params, Tensor):
            raise TypeError(
                f"{name}: params must be an iterable of Tensors or dicts, got a "
                f"single Tensor of shape {params.shape}; pass [tensor] or "
                "model.parameters()"
            )
        if isinstance(params, (set, frozenset)):
            raise TypeError(
                f"{name}: params must be an ordered collection (a list), not a set: "
                "a set's order changes between runs"
            )
        try:
            groups: list[Any] = list(params)
        except TypeError:
            raise TypeError(
                f"{name}: params must be an iterable of Tensors or dicts, got "
                f"{type(params).__name__}"
            ) from None
        if not groups:
            raise ValueError(f"{name}: got an empty parameter list")
        self.defaults = defaults
        self.state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        self._step_calls = 0
        self._workspace: dict[Any, Any] = {}
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    # ---- groups ---------------------------------------------------------------
    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a dict with ``'params'`` (and optional hyper-parameters; the
        rest come from ``defaults``), e.g. to unfreeze layers while training."""
        name = type(self).__name__
        index = len(self.param_groups)
        if not isinstance(param_group, dict):
            raise TypeError(
                f"{name}: a param group must be a dict with a 'params' entry, got "
                f"{type(param_group).__name__}"
            )
        if "params" not in param_group:
            raise ValueError(f"{name}: param group {index} has no 'params' entry")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, (set, frozenset)):
            raise TypeError(
                f"{name}: the params of param group {index} must be an ordered "
                "collection (a list), not a set"
            )
        else:
            params = list(params)
        for i, p in enumerate(params):
            where = f"{name}: param {i} of param group {index}"
            if not isinstance(p, Tensor):
                raise TypeError(
                    f"{where} is a {type(p).__name__}; an optimizer can only optimize Tensors"
                )
            if not dtypes.is_float(p.dtype):
                raise DTypeError(
                    f"{where} is a {p.dtype} tensor of shape {p.shape}; only "
                    "floating-point tensors can be optimized"
                )
            if not p.is_leaf:
                raise ValueError(
                    f"{where} (shape {p.shape}) is not a leaf tensor: it was "
                    "computed by an op; optimize the tensors you created (or "
                    ".detach().requires_grad_() it)"
                )
        if len({id(p) for p in params}) != len(params):
            raise ValueError(f"{name}: param group {index} lists the same parameter twice")
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in seen for p in params):
            raise ValueError(
                f"{name}: some parameters of param group {index} are already in "
                "another param group; a parameter can be in only one group"
            )
        group = dict(param_group)
        group["params"] = params
        for key, value in self.defaults.items():
            group.setdefault(key, value)
        self._check_group(group, index)
        self.param_groups.append(group)

    def _check_group(self, group, index):
        """Raise a clear error for a bad hyper-parameter (subclasses)."""

    def _bad(self, index, message):
        where = f" (param group {index})" if index else ""
        return ValueError(f"{type(self).__name__}: {message}{where}")

    def _number(self, group, index, key, low=0.0, high=None, high_open=False):
        """Check that ``group[key]`` is a real number in [low, high] (or [low, high))."""
        value = group[key]
        if isinstance(value, (bool, str, bytes)) or not _is_real(value):
            raise TypeError(
                f"{type(self).__name__}: {key} must be a number, got "
                f"{type(value).__name__} {value!r}"
            )
        x = float(value)
        if high is None:
            ok, expected = x >= low, f">= {low:g}"
        elif high_open:
            ok, expected = low <= x < high, f"in [{low:g}, {high:g})"
        else:
            ok, expected = low <= x <= high, f"in [{low:g}, {high:g}]"
        if not ok:
            raise self._bad(index, f"{key} must be {expected}, got {value!r}")

    # ---- stepping -------------------------------------------------------------
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clear the gradients: set ``.grad`` to None (default, as PyTorch), or
        with ``set_to_none=False`` fill the existing gradient arrays with 0 in
        place (backward then accumulates into the same buffers)."""
        for group in self.param_groups:
            for p in group["params"]:
                g = p.grad
                if g is None:
                    continue
                if set_to_none:
                    p.grad = None
                elif g._data.flags.writeable:
                    g._data.fill(0)
                    versions.bump(g)
                else:
                    p.grad = Tensor._make(np.zeros_like(g._data), False, None)

    def step(self, closure: Callable[[], Tensor] | None = None) -> Tensor | None:
        """Update every parameter that has a ``.grad``. ``closure``, if given,
        re-evaluates the model and returns the loss (run with grad enabled);
        that loss is returned."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        self._step_calls += 1
        for group in self.param_groups:
            self._step_group(group)
        return loss

    def _step_group(self, group):
        """Update the parameters of ``group`` that have a gradient, one by one
        (an optimizer with a faster whole-group path overrides this)."""
        state = self.state
        for p in self._with_grads(group):
            self._update(p._data, p.grad._data, state[p], group)

    def _with_grads(self, group):
        """The parameters of ``group`` that have a ``.grad`` (of their shape);
        the caller changes them in place, so their versions move on."""
        params = []
        for p in group["params"]:
            g = p.grad
            if g is None:
                continue
            if g._data.shape != p._data.shape:
                raise ShapeError(
                    f"{type(self).__name__}.step: a parameter of shape "
                    f"{p.shape} has a gradient of shape {g.shape}"
                )
            params.append(p)
        versions.bump(*params)
        return params

    def _update(self, param, grad, state, group):
        """Change ``param`` (ndarray) in place from ``grad`` (never written to)."""
        raise NotImplementedError(f"{type(self).__name__} must define _update")

    def _scratch(self, like, n):
        """``n`` scratch arrays shaped like ``like``, carved from one flat buffer
        per dtype that is reused by every parameter and step (so a steady-state
        step allocates nothing). Their contents are garbage on return."""
        size = like.size
        buf = self._workspace.get(like.dtype)
        if buf is None or buf.size < n * size:
            buf = alloc.empty(n * size, like.dtype)
            self._workspace[like.dtype] = buf
        return [buf[i * size : (i + 1) * size].reshape(like.shape) for i in range(n)]

    # ---- saving ---------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """``{'state': {index: {...}}, 'param_groups': [{..., 'params': [indices]}]}``.

        Parameters are numbered in group order. The arrays are the live
        buffers (as in PyTorch): ``copy.deepcopy`` the result for a snapshot."""
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            packed["params"] = [index.setdefault(id(p), len(index)) for p in group["params"]]
            groups.append(packed)
        state = {}
        for group in self.param_groups:
            for p in group["params"]:
                s = self.state.get(p)
                if s:
                    state[index[id(p)]] = {
                        k: (np.array(float(v)) if k == "step" else v) for k, v in s.items()
                    }
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Load a ``state_dict()`` (of this library, or PyTorch's with tensors or
        arrays as values) into an optimizer built on the same parameter list.
        Arrays are copied and cast to each parameter's dtype."""
        name = f"{type(self).__name__}.load_state_dict"
        if not isinstance(state_dict, dict) or not {"state", "param_groups"} <= set(state_dict):
            raise ValueError(
                f"{name}: expected a dict with 'state' and 'param_groups' entries, "
                f"got {type(state_dict).__name__}"
                + (
                    f" with keys {sorted(map(str, state_dict))}"
                    if isinstance(state_dict, dict)
                    else ""
                )
            )
        saved = state_dict["param_groups"]
        if len(saved) != len(self.param_groups):
            raise ValueError(
                f"{name}: the state dict has {len(saved)} param groups, this "
                f"optimizer has {len(self.param_groups)}"
            )
        by_index = {}
        for i, (group, sg) in enumerate(zip(self.param_groups, saved)):
            if len(sg["params"]) != len(group["params"]):
                raise ValueError(
                    f"{name}: param group {i} of the state dict has "
                    f"{len(sg['params'])} parameters, this optimizer's has "
                    f"{len(group['params'])}"
                )
            for k, p in zip(sg["params"], group["params"]):
                by_index[int(k)] = p
        state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        for k, values in state_dict["state"].items():
            if int(k) not in by_index:
                raise ValueError(
                    f"{name}: the state dict has state for parameter {k}, which "
                    "no param group lists"
                )
            p = by_index[int(k)]
            state[p] = {key: _load_value(name, k, key, v, p) for key, v in values.items()}
        groups = []
        for i, (group, sg) in enumerate(zip(self.param_groups, saved)):
            new = {key: copy.deepcopy(v) for key, v in sg.items() if key != "params"}
            new["params"] = group["params"]
            for key, value in self.defaults.items():
                new.setdefault(key, value)
            self._check_group(new, i)
            groups.append(new)
        self.param_groups = groups
        self.state = state

    def __repr__(self):
        lines = [type(self).__name__ + " ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {group[k]}" for k in sorted(group) if k != "params"]
        return "\n".join(lines) + "\n)"


def _is_real(value):
    if isinstance(value, numbers.Real):
        return True
    if isinstance(value, (np.ndarray, Tensor)) and np.size(value) == 1:
        return np.asarray(value).dtype.kind in "fiu"
    return False


def _load_value(name, k, key, value, param):
    """A state value from a state dict: ``step`` becomes an int, arrays are
    copied with the parameter's dtype and checked against its shape."""
    if key == "step":
        return int(round(float(np.asarray(value))))
    if value is None or isinstance(value, (numbers.Number, str)):
        return value
    arr = np.asarray(value._data if isinstance(value, Tensor) else value)
    arr = arr.astype(param.dtype if arr.dtype.kind == "f" else arr.dtype, copy=True)
    if arr.shape != param.shape:
        raise ShapeError(
            f"{name}: state '{key}' of parameter {k} has shape {arr.shape}, "
            f"but the parameter has shape {param.shape}"
        )
    return arr


def decayed_grad(grad, param, weight_decay, maximize, out):
    """g' = ±grad + weight_decay·param (minus when maximizing), written into
    ``out`` when it differs from ``grad``; ``grad`` itself is never changed."""
    if weight_decay != 0:
        np.multiply(param, weight_decay, out=out)
        if maximize:
            np.subtract(out, grad, out=out)
        else:
            np.add(out, grad, out=out)
        return out
    if maximize:
        return np.negative(grad, out=out)
    return grad


def bias_corrections(beta1, beta2, step):
    """Adam's 1 − β₁ᵗ and √(1 − β₂ᵗ), as Python floats (never upcast float32)."""
    return 1.0 - beta1**step, math.sqrt(1.0 - beta2**step)
