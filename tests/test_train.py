"""The article's tasks learned for real, and fit() with its callbacks,
checkpoints, resume and Ctrl-C."""

import os
import signal

import numpy as np
import pytest
from conftest import need

import glassnet as gn
from glassnet import nn
from glassnet.train.callbacks import (
    Callback,
    CSVLogger,
    EarlyStopping,
    LRSchedulerCallback,
    ModelCheckpoint,
)

XOR_X = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
XOR_Y = [[0.0], [1.0], [1.0], [0.0]]


def _train_full_batch(model, x, y, loss_fn, lr, steps):
    opt = gn.optim.SGD(model.parameters(), lr=lr)
    for _ in range(steps):
        loss = loss_fn(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return loss.item()


def test_xor_2_4_1_sigmoid_learns_for_20_of_20_seeds_and_linear_cannot():
    x, y = gn.tensor(XOR_X), gn.tensor(XOR_Y)
    solved = 0
    for seed in range(20):
        gn.manual_seed(seed)
        net = nn.Sequential(nn.Linear(2, 4), nn.Sigmoid(), nn.Linear(4, 1))
        _train_full_batch(net, x, y, nn.BCEWithLogitsLoss(), lr=1.0, steps=2000)
        solved += (
            gn.evaluate(net, (x, y), metrics=["accuracy"], loss="bce_with_logits")["accuracy"]
            == 1.0
        )
    assert solved == 20
    # a linear model w·x + b can separate at most 3 of the 4 XOR points
    for seed in range(5):
        gn.manual_seed(seed)
        linear = nn.Linear(2, 1)
        _train_full_batch(linear, x, y, nn.BCEWithLogitsLoss(), lr=1.0, steps=1000)
        acc = gn.metrics.Accuracy(threshold=0.0)(linear(x), y)
        assert acc <= 0.75


@pytest.mark.parametrize("hidden, threshold", [(2, 0.012), (16, 0.0015)])
def test_square_with_the_articles_network(hidden, threshold):
    """y = x² on [-1, 1] with 1-hidden-1 ReLU nets and plain gradient descent.
    Measured (seed 0, 3000 full-batch steps, lr 0.05, Adam-free): 1-2-1 reaches about
    0.008 (two ReLU pieces cannot bend further), 1-16-1 about 0.0007."""
    gn.manual_seed(0)
    ds = gn.datasets.square(n=64, low=-1.0, high=1.0, noise=0.0)
    x, y = ds.tensors
    net = nn.Sequential(nn.Linear(1, hidden), nn.ReLU(), nn.Linear(hidden, 1))
    nn.init.kaiming_uniform_(net[0].weight, nonlinearity="relu")
    final = _train_full_batch(net, x, y, nn.HalfSquaredError(), lr=0.05, steps=3000)
    assert final < threshold


def test_digits_mlp_reaches_97_percent():
    need("sklearn")  # the digits ship inside scikit-learn
    gn.manual_seed(0)
    ds = gn.datasets.digits(standardize=True)
    train, test = gn.datasets.train_test_split(
        ds, test_size=0.2, generator=np.random.default_rng(0)
    )
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
    gn.fit(
        model,
        train,
        loss="cross_entropy",
        optimizer="adam",
        lr=1e-3,
        epochs=40,
        batch_size=32,
        verbose=0,
    )
    acc = gn.evaluate(model, test, metrics=["accuracy"])["accuracy"]
    assert acc >= 0.97


def test_iris_mlp_reaches_95_percent():
    need("sklearn")  # so does iris
    accs = []
    for seed in range(3):
        gn.manual_seed(seed)
        ds = gn.datasets.iris(standardize=True)
        train, test = gn.datasets.train_test_split(ds, test_size=0.3, stratify=ds.targets.numpy())
        model = nn.Sequential(nn.Linear(4, 16), nn.Tanh(), nn.Linear(16, 3))
        gn.fit(
            model,
            train,
            loss="cross_entropy",
            optimizer="adam",
            lr=1e-2,
            epochs=60,
            batch_size=16,
            verbose=0,
        )
        accs.append(gn.evaluate(model, test, metrics=["accuracy"])["accuracy"])
    assert np.mean(accs) >= 0.95, accs


def _small_problem():
    gn.manual_seed(0)
    ds = gn.datasets.circle(n=200, noise=5)
    model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Dropout(0.1), nn.Linear(8, 2))
    return ds, model


