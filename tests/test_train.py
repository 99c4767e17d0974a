"""Tests of course_lib.train (seeding, augmentation, the training loop, evaluation) and of
course_lib.plotting.LiveCurves, which the loop feeds. Everything on the CPU and on a small
synthetic problem, so that the whole file runs in a few seconds."""

from __future__ import annotations

import random

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from matplotlib.figure import Figure
from torch import nn

from course_lib.plotting import LiveCurves
from course_lib.train import evaluate, fit, predict, random_shift, seed_everything

pytestmark = pytest.mark.usefixtures("one_torch_thread")

matplotlib.use("Agg")


@pytest.fixture
def not_grading(monkeypatch):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)


# ---------------------------------------------------------------------------------------------
# seeding
# ---------------------------------------------------------------------------------------------


def _draws():
    return (
        random.random(),
        np.random.rand(3).tolist(),
        torch.rand(3).tolist(),
        torch.randint(0, 1000, (3,)).tolist(),
    )


def test_seed_everything_makes_draws_reproducible():
    seed_everything(7)
    first = _draws()
    seed_everything(7)
    assert _draws() == first
    seed_everything(8)
    other = _draws()
    # every source changes with the seed, so each one is really seeded
    for a, b in zip(first, other):
        assert a != b


def test_seed_everything_accepts_zero_and_numpy_int():
    seed_everything(np.int64(0))
    first = _draws()
    seed_everything(0)
    assert _draws() == first


@pytest.mark.parametrize("seed, error", [(-1, ValueError), (True, TypeError), (1.5, TypeError)])
def test_seed_everything_refuses(seed, error):
    with pytest.raises(error) as info:
        seed_everything(seed)
    assert "seed" in str(info.value) and str(seed) in str(info.value)


# ---------------------------------------------------------------------------------------------
# a linearly separable two-class problem
# ---------------------------------------------------------------------------------------------


