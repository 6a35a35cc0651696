"""fit never loses the best weights: resumed callbacks keep their best value
and patience, a NaN/Inf never reaches the weights, bad output paths and
arguments fail before the first batch, checkpoint paths take Keras' fields."""

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn
from glassnet.train.callbacks import Callback, CSVLogger, EarlyStopping, ModelCheckpoint
from glassnet.train.finite import nonfinite_count, nonfinite_problem

W_TRUE = np.array([[1.0], [-2.0], [0.5]], np.float32)


def _data(n=64, seed=0):
    x = np.random.default_rng(seed).normal(size=(n, 3)).astype(np.float32)
    return x, x @ W_TRUE


def _weights(model):
    return {k: np.asarray(v).copy() for k, v in model.state_dict().items()}


def _same(a, b):
    return a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)


# ---- resume keeps the callbacks' memory ---------------------------------------------------
def _run_with_callbacks(tmp_path, epochs, resume=None, order=(0, 1, 2)):
    """Validation on (x, -y): the better the model fits y, the worse val_loss
    gets, so the best epoch is the first and later epochs are all worse."""
    gn.manual_seed(0)
    x, y = _data()
    model = nn.Linear(3, 1)
    best = ModelCheckpoint(tmp_path / "best.st", save_best_only=True)
    last = ModelCheckpoint(tmp_path / "last.st")
    stop = EarlyStopping(patience=2)
    callbacks = [[best, last, stop][i] for i in order]
    h = gn.fit(
        model,
        (x, y),
        validation=(x, -y),
        optimizer="sgd",
        lr=0.05,
        epochs=epochs,
        batch_size=16,
        shuffle=False,
        callbacks=callbacks,
        resume=resume,
        verbose=0,
    )
    return model, h, stop


# the checkpoint holds every callback's state at the end of its epoch, whatever their order
@pytest.mark.parametrize("order", [(0, 1, 2), (1, 2, 0)])
def test_resume_keeps_the_best_checkpoint_and_the_patience(tmp_path, order):
    full_dir, split_dir = tmp_path / "full", tmp_path / "split"
    full_dir.mkdir()
    split_dir.mkdir()
    full, h_full, stop_full = _run_with_callbacks(full_dir, 6)
    assert stop_full.stopped_epoch == 2 and stop_full.best_epoch == 0

    _run_with_callbacks(split_dir, 2, order=order)  # epochs 0 (best), 1 (worse: patience 1/2)
    best_before = (split_dir / "best.st").read_bytes()
    resumed, h_res, stop_res = _run_with_callbacks(
        split_dir, 6, resume=split_dir / "last.st", order=order
    )

    # epoch 2 is worse than epoch 0: the best checkpoint is not overwritten ...
    assert (split_dir / "best.st").read_bytes() == best_before
    assert gn.load(split_dir / "best.st")["epoch"] == 0
    # ... and patience ran out at the same epoch as without the interruption,
    # restoring the same (best) weights
    assert stop_res.stopped_epoch == 2 and stop_res.best_epoch == 0
    assert _same(_weights(resumed), _weights(full))
    best_model = gn.load(split_dir / "best.st")["model"]
    assert _same(_weights(resumed), {k: np.asarray(v) for k, v in best_model.items()})
    assert h_res.history["val_loss"] == h_full.history["val_loss"]


def test_a_resumed_callback_watching_something_else_starts_afresh(tmp_path):
    _run_with_callbacks(tmp_path, 2)
    gn.manual_seed(0)
    x, y = _data()
    stop = EarlyStopping(monitor="loss", patience=1)
    gn.fit(
        nn.Linear(3, 1),
        (x, y),
        validation=(x, -y),
        optimizer="sgd",
        lr=0.05,
        epochs=3,
        callbacks=stop,
        resume=tmp_path / "last.st",
        verbose=0,
    )
    assert stop.best_epoch == 2  # its own best, not the val_loss one of the checkpoint


# ---- NaN/Inf: checked before the update ------------------------------------------------------
def test_a_nonfinite_loss_stops_with_the_weights_and_optimizer_as_they_were():
    x, y = _data(32)
    x[20] = np.nan  # the second batch of 16
    gn.manual_seed(0)
    model = nn.Linear(3, 1)
    opt = gn.optim.Adam(model.parameters(), lr=0.01)
    seen = []

    class Snap(Callback):
        def on_batch_end(self, batch, logs=None):
            seen.append((_weights(model), opt.state_dict()))

    with pytest.raises(
        FloatingPointError,
        match=r"the loss is nan at batch 2 of epoch 1; the update was not applied",
    ):
        gn.fit(
            model,
            (x, y),
            optimizer=opt,
            epochs=1,
            batch_size=16,
            shuffle=False,
            callbacks=[Snap()],
            verbose=0,
        )
    assert len(seen) == 1
    assert _same(_weights(model), seen[0][0])
    assert all(np.isfinite(v).all() for v in _weights(model).values())
    assert opt.state_dict()["state"][0]["step"] == 1  # Adam did not count the bad batch


