"""Tests of course_lib.widgets: the kernel parser and ConvExplorer, driven by setting its
controls' values as a student's clicks would. The oracle is torch's conv2d in float64."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from course_lib.reference import conv2d_forward
from course_lib.widgets import KERNELS, ConvExplorer, parse_kernel

matplotlib.use("Agg")
# ConvExplorer draws with plt.show(), which Agg cannot show
pytestmark = [
    pytest.mark.usefixtures("one_torch_thread"),
    pytest.mark.filterwarnings("ignore:.*non-interactive.*:UserWarning"),
]

SOBEL_X = [[1, 0, -1], [2, 0, -2], [1, 0, -1]]
FORMAT = "1 0 -1; 2 0 -2"  # the example the error messages give


@pytest.fixture
def image():
    return np.random.default_rng(0).random((20, 30))


def _oracle(image, kernel, stride=1, pad=0) -> np.ndarray:
    x = torch.from_numpy(np.asarray(image, dtype=np.float64))[None, None]
    k = torch.tensor(kernel, dtype=torch.float64)[None, None]
    return F.conv2d(x, k, stride=stride, padding=pad)[0, 0].numpy()


def _assert_output(explorer, expected):
    assert explorer.output is not None
    assert explorer.output.shape == expected.shape
    np.testing.assert_allclose(explorer.output, expected, rtol=1e-10, atol=1e-12)
    ho, wo = expected.shape
    assert f"output {ho} x {wo}" in explorer.summary.value


# ---------------------------------------------------------------------------------------------
# parse_kernel
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["1 0 -1; 2 0 -2; 1 0 -1", "1,0,-1;2,0,-2;1,0,-1", "  1  0 -1 ;2, 0, -2;  1 0 -1 ;"],
)
def test_parse_kernel(text):
    k = parse_kernel(text)
    assert isinstance(k, np.ndarray) and k.dtype == np.float64
    assert k.shape == (3, 3)
    assert np.array_equal(k, np.array(SOBEL_X, dtype=float))


@pytest.mark.parametrize(
    "text, shape, first", [("0.5", (1, 1), 0.5), ("1 2 3", (1, 3), 1.0), ("1e-1; -2", (2, 1), 0.1)]
)
def test_parse_kernel_other_shapes(text, shape, first):
    k = parse_kernel(text)
    assert k.shape == shape and k[0, 0] == first


@pytest.mark.parametrize("text", ["1 2; 3", "", "   ", ";;", "1 0 -1; 2 x -2", "1 0 -1; 2 0 -2)"])
def test_parse_kernel_refuses_bad_text(text):
    with pytest.raises(ValueError) as info:
        parse_kernel(text)
    assert repr(text) in str(info.value)  # the message shows what was given


NOT_NUMBERS = ["1 0 -1; 2 x -2", "a b"]
NOT_RECTANGULAR = ["1 2; 3", "", ";;"]


@pytest.mark.parametrize("text", NOT_NUMBERS + NOT_RECTANGULAR)
def test_parse_kernel_error_shows_the_format(text):
    with pytest.raises(ValueError) as info:
        parse_kernel(text)
    assert FORMAT in str(info.value) and "';'" in str(info.value)


@pytest.mark.parametrize("text", ["1 nan; 0 1", "inf 0; 0 1"])
def test_parse_kernel_refuses_non_finite(text):
    with pytest.raises(ValueError, match="finite"):
        parse_kernel(text)


def test_explorer_escapes_error_text(image):
    explorer = ConvExplorer(image)
    explorer.kernel.value = "custom"
    explorer.custom.value = "1 <img src=x onerror=alert(1)>"
    assert "<img" not in explorer.summary.value and "&lt;img" in explorer.summary.value


@pytest.mark.parametrize("value", [None, 3, [[1, 0], [0, 1]], b"1 0; 0 1"])
def test_parse_kernel_refuses_non_strings(value):
    with pytest.raises(TypeError) as info:
        parse_kernel(value)
    assert "string" in str(info.value) and type(value).__name__ in str(info.value)


# ---------------------------------------------------------------------------------------------
# ConvExplorer
# ---------------------------------------------------------------------------------------------


def test_explorer_default_is_sobel_x(image):
    explorer = ConvExplorer(image)
    assert explorer.kernel.value == "vertical edges (Sobel x)"
    assert (explorer.stride.value, explorer.pad.value) == (1, 0)
    assert explorer.custom.disabled
    _assert_output(explorer, _oracle(image, SOBEL_X))
    assert explorer.output.shape == (18, 28)
    assert "input 20 x 30" in explorer.summary.value


def test_explorer_follows_stride_padding_and_kernel(image):
    explorer = ConvExplorer(image)
    explorer.stride.value = 2
    _assert_output(explorer, _oracle(image, SOBEL_X, stride=2))
    assert explorer.output.shape == (9, 14)
    explorer.pad.value = 2
    _assert_output(explorer, _oracle(image, SOBEL_X, stride=2, pad=2))
    assert explorer.output.shape == (11, 16)
    explorer.kernel.value = "blur 5x5 (box)"
    _assert_output(explorer, _oracle(image, [[1 / 25] * 5] * 5, stride=2, pad=2))
    assert explorer.output.shape == (10, 15)
    explorer.stride.value = 3
    explorer.pad.value = 0
    _assert_output(explorer, _oracle(image, [[1 / 25] * 5] * 5, stride=3))
    assert explorer.output.shape == (6, 9)


@pytest.mark.parametrize("name", [n for n in KERNELS if n != "custom"])
def test_explorer_every_named_kernel(image, name):
    explorer = ConvExplorer(image)
    explorer.kernel.value = name
    explorer.pad.value = 1
    _assert_output(explorer, _oracle(image, KERNELS[name], pad=1))
    kh, kw = np.shape(KERNELS[name])
    assert f"kernel {kh} x {kw}" in explorer.summary.value


def test_explorer_identity_kernel_returns_the_image(image):
    explorer = ConvExplorer(image)
    explorer.kernel.value = "identity"
    explorer.pad.value = 1
    np.testing.assert_allclose(explorer.output, image, rtol=0, atol=1e-15)


def test_explorer_custom_kernel(image):
    explorer = ConvExplorer(image)
    assert explorer.custom.disabled
    explorer.kernel.value = "custom"
    assert not explorer.custom.disabled
    _assert_output(explorer, _oracle(image, [[1, 0, -1]] * 3))  # the text box's default
    explorer.custom.value = "0 2; -1 0.5"
    _assert_output(explorer, _oracle(image, [[0, 2], [-1, 0.5]]))
    assert explorer.output.shape == (19, 29)
    explorer.stride.value = 2
    _assert_output(explorer, _oracle(image, [[0, 2], [-1, 0.5]], stride=2))
    explorer.kernel.value = "sharpen"
    assert explorer.custom.disabled
    _assert_output(explorer, _oracle(image, [[0, -1, 0], [-1, 5, -1], [0, -1, 0]], stride=2))


@pytest.mark.parametrize(
    "text, words",
    [
        ("1 2; 3", ["same length", "1 2; 3"]),
        ("1 x", ["numbers", "1 x"]),
        ("; ".join(["1"] * 21), ["k=21", "20"]),  # a 21 x 1 kernel on 20 rows
    ],
)
def test_explorer_invalid_custom_kernel_keeps_the_output(image, text, words):
    explorer = ConvExplorer(image)
    explorer.kernel.value = "custom"
    explorer.custom.value = "1 1; 1 1"
    before = explorer.output.copy()
    good_summary = explorer.summary.value
    explorer.custom.value = text  # must not raise
    for word in words:
        assert word in explorer.summary.value
    assert explorer.summary.value != good_summary
    assert np.array_equal(explorer.output, before)
    # and a valid kernel afterwards is used again
    explorer.custom.value = "1; -1"
    _assert_output(explorer, _oracle(image, [[1], [-1]]))


def test_explorer_refuses_a_3d_image():
    with pytest.raises(ValueError) as info:
        ConvExplorer(np.zeros((3, 20, 30)))
    assert "(H, W)" in str(info.value) and "(3, 20, 30)" in str(info.value)


def test_explorer_refuses_a_list_image():
    with pytest.raises(TypeError):
        ConvExplorer(np.zeros((20, 30)).tolist())


def test_explorer_uses_the_given_conv(image):
    calls = []

    def student_conv(x, w, b, stride, pad):
        calls.append((x.shape, w.shape, b.shape, stride, pad))
        out, cache = conv2d_forward(x, w, b, stride, pad)
        return 2 * out, cache  # visibly different from the reference

    explorer = ConvExplorer(image, conv=student_conv)
    assert calls == [((1, 1, 20, 30), (1, 1, 3, 3), (1,), 1, 0)]
    _assert_output(explorer, 2 * _oracle(image, SOBEL_X))
    explorer.stride.value = 2
    explorer.pad.value = 1
    assert calls[-2:] == [
        ((1, 1, 20, 30), (1, 1, 3, 3), (1,), 2, 0),
        ((1, 1, 20, 30), (1, 1, 3, 3), (1,), 2, 1),
    ]
    _assert_output(explorer, 2 * _oracle(image, SOBEL_X, stride=2, pad=1))


def test_explorer_shows_the_students_error(image):
    def broken_conv(x, w, b, stride, pad):
        if stride > 1:
            raise ValueError("probe: stride not supported")
        return conv2d_forward(x, w, b, stride, pad)

    explorer = ConvExplorer(image, conv=broken_conv)
    before = explorer.output.copy()
    explorer.stride.value = 2
    assert "probe: stride not supported" in explorer.summary.value
    assert np.array_equal(explorer.output, before)


def test_explorer_has_a_widget(image):
    import ipywidgets

    explorer = ConvExplorer(image)
    assert isinstance(explorer.widget, ipywidgets.VBox)