def _blobs(n: int, seed: int):
    """Points on both sides of the line 1.5 x0 - x1 = 0, with a margin of 0.5."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(4 * n, 2)).astype(np.float32)
    score = X @ np.array([1.5, -1.0], dtype=np.float32)
    keep = np.abs(score) > 0.5
    X, score = X[keep][:n], score[keep][:n]
    return X, (score > 0).astype(np.int64)


def _model(seed: int = 0) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 2))


def _train(seed=0, model_seed=0, **kwargs):
    X, y = _blobs(200, seed=1)
    model = _model(model_seed)
    options = {"epochs": 8, "batch_size": 32, "lr": 0.05, "device": "cpu", "seed": seed}
    history = fit(model, X, y, **{**options, **kwargs})
    return model, history


def test_fit_learns_a_separable_problem(not_grading):
    X_val, y_val = _blobs(100, seed=2)
    model, history = _train(val=(X_val, y_val))
    assert set(history) == {"loss", "train_acc", "val_acc"}
    assert all(len(history[k]) == 8 for k in history)
    assert history["train_acc"][-1] > 0.9
    assert history["loss"][-1] < history["loss"][0]
    assert all(0.0 <= a <= 1.0 for k in ("train_acc", "val_acc") for a in history[k])
    # the model itself was trained (in place), and val_acc is its accuracy on (X_val, y_val)
    X, y = _blobs(200, seed=1)
    assert evaluate(model, X, y) > 0.9
    with torch.no_grad():
        manual = (model(torch.from_numpy(X_val)).argmax(1).numpy() == y_val).mean()
    assert history["val_acc"][-1] == pytest.approx(manual)


def test_fit_without_val_has_empty_val_acc(not_grading):
    _, history = _train(epochs=3)
    assert len(history["loss"]) == len(history["train_acc"]) == 3
    assert history["val_acc"] == []


def test_fit_loss_is_the_mean_batch_loss_before_each_step(not_grading):
    """One epoch, one batch: the reported loss is the cross-entropy of the initial model."""
    X, y = _blobs(50, seed=3)
    model = _model(4)
    with torch.no_grad():
        logits = model(torch.from_numpy(X))
        expected_loss = nn.functional.cross_entropy(logits, torch.from_numpy(y)).item()
        expected_acc = (logits.argmax(1).numpy() == y).mean()
    history = fit(model, X, y, epochs=1, batch_size=len(X), device="cpu")
    assert history["loss"][0] == pytest.approx(expected_loss, rel=1e-5)
    assert history["train_acc"][0] == pytest.approx(expected_acc)


def test_fit_is_reproducible_with_the_same_seed(not_grading):
    model_a, history_a = _train(seed=3)
    model_b, history_b = _train(seed=3)
    assert history_a == history_b
    for pa, pb in zip(model_a.parameters(), model_b.parameters()):
        assert torch.equal(pa, pb)
    # and the seed matters: another seed shuffles differently
    _, history_c = _train(seed=4)
    assert history_c["loss"] != history_a["loss"]


def test_fit_with_augmentation_on_images(not_grading):
    rng = np.random.default_rng(5)
    X = rng.random((40, 1, 6, 6)).astype(np.float32)
    y = rng.integers(0, 3, 40)
    torch.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(36, 3))
    calls = []
    shift = random_shift(1)

    def augment(xb, generator):
        calls.append(xb.shape)
        return shift(xb, generator)

    history = fit(model, X, y, epochs=2, batch_size=16, device="cpu", augment=augment)
    assert len(history["loss"]) == 2
    assert calls == [(16, 1, 6, 6), (16, 1, 6, 6), (8, 1, 6, 6)] * 2


@pytest.mark.parametrize(
    "X, y, error, words",
    [
        (np.zeros((10, 2), np.float32), np.zeros((10, 1), np.int64), ValueError, ["(N,)"]),
        (np.zeros((10, 2), np.float32), np.zeros(9, np.int64), ValueError, ["10", "9"]),
        (np.zeros((10, 2)).tolist(), np.zeros(10, np.int64), TypeError, ["X", "list"]),
        (np.zeros((10, 2), np.float32), list(range(10)), TypeError, ["y", "list"]),
    ],
)
def test_fit_refuses_bad_data(not_grading, X, y, error, words):
    with pytest.raises(error) as info:
        fit(_model(), X, y, epochs=1, device="cpu")
    for word in words:
        assert word in str(info.value)


@pytest.mark.parametrize(
    "kwargs, error", [({"epochs": 0}, ValueError), ({"epochs": 1.0}, TypeError)]
)
def test_fit_refuses_bad_epochs(not_grading, kwargs, error):
    X, y = _blobs(20, seed=0)
    with pytest.raises(error, match="epochs"):
        fit(_model(), X, y, device="cpu", **kwargs)


# ---------------------------------------------------------------------------------------------
# progress bar and grading mode
# ---------------------------------------------------------------------------------------------


def test_no_output_on_stderr_under_grading(monkeypatch, capfd):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    _train(epochs=2, desc="probe-bar")
    out, err = capfd.readouterr()
    assert err == ""
    assert out == ""


def test_progress_bar_on_stderr_otherwise(not_grading, capfd):
    _train(epochs=2, desc="probe-bar")
    _, err = capfd.readouterr()
    assert "probe-bar" in err  # the switch above is what silences it


# ---------------------------------------------------------------------------------------------
# predict and evaluate
# ---------------------------------------------------------------------------------------------


def _manual_predictions(model, X):
    with torch.no_grad():
        return model(torch.from_numpy(X)).argmax(1).numpy()


@pytest.mark.parametrize("batch_size", [1, 7, 512])
def test_predict_and_evaluate_agree_with_argmax(batch_size):
    X, y = _blobs(50, seed=6)
    model = _model(7)  # untrained: about half right, so agreement is not trivial
    manual = _manual_predictions(model, X)
    pred = predict(model, X, batch_size=batch_size)
    assert isinstance(pred, np.ndarray) and pred.shape == (50,)
    assert np.array_equal(pred, manual)
    assert evaluate(model, X, y) == pytest.approx(np.mean(manual == y))
    assert evaluate(model, X, manual) == 1.0
    assert evaluate(model, X, 1 - manual) == 0.0


def test_predict_accepts_float64():
    X, _ = _blobs(10, seed=7)
    model = _model(1)
    assert np.array_equal(predict(model, X.astype(np.float64)), _manual_predictions(model, X))


def test_evaluate_and_predict_refuse_bad_input():
    X, y = _blobs(20, seed=8)
    model = _model()
    with pytest.raises(ValueError, match=r"\(N,\)"):
        evaluate(model, X, y[:, None])
    with pytest.raises(ValueError):
        evaluate(model, X, y[:15])
    with pytest.raises(TypeError, match="list"):
        predict(model, X.tolist())
    with pytest.raises(TypeError, match="list"):
        evaluate(model, X.tolist(), y)
    with pytest.raises(TypeError):
        evaluate(model, X, y.tolist())


def test_evaluate_refuses_length_one_labels():
    X, y = _blobs(20, seed=8)
    with pytest.raises(ValueError) as info:
        evaluate(_model(), X, y[:1])
    assert "20" in str(info.value) and "1" in str(info.value)


# ---------------------------------------------------------------------------------------------
# random_shift
# ---------------------------------------------------------------------------------------------


def _translate(img: np.ndarray, dy: int, dx: int) -> np.ndarray:
    """img (H, W) moved by (dy, dx): out[i, j] = img[i - dy, j - dx], zeros coming in."""
    H, W = img.shape
    out = np.zeros_like(img)
    for i in range(H):
        for j in range(W):
            if 0 <= i - dy < H and 0 <= j - dx < W:
                out[i, j] = img[i - dy, j - dx]
    return out


def _marked_batch(n: int, m: int, seed: int):
    """Channel 0: one bright pixel in the middle (it stays inside after any shift <= m);
    channel 1: random content."""
    H, W = 2 * m + 5, 2 * m + 6
    x = torch.zeros(n, 2, H, W)
    x[:, 0, H // 2, W // 2] = 1.0
    x[:, 1] = torch.rand(n, H, W, generator=torch.Generator().manual_seed(seed)) + 0.1
    return x, (H // 2, W // 2)


@pytest.mark.parametrize("m", [1, 2, 3])
def test_random_shift_translates_each_image_by_at_most_m(m):
    x, (ci, cj) = _marked_batch(300, m, seed=m)
    out = random_shift(m)(x.clone(), torch.Generator().manual_seed(0))
    assert isinstance(out, torch.Tensor) and out.shape == x.shape and out.dtype == x.dtype
    shifts = []
    for k in range(len(x)):
        marker = out[k, 0].numpy()
        assert np.count_nonzero(marker) == 1 and marker.max() == 1.0
        i, j = np.argwhere(marker)[0]
        dy, dx = int(i - ci), int(j - cj)
        assert abs(dy) <= m and abs(dx) <= m
        # the content moved with the marker, zeros came in
        expected = _translate(x[k, 1].numpy(), dy, dx)
        assert np.array_equal(out[k, 1].numpy(), expected)
        shifts.append((dy, dx))
    # different images get different shifts: with 300 images every one of the
    # (2m + 1)^2 shifts occurs (a missing one has probability < 1e-5)
    assert set(shifts) == {(a, b) for a in range(-m, m + 1) for b in range(-m, m + 1)}


def test_random_shift_follows_the_generator():
    x, _ = _marked_batch(20, 2, seed=0)
    augment = random_shift(2)
    a = augment(x, torch.Generator().manual_seed(1))
    b = augment(x, torch.Generator().manual_seed(1))
    c = augment(x, torch.Generator().manual_seed(2))
    assert torch.equal(a, b)
    assert not torch.equal(a, c)


def test_random_shift_default_and_bad_pixels():
    x, _ = _marked_batch(50, 2, seed=0)
    out = random_shift()(x, torch.Generator().manual_seed(0))
    assert out.shape == x.shape
    with pytest.raises(ValueError, match="pixels"):
        random_shift(0)
    with pytest.raises(TypeError, match="pixels"):
        random_shift(True)
    with pytest.raises(TypeError, match="pixels"):
        random_shift(1.5)


# ---------------------------------------------------------------------------------------------
# LiveCurves
# ---------------------------------------------------------------------------------------------


def _lines_by_label(fig: Figure) -> dict:
    return {line.get_label(): (ax, line) for ax in fig.axes for line in ax.get_lines()}


def test_live_curves_record_and_draw():
    live = LiveCurves(title="probe")
    metrics = [
        {"loss": 1.2, "train_acc": 0.4, "val_acc": 0.35},
        {"loss": 0.7, "train_acc": 0.6, "val_acc": 0.55},
        {"loss": 0.4, "train_acc": 0.8, "val_acc": np.float32(0.75)},
    ]
    open_before = plt.get_fignums()
    for epoch, values in enumerate(metrics, start=1):
        live.update(epoch, **values)
    assert plt.get_fignums() == open_before  # update closes what it draws
    assert live.epochs == [1, 2, 3]
    for key in ("loss", "train_acc", "val_acc"):
        assert live.history[key] == pytest.approx([m[key] for m in metrics])
    assert set(live.history) == {"loss", "train_acc", "val_acc"}

    fig = live.figure()
    assert isinstance(fig, Figure)
    lines = _lines_by_label(fig)
    assert set(lines) == {"loss", "train_acc", "val_acc"}
    assert sum(len(ax.get_lines()) for ax in fig.axes) == 3
    for key, (_ax, line) in lines.items():
        assert list(line.get_xdata()) == [1, 2, 3]
        np.testing.assert_allclose(line.get_ydata(), [m[key] for m in metrics], rtol=1e-6)
    # accuracies share one axis, the loss has its own
    assert lines["train_acc"][0] is lines["val_acc"][0]
    assert lines["loss"][0] is not lines["train_acc"][0]
    assert lines["loss"][0].get_ylabel() == "loss"
    assert lines["train_acc"][0].get_ylabel() == "accuracy"


def test_live_curves_empty_figure():
    fig = LiveCurves().figure()
    assert isinstance(fig, Figure)
    assert sum(len(ax.get_lines()) for ax in fig.axes) == 0


def test_fit_feeds_live_curves(not_grading):
    live = LiveCurves()
    X_val, y_val = _blobs(30, seed=9)
    _, history = _train(epochs=3, val=(X_val, y_val), live=live)
    assert live.epochs == [1, 2, 3]
    assert set(live.history) == set(history)
    for key, values in history.items():
        assert live.history[key] == pytest.approx(values)
    assert set(_lines_by_label(live.figure())) == {"loss", "train_acc", "val_acc"}
