"""The error an export raises when it cannot make a faithful graph."""

from ..errors import GlassnetError


class ExportError(GlassnetError, RuntimeError):
    """The model cannot be exported as asked: the message names the op (or
    module), where in the model it ran, and why; no file is written."""
