"""DLPack: sharing a tensor's memory with PyTorch, NumPy, JAX... without a copy.

``torch.from_dlpack(t)`` and ``np.from_dlpack(t)`` read a glassnet tensor's
array in place, and ``gn.from_dlpack(x)`` wraps anything with ``__dlpack__``
(or a DLPack capsule) as a glassnet tensor: a write on one side is seen on
the other (NumPy 2.1+: on 2.0, what NumPy takes is read-only on its side).
NumPy does the protocol's work (a tensor's data is an ndarray);
this module checks what DLPack cannot carry and says so in glassnet's words.

As with ``Tensor.numpy()``, writes made through the other side are not seen
by autograd's version counter: do not change in place, through another
library, a tensor that a graph saved for its backward.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..devices import as_device
from ..errors import DeviceError, DTypeError
from ..tensor import Tensor

CPU = (1, 0)  # DLPack's (kDLCPU, device 0): the only device a glassnet tensor is on
# DLPack's device types (dlpack.h's DLDeviceType), to name a device in an error
DEVICE_TYPES = {
    1: "cpu",
    2: "cuda",
    3: "cuda host (pinned) memory",
    4: "opencl",
    7: "vulkan",
    8: "metal (mps)",
    9: "vpi",
    10: "rocm",
    11: "rocm host memory",
    12: "ext_dev",
    13: "cuda managed memory",
    14: "oneapi (xpu)",
    15: "webgpu",
    16: "hexagon",
    17: "maia",
}
HOST_TYPES = {1, 3, 11}  # memory the CPU reads directly (NumPy takes these)
# NumPy 2.1 speaks DLPack 1.0 (versioned capsules, which can mark memory read-only, and
# the copy= keywords); 2.0 only the unversioned protocol
VERSIONED = np.lib.NumpyVersion(np.__version__) >= "2.1.0"


def tensor_dlpack(
    self: Tensor,
    *,
    stream: Any = None,
    max_version: tuple[int, int] | None = None,
    dl_device: tuple[int, int] | None = None,
    copy: bool | None = None,
) -> Any:
    """``Tensor.__dlpack__``: a DLPack capsule of this tensor's array, shared
    (``copy=True`` gives a copy). ``max_version`` (the consumer's newest
    DLPack version) picks a versioned capsule; ``stream`` must be None and
    ``dl_device`` the CPU, ``(1, 0)``, as for any CPU array.

    As ``torch.Tensor.__dlpack__``, a tensor that requires grad is refused
    (``.detach()`` it first); so are views NumPy would export but consumers
    mishandle: negative strides (PyTorch aborts the process on them) and
    read-only views for a consumer of the unversioned protocol."""
    if stream is not None:
        raise BufferError(
            f"Tensor.__dlpack__: stream must be None for a CPU tensor, got {stream!r} "
            "(streams are for GPU devices)"
        )
    if dl_device is not None and tuple(dl_device) != CPU:
        raise BufferError(
            f"Tensor.__dlpack__: cannot export to {_device_name(dl_device)}: glassnet "
            f"tensors live on the CPU, DLPack device {CPU}; copy it with the consumer "
            "(e.g. torch.from_dlpack(t).cuda())"
        )
    if self.requires_grad:
        raise BufferError(
            f"Tensor.__dlpack__: cannot export a tensor that requires grad (shape "
            f"{tuple(self.shape)}, {self.dtype}); use tensor.detach() (as in PyTorch)"
        )
    array = self._data
    if copy is not True and any(s < 0 for s in array.strides):
        raise BufferError(
            f"Tensor.__dlpack__: this tensor (shape {array.shape}) is a view with negative "
            f"strides {array.strides} (a [::-1] slice), which DLPack consumers do not all "
            "take (PyTorch aborts the process); .clone() it first, or pass copy=True"
        )
    versioned = max_version is not None and VERSIONED
    if copy is not True and not versioned and not array.flags.writeable:
        raise BufferError(
            f"Tensor.__dlpack__: this tensor (shape {array.shape}) is a read-only view "
            "(made by expand/broadcasting) and the unversioned DLPack protocol (the "
            "consumer's, or NumPy < 2.1's) cannot mark it read-only; .clone() it first"
        )
    if copy:  # the copy is made here, then shared: the same on every NumPy
        array = array.copy()
    try:
        return array.__dlpack__(max_version=max_version) if versioned else array.__dlpack__()
    except (BufferError, TypeError, ValueError) as exc:
        raise BufferError(
            f"Tensor.__dlpack__: cannot export a {array.dtype} tensor of shape "
            f"{array.shape} through DLPack: {exc}"
        ) from None


def tensor_dlpack_device(self: Tensor) -> tuple[int, int]:
    """``Tensor.__dlpack_device__``: ``(1, 0)``, DLPack's CPU."""
    return CPU


