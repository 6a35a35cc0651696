"""Seeing backpropagation: step traces in the article's notation, the
tensor-level tape, worked examples, diagrams and plots.

    import glassnet as gn
    print(gn.explain.trace_step(*gn.explain.examples.mazur()))

    with gn.explain.record() as tape:      # any computation
        loss = loss_fn(model(x), y)
        loss.backward()
    print(tape)

Submodules not imported here (diagrams, plots) load on first attribute use.
"""

import importlib

from . import examples
from .trace.step import StepTrace, trace_step
from .trace.tape import Tape, TapeNode, record

__all__ = ["trace_step", "StepTrace", "record", "Tape", "TapeNode", "examples"]


# functions of the submodules, reachable as gn.explain.<name> (imported on first use)
_FUNCTIONS = {
    "network_svg": "draw.diagram",
    "graph_svg": "draw.graph",
    "graph_dot": "draw.graph",
    "trace_conv": "trace.convolution",
    "second_derivative": "trace.second",
    "gradient_flow": "trace.recurrent",
    "write_figures": "report.figures",
    "plot_activations": "plots",
    "plot_descent_1d": "plots",
    "plot_descent_2d": "plots",
    "plot_loss_curves": "plots",
    "plot_decision_boundary": "plots",
    "plot_gradient_norms": "plots",
    "plot_dead_relus": "plots",
}


# the folders a submodule may be in: ``gn.explain.diagram`` is ``explain/draw/diagram.py``
_FOLDERS = ("", "trace.", "draw.", "report.")


def __getattr__(name):
    """``gn.explain.diagram`` etc.: import the submodule on first use."""
    if name.startswith("_"):
        raise AttributeError(name)
    if name in _FUNCTIONS:
        return getattr(importlib.import_module(f".{_FUNCTIONS[name]}", __name__), name)
    for folder in _FOLDERS:
        try:
            return importlib.import_module(f".{folder}{name}", __name__)
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{folder}{name}":
                raise
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
