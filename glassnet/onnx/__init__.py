"""Export to ONNX, as ``torch.onnx``: ``glassnet.onnx.export(model, args, f)``
writes a graph that ONNX Runtime (and any ONNX tool) runs.

Needs the ``onnx`` extra (``pip install 'glassnet[onnx]'``: the onnx package
builds and checks the graph, onnxruntime runs it); ``import glassnet`` does
not import this package, and importing it without the extra raises an
ImportError saying what to install.
"""

try:
    import onnx as _onnx  # noqa: F401
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "glassnet.onnx needs the onnx package: pip install 'glassnet[onnx]' "
        f"(or pip install onnx onnxruntime) ({exc})"
    ) from None

from .errors import ExportError
from .export import export

__all__ = ["export", "ExportError"]