def test_fit_history_validation_fraction_and_metrics():
    ds, model = _small_problem()
    h = gn.fit(
        model,
        ds,
        loss="cross_entropy",
        optimizer="adam",
        lr=0.02,
        epochs=5,
        batch_size=32,
        validation=0.25,
        metrics=["accuracy"],
        verbose=0,
    )
    assert set(h.history) == {"loss", "accuracy", "val_loss", "val_accuracy", "lr"}
    assert len(h) == 5 and all(len(v) == 5 for v in h.history.values())
    assert h.history["loss"][-1] < h.history["loss"][0]
    assert 0 <= h.history["val_accuracy"][-1] <= 1


def test_fit_verbose_levels(capsys):
    ds, model = _small_problem()
    gn.fit(model, ds, loss="cross_entropy", epochs=2, verbose=0)
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""
    gn.fit(model, ds, loss="cross_entropy", epochs=2, verbose=2)
    assert "Epoch 2/2" in capsys.readouterr().out
    gn.fit(model, ds, loss="cross_entropy", epochs=1, verbose=1)
    err = capsys.readouterr().err
    assert "Epoch 1/1" in err and "loss" in err  # the progress bar


def test_early_stopping_restores_best_weights():
    ds, model = _small_problem()
    stopper = EarlyStopping(monitor="val_loss", patience=2, restore_best=True)
    # an absurd learning rate makes the validation loss worse after the first epochs
    h = gn.fit(
        model,
        ds,
        loss="cross_entropy",
        optimizer="sgd",
        lr=5.0,
        epochs=50,
        validation=0.3,
        callbacks=[stopper],
        verbose=0,
    )
    assert stopper.stopped_epoch is not None and len(h) < 50
    best = min(h.history["val_loss"])
    assert h.history["val_loss"][stopper.best_epoch] == best


def test_checkpoint_and_resume_equal_an_uninterrupted_run(tmp_path):
    def run(epochs, resume=None, path=None):
        ds, model = _small_problem()
        opt = gn.optim.Adam(model.parameters(), lr=0.01)
        sched = gn.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
        cbs = [LRSchedulerCallback(sched)]
        if path:
            cbs.append(ModelCheckpoint(path))
        h = gn.fit(
            model,
            ds,
            loss="cross_entropy",
            optimizer=opt,
            epochs=epochs,
            batch_size=16,
            callbacks=cbs,
            resume=resume,
            verbose=0,
        )
        return model, h

    full, h_full = run(6)
    ckpt = str(tmp_path / "ckpt.safetensors")
    run(3, path=ckpt)
    resumed, h_res = run(6, resume=ckpt)
    for (k, a), (_, b) in zip(full.state_dict().items(), resumed.state_dict().items()):
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=k)
    assert h_res.history["loss"] == h_full.history["loss"]
    assert h_res.history["lr"] == h_full.history["lr"]


def test_resume_from_a_weights_file_explains(tmp_path):
    ds, model = _small_problem()
    path = str(tmp_path / "w.safetensors")
    gn.save(model.state_dict(), path)
    with pytest.raises(ValueError, match="not a glassnet training checkpoint"):
        gn.fit(model, ds, loss="cross_entropy", epochs=1, resume=path, verbose=0)