def test_a_nonfinite_gradient_with_a_finite_loss_is_caught_and_named():
    """RMSE at a perfect fit: L = √(mean((ŷ−y)²)) = 0, and ∂L/∂ŷ = (ŷ−y)/(N·L) = 0/0."""
    model = nn.Linear(3, 1, bias=False)
    with gn.no_grad():
        model.weight.copy_(gn.tensor(W_TRUE.T))
    before = _weights(model)
    x, y = _data(16)

    def rmse(out, target):
        return gn.sqrt(((out - target) ** 2).mean())

    with (
        np.errstate(all="ignore"),
        pytest.raises(
            FloatingPointError, match=r"the loss is finite \(0\) but ∂L/∂weight has 3 NaN/Inf"
        ),
    ):
        gn.fit(model, (x, y), loss=rmse, optimizer="sgd", epochs=1, batch_size=16, verbose=0)
    assert _same(_weights(model), before)


def test_skip_nonfinite_skips_the_bad_batches_and_counts_them():
    x, y = _data(64)
    x[5], x[40] = np.nan, np.inf  # in batches 0 and 2 of 4
    gn.manual_seed(0)
    model = nn.Linear(3, 1)
    with np.errstate(invalid="ignore"):
        h = gn.fit(
            model,
            (x, y),
            optimizer="sgd",
            lr=0.05,
            epochs=3,
            batch_size=16,
            shuffle=False,
            skip_nonfinite=True,
            verbose=0,
        )
    assert h.history["skipped_batches"] == [2, 2, 2]
    assert all(np.isfinite(h.history["loss"]))
    assert all(np.isfinite(v).all() for v in _weights(model).values())
    assert h.history["loss"][-1] < h.history["loss"][0]  # the good batches still train


def test_an_epoch_of_only_bad_batches_logs_nan_rather_than_nothing():
    x, y = _data(16)
    x[:] = np.nan
    with np.errstate(invalid="ignore"):
        h = gn.fit(nn.Linear(3, 1), (x, y), epochs=1, batch_size=8, skip_nonfinite=True, verbose=0)
    assert h.history["skipped_batches"] == [2] and np.isnan(h.history["loss"][0])


def test_the_finite_check_counts_exactly_even_when_the_sum_overflows():
    big = np.full(4, 3e38, np.float32)  # finite, but its float32 sum is inf
    with np.errstate(over="raise"):
        assert nonfinite_count(big) == 0
    big[2] = np.nan
    assert nonfinite_count(big) == 1
    assert nonfinite_problem(1.0, [("w", np.ones(3)), ("b", big)]) == (
        "the loss is finite (1) but ∂L/∂b has 1 NaN/Inf of its 4 entries"
    )
    assert nonfinite_problem(float("inf"), []) == "the loss is inf"
    assert nonfinite_problem(0.5, [("w", np.ones(3))]) is None


# ---- checkpoint paths: Keras' fields, checked early --------------------------------------------
def test_checkpoint_paths_take_keras_fields(tmp_path):
    x, y = _data()
    ck = ModelCheckpoint(tmp_path / "ck-{epoch:02d}-{val_loss:.2f}-{lr}.st", weights_only=True)
    h = gn.fit(nn.Linear(3, 1), (x, y), validation=(x, y), epochs=2, callbacks=ck, verbose=0)
    expected = [
        f"ck-{e + 1:02d}-{v:.2f}-{lr}.st"
        for e, (v, lr) in enumerate(zip(h.history["val_loss"], h.history["lr"]))
    ]
    assert [p.rsplit("/", 1)[1] for p in ck.saved] == expected
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(expected)


@pytest.mark.parametrize(
    "path, message",
    [
        ("ck-{}.st", r"the field \{\}; expected a name"),
        ("ck-{0}.st", r"the field \{0\}; expected a name"),
        ("ck-{epoch.real}.st", r"the field \{epoch.real\}"),
        ("ck-{val_loss:d}.st", r"format spec 'd' of \{val_loss\} does not fit a float"),
        ("ck-{epoch:.{p}f}.st", r"nests a field"),
        ("ck-{epoch.st", r"not a valid template .*'\{\{'"),
        ("run-{epoch}/w.st", r"only in the file name"),
    ],
)
def test_a_malformed_checkpoint_path_fails_at_construction(path, message):
    with pytest.raises(ValueError, match=message):
        ModelCheckpoint(path)


