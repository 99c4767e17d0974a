"""Tests of course_lib.reference (convolution and max-pooling in NumPy) against PyTorch in
float64: forward against F.conv2d / F.max_pool2d, backward against autograd, on random shapes
and values drawn by hypothesis; and the input validation messages."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib.reference import (
    conv2d_backward,
    conv2d_forward,
    conv2d_forward_loops,
    conv_output_size,
    maxpool2d_backward,
    maxpool2d_forward,
)

pytestmark = pytest.mark.usefixtures("one_torch_thread")

SETTINGS = settings(max_examples=40, deadline=None)
FORWARDS = pytest.mark.parametrize(
    "forward", [conv2d_forward, conv2d_forward_loops], ids=["vectorized", "loops"]
)


# ---------------------------------------------------------------------------------------------
# strategies
# ---------------------------------------------------------------------------------------------


@st.composite
def conv_cases(draw):
    """x (N, C, H, W), w (F, C, KH, KW), b (F,), stride, pad with the kernel fitting the padded
    input. Values from a seeded generator at a drawn scale (some cases with integer values)."""
    n, c, f = (draw(st.integers(1, 3)) for _ in range(3))
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    pad, stride = draw(st.integers(0, 2)), draw(st.integers(1, 3))
    h = draw(st.integers(max(1, kh - 2 * pad), 9))
    wd = draw(st.integers(max(1, kw - 2 * pad), 9))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    scale = draw(st.sampled_from([1e-3, 1.0, 1e3]))
    x = rng.normal(scale=scale, size=(n, c, h, wd))
    w = rng.normal(size=(f, c, kh, kw))
    b = rng.normal(size=f)
    if draw(st.booleans()):
        x = np.round(x / scale * 3)  # small integers stored as floats: exact in both
    return x, w, b, stride, pad


@st.composite
def pool_cases(draw):
    """x without ties (a permutation of arange, scaled), pooling size and stride."""
    n, c = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    size, stride = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    h, wd = draw(st.integers(size, 9)), draw(st.integers(size, 9))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    x = (rng.permutation(n * c * h * wd) - 0.5 * n * c * h * wd).reshape(n, c, h, wd) * 0.37
    return x, size, stride, rng


def _t(a: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.asarray(a, dtype=np.float64))


def _torch_conv(x, w, b, stride, pad) -> np.ndarray:
    return F.conv2d(_t(x), _t(w), _t(b), stride=stride, padding=pad).numpy()


def _close(actual, expected):
    assert actual.shape == expected.shape
    np.testing.assert_allclose(actual, expected, rtol=1e-9, atol=1e-9)


# ---------------------------------------------------------------------------------------------
# convolution
# ---------------------------------------------------------------------------------------------


@FORWARDS
@SETTINGS
@given(case=conv_cases())
def test_conv_forward_matches_torch(forward, case):
    x, w, b, stride, pad = case
    x_before, w_before, b_before = x.copy(), w.copy(), b.copy()
    out, cache = forward(x, w, b, stride, pad)
    assert isinstance(out, np.ndarray)
    _close(out, _torch_conv(x, w, b, stride, pad))
    # the cache is (x, w, b, stride, pad) and the inputs are left alone
    assert isinstance(cache, tuple) and len(cache) == 5
    cx, cw, cb, cstride, cpad = cache
    assert np.array_equal(cx, x) and np.array_equal(cw, w) and np.array_equal(cb, b)
    assert (cstride, cpad) == (stride, pad)
    assert type(cstride) is int and type(cpad) is int
    assert np.array_equal(x, x_before) and np.array_equal(w, w_before)
    assert np.array_equal(b, b_before)


@FORWARDS
def test_conv_forward_defaults_are_stride_1_pad_0(forward):
    rng = np.random.default_rng(0)
    x, w, b = rng.normal(size=(2, 3, 6, 5)), rng.normal(size=(4, 3, 3, 2)), rng.normal(size=4)
    out, cache = forward(x, w, b)
    _close(out, _torch_conv(x, w, b, 1, 0))
    assert cache[3:] == (1, 0)


def test_conv_forward_is_cross_correlation():
    """A one-hot kernel at (0, 0) picks the top-left of each window (no flip)."""
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    w = np.zeros((1, 1, 2, 2))
    w[0, 0, 0, 0] = 1.0
    out, _ = conv2d_forward(x, w, np.array([0.5]), 1, 0)
    assert np.array_equal(out[0, 0], x[0, 0, :3, :3] + 0.5)


@SETTINGS
@given(case=conv_cases(), seed=st.integers(0, 2**32 - 1))
def test_conv_backward_matches_autograd(case, seed):
    x, w, b, stride, pad = case
    out, cache = conv2d_forward(x, w, b, stride, pad)
    dout = np.random.default_rng(seed).normal(size=out.shape)

    xt, wt, bt = (_t(a).requires_grad_() for a in (x, w, b))
    F.conv2d(xt, wt, bt, stride=stride, padding=pad).backward(_t(dout))

    grads = conv2d_backward(dout, cache)
    assert isinstance(grads, tuple) and len(grads) == 3
    dx, dw, db = grads
    _close(dx, xt.grad.numpy())
    _close(dw, wt.grad.numpy())
    _close(db, bt.grad.numpy())


# ---------------------------------------------------------------------------------------------
# max pooling
# ---------------------------------------------------------------------------------------------


@SETTINGS
@given(case=pool_cases())
def test_maxpool_forward_matches_torch(case):
    x, size, stride, _ = case
    out, cache = maxpool2d_forward(x, size, stride)
    _close(out, F.max_pool2d(_t(x), size, stride).numpy())
    assert len(cache) == 3
    assert np.array_equal(cache[0], x) and cache[1:] == (size, stride)


@SETTINGS
@given(case=pool_cases())
def test_maxpool_backward_matches_autograd(case):
    x, size, stride, rng = case
    out, cache = maxpool2d_forward(x, size, stride)
    dout = rng.normal(size=out.shape)
    xt = _t(x).requires_grad_()
    F.max_pool2d(xt, size, stride).backward(_t(dout))
    _close(maxpool2d_backward(dout, cache), xt.grad.numpy())


def test_maxpool_defaults_are_2_by_2_stride_2():
    x = np.random.default_rng(1).permutation(2 * 3 * 6 * 7).reshape(2, 3, 6, 7).astype(float)
    out, cache = maxpool2d_forward(x)
    _close(out, F.max_pool2d(_t(x), 2, 2).numpy())
    assert cache[1:] == (2, 2)


# ---------------------------------------------------------------------------------------------
# output size
# ---------------------------------------------------------------------------------------------


@SETTINGS
@given(data=st.data())
def test_conv_output_size_matches_torch(data):
    n = data.draw(st.integers(1, 30), label="n")
    pad = data.draw(st.integers(0, 3), label="pad")
    k = data.draw(st.integers(1, n + 2 * pad), label="k")
    stride = data.draw(st.integers(1, 5), label="stride")
    out = F.conv2d(torch.zeros(1, 1, n, 1), torch.zeros(1, 1, k, 1), stride=stride, padding=pad)
    assert conv_output_size(n, k, pad, stride) == out.shape[2]


def test_conv_output_size_defaults_and_int_type():
    assert conv_output_size(7, 3) == 5
    assert conv_output_size(4, 6, 1, 1) == 1  # the kernel exactly fills the padded input
    assert type(conv_output_size(np.int64(7), np.int64(3))) is int


@pytest.mark.parametrize(
    "args, error, words",
    [
        ((4, 7, 1, 1), ValueError, ["k=7", "6"]),
        ((0, 1, 0, 1), ValueError, ["n", "0"]),
        ((4, 2, -1, 1), ValueError, ["pad", "-1"]),
        ((4, 2, 0, 0), ValueError, ["stride", "0"]),
        ((4.0, 2, 0, 1), TypeError, ["n", "4.0"]),
        ((4, 2, 0, True), TypeError, ["stride", "True"]),
    ],
)
def test_conv_output_size_refuses(args, error, words):
    with pytest.raises(error) as info:
        conv_output_size(*args)
    for word in words:
        assert word in str(info.value)


# ---------------------------------------------------------------------------------------------
# validation
# ---------------------------------------------------------------------------------------------


def _valid():
    rng = np.random.default_rng(2)
    return {
        "x": rng.normal(size=(2, 3, 5, 6)),
        "w": rng.normal(size=(4, 3, 3, 2)),
        "b": rng.normal(size=4),
        "stride": 1,
        "pad": 0,
    }


BAD_CONV_ARGS = [
    # (changes to the valid arguments, error, words the message must contain)
    ({"x": np.zeros((3, 5, 6))}, ValueError, ["x", "(N, C, H, W)", "(3, 5, 6)"]),
    ({"x": np.zeros((1, 2, 3, 5, 6))}, ValueError, ["x", "(N, C, H, W)", "(1, 2, 3, 5, 6)"]),
    ({"w": np.zeros((3, 3, 2))}, ValueError, ["w", "(F, C, KH, KW)", "(3, 3, 2)"]),
    ({"b": np.zeros((4, 1))}, ValueError, ["b", "(F,)", "(4, 1)"]),
    ({"x": np.zeros((2, 2, 5, 6))}, ValueError, ["channels", "(2)", "(3)"]),
    ({"b": np.zeros(5)}, ValueError, ["b", "(5)", "(4)"]),
    ({"stride": 1.0}, TypeError, ["stride", "1.0"]),
    ({"stride": True}, TypeError, ["stride", "True"]),
    ({"stride": 0}, ValueError, ["stride", "0"]),
    ({"pad": -1}, ValueError, ["pad", "-1", ">= 0"]),
    ({"pad": 0.5}, TypeError, ["pad", "0.5"]),
    ({"w": np.zeros((4, 3, 8, 2)), "pad": 1}, ValueError, ["k=8", "7"]),
    ({"w": np.zeros((4, 3, 3, 9))}, ValueError, ["k=9", "6"]),
    ({"x": np.zeros((2, 3, 5, 6)).tolist()}, TypeError, ["x", "(N, C, H, W)", "list"]),
    ({"w": np.zeros((4, 3, 3, 2), dtype=complex)}, TypeError, ["w", "complex128"]),
    ({"x": np.zeros((2, 3, 5, 6), dtype=object)}, TypeError, ["x", "object"]),
    ({"b": np.zeros(4, dtype=bool)}, TypeError, ["b", "bool"]),
]


@FORWARDS
@pytest.mark.parametrize("changes, error, words", BAD_CONV_ARGS)
def test_conv_forward_refuses_bad_input(forward, changes, error, words):
    args = {**_valid(), **changes}
    with pytest.raises(error) as info:
        forward(**args)
    assert type(info.value) is error  # not a subclass raised by NumPy by accident
    for word in words:
        assert word in str(info.value), f"{word!r} not in {str(info.value)!r}"


def test_conv_forward_accepts_integer_arrays():
    args = _valid()
    x = np.arange(2 * 3 * 5 * 6).reshape(2, 3, 5, 6)
    w = np.ones((4, 3, 3, 2), dtype=np.int32)
    b = np.arange(4)
    out, _ = conv2d_forward(x, w, b, args["stride"], args["pad"])
    _close(out, _torch_conv(x, w, b, 1, 0))


def _dout_cases():
    args = _valid()
    _, cache = conv2d_forward(**args)
    expected = (2, 4, 3, 5)  # N, F, (5 - 3) + 1, (6 - 2) + 1
    return cache, expected


@pytest.mark.parametrize("shape", [(2, 4, 3, 4), (1, 4, 3, 5), (2, 3, 3, 5), (2, 4, 4, 5)])
def test_conv_backward_refuses_wrong_dout_shape(shape):
    cache, expected = _dout_cases()
    with pytest.raises(ValueError) as info:
        conv2d_backward(np.ones(shape), cache)
    message = str(info.value)
    assert str(expected) in message and str(shape) in message and "dout" in message


def test_conv_backward_refuses_wrong_dout_ndim_and_type():
    cache, _ = _dout_cases()
    with pytest.raises(ValueError) as info:
        conv2d_backward(np.ones((4, 3, 5)), cache)
    assert "(N, F, Ho, Wo)" in str(info.value) and "(4, 3, 5)" in str(info.value)
    with pytest.raises(TypeError) as info:
        conv2d_backward(np.ones((2, 4, 3, 5)).tolist(), cache)
    assert "dout" in str(info.value) and "list" in str(info.value)


@pytest.mark.parametrize(
    "x, size, stride, error, words",
    [
        (np.zeros((3, 4, 4)), 2, 2, ValueError, ["(N, C, H, W)", "(3, 4, 4)"]),
        (np.zeros((1, 1, 4, 4)).tolist(), 2, 2, TypeError, ["x", "list"]),
        (np.zeros((1, 1, 4, 4), dtype=complex), 2, 2, TypeError, ["complex128"]),
        (np.zeros((1, 1, 4, 4)), 2.0, 2, TypeError, ["size", "2.0"]),
        (np.zeros((1, 1, 4, 4)), 2, True, TypeError, ["stride", "True"]),
        (np.zeros((1, 1, 4, 4)), 0, 2, ValueError, ["size", "0"]),
        (np.zeros((1, 1, 4, 6)), 5, 1, ValueError, ["k=5", "4"]),
    ],
)
def test_maxpool_forward_refuses_bad_input(x, size, stride, error, words):
    with pytest.raises(error) as info:
        maxpool2d_forward(x, size, stride)
    assert type(info.value) is error
    for word in words:
        assert word in str(info.value)


@pytest.mark.parametrize(
    "shape, expected",
    [
        ((2, 3, 2, 3), "(2, 3, 3, 3)"),
        ((2, 3, 3, 2), "(2, 3, 3, 3)"),
        ((1, 3, 3, 3), "(2, 3, 3, 3)"),
        ((2, 3, 3, 3, 1), "(N, C, Ho, Wo)"),
    ],
)
def test_maxpool_backward_refuses_wrong_dout_shape(shape, expected):
    x = np.random.default_rng(3).normal(size=(2, 3, 7, 6))
    _, cache = maxpool2d_forward(x, 2, 2)  # Ho = (7 - 2) // 2 + 1 = 3, Wo = 3
    with pytest.raises(ValueError) as info:
        maxpool2d_backward(np.ones(shape), cache)
    message = str(info.value)
    assert str(shape) in message and expected in message and "dout" in message
