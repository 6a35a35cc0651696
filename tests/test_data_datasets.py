"""gn.data.datasets: each set's shape, dtype, range, balance, and a property
that pins its definition."""

import subprocess
import sys

import numpy as np
import pytest
from conftest import need

import glassnet as gn
from glassnet.data import DataLoader
from glassnet.data import datasets as D
from glassnet.data.playground import multi_gauss_label


def rng(seed=0):
    return np.random.default_rng(seed)


def arrays(ds):
    x, y = ds.tensors
    return x.numpy(), y.numpy()


def check_binary(ds, n, x_dtype=np.float32):
    x, y = arrays(ds)
    assert x.shape == (n, 2) and x.dtype == x_dtype
    assert y.shape == (n,) and y.dtype == np.int64 and set(np.unique(y)) <= {0, 1}
    assert ds.task == "classification" and len(ds.classes) == 2
    return x, y


# ---- the article's tasks -------------------------------------------------------
def test_square_is_x_squared():
    ds = D.square(200, low=-2, high=3, generator=rng())
    x, y = arrays(ds)
    assert x.shape == y.shape == (200, 1) and x.dtype == y.dtype == np.float32
    assert x.min() >= -2 and x.max() < 3 and x.min() < -1.5 and x.max() > 2.5
    np.testing.assert_allclose(y, x**2, rtol=1e-6)
    assert ds.task == "regression" and ds.feature_names == ["x"]


def test_square_noise_has_the_asked_std():
    x, y = arrays(D.square(4000, noise=0.1, generator=rng()))
    residual = y - x**2
    assert abs(residual.std() - 0.1) < 0.01 and abs(residual.mean()) < 0.01


def test_square_errors():
    with pytest.raises(ValueError, match="square: expected low < high, got low=1, high=1"):
        D.square(low=1, high=1)
    with pytest.raises(ValueError, match="square: n must be an integer >= 1, got 0"):
        D.square(0)
    with pytest.raises(ValueError, match="square: noise must be >= 0, got -1"):
        D.square(noise=-1)


def test_xor_four_points():
    ds = D.xor()
    x, y = arrays(ds)
    assert x.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]] and y.tolist() == [0, 1, 1, 0]
    assert y.dtype == np.int64 and x.dtype == np.float32
    _, yf = arrays(D.xor(labels="float"))
    assert yf.shape == (4, 1) and yf.dtype == np.float32 and yf.ravel().tolist() == [0, 1, 1, 0]
    _, ypm = arrays(D.xor(labels="pm1"))
    assert ypm.ravel().tolist() == [-1, 1, 1, -1]


def test_xor_noisy_samples_keep_their_corner_label():
    x, y = arrays(D.xor(100, noise=0.1, generator=rng()))
    assert np.bincount(y).tolist() == [50, 50]
    corner = np.rint(x).astype(int)
    np.testing.assert_array_equal(y, corner[:, 0] ^ corner[:, 1])
    assert np.abs(x - corner).max() > 0.05  # noise was added


def test_labels_option_is_checked():
    with pytest.raises(
        ValueError, match="circle: labels must be one of 'index', 'float', 'pm1', got 'onehot'"
    ):
        D.circle(labels="onehot")


def test_house_prices_follow_the_formula():
    ds = D.house_prices(500, generator=rng())
    x, y = arrays(ds)
    assert x.shape == (500, 2) and y.shape == (500, 1) and x.dtype == np.float32
    area, rooms = x[:, 0], x[:, 1]
    assert area.min() >= 30 and area.max() < 200
    assert set(np.unique(rooms)) <= {1, 2, 3, 4, 5, 6} and len(np.unique(rooms)) >= 5
    assert np.corrcoef(area, rooms)[0, 1] > 0.8  # bigger houses have more rooms
    np.testing.assert_allclose(y[:, 0], 50 + 2 * area + 20 * rooms, rtol=1e-6)
    assert ds.feature_names == ["area_m2", "rooms"] and ds.task == "regression"


