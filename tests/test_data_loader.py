"""Dataset, TensorDataset, Subset, DataLoader, default_collate, random_split
and train_test_split."""

from collections import namedtuple

import numpy as np
import pytest

import glassnet as gn
from glassnet.data import (
    DataLoader,
    Dataset,
    Subset,
    TensorDataset,
    default_collate,
    random_split,
    train_test_split,
)
from glassnet.data.datasets import LabeledDataset


def ids_dataset(n=10):
    """Features whose first column is the sample's index, to track order."""
    x = np.stack([np.arange(n), np.arange(n) * 10], axis=1).astype(np.float32)
    return TensorDataset(gn.tensor(x), gn.tensor(np.arange(n)))


class Squares(Dataset):
    """A map-style data set written by hand: sample i is (tensor [i, i²], i)."""

    def __init__(self, n):
        self.n = n
        self.calls = 0

    def __getitem__(self, i):
        self.calls += 1
        return gn.tensor([float(i), float(i * i)]), i

    def __len__(self):
        return self.n


def seen(loader):
    return np.concatenate([b[1].numpy() for b in loader])


# ---- Dataset and TensorDataset ---------------------------------------------
def test_dataset_base_needs_getitem_and_len():
    with pytest.raises(NotImplementedError, match="Dataset must define __getitem__"):
        Dataset()[0]
    with pytest.raises(NotImplementedError, match="__len__"):
        len(Dataset())


def test_tensor_dataset_indexes_rows():
    ds = ids_dataset(5)
    x, y = ds[3]
    assert len(ds) == 5
    assert x.tolist() == [3.0, 30.0] and y.item() == 3
    assert isinstance(ds[0], tuple)


def test_tensor_dataset_accepts_ndarrays_without_copy():
    a = np.zeros((4, 2), dtype=np.float32)
    ds = TensorDataset(a, np.arange(4))
    a[1, 0] = 7
    assert ds[1][0].tolist() == [7.0, 0.0]


def test_tensor_dataset_errors():
    with pytest.raises(
        ValueError,
        match=r"TensorDataset: every tensor must have the same size "
        r"in its first dimension.*\(5, 2\), \(4,\)",
    ):
        TensorDataset(gn.zeros(5, 2), gn.zeros(4))
    with pytest.raises(
        TypeError, match="TensorDataset: argument 1 must be a Tensor or ndarray, got list"
    ):
        TensorDataset(gn.zeros(3), [1, 2, 3])
    with pytest.raises(ValueError, match="argument 0 is a 0-d tensor"):
        TensorDataset(gn.tensor(1.0))
    with pytest.raises(ValueError, match="at least one tensor"):
        TensorDataset()


# ---- DataLoader batching -----------------------------------------------------
@pytest.mark.parametrize(
    "n, bs, drop_last, sizes",
    [
        (10, 3, False, [3, 3, 3, 1]),  # last partial batch kept
        (10, 3, True, [3, 3, 3]),  # ... or dropped
        (10, 10, False, [10]),  # batch gradient descent: one batch
        (10, 1, False, [1] * 10),  # stochastic: one sample per batch
        (10, 5, True, [5, 5]),  # exact multiple: drop_last changes nothing
        (10, 16, False, [10]),
        (10, 16, True, []),
        (0, 4, False, []),
    ],
)
def test_batch_sizes_and_len(n, bs, drop_last, sizes):
    loader = DataLoader(ids_dataset(n), batch_size=bs, drop_last=drop_last)
    batches = list(loader)
    assert [len(b[0]) for b in batches] == sizes
    assert len(loader) == len(sizes)


def test_no_shuffle_keeps_order_and_batch_content():
    x, y = next(iter(DataLoader(ids_dataset(10), batch_size=4)))
    assert x.shape == (4, 2) and x.dtype == np.float32 and y.dtype == np.int64
    assert x.numpy()[:, 0].tolist() == [0, 1, 2, 3] and y.tolist() == [0, 1, 2, 3]
    assert seen(DataLoader(ids_dataset(10), batch_size=3)).tolist() == list(range(10))


