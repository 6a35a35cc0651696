"""Derivatives of whole functions: ``glassnet.func.grad`` (a transform that
composes, as ``torch.func.grad``) and ``glassnet.func.functional`` (jacobian,
hessian, vjp, jvp, hvp, vhp, as ``torch.autograd.functional``; glassnet's
``__init__`` also makes it ``glassnet.autograd.functional``)."""

from . import functional
from .functional import hessian, hvp, jacobian, jvp, vhp, vjp
from .transforms import grad, grad_and_value

__all__ = [
    "functional",
    "grad",
    "grad_and_value",
    "hessian",
    "hvp",
    "jacobian",
    "jvp",
    "vhp",
    "vjp",
]
