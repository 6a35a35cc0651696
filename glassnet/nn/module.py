"""Module: the base class of every layer, loss and model.

A Module holds Parameters, buffers (tensors that are state but are not
learned) and sub-modules, each registered by assigning it to an attribute::

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.hidden = nn.Linear(1, 2)     # a sub-module named "hidden"
            self.out = nn.Linear(2, 1)

        def forward(self, x):
            return self.out(self.hidden(x).relu())

``parameters()`` walks the tree (what an optimizer updates), ``state_dict()``
names every tensor by its dotted path (``"hidden.weight"``), exactly as
PyTorch does, so weights move between the two libraries by name (those
methods, and the dtype casts, are in ``module_state``).
"""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING, Any

import numpy as np

from ..tensor import Tensor
from .handles import IncompatibleKeys, RemovableHandle, StateDictError
from .module_state import ModuleState
from .parameter import Parameter

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from typing_extensions import Self

    from ..hints import DTypeLike
    from ._hints import _P, _R, _Forward
    from .summary import ModelSummary

__all__ = ["Module", "IncompatibleKeys", "RemovableHandle", "StateDictError"]


def _addindent(text: str, spaces: int) -> str:
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    return lines[0] + "\n" + "\n".join(" " * spaces + line for line in lines[1:])