def test_shuffle_covers_every_sample_once_per_epoch_in_a_new_order():
    loader = DataLoader(
        ids_dataset(50), batch_size=7, shuffle=True, generator=np.random.default_rng(1)
    )
    first, second = seen(loader), seen(loader)
    assert sorted(first) == list(range(50)) and sorted(second) == list(range(50))
    assert first.tolist() != list(range(50))
    assert first.tolist() != second.tolist()


def test_shuffle_is_deterministic_for_a_seeded_generator():
    def epochs(seed):
        loader = DataLoader(
            ids_dataset(30), batch_size=4, shuffle=True, generator=np.random.default_rng(seed)
        )
        return [seen(loader).tolist() for _ in range(3)]

    assert epochs(3) == epochs(3)
    assert epochs(3) != epochs(4)


def test_shuffle_without_generator_follows_manual_seed():
    loader = DataLoader(ids_dataset(30), batch_size=4, shuffle=True)
    gn.manual_seed(11)
    a = seen(loader)
    gn.manual_seed(11)
    assert seen(loader).tolist() == a.tolist()


def test_tensor_dataset_fast_path_equals_per_sample_collate():
    class Counting(TensorDataset):
        calls = 0

        def __getitem__(self, i):
            Counting.calls += 1
            return super().__getitem__(i)

    ds = Counting(gn.randn(23, 3), gn.arange(23))
    fast = list(DataLoader(ds, batch_size=5, shuffle=True, generator=np.random.default_rng(2)))
    assert Counting.calls == 0  # indexed once per batch, never per sample
    slow = list(
        DataLoader(
            ds,
            batch_size=5,
            shuffle=True,
            generator=np.random.default_rng(2),
            collate_fn=default_collate,
        )
    )
    assert Counting.calls == 23
    for (fx, fy), (sx, sy) in zip(fast, slow):
        assert isinstance((fx, fy), tuple)
        np.testing.assert_array_equal(fx.numpy(), sx.numpy())
        np.testing.assert_array_equal(fy.numpy(), sy.numpy())


def test_batches_are_plain_tensors_outside_the_graph():
    x = gn.randn(6, 2, requires_grad=True)
    (xb,) = next(iter(DataLoader(TensorDataset(x), batch_size=3)))
    assert not xb.requires_grad and xb.grad_fn is None
    xb.data[:] = 0  # a copy: the data set is untouched
    assert np.all(x.detach().numpy()[:3] != 0)


def test_subset_of_tensor_dataset_batches_through_get_batch():
    ds = ids_dataset(10)
    sub = Subset(ds, [9, 2, 5, 7])
    x, y = next(iter(DataLoader(sub, batch_size=3)))
    assert y.tolist() == [9, 2, 5]
    assert sub[1][1].item() == 2 and len(sub) == 4


def test_custom_dataset_tuple_samples_are_collated():
    ds = Squares(7)
    batches = list(DataLoader(ds, batch_size=3))
    assert ds.calls == 7
    x, i = batches[0]
    assert x.tolist() == [[0, 0], [1, 1], [2, 4]]
    assert i.dtype == np.int64 and i.tolist() == [0, 1, 2]
    assert len(batches) == 3 and batches[-1][1].tolist() == [6]
    sub_x, sub_i = next(iter(DataLoader(Subset(ds, [4, 1]), batch_size=2)))
    assert sub_i.tolist() == [4, 1] and sub_x.tolist() == [[4, 16], [1, 1]]


def test_custom_collate_fn_gets_the_list_of_samples():
    loader = DataLoader(Squares(5), batch_size=2, collate_fn=lambda s: [i for _, i in s])
    assert list(loader) == [[0, 1], [2, 3], [4]]


def test_dataloader_argument_errors():
    ds = ids_dataset(4)
    with pytest.raises(
        ValueError, match="DataLoader: batch_size must be a positive integer, got 0"
    ):
        DataLoader(ds, batch_size=0)
    with pytest.raises(ValueError, match="batch_size must be a positive integer, got '2'"):
        DataLoader(ds, batch_size="2")
    with pytest.raises(TypeError, match="DataLoader: dataset must be a map-style data set"):
        DataLoader(iter(range(3)))
    with pytest.raises(TypeError, match="numpy.random.Generator"):
        DataLoader(ds, shuffle=True, generator=42)
    with pytest.raises(TypeError, match="collate_fn must be callable"):
        DataLoader(ds, collate_fn="stack")


