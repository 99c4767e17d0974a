"""Reference convolution and max-pooling layers in NumPy (Lecture 1).

Layer contract (as in CS231n): ``*_forward(...) -> (out, cache)`` and
``*_backward(dout, cache) -> grads``. Layout is PyTorch's: images ``(N, C, H, W)``,
filters ``(F, C, KH, KW)``. "Convolution" here is cross-correlation, as in PyTorch:
the kernel is not flipped.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from course_lib import _validate as v


def conv_output_size(n: int, k: int, pad: int = 0, stride: int = 1) -> int:
    """Output length of a convolution along one axis: ``(n + 2 pad - k) // stride + 1``."""
    n = v.positive_int("n", n)
    k = v.positive_int("k", k)
    pad = v.positive_int("pad", pad, minimum=0)
    stride = v.positive_int("stride", stride)
    if k > n + 2 * pad:
        raise ValueError(
            f"kernel size k={k} is larger than the padded input n + 2 pad = {n + 2 * pad}"
        )
    return (n + 2 * pad - k) // stride + 1


def _check_conv_args(x, w, b, stride, pad):
    v.array("x", x, 4, "(N, C, H, W)")
    v.array("w", w, 4, "(F, C, KH, KW)")
    v.array("b", b, 1, "(F,)")
    v.same("x's channels C", x.shape[1], "w's input channels", w.shape[1])
    v.same("b's length", b.shape[0], "w's number of filters F", w.shape[0])
    stride = v.positive_int("stride", stride)
    pad = v.positive_int("pad", pad, minimum=0)
    ho = conv_output_size(x.shape[2], w.shape[2], pad, stride)
    wo = conv_output_size(x.shape[3], w.shape[3], pad, stride)
    return stride, pad, ho, wo


def _windows(x_pad, kh, kw, stride, ho, wo):
    """Strided view (N, C, Ho, Wo, KH, KW) of every receptive field; no copy."""
    win = sliding_window_view(x_pad, (kh, kw), axis=(2, 3))
    return win[:, :, : (ho - 1) * stride + 1 : stride, : (wo - 1) * stride + 1 : stride]


def _im2col(x_pad, kh, kw, stride, ho, wo):
    """im2col: one row per output position (n, i, j), one column per (c, p, q) of the window."""
    win = _windows(x_pad, kh, kw, stride, ho, wo)  # (N, C, Ho, Wo, KH, KW)
    n, c = x_pad.shape[:2]
    return win.transpose(0, 2, 3, 1, 4, 5).reshape(n * ho * wo, c * kh * kw)


def conv2d_forward(x, w, b, stride=1, pad=0):
    """Convolution layer forward (vectorized: im2col and one matrix product).

    x: (N, C, H, W), w: (F, C, KH, KW), b: (F,), stride >= 1, pad >= 0 (zeros, both sides).
    Returns out: (N, F, Ho, Wo) with Ho = (H + 2 pad - KH) // stride + 1, and
    cache = (x, w, b, stride, pad).
    """
    stride, pad, ho, wo = _check_conv_args(x, w, b, stride, pad)
    n, f = x.shape[0], w.shape[0]
    x_pad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    cols = _im2col(x_pad, w.shape[2], w.shape[3], stride, ho, wo)  # (N*Ho*Wo, C*KH*KW)
    out = cols @ w.reshape(f, -1).T + b  # (N*Ho*Wo, F)
    out = out.reshape(n, ho, wo, f).transpose(0, 3, 1, 2)
    return np.ascontiguousarray(out), (x, w, b, stride, pad)


# The loops exercise has the same contract and the same answer.
conv2d_forward_loops = conv2d_forward


def conv2d_backward(dout, cache):
    """Convolution layer backward (im2col, two matrix products, col2im).

    dout: (N, F, Ho, Wo), cache from ``conv2d_forward``.
    Returns dx: (N, C, H, W), dw: (F, C, KH, KW), db: (F,).
    """
    x, w, b, stride, pad = cache
    _, _, ho, wo = _check_conv_args(x, w, b, stride, pad)
    v.array("dout", dout, 4, "(N, F, Ho, Wo)")
    expected = (x.shape[0], w.shape[0], ho, wo)
    if dout.shape != expected:
        raise ValueError(f"dout must have shape (N, F, Ho, Wo) = {expected}, got {dout.shape}")
    n, c, h, wd = x.shape
    f, _, kh, kw = w.shape
    x_pad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    cols = _im2col(x_pad, kh, kw, stride, ho, wo)  # (N*Ho*Wo, C*KH*KW)
    dout_rows = dout.transpose(0, 2, 3, 1).reshape(-1, f)  # (N*Ho*Wo, F)
    db = dout.sum(axis=(0, 2, 3))
    dw = (dout_rows.T @ cols).reshape(w.shape)
    dcols = dout_rows @ w.reshape(f, -1)  # gradient of every window, (N*Ho*Wo, C*KH*KW)
    # col2im: kernel offset (p, q) of every window sends its gradient back to one strided slice
    dcols = dcols.reshape(n, ho, wo, c, kh, kw).transpose(
        4, 5, 0, 3, 1, 2
    )  # (KH, KW, N, C, Ho, Wo)
    dx_pad = np.zeros(x_pad.shape, dtype=dcols.dtype)
    for p in range(kh):
        for q in range(kw):
            dx_pad[:, :, p : p + stride * ho : stride, q : q + stride * wo : stride] += dcols[p, q]
    dx = dx_pad[:, :, pad : pad + h, pad : pad + wd]
    return np.ascontiguousarray(dx), dw, db


def _check_pool_args(x, size, stride):
    v.array("x", x, 4, "(N, C, H, W)")
    size = v.positive_int("size", size)
    stride = v.positive_int("stride", stride)
    ho = conv_output_size(x.shape[2], size, 0, stride)
    wo = conv_output_size(x.shape[3], size, 0, stride)
    return size, stride, ho, wo


def maxpool2d_forward(x, size=2, stride=2):
    """Max-pooling forward. x: (N, C, H, W) -> out: (N, C, Ho, Wo), cache = (x, size, stride).

    Ho = (H - size) // stride + 1. No parameters.
    """
    size, stride, ho, wo = _check_pool_args(x, size, stride)
    win = _windows(x, size, size, stride, ho, wo)
    return win.max(axis=(4, 5)), (x, size, stride)


def maxpool2d_backward(dout, cache):
    """Max-pooling backward: each window's gradient goes to its (first) maximum.

    dout: (N, C, Ho, Wo) -> dx: (N, C, H, W). Overlapping windows accumulate.
    """
    x, size, stride = cache
    size, stride, ho, wo = _check_pool_args(x, size, stride)
    v.array("dout", dout, 4, "(N, C, Ho, Wo)")
    expected = (x.shape[0], x.shape[1], ho, wo)
    if dout.shape != expected:
        raise ValueError(f"dout must have shape (N, C, Ho, Wo) = {expected}, got {dout.shape}")
    win = _windows(x, size, size, stride, ho, wo)
    arg = win.reshape(*win.shape[:4], size * size).argmax(axis=-1)
    dx = np.zeros(x.shape, dtype=np.result_type(dout, x))
    for i in range(size):
        for j in range(size):
            routed = np.where(arg == i * size + j, dout, 0)
            dx[:, :, i : i + stride * ho : stride, j : j + stride * wo : stride] += routed
    return dx
