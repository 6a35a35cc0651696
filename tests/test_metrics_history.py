"""Metrics and History."""

import numpy as np
import pytest
from conftest import need

import glassnet as gn
from glassnet.train import metrics


def test_accuracy_for_each_kind_of_output():
    acc = metrics.Accuracy()
    logits = np.array([[2.0, 1.0, 0.0], [0.0, 3.0, 1.0], [0.0, 0.0, 5.0], [1.0, 0.0, 0.0]])
    assert acc(logits, np.array([0, 1, 1, 0])) == 0.75
    assert acc(logits, np.eye(3)[[0, 1, 2, 0]]) == 1.0  # one-hot targets
    assert acc(np.array([[0.9], [0.2], [0.6]]), np.array([[1.0], [0.0], [0.0]])) == pytest.approx(
        2 / 3
    )
    assert metrics.Accuracy(threshold=0.0)(np.array([1.5, -0.2]), np.array([1, 1])) == 0.5
    assert acc(np.array([0.3, -0.1]), np.array([1.0, -1.0])) == 1.0  # ±1 labels: the sign


def test_regression_metrics_match_their_formulas():
    y = np.array([1.0, 2.0, 3.0, 4.0])
    p = np.array([1.5, 2.0, 2.0, 4.5])
    assert metrics.mse(p, y) == pytest.approx(np.mean((p - y) ** 2))
    assert metrics.mae(p, y) == pytest.approx(np.mean(np.abs(p - y)))
    assert metrics.r2(p, y) == pytest.approx(1 - np.sum((y - p) ** 2) / np.sum((y - y.mean()) ** 2))
    assert metrics.r2(y, y) == 1.0
    sk = need("sklearn.metrics")
    assert metrics.r2(p, y) == pytest.approx(sk.r2_score(y, p))


def test_get_metric_by_name_or_callable():
    assert isinstance(metrics.get_metric("accuracy"), metrics.Accuracy)
    assert metrics.get_metric("r2") is metrics.r2
    f = lambda o, t: 0.0  # noqa: E731
    assert metrics.get_metric(f) is f
    with pytest.raises(ValueError, match="unknown metric 'f1'"):
        metrics.get_metric("f1")


def test_history_plot_writes_an_image(tmp_path):
    need("matplotlib")
    h = gn.History()
    for e in range(5):
        h.append(
            e,
            {"loss": 1.0 / (e + 1), "val_loss": 1.2 / (e + 1), "accuracy": 0.5 + e / 10, "lr": 0.1},
        )
    assert h["loss"][-1] == pytest.approx(0.2) and len(h) == 5
    fig = h.plot(tmp_path / "h.png")
    assert len(fig.axes) == 2  # loss and accuracy panels
    data = (tmp_path / "h.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 1000
    assert gn.History.from_state_dict(h.state_dict()).history == h.history