# ---- default_collate ---------------------------------------------------------
def test_collate_numbers():
    f = default_collate([1.5, 2.0])
    assert f.dtype == np.float32 and f.tolist() == [1.5, 2.0]
    i = default_collate([1, 2, 3])
    assert i.dtype == np.int64
    assert default_collate([True, False]).dtype == np.bool_
    assert default_collate([np.float64(1), np.float64(2)]).dtype == np.float64


def test_collate_arrays_tensors_strings():
    t = default_collate([gn.zeros(2, 3), gn.ones(2, 3)])
    assert t.shape == (2, 2, 3) and t.numpy()[1].sum() == 6
    a = default_collate([np.arange(3), np.arange(3)])
    assert a.shape == (2, 3) and a.dtype == np.arange(3).dtype
    assert default_collate(["a", "b"]) == ["a", "b"]


def test_collate_dicts_tuples_lists_namedtuples():
    batch = default_collate(
        [{"x": gn.zeros(2), "y": 1, "name": "a"}, {"x": gn.ones(2), "y": 0, "name": "b"}]
    )
    assert set(batch) == {"x", "y", "name"}
    assert batch["x"].shape == (2, 2) and batch["y"].tolist() == [1, 0]
    assert batch["name"] == ["a", "b"]
    tup = default_collate([(gn.zeros(3), 0.5), (gn.ones(3), 1.5)])
    assert isinstance(tup, tuple) and tup[0].shape == (2, 3) and tup[1].tolist() == [0.5, 1.5]
    lst = default_collate([[1, 2], [3, 4]])
    assert isinstance(lst, list) and lst[0].tolist() == [1, 3] and lst[1].tolist() == [2, 4]
    Point = namedtuple("Point", "x y")
    p = default_collate([Point(1.0, 2), Point(3.0, 4)])
    assert isinstance(p, Point) and p.x.tolist() == [1.0, 3.0] and p.y.tolist() == [2, 4]
    nested = default_collate([{"pair": (1, [2.0])}, {"pair": (3, [4.0])}])
    assert nested["pair"][0].tolist() == [1, 3] and nested["pair"][1][0].tolist() == [2.0, 4.0]


def test_collate_errors_name_the_place_and_the_samples():
    with pytest.raises(
        ValueError,
        match=r"default_collate: cannot stack samples of different "
        r"shapes at \['x'\]: sample 0 has shape \(2,\), sample 2 "
        r"has shape \(3,\)",
    ):
        default_collate([{"x": gn.zeros(2)}, {"x": gn.zeros(2)}, {"x": gn.zeros(3)}])
    with pytest.raises(
        ValueError, match="sample 0 has keys \\['x'\\] but sample 1 has keys \\['y'\\]"
    ):
        default_collate([{"x": 1}, {"y": 1}])
    with pytest.raises(ValueError, match="sample 0 has 2 elements but sample 1 has 3"):
        default_collate([(1, 2), (1, 2, 3)])
    with pytest.raises(TypeError, match="sample 0 at \\[1\\] is a int but sample 1 is a str"):
        default_collate([(0, 1), (0, "a")])
    with pytest.raises(TypeError, match="default_collate: samples must hold tensors.*got NoneType"):
        default_collate([None, None])
    with pytest.raises(ValueError, match="default_collate: got an empty list"):
        default_collate([])


# ---- random_split ------------------------------------------------------------
def test_random_split_counts_are_disjoint_and_cover():
    ds = ids_dataset(20)
    parts = random_split(ds, [12, 5, 3], generator=np.random.default_rng(0))
    assert [len(p) for p in parts] == [12, 5, 3]
    assert all(isinstance(p, Subset) for p in parts)
    got = np.concatenate([p.indices for p in parts])
    assert sorted(got.tolist()) == list(range(20))
    assert got.tolist() != list(range(20))  # random, not the first 12, then the next 5...
    ids = [int(p[k][1]) for p in parts for k in range(len(p))]
    assert sorted(ids) == list(range(20))


