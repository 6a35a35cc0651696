"""Everything native, each optional, found through the wheels that ship it
(``wheel_libs``): Intel MKL's GEMM for the big products (``blas``), Intel
oneDNN's LSTM and convolution kernels (``onednn``), and glibc malloc's
tuning (``allocator``). Without them glassnet runs on NumPy alone.
``mps`` answers PyTorch's ``backends.mps.is_available()``: False."""

from . import mps  # noqa: F401 (tiny: gn.backends.mps.is_available())
