"""The errors glassnet raises. Each message names the op, the shapes and
dtypes involved, and what was expected."""


class GlassnetError(Exception):
    """Base class of every error glassnet raises on purpose."""


class ShapeError(GlassnetError, ValueError):
    """Shapes that an op cannot combine (matmul, broadcasting, reshape...)."""


class DTypeError(GlassnetError, TypeError):
    """A dtype an op cannot work with (e.g. an integer tensor asked to require grad)."""


class GraphError(GlassnetError, RuntimeError):
    """Misuse of the autograd graph: a freed graph, an in-place change to a
    saved tensor, a non-scalar backward without a gradient."""


class DeviceError(GlassnetError, RuntimeError):
    """A device glassnet does not have: it runs on the CPU only ("cuda", "mps"...)."""


class AnomalyError(GlassnetError, FloatingPointError):
    """A NaN or Inf was produced while anomaly detection was on."""


def describe(x):
    """Short 'shape dtype' text for error messages."""
    shape = getattr(x, "shape", None)
    dtype = getattr(x, "dtype", None)
    if shape is None:
        return f"{type(x).__name__} {x!r}"
    return f"{tuple(shape)} {dtype}"