def test_csv_logger_writes_one_row_per_epoch(tmp_path):
    ds, model = _small_problem()
    path = tmp_path / "log.csv"
    gn.fit(
        model,
        ds,
        loss="cross_entropy",
        epochs=3,
        metrics=["accuracy"],
        callbacks=[CSVLogger(path)],
        verbose=0,
    )
    rows = path.read_text().strip().splitlines()
    assert rows[0].startswith("epoch,loss,accuracy") and len(rows) == 4


def test_ctrl_c_stops_cleanly_and_keeps_the_model_usable():
    class PressCtrlC(Callback):
        def on_batch_end(self, batch, logs=None):
            if batch == 2:
                os.kill(os.getpid(), signal.SIGINT)

    ds, model = _small_problem()
    h = gn.fit(
        model,
        ds,
        loss="cross_entropy",
        epochs=5,
        batch_size=16,
        callbacks=[PressCtrlC()],
        verbose=0,
    )
    assert h.interrupted and len(h) == 0
    out = gn.predict(model, ds.features)
    assert out.shape == (200, 2) and np.isfinite(out.numpy()).all()


def test_reduce_lr_on_plateau_through_callback():
    ds, model = _small_problem()
    opt = gn.optim.SGD(model.parameters(), lr=0.1)
    # mode='max' on a falling loss: (almost) every epoch is "no improvement"
    sched = gn.optim.lr_scheduler.ReduceLROnPlateau(opt, mode="max", patience=0, factor=0.5)
    h = gn.fit(
        model,
        ds,
        loss="cross_entropy",
        optimizer=opt,
        epochs=6,
        lr=None,
        callbacks=[LRSchedulerCallback(sched, monitor="loss")],
        verbose=0,
    )
    lrs = h.history["lr"]
    assert lrs[0] == 0.1 and lrs[-1] <= 0.1 * 0.5**2
    assert all(b / a in (1.0, 0.5) for a, b in zip(lrs, lrs[1:]))
    assert opt.param_groups[0]["lr"] <= lrs[-1]


def test_regression_metrics_and_predict():
    gn.manual_seed(0)
    ds = gn.datasets.house_prices(n=200, noise=0.0)
    x, y = ds.tensors
    xs = (x.numpy() - x.numpy().mean(0)) / x.numpy().std(0)
    ys = (y.numpy() - y.numpy().mean()) / y.numpy().std()
    model = nn.Linear(2, 1)
    gn.fit(model, (xs, ys), loss="mse", optimizer="adam", lr=0.05, epochs=60, verbose=0)
    res = gn.evaluate(model, (xs, ys), loss="mse", metrics=["mse", "mae", "r2"])
    assert res["r2"] > 0.95 and res["mse"] == pytest.approx(res["loss"], rel=1e-5)
    assert gn.predict(model, xs).shape == (200, 1)


def test_bad_arguments_are_explained():
    ds, model = _small_problem()
    with pytest.raises(ValueError, match="unknown loss 'msee'"):
        gn.fit(model, ds, loss="msee", verbose=0)
    with pytest.raises(ValueError, match="unknown optimizer"):
        gn.fit(model, ds, optimizer="sgdd", verbose=0)
    with pytest.raises(ValueError, match="unknown metric"):
        gn.fit(model, ds, metrics=["acuracy"], verbose=0)
    with pytest.raises(ValueError, match="validation fraction"):
        gn.fit(model, ds, validation=1.5, verbose=0)


# -- one Trainer: what the playground drives it with --------------------------------------


def _line_problem():
    gn.manual_seed(3)
    x = np.linspace(-1, 1, 12, dtype=np.float32).reshape(-1, 1)
    return nn.Linear(1, 1), x, 2 * x + 1


def _trainer(model, x, y, batch_size=3, **kw):
    from glassnet.data import DataLoader, TensorDataset
    from glassnet.train.loop import Trainer

    loader = DataLoader(TensorDataset(gn.tensor(x), gn.tensor(y)), batch_size=batch_size)
    return Trainer(
        model, nn.MSELoss(), gn.optim.SGD(model.parameters(), lr=0.1), loader=loader, **kw
    )


