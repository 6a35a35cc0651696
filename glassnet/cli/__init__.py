"""The ``glassnet`` command: ``main`` parses the arguments, and each command
is a module of its own (``demo``, ``train``, ``explain``, ``playground``)."""

from .main import main

__all__ = ["main"]
