"""Where a tensor lives, as ``torch.device``: glassnet computes on the CPU
only. A ``device("cuda")`` can be made (code that picks its device runs
unchanged), but putting a tensor or a module there raises ``DeviceError``.

Also the argument parsing shared by ``Tensor.to`` and ``Module.to``.
"""

from __future__ import annotations

from typing import Any

from ..errors import DeviceError

KNOWN_TYPES = ("cpu", "cuda", "mps", "xpu", "meta", "xla", "hip", "ipu", "mtia", "hpu")


class device:  # noqa: N801 (PyTorch's name)
    """A device: ``type`` ("cpu", "cuda"...) and ``index`` (None or an int).

    ``device("cuda:1")``, ``device("cuda", 1)`` and ``device(other_device)``
    as in PyTorch; ``str()`` gives "cuda:1", ``repr()`` "device(type='cuda',
    index=1)". As in PyTorch, a device equals another device, not a string
    (compare ``str(d) == "cpu"`` or ``d.type == "cpu"``).
    """

    __slots__ = ("type", "index")
    type: str
    index: int | None

    def __init__(self, type: str | device | int, index: int | None = None) -> None:  # noqa: A002
        if isinstance(type, device):
            if index is not None:
                raise TypeError("device: an index cannot be given with a device object")
            other: device = type
            type, index = other.type, other.index
        elif isinstance(type, int) and not isinstance(type, bool):
            raise DeviceError(
                f"device: a bare index ({type}) names a CUDA device; glassnet "
                "runs on the CPU only: use device('cpu')"
            )
        elif not isinstance(type, str):
            raise TypeError(
                f"device: expected a string like 'cpu' or 'cuda:0', got {type.__class__.__name__}"
            )
        else:
            name, _, number = type.partition(":")
            if number:
                if index is not None:
                    raise RuntimeError(
                        f"device: type {type!r} already names an index; "
                        f"index={index} cannot be given too"
                    )
                if not number.isdigit():
                    raise RuntimeError(
                        f"device: invalid device string {type!r}; expected "
                        "'type' or 'type:index', e.g. 'cuda:0'"
                    )
                index = int(number)
            if name not in KNOWN_TYPES:
                raise RuntimeError(
                    f"device: expected one of {', '.join(KNOWN_TYPES)} device "
                    f"type at start of device string: {type!r}"
                )
            type = name
        if index is not None and (
            isinstance(index, bool) or not isinstance(index, int) or index < 0
        ):
            raise RuntimeError(f"device: the index must be a non-negative int, got {index!r}")
        object.__setattr__(self, "type", type)
        object.__setattr__(self, "index", index)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"device: {name!r} cannot be changed (a device is immutable)")

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type={self.type!r})"
        return f"device(type={self.type!r}, index={self.index})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __reduce__(self) -> tuple[Any, ...]:
        return (device, (self.type, self.index))


CPU = device("cpu")


def as_device(spec: str | device | int | None, where: str) -> device | None:
    """``spec`` (None, a string, a device) as a device that glassnet can use:
    the CPU. Any other device raises ``DeviceError`` naming ``where``."""
    if spec is None:
        return None
    d = spec if isinstance(spec, device) else device(spec)
    if d.type != "cpu":
        raise DeviceError(
            f"{where}: device {str(d)!r} is not available; glassnet runs on the "
            "CPU only (gn.cuda.is_available() is False): use 'cpu', or pick the "
            "device with `'cuda' if gn.cuda.is_available() else 'cpu'`"
        )
    return d


def _is_device_spec(a: Any) -> bool:
    if isinstance(a, device):
        return True
    if isinstance(a, str):
        return a.partition(":")[0] in KNOWN_TYPES
    return isinstance(a, int) and not isinstance(a, bool)


def to_args(args: tuple[Any, ...], kwargs: dict[str, Any], where: str) -> tuple[Any, bool]:
    """Read the arguments of ``.to()`` as PyTorch takes them: ``to(dtype)``,
    ``to(device)``, ``to(device, dtype)``, ``to(other)`` (another tensor's
    device and dtype), with keywords ``device``, ``dtype``, ``non_blocking``
    (accepted; glassnet copies nothing between devices), ``copy`` and
    ``memory_format``. Checks the device (CPU only) and returns
    ``(dtype or None, copy)``."""
    unknown = set(kwargs) - {"device", "dtype", "non_blocking", "copy", "memory_format"}
    if unknown:
        raise TypeError(
            f"{where}: unexpected keyword argument(s) {sorted(unknown)}; expected "
            "device, dtype, non_blocking, copy or memory_format"
        )
    dev, dtype = kwargs.get("device"), kwargs.get("dtype")
    rest = list(args)
    if (
        rest
        and not isinstance(rest[0], (str, device, int, type))
        and hasattr(rest[0], "dtype")
        and hasattr(rest[0], "shape")
    ):
        other = rest.pop(0)  # to(other): its device and dtype
        dev, dtype = getattr(other, "device", None), other.dtype
    elif rest and (_is_device_spec(rest[0]) or rest[0] is None):
        dev = rest.pop(0)
    if rest and not isinstance(rest[0], bool):
        dtype = rest.pop(0)
    if rest:  # to(dtype, non_blocking, copy) / to(device, dtype, non_blocking, copy)
        if len(rest) > 2 or not all(isinstance(r, bool) for r in rest):
            raise TypeError(
                f"{where}: cannot read the arguments {args!r}; expected "
                "to(dtype), to(device, dtype) or to(other_tensor)"
            )
        kwargs = {**kwargs, "copy": rest[1] if len(rest) > 1 else kwargs.get("copy", False)}
    as_device(dev, where)
    return dtype, bool(kwargs.get("copy", False))