class Module(ModuleState):
    """Base class of layers and models: subclasses call ``super().__init__()``
    first, assign their Parameters and sub-modules as attributes and define
    ``forward``. Calling the module runs ``forward`` (with any hooks). The
    dtype and state-dict methods (``to``, ``state_dict``, ``load_state_dict``…)
    come from ``ModuleState`` (``nn/module_state.py``)."""

    training: bool
    _parameters: dict[str, Parameter | None]
    _buffers: dict[str, Tensor | None]
    _non_persistent_buffers: set[str]
    _modules: dict[str, Any]  # a Module, or None (add_module(name, None)), as PyTorch
    _forward_hooks: dict[int, Callable[..., Any]]
    _forward_pre_hooks: dict[int, Callable[..., Any]]

    def __init__(self) -> None:
        d = self.__dict__
        d["training"] = True
        d["_parameters"] = OrderedDict()
        d["_buffers"] = OrderedDict()
        d["_non_persistent_buffers"] = set()
        d["_modules"] = OrderedDict()
        d["_forward_hooks"] = OrderedDict()
        d["_forward_pre_hooks"] = OrderedDict()

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(
            f'Module [{type(self).__name__}] is missing the required "forward" function'
        )

    def _call_impl(self, *args: Any, **kwargs: Any) -> Any:
        if self._forward_pre_hooks or self._forward_hooks:
            return self._call_with_hooks(args, kwargs)
        return self.forward(*args, **kwargs)

    if TYPE_CHECKING:
        # mypy reads a call as a call of the subclass's forward (arguments and result)
        def __call__(self: _Forward[_P, _R], *args: _P.args, **kwargs: _P.kwargs) -> _R: ...
    else:
        __call__ = _call_impl

    def _call_with_hooks(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        for hook in list(self._forward_pre_hooks.values()):
            new = hook(self, args)
            if new is not None:
                args = new if isinstance(new, tuple) else (new,)
        out = self.forward(*args, **kwargs)
        for hook in list(self._forward_hooks.values()):
            new = hook(self, args, out)
            if new is not None:
                out = new
        return out

    def register_forward_hook(
        self, hook: Callable[[Module, tuple[Any, ...], Any], Any]
    ) -> RemovableHandle:
        """Call ``hook(module, args, output)`` after each forward; a non-None
        return value replaces the output."""
        handle = RemovableHandle(self._forward_hooks)
        self._forward_hooks[handle.id] = hook
        return handle

    def register_forward_pre_hook(
        self, hook: Callable[[Module, tuple[Any, ...]], Any]
    ) -> RemovableHandle:
        """Call ``hook(module, args)`` before each forward; a non-None return
        value replaces the positional arguments."""
        handle = RemovableHandle(self._forward_pre_hooks)
        self._forward_pre_hooks[handle.id] = hook
        return handle

    # ---- registration ------------------------------------------------------
    def _check_init(self, what: str) -> None:
        if "_parameters" not in self.__dict__:
            raise AttributeError(
                f"{type(self).__name__}: cannot assign {what} before "
                "Module.__init__() call; call super().__init__() first"
            )

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Add a Parameter (or None) named ``name``."""
        self._check_init("parameters")
        self._check_name(name, "parameter")
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(
                f"{type(self).__name__}.register_parameter: cannot assign a "
                f"{type(param).__name__} as parameter {name!r} (expected "
                "nn.Parameter or None); wrap it as nn.Parameter(t)"
            )
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Add a buffer: a tensor that is module state but not learned (saved in
        ``state_dict`` unless ``persistent=False``)."""
        self._check_init("buffers")
        self._check_name(name, "buffer")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(
                f"{type(self).__name__}.register_buffer: cannot assign a "
                f"{type(tensor).__name__} as buffer {name!r} (expected a Tensor "
                "or None)"
            )
        if isinstance(tensor, Parameter):
            raise TypeError(
                f"{type(self).__name__}.register_buffer: {name!r} is a Parameter; "
                "use register_parameter for learned tensors"
            )
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers.discard(name)
        else:
            self._non_persistent_buffers.add(name)

    def add_module(self, name: str, module: Module | None) -> None:
        """Add a sub-module (or None) named ``name``."""
        self._check_init("modules")
        if module is not None and not isinstance(module, Module):
            raise TypeError(
                f"{type(self).__name__}.add_module: {type(module).__name__} is "
                f"not a Module (for sub-module {name!r})"
            )
        self._check_name(name, "module")
        self._modules[name] = module

    register_module = add_module

    def _check_name(self, name: str, kind: str) -> None:
        if not isinstance(name, str):
            raise TypeError(
                f"{type(self).__name__}: {kind} name must be a string, got {type(name).__name__}"
            )
        if not name or "." in name:
            raise KeyError(
                f"{type(self).__name__}: {kind} name {name!r} must be non-empty and contain no '.'"
            )
        if hasattr(type(self), name) or name in self.__dict__ or self._owner_of(name, kind):
            raise KeyError(f"{type(self).__name__}: attribute {name!r} already exists")

    def _owner_of(self, name: str, kind: str) -> bool:
        """True when ``name`` is taken by a different kind of member."""
        kinds: dict[str, dict[str, Any]] = {
            "parameter": self._parameters,
            "buffer": self._buffers,
            "module": self._modules,
        }
        return any(name in d for k, d in kinds.items() if k != kind)

    def __setattr__(self, name: str, value: Any) -> None:
        d = self.__dict__
        params = d.get("_parameters")
        if isinstance(value, Parameter):
            self._check_init("parameters")
            self._remove_member(name, "_parameters")
            d["_parameters"][name] = value
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(
                    f"{type(self).__name__}: cannot assign a {type(value).__name__}"
                    f" to parameter {name!r} (expected nn.Parameter or None)"
                )
            params[name] = None
        elif isinstance(value, Module):
            self._check_init("modules")
            self._remove_member(name, "_modules")
            d["_modules"][name] = value
        elif d.get("_modules") is not None and name in d["_modules"]:
            if value is not None:
                raise TypeError(
                    f"{type(self).__name__}: cannot assign a {type(value).__name__}"
                    f" to sub-module {name!r} (expected a Module or None)"
                )
            d["_modules"][name] = None
        elif d.get("_buffers") is not None and name in d["_buffers"]:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(
                    f"{type(self).__name__}: cannot assign a {type(value).__name__}"
                    f" to buffer {name!r} (expected a Tensor or None)"
                )
            d["_buffers"][name] = value
        else:
            object.__setattr__(self, name, value)

    def _remove_member(self, name: str, keep: str) -> None:
        """Forget ``name`` as any other kind of attribute than ``keep``."""
        d = self.__dict__
        d.pop(name, None)
        for key in ("_parameters", "_buffers", "_modules"):
            if key != keep:
                d[key].pop(name, None)
        d["_non_persistent_buffers"].discard(name)

    # a Parameter, buffer or sub-module by name: Any to mypy (PyTorch's Tensor | Module
    # would flag ``init.xavier_uniform_(model[0].weight)``, which is right)
    def __getattr__(self, name: str) -> Any:
        d = self.__dict__
        if "_parameters" not in d:
            raise AttributeError(
                f"'{type(self).__name__}' object has no attribute '{name}': "
                "its __init__ must call super().__init__() first"
            )
        for key in ("_parameters", "_buffers", "_modules"):
            members = d[key]
            if name in members:
                return members[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        for key in ("_parameters", "_buffers", "_modules"):
            if name in self.__dict__.get(key, ()):
                del self.__dict__[key][name]
                self._non_persistent_buffers.discard(name)
                return
        object.__delattr__(self, name)

    def __dir__(self) -> list[str]:
        return sorted(
            set(super().__dir__()) | set(self._parameters) | set(self._buffers) | set(self._modules)
        )

    # ---- walking the tree --------------------------------------------------
    def named_modules(
        self, memo: set[Module] | None = None, prefix: str = "", remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Module]]:
        """(dotted name, module) for this module and every descendant, pre-order;
        a module reached twice is listed once."""
        if memo is None:
            memo = set()
        stack = [(prefix, self)]
        while stack:
            name, module = stack.pop()
            if remove_duplicate:
                if module in memo:
                    continue
                memo.add(module)
            yield name, module
            children = [
                (name + "." + key if name else key, child)
                for key, child in module._modules.items()
                if child is not None
            ]
            stack.extend(reversed(children))

    def modules(self) -> Iterator[Module]:
        for _, m in self.named_modules():
            yield m

    def named_children(self) -> Iterator[tuple[str, Module]]:
        seen = set()
        for name, m in self._modules.items():
            if m is not None and m not in seen:
                seen.add(m)
                yield name, m

    def children(self) -> Iterator[Module]:
        for _, m in self.named_children():
            yield m

    def _named_members(
        self, kind: str, prefix: str, recurse: bool, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Any]]:
        seen = set()
        modules = (
            self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate)
            if recurse
            else [(prefix, self)]
        )
        for mod_prefix, module in modules:
            for name, t in module.__dict__[kind].items():
                if t is None or (remove_duplicate and id(t) in seen):
                    continue
                seen.add(id(t))
                yield (mod_prefix + "." + name if mod_prefix else name), t

    def named_parameters(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Parameter]]:
        """(dotted name, Parameter) pairs; a shared Parameter is listed once."""
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Tensor]]:
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def get_submodule(self, target: str) -> Module:
        """The sub-module at dotted path ``target`` (``""`` is this module)."""
        module = self
        for part in target.split(".") if target else []:
            child = module._modules.get(part)
            if child is None:
                raise AttributeError(
                    f"{type(module).__name__} has no sub-module {part!r} (looking up {target!r})"
                )
            module = child
        return module

    def apply(self, fn: Callable[[Module], object]) -> Self:
        """Call ``fn(m)`` on every sub-module (children first) and on self;
        e.g. ``model.apply(init_weights)``. Returns self."""
        for m in self.children():
            m.apply(fn)
        fn(self)
        return self

    # ---- modes and gradients -------------------------------------------------
    def train(self, mode: bool = True) -> Self:
        """Training mode (Dropout active) when ``mode`` is true, else evaluation."""
        if not isinstance(mode, bool):
            raise ValueError(f"{type(self).__name__}.train: mode must be a bool, got {mode!r}")
        for m in self.modules():
            m.__dict__["training"] = mode
        return self

    def eval(self) -> Self:
        """Evaluation mode: Dropout passes its input through. Same as train(False)."""
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Self:
        """Freeze (False) or unfreeze every parameter. Returns self."""
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clear every parameter's gradient: set ``.grad`` to None (default) or
        fill the existing gradient with zeros in place."""
        for p in self.parameters():
            if p.grad is None:
                continue
            if set_to_none:
                p.grad = None
            elif p.grad._data.flags.writeable:
                p.grad._data[...] = 0
            else:
                p.grad = Tensor(np.zeros_like(p.grad._data))

    # ---- printing --------------------------------------------------------------
    def extra_repr(self) -> str:
        """The text inside the parentheses of this module's repr."""
        return ""

    def __repr__(self) -> str:
        lines = []
        extra = self.extra_repr()
        if extra:
            lines = extra.split("\n")
        for name, m in self._modules.items():
            lines.append("(" + name + "): " + _addindent(repr(m), 2))
        head = type(self).__name__ + "("
        if not lines:
            return head + ")"
        if len(lines) == 1 and not self._modules:
            return head + lines[0] + ")"
        return head + "\n  " + "\n  ".join(lines) + "\n)"

    def _repr_html_(self) -> str:
        """What a notebook shows: the repr, then the summary table (layers and
        parameter counts)."""
        from html import escape

        table = self.summary()._repr_html_()
        head = f"<summary><code>{escape(type(self).__name__)}</code></summary>"
        return f"<details>{head}<pre>{escape(repr(self))}</pre></details>{table}"

    def summary(self, input_size: Any = None, dtype: DTypeLike | None = None) -> ModelSummary:
        """A table of every layer, its output shape for an input of
        ``input_size`` (batch dimension included) and its parameter count;
        ``print(model.summary((1, 784)))``. See ``glassnet.nn.summary``."""
        from .summary import summary

        return summary(self, input_size, dtype)
