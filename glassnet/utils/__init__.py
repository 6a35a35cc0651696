"""PyTorch's ``torch.utils`` path: ``glassnet.utils.data`` is ``glassnet.data``
under the name that PyTorch code imports (``from glassnet.utils.data import
DataLoader``), and ``glassnet.utils.dlpack`` is ``torch.utils.dlpack``
(``to_dlpack``, ``from_dlpack``)."""

from . import data, dlpack

__all__ = ["data", "dlpack"]
