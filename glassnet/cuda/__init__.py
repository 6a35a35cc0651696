"""``torch.cuda``'s questions, answered for glassnet, which runs on the CPU
only: no CUDA device is available, so code written as

    device = "cuda" if gn.cuda.is_available() else "cpu"

picks the CPU. Seeding the (absent) CUDA generators does nothing, as in
PyTorch on a machine without a GPU; asking for a CUDA device raises
``DeviceError``.
"""

from __future__ import annotations

from ..errors import DeviceError

__all__ = [
    "is_available",
    "device_count",
    "is_initialized",
    "current_device",
    "manual_seed",
    "manual_seed_all",
    "synchronize",
    "empty_cache",
]


def is_available() -> bool:
    """False: glassnet has no CUDA back end."""
    return False


def device_count() -> int:
    """0: no CUDA devices."""
    return 0


def is_initialized() -> bool:
    return False


def _no_cuda(name: str) -> DeviceError:
    return DeviceError(
        f"cuda.{name}: no CUDA device is available; glassnet runs on the CPU "
        "only (gn.cuda.is_available() is False)"
    )


def current_device() -> int:
    """Raises ``DeviceError``: there is no current CUDA device."""
    raise _no_cuda("current_device")


def synchronize(device: object = None) -> None:
    """Raises ``DeviceError``: there is no CUDA device to wait for."""
    raise _no_cuda("synchronize")


def manual_seed(seed: int) -> None:
    """Does nothing (no CUDA generator); PyTorch ignores it too without a GPU.
    Seed glassnet with ``gn.manual_seed``."""
    int(seed)


def manual_seed_all(seed: int) -> None:
    """Does nothing, as ``manual_seed``."""
    int(seed)


def empty_cache() -> None:
    """Does nothing: there is no CUDA memory cache."""