def test_house_prices_noise_and_standardize():
    x, y = arrays(D.house_prices(3000, noise=10, generator=rng()))
    assert abs((y[:, 0] - (50 + 2 * x[:, 0] + 20 * x[:, 1])).std() - 10) < 0.5
    xs, _ = arrays(D.house_prices(300, standardize=True, generator=rng()))
    np.testing.assert_allclose(xs.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(xs.std(axis=0), 1, atol=1e-5)


# ---- TensorFlow Playground -------------------------------------------------------
def test_circle_labels_follow_the_radius_rule():
    x, y = check_binary(D.circle(500, generator=rng()), 500)
    r = np.hypot(x[:, 0], x[:, 1])
    np.testing.assert_array_equal(y, r < 2.5)
    assert np.bincount(y).tolist() == [250, 250]
    assert np.all((r <= 2.5) | ((r >= 3.5) & (r <= 5)))
    assert y[:250].sum() not in (0, 250)  # shuffled, as the Playground does


def test_circle_noise_flips_labels_near_the_border_only():
    x, y = check_binary(D.circle(2000, noise=50, generator=rng()), 2000)
    r = np.hypot(x[:, 0], x[:, 1])
    flipped = y != (r < 2.5)
    assert 0.05 < flipped.mean() < 0.5
    assert np.all((r <= 2.5) | ((r >= 3.5) & (r <= 5)))  # noise moves labels, not points


def test_xor2d_labels_are_the_sign_of_the_product():
    x, y = check_binary(D.xor2d(1000, generator=rng()), 1000)
    np.testing.assert_array_equal(y, x[:, 0] * x[:, 1] >= 0)
    a = np.abs(x)
    assert a.min() >= 0.3 and a.max() <= 5.3
    assert 400 < y.sum() < 600
    _, y_noisy = check_binary(D.xor2d(1000, noise=30, generator=rng()), 1000)
    assert 0 < (y_noisy != y).mean() < 0.4


def test_gauss_centres_and_variance_follow_noise():
    for noise, variance in [(0, 0.5), (50, 4.0), (25, 2.25)]:
        x, y = check_binary(D.gauss(20000, noise=noise, generator=rng()), 20000)
        assert np.bincount(y).tolist() == [10000, 10000]
        plus, minus = x[y == 1], x[y == 0]
        np.testing.assert_allclose(plus.mean(axis=0), [2, 2], atol=0.05)
        np.testing.assert_allclose(minus.mean(axis=0), [-2, -2], atol=0.05)
        spread = np.concatenate([plus - 2, minus + 2]).ravel()  # 40000 draws, SE of var 0.7%
        assert abs(spread.var() / variance - 1) < 0.02


def test_spiral_points_lie_on_their_spirals():
    n = 400
    x, y = check_binary(D.spiral(n, generator=rng()), n)
    assert np.bincount(y).tolist() == [200, 200]
    r = np.hypot(x[:, 0], x[:, 1])
    assert r.max() < 5
    keep = r > 1e-6
    t = 1.75 * 2 * np.pi * r / 5 + np.where(y == 1, 0, np.pi)
    angle = np.arctan2(x[:, 0], x[:, 1])  # points are (r sin t, r cos t)
    gap = np.angle(np.exp(1j * (angle - t)))
    assert np.abs(gap[keep]).max() < 1e-4
    radii = np.sort(r[y == 1])
    np.testing.assert_allclose(radii, 5 * np.arange(200) / 200, atol=1e-5)


def test_spiral_noise_is_uniform_within_half_a_unit():
    clean, y_clean = arrays(D.spiral(2000, generator=rng(5)))
    noisy, y_noisy = arrays(D.spiral(2000, noise=50, generator=rng(5)))  # same draws, scaled
    np.testing.assert_array_equal(y_clean, y_noisy)
    shift = noisy - clean  # U(-1, 1) * 0.5 on each coordinate
    assert np.abs(shift).max() <= 0.5 + 1e-6 and np.abs(shift).max() > 0.49
    assert abs(shift.std() - 0.5 / np.sqrt(3)) < 0.01
    assert np.abs(noisy).max() <= 5.5


def test_plane_label_is_x_plus_y_over_ten():
    ds = D.plane(1200, generator=rng())
    x, y = arrays(ds)
    assert x.shape == (1200, 2) and y.shape == (1200, 1) and ds.task == "regression"
    assert np.abs(x).max() <= 6 and np.abs(x).max() > 5.9
    np.testing.assert_allclose(y[:, 0], (x[:, 0] + x[:, 1]) / 10, atol=1e-6)
    xn, yn = arrays(D.plane(3000, noise=50, generator=rng()))
    # noise: label read at the point moved by U(-6, 6)·0.5 per coordinate -> residual var 2·3/100
    residual = yn[:, 0] - (xn[:, 0] + xn[:, 1]) / 10
    assert abs(residual.var() - 0.06) < 0.006


def test_multi_gauss_labels():
    x, y = arrays(D.multi_gauss(1200, generator=rng()))
    assert y.shape == (1200, 1) and np.abs(y).max() <= 1 and np.abs(x).max() <= 6
    np.testing.assert_allclose(y[:, 0], multi_gauss_label(x.astype(np.float64)), atol=1e-6)
    assert (y > 0.5).any() and (y < -0.5).any() and (y == 0).mean() > 0.2
    points = np.array([[-4, 2.5], [0, 2.5], [1, 2.5], [0, 0], [4, -3.5], [4, -2.5]])
    assert multi_gauss_label(points).tolist() == [1, -1, -0.5, 0, -0.5, -1]


@pytest.mark.parametrize("fn", [D.circle, D.xor2d, D.gauss, D.spiral, D.plane, D.multi_gauss])
def test_playground_sets_check_noise_and_are_deterministic(fn):
    with pytest.raises(ValueError, match=f"{fn.__name__}: noise is a percentage from 0 to 50"):
        fn(noise=60)
    a, b = arrays(fn(50, noise=10, generator=rng(3))), arrays(fn(50, noise=10, generator=rng(3)))
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    gn.manual_seed(1)
    c = arrays(fn(50, noise=10))
    gn.manual_seed(1)
    np.testing.assert_array_equal(arrays(fn(50, noise=10))[0], c[0])
    assert len(fn(51)) == 51


def test_pm1_and_float_labels_match_the_index_labels():
    _, idx = arrays(D.circle(100, generator=rng()))
    _, pm1 = arrays(D.circle(100, labels="pm1", generator=rng()))
    _, f = arrays(D.circle(100, labels="float", generator=rng()))
    assert pm1.shape == f.shape == (100, 1) and pm1.dtype == np.float32
    np.testing.assert_array_equal(pm1[:, 0], 2 * idx - 1)
    np.testing.assert_array_equal(f[:, 0], idx)


# ---- moons and two spirals -----------------------------------------------------------
@pytest.mark.parametrize("n", [100, 101, 2])
def test_moons_equals_sklearn_without_noise_or_shuffle(n):
    skd = need("sklearn.datasets")
    x_ref, y_ref = skd.make_moons(n_samples=n, shuffle=False, noise=None)
    x, y = arrays(D.moons(n, shuffle=False))
    np.testing.assert_allclose(x, x_ref, atol=1e-6)
    np.testing.assert_array_equal(y, y_ref)


def test_moons_shuffled_and_noisy_follow_the_same_law():
    skd = need("sklearn.datasets")
    x_ref, y_ref = skd.make_moons(n_samples=300, shuffle=False)
    x, y = check_binary(D.moons(300, generator=rng()), 300)
    order = np.lexsort((x[:, 1], x[:, 0]))
    ref_order = np.lexsort((x_ref[:, 1], x_ref[:, 0]))
    np.testing.assert_allclose(x[order], x_ref[ref_order], atol=1e-6)  # same points, shuffled
    np.testing.assert_array_equal(y[order], y_ref[ref_order])
    assert y[:150].sum() not in (0, 150)
    xn, yn = arrays(D.moons(4000, noise=0.2, shuffle=False, generator=rng()))
    x_clean, _ = skd.make_moons(n_samples=4000, shuffle=False)
    residual = xn - x_clean
    assert abs(residual.std() - 0.2) < 0.01 and np.abs(residual.mean(axis=0)).max() < 0.01


def test_two_spirals_is_the_cmu_benchmark():
    ds = D.two_spirals()
    x, y = check_binary(ds, 194)
    assert np.bincount(y).tolist() == [97, 97]
    assert y[:4].tolist() == [1, 0, 1, 0]
    np.testing.assert_allclose(x[0], [0, 6.5], atol=1e-6)
    np.testing.assert_allclose(x[1], [0, -6.5], atol=1e-6)
    np.testing.assert_allclose(x[1::2], -x[0::2], atol=1e-6)  # class 0 mirrors class 1
    i = np.arange(97)
    np.testing.assert_allclose(np.hypot(x[0::2, 0], x[0::2, 1]), 6.5 * (104 - i) / 104, rtol=1e-6)
    np.testing.assert_allclose(
        x[2], 6.5 * 103 / 104 * np.array([np.sin(np.pi / 16), np.cos(np.pi / 16)]), rtol=1e-6
    )
    assert np.abs(x).max() <= 6.5 + 1e-6


# ---- real data from scikit-learn -----------------------------------------------------
@pytest.mark.parametrize(
    "fn, shape, counts",
    [
        (D.digits, (1797, 64), None),
        (D.iris, (150, 4), [50, 50, 50]),
        (D.wine, (178, 13), [59, 71, 48]),
        (D.breast_cancer, (569, 30), [212, 357]),
    ],
)
def test_sklearn_sets_load(fn, shape, counts):
    need("sklearn")
    ds = fn()
    x, y = arrays(ds)
    assert x.shape == shape and x.dtype == np.float32
    assert y.shape == (shape[0],) and y.dtype == np.int64
    assert len(ds.feature_names) == shape[1] and ds.task == "classification"
    assert y.max() == len(ds.classes) - 1
    if counts:
        assert np.bincount(y).tolist() == counts
    xs, _ = arrays(fn(standardize=True))
    np.testing.assert_allclose(xs.mean(axis=0), 0, atol=1e-4)
    std = xs.std(axis=0)
    assert np.all((np.abs(std - 1) < 1e-3) | (std == 0))


def test_sklearn_data_matches_the_source():
    skd = need("sklearn.datasets")
    ref = skd.load_digits()
    x, y = arrays(D.digits())
    np.testing.assert_array_equal(x, ref.data)
    np.testing.assert_array_equal(y, ref.target)
    assert D.iris().classes == ["setosa", "versicolor", "virginica"]
    assert D.breast_cancer().classes == ["malignant", "benign"]


def test_missing_sklearn_gives_an_install_hint(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn", None)
    with pytest.raises(
        ImportError,
        match=r"iris: this data set ships inside scikit-learn.*pip "
        r"install glassnet\[data\]",
    ):
        D.iris()


def test_importing_data_does_not_import_sklearn():
    code = (
        "import sys, glassnet as gn; gn.data.datasets.circle(); "
        "assert 'sklearn' not in sys.modules, 'sklearn imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_datasets_feed_a_dataloader():
    train, test = D.train_test_split(D.spiral(100, generator=rng()), test_size=0.2)
    batches = list(DataLoader(train, batch_size=32, shuffle=True))
    assert [len(b[0]) for b in batches] == [32, 32, 16]
    assert len(test) == 20 and test.classes == ["-1", "+1"]
