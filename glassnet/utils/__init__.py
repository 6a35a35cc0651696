"""PyTorch's ``torch.utils`` path: ``glassnet.utils.data`` is ``glassnet.data``
under the name that PyTorch code imports (``from glassnet.utils.data import
DataLoader``)."""

from . import data

__all__ = ["data"]