def test_train_epoch_stops_at_a_deadline_and_goes_on_with_the_same_epoch():
    model, x, y = _line_problem()
    twin = nn.Linear(1, 1)
    twin.load_state_dict(model.state_dict())
    sliced, whole = _trainer(model, x, y), _trainer(twin, x, y)
    slices = 0
    while sliced.train_epoch(deadline=0.0) is None:  # a deadline long past: one batch a call
        slices += 1
    assert slices == 3 and sliced.epoch == 1 and len(sliced.history) == 1
    logs = whole.train_epoch()
    assert logs["loss"] == pytest.approx(sliced.history.last("loss"))
    np.testing.assert_array_equal(model.weight.detach().numpy(), twin.weight.detach().numpy())


def test_penalty_and_gradient_norms_are_those_of_a_hand_written_loop():
    model, x, y = _line_problem()
    twin = nn.Linear(1, 1)
    twin.load_state_dict(model.state_dict())
    trainer = _trainer(
        model,
        x,
        y,
        batch_size=12,
        grad_norms={"w": model.weight},
        penalty=lambda: gn.optim.l2_penalty([model.weight], lam=0.5),
    )
    logs = trainer.train_epoch()
    opt = gn.optim.SGD(twin.parameters(), lr=0.1)
    loss = nn.MSELoss()(twin(gn.tensor(x)), gn.tensor(y)) + gn.optim.l2_penalty(
        [twin.weight], lam=0.5
    )
    opt.zero_grad()
    loss.backward()
    norm = np.linalg.norm(twin.weight.grad.numpy())
    opt.step()
    np.testing.assert_allclose(
        model.weight.detach().numpy(), twin.weight.detach().numpy(), rtol=1e-6
    )
    assert logs["loss"] == pytest.approx(loss.item()) and logs["grad_norm_w"] == pytest.approx(
        norm, rel=1e-6
    )


def test_fit_takes_a_penalty():
    model, x, y = _line_problem()
    plain = nn.Linear(1, 1)
    plain.load_state_dict(model.state_dict())
    gn.fit(plain, (x, y), epochs=20, verbose=0, shuffle=False, lr=0.1)
    gn.fit(
        model,
        (x, y),
        epochs=20,
        verbose=0,
        shuffle=False,
        lr=0.1,
        penalty=lambda: gn.optim.l1_penalty([model.weight], lam=1.0),
    )
    assert abs(model.weight.item()) < abs(plain.weight.item()) - 0.5


def test_evaluations_and_record_share_one_history_row_per_call():
    model, x, y = _line_problem()
    trainer = _trainer(model, x, y, evaluations={"test": (x, y)})
    before = trainer.record()
    trainer.train_epoch()
    h = trainer.history
    assert h.epoch == [-1, 0] and h["test_loss"][0] == before["test_loss"]
    assert np.isnan(h["loss"][0]) and h["test_loss"][1] < h["test_loss"][0]
    assert h.last("test_loss") == gn.evaluate(model, (x, y), loss="mse")["loss"]


def test_history_with_a_limit_keeps_every_other_row_and_the_last():
    h = gn.History(limit=4)
    for e in range(5):
        h.append(e, {"loss": float(e)} if e != 2 else {"other": 1.0})
    assert h.epoch == [0, 2, 4] and h["loss"][0] == 0 and np.isnan(h["loss"][1])
    assert h["other"][1] == 1.0 and np.isnan(h["other"][0]) and h.last("loss") == 4.0
    with pytest.raises(ValueError, match="limit"):
        gn.History(limit=1)


def test_evaluate_on_no_data_gives_nan_not_zero():
    model = nn.Linear(2, 1)
    empty = (np.zeros((0, 2), np.float32), np.zeros((0, 1), np.float32))
    assert np.isnan(gn.evaluate(model, empty, loss="mse")["loss"])