def test_a_field_the_run_never_logs_fails_when_fit_starts(tmp_path):
    x, y = _data()
    model = nn.Linear(3, 1)
    before = _weights(model)
    ck = ModelCheckpoint(tmp_path / "ck-{epoch}-{val_loss:.2f}.st")
    with pytest.raises(
        ValueError,
        match=r"uses \{val_loss\}, which this run never logs; it logs "
        r"epoch, loss, lr; pass validation=",
    ):
        gn.fit(model, (x, y), epochs=3, callbacks=[ck], verbose=0)
    assert _same(_weights(model), before) and list(tmp_path.iterdir()) == []
    with pytest.raises(ValueError, match=r"monitor='val_loss' is never logged .* accuracy, loss"):
        gn.fit(model, (x, y), epochs=3, metrics="accuracy", verbose=0, callbacks=[EarlyStopping()])
    with pytest.raises(ValueError, match=r"ModelCheckpoint: monitor='val_acc' is never logged"):
        gn.fit(
            model,
            (x, y),
            epochs=3,
            verbose=0,
            validation=(x, y),
            callbacks=[ModelCheckpoint(tmp_path / "b.st", "val_acc", save_best_only=True)],
        )
    assert _same(_weights(model), before)


def test_output_folders_are_checked_before_the_first_batch(tmp_path):
    x, y = _data()
    model = nn.Linear(3, 1)
    before = _weights(model)
    (tmp_path / "file.txt").write_text("x")
    bad = [
        (
            ModelCheckpoint(tmp_path / "missing" / "ck-{epoch}.st"),
            FileNotFoundError,
            "ModelCheckpoint: cannot write .*missing.* does not exist",
        ),
        (
            ModelCheckpoint(tmp_path / "file.txt" / "ck.st"),
            NotADirectoryError,
            "file.txt is a file, not a folder",
        ),
        (ModelCheckpoint(tmp_path), IsADirectoryError, "it is a folder"),
        (CSVLogger(tmp_path / "missing" / "log.csv"), FileNotFoundError, "CSVLogger: cannot write"),
    ]
    for callback, error, message in bad:
        with pytest.raises(error, match=message):
            gn.fit(model, (x, y), epochs=2, callbacks=[callback], verbose=0)
        assert _same(_weights(model), before)


# ---- fit's arguments ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"epochs": 2.7}, TypeError, "epochs must be a whole number .*got float 2.7"),
        ({"epochs": True}, TypeError, "epochs must be a whole number .*got bool"),
        ({"epochs": -1}, ValueError, "epochs must be at least 0, got -1"),
        ({"batch_size": 0}, ValueError, "batch_size must be at least 1, got 0"),
        ({"batch_size": 8.0}, TypeError, "batch_size must be a whole number"),
        ({"verbose": 3}, ValueError, "verbose must be 0 .*got 3"),
        (
            {"callbacks": [print]},
            TypeError,
            r"callbacks\[0\] is a builtin_function_or_method; "
            "expected an instance of .*Callback",
        ),
        ({"callbacks": "ModelCheckpoint"}, TypeError, "callbacks must be a Callback or a list"),
    ],
)
def test_bad_fit_arguments_are_refused_before_training(kwargs, error, message):
    x, y = _data()
    model = nn.Linear(3, 1)
    before = _weights(model)
    with pytest.raises(error, match=message):
        gn.fit(model, (x, y), **{"verbose": 0, **kwargs})
    assert _same(_weights(model), before)


def test_one_callback_and_one_metric_need_no_list():
    x, y = _data()
    stop = EarlyStopping(monitor="loss", patience=100)
    h = gn.fit(
        nn.Linear(3, 1), (x, y), epochs=np.int64(2), callbacks=stop, metrics="mae", verbose=0
    )
    assert len(h) == 2 and len(h.history["mae"]) == 2 and stop.best_epoch == 1


@pytest.mark.parametrize("skip", [True, False])
def test_a_rejected_batch_leaves_batchnorms_running_statistics_alone(skip):
    """The forward of a batch that is then rejected has already moved
    BatchNorm's running mean/var and its batch count: they are put back."""
    x, y = _data(32)
    x[20] = np.nan  # batch 1 of 2
    gn.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 1))
    reference = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 1))
    reference.load_state_dict(model.state_dict())
    bn, good = model[1], x[:16]
    reference(gn.tensor(good))  # what one good batch does to the statistics
    run = lambda: gn.fit(  # noqa: E731
        model,
        (x, y),
        optimizer="sgd",
        lr=0.0,
        epochs=1,
        batch_size=16,
        shuffle=False,
        skip_nonfinite=skip,
        verbose=0,
    )
    with np.errstate(invalid="ignore"):
        if skip:
            run()
        else:
            with pytest.raises(FloatingPointError):
                run()
    for name in ("running_mean", "running_var", "num_batches_tracked"):
        np.testing.assert_array_equal(
            np.asarray(getattr(bn, name)), np.asarray(getattr(reference[1], name)), name
        )
