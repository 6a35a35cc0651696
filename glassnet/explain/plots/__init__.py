"""The article's figures as matplotlib plots, each computed from real glassnet
runs (``pip install 'glassnet[viz]'``). Every ``plot_*`` function returns a
Figure, writes PNG or SVG when given ``path=`` (by its extension) and takes
``lang=`` ('en', 'zh'; None: from the locale). The numbers behind each plot
come from a separate function, so they can be checked without a picture.

One file per figure: plots_activations, plots_descent, plots_training,
plots_boundary, plots_gradients, plots_dead_relu (and plots_common for the
fonts and saving); ``figures.write_figures`` writes them all.
"""

from .activations import ACTIVATIONS, activation_curves, plot_activations
from .boundary import decision_grid, model_scores, plot_decision_boundary
from .common import cjk_font, figure_text, save
from .dead_relu import (
    dead_relu_fraction,
    dead_relu_history,
    dead_relu_mask,
    plot_dead_relus,
    relu_outputs,
)
from .descent import bowl, descent_path, optimizer_runs, parabola, plot_descent_1d, plot_descent_2d
from .gradients import (
    deep_mlp,
    gradient_norms_per_layer,
    plot_gradient_norms,
    vanishing_gradient_runs,
)
from .training import curves_of, plot_loss_curves

__all__ = [
    "ACTIVATIONS",
    "activation_curves",
    "plot_activations",
    "descent_path",
    "parabola",
    "bowl",
    "optimizer_runs",
    "plot_descent_1d",
    "plot_descent_2d",
    "curves_of",
    "plot_loss_curves",
    "model_scores",
    "decision_grid",
    "plot_decision_boundary",
    "deep_mlp",
    "gradient_norms_per_layer",
    "vanishing_gradient_runs",
    "plot_gradient_norms",
    "relu_outputs",
    "dead_relu_mask",
    "dead_relu_fraction",
    "dead_relu_history",
    "plot_dead_relus",
    "cjk_font",
    "figure_text",
    "save",
]
