"""Parameter: a tensor that a Module learns.

Assigning a Parameter to a Module attribute registers it, so that
``module.parameters()`` (what an optimizer updates) and ``state_dict()``
find it. It is a plain leaf Tensor with ``requires_grad=True``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..tensor import Tensor

if TYPE_CHECKING:
    from ..hints import TensorLike


class Parameter(Tensor):
    """A learnable tensor, as ``torch.nn.Parameter``. ``Parameter(t)`` shares
    ``t``'s array (no copy); ``Parameter()`` is an empty float tensor."""

    __slots__ = ()

    def __init__(self, data: TensorLike | None = None, requires_grad: bool = True) -> None:
        if data is None:
            data = []
        super().__init__(data)
        if requires_grad:
            self.requires_grad_(True)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __deepcopy__(self, memo: dict[int, Any]) -> Parameter:
        if id(self) in memo:
            return memo[id(self)]
        out = Parameter(self._data.copy(), self.requires_grad)
        if self.grad is not None:
            out.grad = Tensor(self.grad._data.copy())
        out.name = self.name
        memo[id(self)] = out
        return out