def from_dlpack(ext_tensor: Any, *, device: Any = None, copy: bool | None = None) -> Tensor:
    """A tensor sharing the memory of ``ext_tensor``: anything with
    ``__dlpack__`` (a torch tensor, an ndarray, a JAX or CuPy array on the
    host, a glassnet tensor) or a DLPack capsule (``torch.utils.dlpack.
    to_dlpack``'s). A write to either is seen by the other; ``copy=True``
    copies instead. The data must be on the CPU, in a dtype NumPy has
    (bfloat16 and float8 are not: convert them first, e.g. ``x.float()``).
    The tensor is a leaf with ``requires_grad=False``, as in PyTorch.

    NumPy takes the memory, and marks it read-only where the protocol cannot
    say it may be written: always on NumPy 2.0, from a bare (unversioned)
    capsule on 2.1+; writes on the producer's side are still seen."""
    as_device(device, "from_dlpack")
    if type(ext_tensor).__name__ == "PyCapsule":
        what, ext_tensor = "a DLPack capsule", _Capsule(ext_tensor)
    elif not hasattr(ext_tensor, "__dlpack__"):
        raise TypeError(
            f"from_dlpack: expected an object with __dlpack__ (a torch tensor, a NumPy "
            f"array...) or a DLPack capsule, got {type(ext_tensor).__name__}; "
            "for other data use gn.tensor(x) (a copy) or gn.as_tensor(x)"
        )
    else:
        what = _describe(ext_tensor)
    where = ext_tensor.__dlpack_device__() if hasattr(ext_tensor, "__dlpack_device__") else CPU
    if tuple(where)[0] not in HOST_TYPES:
        raise DeviceError(
            f"from_dlpack: {what} is on {_device_name(where)}; glassnet runs on the CPU "
            "only: move it there first (e.g. x.cpu())"
        )
    try:
        # a copy is made below, not asked of the producer (a bare capsule cannot make one)
        extra: dict[str, Any] = {"copy": False} if copy is False and VERSIONED else {}
        array = np.from_dlpack(ext_tensor, **extra)
    except RuntimeError as exc:
        if "dtype" in str(exc):
            raise DTypeError(
                f"from_dlpack: {what} has a dtype NumPy has no equivalent for (glassnet "
                f"holds NumPy arrays: bool, ints, float16/32/64, complex64/128); convert "
                f"it first, e.g. x.float() ({exc})"
            ) from None
        raise BufferError(f"from_dlpack: cannot take {what}: {exc}") from None
    except (BufferError, TypeError, ValueError) as exc:
        raise BufferError(f"from_dlpack: cannot take {what}: {exc}") from None
    return Tensor._make(array.copy() if copy else array, False, None)


class _Capsule:
    """A bare DLPack capsule as an object with ``__dlpack__`` (what NumPy reads).
    The capsule's own device is checked by NumPy, so CPU is only a default."""

    def __init__(self, capsule: Any) -> None:
        self.capsule = capsule

    def __dlpack__(self, **kwargs: Any) -> Any:
        return self.capsule

    def __dlpack_device__(self) -> tuple[int, int]:
        return CPU


def _device_name(dl_device: Any) -> str:
    kind, index = tuple(dl_device)
    return f"DLPack device {(kind, index)} ({DEVICE_TYPES.get(kind, 'unknown type')})"


def _describe(x: Any) -> str:
    """'a torch Tensor (dtype torch.bfloat16, shape (3,))' or as much as ``x`` tells."""
    kind = type(x)
    name = f"a {kind.__module__.partition('.')[0]} {kind.__name__}"
    details = [f"{k} {getattr(x, k)}" for k in ("dtype",) if hasattr(x, k)]
    if hasattr(x, "shape"):
        details.append(f"shape {tuple(x.shape)}")
    return f"{name} ({', '.join(details)})" if details else name
