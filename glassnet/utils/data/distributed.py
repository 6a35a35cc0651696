"""``torch.utils.data.distributed``'s name: ``DistributedSampler`` (the very
object of ``glassnet.data.distributed``)."""

from ...data.distributed import DistributedSampler

__all__ = ["DistributedSampler"]
