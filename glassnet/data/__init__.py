"""Data for training (as torch.utils.data): ``Dataset``, ``TensorDataset``,
``Subset``, ``DataLoader``, ``DistributedSampler``, ``default_collate``, ``random_split``, and the
ready-made sets in ``glassnet.data.datasets`` (``gn.datasets``)."""

from . import datasets
from .collate import default_collate
from .csvfile import load_csv
from .dataset import Dataset, Subset, TensorDataset
from .distributed import DistributedSampler
from .labeled import LabeledDataset
from .loader import DataLoader
from .split import random_split, train_test_split

__all__ = [
    "Dataset",
    "TensorDataset",
    "Subset",
    "LabeledDataset",
    "DataLoader",
    "DistributedSampler",
    "default_collate",
    "random_split",
    "train_test_split",
    "load_csv",
    "datasets",
]
