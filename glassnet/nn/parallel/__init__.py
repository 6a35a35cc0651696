"""``torch.nn.parallel``'s name: ``DistributedDataParallel`` (over MPI; see
``glassnet.distributed``)."""

from .distributed import DistributedDataParallel

__all__ = ["DistributedDataParallel"]