def test_random_split_fractions_round_as_pytorch():
    parts = random_split(ids_dataset(10), [0.33, 0.33, 0.34])
    assert [len(p) for p in parts] == [4, 3, 3]  # floor gives 3,3,3; the leftover goes first
    assert [len(p) for p in random_split(ids_dataset(11), [0.5, 0.5])] == [6, 5]


def test_random_split_is_deterministic_for_a_seed():
    a = random_split(ids_dataset(15), [5, 10], generator=np.random.default_rng(9))
    b = random_split(ids_dataset(15), [5, 10], generator=np.random.default_rng(9))
    assert a[0].indices.tolist() == b[0].indices.tolist()


def test_random_split_errors():
    with pytest.raises(
        ValueError,
        match=r"random_split: lengths \[3, 4\] add up to 7, but the "
        r"data set has 10 samples",
    ):
        random_split(ids_dataset(10), [3, 4])
    with pytest.raises(ValueError, match="fractions .* add up to 0.9"):
        random_split(ids_dataset(10), [0.5, 0.4])
    with pytest.raises(ValueError, match="non-negative"):
        random_split(ids_dataset(10), [12, -2])


# ---- train_test_split --------------------------------------------------------
def test_train_test_split_arrays_like_sklearn():
    x = np.arange(20).reshape(10, 2)
    y = gn.arange(10)
    x_tr, x_te, y_tr, y_te = train_test_split(
        x, y, test_size=0.25, generator=np.random.default_rng(0)
    )
    assert isinstance(x_tr, np.ndarray) and isinstance(y_te, gn.Tensor)
    assert len(x_te) == 3 and len(x_tr) == 7  # ceil(0.25 * 10) test samples, as sklearn
    np.testing.assert_array_equal(x_tr[:, 0] // 2, y_tr.numpy())  # rows stay paired
    assert sorted(y_tr.tolist() + y_te.tolist()) == list(range(10))


def test_train_test_split_datasets_keep_their_kind():
    ds = LabeledDataset(
        gn.randn(40, 3),
        gn.tensor(np.arange(40) % 2),
        task="classification",
        feature_names=["a", "b", "c"],
        classes=["no", "yes"],
        name="toy",
    )
    train, test = train_test_split(ds, test_size=10)
    assert isinstance(train, LabeledDataset) and (len(train), len(test)) == (30, 10)
    assert test.feature_names == ["a", "b", "c"] and test.classes == ["no", "yes"]
    t_train, t_test = train_test_split(ids_dataset(8), test_size=0.5)
    assert type(t_train) is TensorDataset and len(t_test) == 4
    s_train, s_test = train_test_split(Squares(8), test_size=2)
    assert isinstance(s_train, Subset) and len(s_test) == 2


def test_train_test_split_without_shuffle_takes_the_end():
    tr, te = train_test_split(np.arange(10), test_size=0.3, shuffle=False)
    assert tr.tolist() == list(range(7)) and te.tolist() == [7, 8, 9]


def test_train_test_split_stratify_keeps_class_proportions():
    y = np.array([0] * 60 + [1] * 30 + [2] * 10)
    _, _, y_tr, y_te = train_test_split(
        np.arange(100), y, test_size=0.2, stratify=y, generator=np.random.default_rng(0)
    )
    assert np.bincount(y_te).tolist() == [12, 6, 2]
    assert np.bincount(y_tr).tolist() == [48, 24, 8]


def test_train_test_split_errors():
    with pytest.raises(ValueError, match=r"arrays have different lengths \[10, 9\]"):
        train_test_split(np.zeros(10), np.zeros(9))
    with pytest.raises(
        ValueError, match="test_size must be a fraction in \\(0, 1\\) or a sample count, got 1.5"
    ):
        train_test_split(np.zeros(10), test_size=1.5)
    with pytest.raises(ValueError, match="leaves 10 test and 0 training samples"):
        train_test_split(np.zeros(10), test_size=10)
    with pytest.raises(ValueError, match="stratify needs shuffle=True"):
        train_test_split(np.zeros(10), shuffle=False, stratify=np.zeros(10))
    with pytest.raises(TypeError, match="argument 0 must be a data set, a tensor or an ndarray"):
        train_test_split([1, 2, 3])
