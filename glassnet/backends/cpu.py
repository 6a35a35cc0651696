"""The CPU this process runs on, in words: its model name and its vendor.

MKL's kernels are tuned for Intel's CPUs and take a slower, generic path on
others (an AMD EPYC here: float32 GEMM 25–30 % slower than OpenBLAS or
oneDNN on one core), so ``blas`` chooses its libraries by ``vendor()``.
"""

import functools
import platform


def _cpuinfo_field(field):
    """The first value of ``field`` in /proc/cpuinfo (Linux), or None."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith(field):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def name():
    """The CPU's model name (Linux: /proc/cpuinfo), else the platform's word for it."""
    return _cpuinfo_field("model name") or platform.processor() or platform.machine()


@functools.cache
def vendor():
    """'GenuineIntel', 'AuthenticAMD', … (Linux's /proc/cpuinfo), or '' when unknown."""
    return _cpuinfo_field("vendor_id") or ""


def is_intel():
    """Is this an Intel CPU (where MKL's own kernels are the fast ones)?"""
    return vendor() == "GenuineIntel"
