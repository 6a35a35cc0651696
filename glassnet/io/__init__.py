"""Saving and loading, in the safetensors format (no pickle: loading a file
never runs code).

    gn.io.save(model.state_dict(), "model.safetensors")
    model.load_state_dict(gn.io.load("model.safetensors"))

``save``/``load`` take a state dict or a whole training checkpoint (nested
dicts, lists, numbers, strings, arrays); ``safetensors`` is the plain format
(``save_file``/``load_file`` of ``{name: array}``); ``atomic_write`` is the
crash-safe file write every save uses.
"""

from .atomic import atomic_write
from .safetensors import FormatError, load_file, save_file
from .serialization import load, save

__all__ = ["save", "load", "save_file", "load_file", "atomic_write", "FormatError"]
