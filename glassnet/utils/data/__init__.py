"""``torch.utils.data``'s names, the very objects of ``glassnet.data``:
``Dataset``, ``TensorDataset``, ``Subset``, ``DataLoader``,
``DistributedSampler`` (also as ``utils.data.distributed.DistributedSampler``),
``default_collate``, ``random_split``."""

from ...data import (
    DataLoader,
    Dataset,
    DistributedSampler,
    Subset,
    TensorDataset,
    default_collate,
    random_split,
)

__all__ = [
    "DataLoader",
    "Dataset",
    "DistributedSampler",
    "Subset",
    "TensorDataset",
    "default_collate",
    "random_split",
]
