"""Keep the memory a training step frees for the next step (glibc's malloc).

A training step allocates its activations and gradients, and frees them when
the graph goes. glibc's malloc hands the free top of its heap back to the OS
once it exceeds its trim threshold (a few MiB by default), so the next step
gets fresh pages and pays a page fault for every 4 KiB it touches: about
3,000 faults, ~5 ms, per MLP step at batch 1024 (784-512-256-10) here, and
as many per CNN step.

``keep_freed_memory()`` sets glibc's M_MMAP_THRESHOLD to 32 MiB and
M_TRIM_THRESHOLD to 64 MiB: the values glibc's own dynamic heuristic settles
on once a 32 MiB block has been freed. Blocks under 32 MiB then come from the
heap, and up to 64 MiB of freed heap stays with the process.

This is process-wide, so importing glassnet does not do it: glassnet's own
entry points call ``keep_freed_memory()`` (``fit`` and its ``Trainer``, the
``glassnet`` command; the repository's benchmarks too), and so can a
training loop of your own. It applies once per process (``applied``), and
changes nothing where the C library is not glibc, when
``GLASSNET_KEEP_FREED_MEMORY=0``, or when one of glibc's own ``MALLOC_*_``
tuning variables is set (the user's choice wins).
"""

import ctypes
import os

M_TRIM_THRESHOLD = -1  # glibc's mallopt parameter numbers (malloc.h)
M_MMAP_THRESHOLD = -3
TRIM_BYTES = 64 << 20
MMAP_BYTES = 32 << 20
OPT_OUT = "GLASSNET_KEEP_FREED_MEMORY"
USER_TUNING = (
    "MALLOC_TRIM_THRESHOLD_",
    "MALLOC_MMAP_THRESHOLD_",
    "MALLOC_TOP_PAD_",
    "MALLOC_MMAP_MAX_",
    "GLIBC_TUNABLES",
)

status = "not applied (nothing called keep_freed_memory yet)"  # what the last call did, in words
applied = False  # True once mallopt has set the thresholds in this process


def _glibc():
    try:
        return (os.confstr("CS_GNU_LIBC_VERSION") or "").startswith("glibc")
    except (AttributeError, ValueError, OSError):
        return False


def keep_freed_memory(trim_bytes=TRIM_BYTES, mmap_bytes=MMAP_BYTES):
    """Set glibc's trim and mmap thresholds (see the module docstring).
    Returns True when both are set (by this call or an earlier one: mallopt
    runs once per process); ``status`` says what happened."""
    global status, applied
    if applied:
        return True
    if os.environ.get(OPT_OUT, "1") == "0":
        status = f"off ({OPT_OUT}=0)"
    elif any(name in os.environ for name in USER_TUNING):
        status = "off (the environment tunes malloc itself)"
    elif not _glibc():
        status = "off (the C library is not glibc)"
    else:
        try:
            mallopt = ctypes.CDLL(None).mallopt
        except (OSError, AttributeError):
            status = "off (mallopt not found)"
            return False
        if (
            mallopt(M_MMAP_THRESHOLD, mmap_bytes) == 1
            and mallopt(M_TRIM_THRESHOLD, trim_bytes) == 1
        ):
            status = (
                f"on (glibc trim threshold {trim_bytes >> 20} MiB, "
                f"mmap threshold {mmap_bytes >> 20} MiB)"
            )
            applied = True
            return True
        status = "off (glibc refused the thresholds)"
    return False
