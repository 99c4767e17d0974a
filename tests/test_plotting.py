"""Tests of course_lib.plotting: image grids, filters and feature maps (Agg backend; every
figure is closed after each test). The images shown are read back from the axes."""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from course_lib.plotting import image_grid, show_feature_maps, show_filters

matplotlib.use("Agg")

ACCEPTED = ("(N, H, W)", "(N, 1, H, W)", "(N, 3, H, W)")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _image_axes(fig: Figure) -> list:
    return [ax for ax in fig.axes if ax.images]


def _shown(fig: Figure) -> list[np.ndarray]:
    return [np.asarray(ax.images[0].get_array()) for ax in _image_axes(fig)]


# ---------------------------------------------------------------------------------------------
# image_grid
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "shape, as_shown",
    [
        ((5, 6, 7), lambda a: a),
        ((5, 1, 6, 7), lambda a: a[:, 0]),
        ((5, 3, 6, 7), lambda a: a.transpose(0, 2, 3, 1)),
    ],
    ids=["NHW", "N1HW", "N3HW"],
)
def test_image_grid_shows_every_image(shape, as_shown):
    images = np.random.default_rng(0).random(shape)
    fig = image_grid(images)
    assert isinstance(fig, Figure)
    shown = _shown(fig)
    assert len(shown) == 5
    for got, expected in zip(shown, as_shown(images)):
        assert np.array_equal(got, expected)


@pytest.mark.parametrize("n, ncols, cells", [(5, 2, 6), (12, 5, 15), (3, 10, 3), (1, 4, 1)])
def test_image_grid_layout(n, ncols, cells):
    images = np.random.default_rng(1).random((n, 4, 4))
    fig = image_grid(images, ncols=ncols)
    assert len(fig.axes) == cells  # full rows of ncols (at most n columns)
    assert len(_image_axes(fig)) == n
    assert all(not ax.axison for ax in fig.axes)


def test_image_grid_labels_and_title():
    images = np.random.default_rng(2).random((4, 5, 5))
    labels = ["cat", 3, "dog", 7.5]
    fig = image_grid(images, labels=labels, title="probe title")
    assert [ax.get_title() for ax in _image_axes(fig)] == ["cat", "3", "dog", "7.5"]
    assert fig._suptitle is not None and fig._suptitle.get_text() == "probe title"


def test_image_grid_symmetric_scale():
    images = np.stack([np.full((3, 3), -2.0), np.linspace(-0.5, 1.5, 9).reshape(3, 3)])
    images[0, 1, 1] = 1.0
    fig = image_grid(images, symmetric=True)
    clims = [ax.images[0].get_clim() for ax in _image_axes(fig)]
    assert clims == [(-2.0, 2.0), (-1.5, 1.5)]


def test_image_grid_accepts_a_list():
    images = [np.eye(4), np.ones((4, 4))]
    shown = _shown(image_grid(images))
    assert len(shown) == 2 and np.array_equal(shown[0], np.eye(4))


@pytest.mark.parametrize("shape", [(6, 7), (2, 3, 1, 6, 7), (6,)])
def test_image_grid_refuses_wrong_ndim(shape):
    with pytest.raises(ValueError) as info:
        image_grid(np.zeros(shape))
    message = str(info.value)
    for accepted in ACCEPTED:
        assert accepted in message
    assert str(shape) in message


def test_image_grid_refuses_other_channel_counts():
    with pytest.raises(ValueError) as info:
        image_grid(np.zeros((4, 2, 6, 7)))
    assert "(N, 3, H, W)" in str(info.value) and "(4, 2, 6, 7)" in str(info.value)


def test_image_grid_refuses_bad_dtype():
    with pytest.raises(TypeError):
        image_grid(np.zeros((2, 3, 3), dtype=complex))


@pytest.mark.parametrize("labels", [["a", "b"], list(range(5))])
def test_image_grid_refuses_labels_of_the_wrong_length(labels):
    with pytest.raises(ValueError) as info:
        image_grid(np.zeros((3, 4, 4)), labels=labels)
    message = str(info.value)
    assert "3" in message and str(len(labels)) in message and "labels" in message


# ---------------------------------------------------------------------------------------------
# filters and feature maps
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("channels", [1, 3])
def test_show_filters(channels):
    w = np.random.default_rng(3).normal(size=(6, channels, 5, 4))
    fig = show_filters(w, title="probe filters")
    assert isinstance(fig, Figure)
    axes = _image_axes(fig)
    assert len(axes) == 6
    assert [ax.get_title() for ax in axes] == [str(k) for k in range(6)]
    for k, ax in enumerate(axes):
        expected = w[k].sum(axis=0) / channels  # channel mean
        np.testing.assert_allclose(ax.images[0].get_array(), expected, rtol=1e-12)
        m = np.abs(expected).max()
        np.testing.assert_allclose(ax.images[0].get_clim(), (-m, m), rtol=1e-12)
    assert fig._suptitle.get_text() == "probe filters"


def test_show_filters_accepts_torch_weights():
    torch = pytest.importorskip("torch")
    w = torch.nn.Conv2d(2, 4, 3).weight.detach()
    assert len(_image_axes(show_filters(w))) == 4


@pytest.mark.parametrize("shape", [(6, 5, 4), (2, 6, 1, 5, 4)])
def test_show_filters_refuses_wrong_ndim(shape):
    with pytest.raises(ValueError) as info:
        show_filters(np.zeros(shape))
    assert "(F, C, KH, KW)" in str(info.value) and str(shape) in str(info.value)


def test_show_feature_maps():
    maps = np.random.default_rng(4).random((7, 9, 8))
    fig = show_feature_maps(maps)
    assert isinstance(fig, Figure)
    shown = _shown(fig)
    assert len(shown) == 7
    for got, expected in zip(shown, maps):
        assert np.array_equal(got, expected)
    assert [ax.get_title() for ax in _image_axes(fig)] == [str(k) for k in range(7)]


@pytest.mark.parametrize("shape", [(9, 8), (1, 7, 9, 8)])
def test_show_feature_maps_refuses_wrong_ndim(shape):
    with pytest.raises(ValueError) as info:
        show_feature_maps(np.zeros(shape))
    assert "(C, H, W)" in str(info.value) and str(shape) in str(info.value)


@pytest.mark.parametrize(
    "n, k, pad, stride", [(5, 3, 0, 1), (5, 3, 1, 1), (5, 3, 1, 2), (7, 2, 2, 3)]
)
def test_conv_grid_draws_padding_windows_and_output_size(n, k, pad, stride):
    from matplotlib.patches import Rectangle

    from course_lib.plotting import conv_grid

    ax = conv_grid(n, k, pad, stride)
    cells = [p for p in ax.patches if isinstance(p, Rectangle) and p.get_fill()]
    grey = [p for p in cells if p.get_facecolor()[:3] != (1.0, 1.0, 1.0)]
    windows = [p for p in ax.patches if not p.get_fill()]
    total = n + 2 * pad
    out = (total - k) // stride + 1
    assert len(cells) == total**2 and len(grey) == total**2 - n**2
    assert [(w.get_x(), w.get_width()) for w in windows] == [(0, k), (stride, k)][: min(out, 2)]
    assert ax.get_title().endswith(f"-> {out}x{out}")


def test_conv_grid_refuses_a_kernel_that_does_not_fit():
    from course_lib.plotting import conv_grid

    with pytest.raises(ValueError, match="does not fit"):
        conv_grid(3, 6, 1, 1)
