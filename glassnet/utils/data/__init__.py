"""``torch.utils.data``'s names, the very objects of ``glassnet.data``:
``Dataset``, ``TensorDataset``, ``Subset``, ``DataLoader``,
``default_collate``, ``random_split``."""

from ...data import DataLoader, Dataset, Subset, TensorDataset, default_collate, random_split

__all__ = ["DataLoader", "Dataset", "Subset", "TensorDataset", "default_collate", "random_split"]
