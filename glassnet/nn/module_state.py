"""A Module's tensors as data: casting them (``to``, ``double``, ``float``; ``cpu``
and ``cuda``, since glassnet runs on the CPU only) and naming, saving and
loading them (``state_dict``, ``load_state_dict``), with PyTorch's names.

``Module`` inherits these methods from ``ModuleState``; they touch only the
parameters and buffers of the module tree, never its structure or forward.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import versions
from ..devices import as_device, to_args
from ..errors import DTypeError
from ..grad_mode import no_grad
from ..tensor import Tensor
from .handles import IncompatibleKeys, StateDictError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping

    from typing_extensions import Self

    from ..hints import TensorLike
    from .module import Module
    from .parameter import Parameter

__all__ = ["ModuleState"]


class ModuleState:
    """The dtype, device and state-dict methods of ``Module`` (its base class)."""

    if TYPE_CHECKING:  # what Module defines, as these methods use it
        _parameters: dict[str, Parameter | None]
        _buffers: dict[str, Tensor | None]
        _non_persistent_buffers: set[str]
        _modules: dict[str, Any]

        def modules(self) -> Iterator[Module]: ...

    # ---- dtype ------------------------------------------------------------------
    def _apply(self, fn: Callable[[np.ndarray], np.ndarray]) -> Self:
        """Replace each parameter's and buffer's array by ``fn(array)`` (the
        Parameter objects stay the same, so an optimizer made before still works)."""
        for m in self.modules():
            for t in list(m._parameters.values()) + list(m._buffers.values()):
                if t is None:
                    continue
                old = t._data
                new = fn(old)
                if new is not old:
                    t._data = new
                    versions.bump(t, array=old)
                    if t.grad is not None:
                        t.grad = Tensor(fn(t.grad._data))
        return self

    def to(self, *args: Any, **kwargs: Any) -> Self:
        """``to(dtype)``, ``to(device)``, ``to(device, dtype)``, ``to(tensor)`` as
        PyTorch: casts floating-point parameters and buffers; the device must be
        the CPU (glassnet runs there only: "cuda" raises DeviceError)."""
        dtype, _ = to_args(args, kwargs, f"{type(self).__name__}.to")
        if dtype is None:
            return self
        dtype = np.dtype(dtype)
        if dtype.kind != "f":
            raise DTypeError(
                f"{type(self).__name__}.to: only floating-point dtypes are allowed, got {dtype}"
            )
        return self._apply(
            lambda a: a.astype(dtype) if a.dtype.kind == "f" and a.dtype != dtype else a
        )

    def double(self) -> Self:
        """Cast floating-point parameters and buffers to float64."""
        return self.to(np.float64)

    def float(self) -> Self:
        """Cast floating-point parameters and buffers to float32."""
        return self.to(np.float32)

    def cpu(self) -> Self:
        return self

    def cuda(self, device: Any = None) -> Self:
        """Raises DeviceError: glassnet runs on the CPU only."""
        as_device(
            "cuda" if device is None or isinstance(device, int) else device,
            f"{type(self).__name__}.cuda",
        )
        return self

    # ---- state ----------------------------------------------------------------
    def state_dict(
        self,
        *,
        destination: dict[str, Tensor] | None = None,
        prefix: str = "",
        keep_vars: bool = False,
    ) -> dict[str, Tensor]:
        """Every parameter and persistent buffer by dotted name (``"0.weight"``),
        as PyTorch names them. Values share memory with the module's tensors
        (detached unless ``keep_vars``)."""
        if destination is None:
            destination = OrderedDict()
        for name, p in self._parameters.items():
            if p is not None:
                destination[prefix + name] = p if keep_vars else p.detach()
        for name, b in self._buffers.items():
            if b is not None and name not in self._non_persistent_buffers:
                destination[prefix + name] = b if keep_vars else b.detach()
        for name, m in self._modules.items():
            if m is not None:
                m.state_dict(
                    destination=destination, prefix=prefix + name + ".", keep_vars=keep_vars
                )
        return destination

    def load_state_dict(
        self, state_dict: Mapping[str, TensorLike], strict: bool = True
    ) -> IncompatibleKeys:
        """Copy tensors (or arrays) from ``state_dict`` into this module's
        parameters and buffers, in place, cast to each one's dtype.

        With ``strict=True`` a missing or unexpected key is an error; a shape
        mismatch always is. Returns ``IncompatibleKeys(missing, unexpected)``.
        """
        if not hasattr(state_dict, "items"):
            raise TypeError(
                f"{type(self).__name__}.load_state_dict: expected a dict of "
                f"tensors, got {type(state_dict).__name__}"
            )
        own = self.state_dict(keep_vars=True)
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        errors, updates = [], []
        for key, target in own.items():
            if key not in state_dict:
                continue
            value = state_dict[key]
            arr = value._data if isinstance(value, Tensor) else value
            try:
                arr = np.asarray(arr)
            except Exception as exc:  # noqa: BLE001 - reported below with the key
                errors.append(
                    f'While copying the parameter named "{key}", could not make '
                    f"an array of a {type(value).__name__}: {exc}"
                )
                continue
            if arr.dtype.kind not in "biuf":
                errors.append(
                    f'While copying the parameter named "{key}", expected a '
                    f"numeric tensor or array, got dtype {arr.dtype}"
                )
            elif arr.shape != target.shape:
                errors.append(
                    f"size mismatch for {key}: copying a param with shape "
                    f"{arr.shape} from checkpoint, the shape in current model is "
                    f"{target.shape}."
                )
            else:
                updates.append((target, arr))
        if strict:
            if unexpected:
                errors.insert(
                    0,
                    "Unexpected key(s) in state_dict: "
                    + ", ".join(f'"{k}"' for k in unexpected)
                    + ". ",
                )
            if missing:
                errors.insert(
                    0,
                    "Missing key(s) in state_dict: " + ", ".join(f'"{k}"' for k in missing) + ". ",
                )
        if errors:
            raise StateDictError(
                f"Error(s) in loading state_dict for {type(self).__name__}:"
                "\n\t" + "\n\t".join(errors)
            )
        with no_grad():
            for target, arr in updates:
                target._data[...] = arr
                versions.bump(target)
        return IncompatibleKeys(missing, unexpected)
