"""Mistake catalog of Lecture 1: for every graded exercise, plausible wrong implementations
(each must be rejected by the exercise's visible or hidden tests, with the named likely cause
where one is given) and several correct ones written differently (each must pass all tests).

Layer contract: conv2d_forward*(x, w, b, stride, pad) -> (out, (x, w, b, stride, pad)),
conv2d_backward(dout, cache) -> (dx, dw, db), maxpool2d_forward(x, size, stride) ->
(out, (x, size, stride)), maxpool2d_backward(dout, cache) -> dx.
"""

import numpy as np
from numpy.lib.stride_tricks import as_strided, sliding_window_view

from tests.catalog import Exercise, Wrong

# ------------------------------------------------------------------ conv_output_size


def size_formula(n, k, pad, stride):
    return (n + 2 * pad - k) // stride + 1


def size_count_windows(n, k, pad, stride):
    return len(range(0, n + 2 * pad - k + 1, stride))


def size_no_plus_one(n, k, pad, stride):
    return (n + 2 * pad - k) // stride


def size_pad_once(n, k, pad, stride):
    return (n + pad - k) // stride + 1


def size_float_division(n, k, pad, stride):
    return (n + 2 * pad - k) / stride + 1


def size_round_up(n, k, pad, stride):
    return int(np.ceil((n + 2 * pad - k) / stride)) + 1


def size_no_stride(n, k, pad, stride):
    return n + 2 * pad - k + 1


# ------------------------------------------------------------------ conv forward, loops


def _pad(x, pad):
    return np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))


def conv_loops(x, w, b, stride, pad):
    N, C, H, W = x.shape
    F, _, KH, KW = w.shape
    Ho, Wo = (H + 2 * pad - KH) // stride + 1, (W + 2 * pad - KW) // stride + 1
    xp = _pad(x, pad)
    out = np.zeros((N, F, Ho, Wo))
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    win = xp[n, :, i * stride : i * stride + KH, j * stride : j * stride + KW]
                    out[n, f, i, j] = np.sum(win * w[f]) + b[f]
    return out, (x, w, b, stride, pad)


def conv_loops_over_positions(x, w, b, stride, pad):
    """Loops over output positions only; batch and filters in one tensordot."""
    N, C, H, W = x.shape
    F, _, KH, KW = w.shape
    Ho, Wo = (H + 2 * pad - KH) // stride + 1, (W + 2 * pad - KW) // stride + 1
    xp = _pad(x, pad)
    out = np.empty((N, F, Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            win = xp[:, :, i * stride : i * stride + KH, j * stride : j * stride + KW]
            out[:, :, i, j] = np.tensordot(win, w, axes=([1, 2, 3], [1, 2, 3])) + b
    return out, (x, w, b, stride, pad)


def conv_flipped_kernel(x, w, b, stride, pad):
    return conv_loops(x, w[:, :, ::-1, ::-1], b, stride, pad)[0], (x, w, b, stride, pad)


def conv_no_bias(x, w, b, stride, pad):
    return conv_loops(x, w, np.zeros_like(b), stride, pad)[0], (x, w, b, stride, pad)


def conv_window_ignores_stride(x, w, b, stride, pad):
    N, C, H, W = x.shape
    F, _, KH, KW = w.shape
    Ho, Wo = (H + 2 * pad - KH) // stride + 1, (W + 2 * pad - KW) // stride + 1
    xp = _pad(x, pad)
    out = np.zeros((N, F, Ho, Wo))
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    out[n, f, i, j] = np.sum(xp[n, :, i : i + KH, j : j + KW] * w[f]) + b[f]
    return out, (x, w, b, stride, pad)


def conv_pad_one_side(x, w, b, stride, pad):
    xp = np.pad(x, ((0, 0), (0, 0), (pad, 0), (pad, 0)))
    return conv_loops(xp, w, b, stride, 0)[0], (x, w, b, stride, pad)


def conv_off_by_one(x, w, b, stride, pad):
    out, cache = conv_loops(x, w, b, stride, pad)
    return out[:, :, :-1, :-1], cache


def conv_channels_last(x, w, b, stride, pad):
    out, cache = conv_loops(x, w, b, stride, pad)
    return out.transpose(0, 2, 3, 1), cache


# ------------------------------------------------------------------ conv forward, vectorized


def conv_im2col(x, w, b, stride, pad):
    F, C, KH, KW = w.shape
    xp = _pad(x, pad)
    win = sliding_window_view(xp, (KH, KW), axis=(2, 3))[:, :, ::stride, ::stride]
    N, _, Ho, Wo = win.shape[:4]
    cols = win.transpose(0, 2, 3, 1, 4, 5).reshape(N * Ho * Wo, C * KH * KW)
    out = cols @ w.reshape(F, -1).T + b
    return out.reshape(N, Ho, Wo, F).transpose(0, 3, 1, 2), (x, w, b, stride, pad)


def conv_kernel_offsets(x, w, b, stride, pad):
    """Loops over the KH x KW kernel offsets only (allowed): one einsum each."""
    N, C, H, W = x.shape
    F, _, KH, KW = w.shape
    Ho, Wo = (H + 2 * pad - KH) // stride + 1, (W + 2 * pad - KW) // stride + 1
    xp = _pad(x, pad)
    out = np.zeros((N, F, Ho, Wo)) + b.reshape(1, F, 1, 1)
    for a in range(KH):
        for c in range(KW):
            sl = xp[:, :, a : a + stride * Ho : stride, c : c + stride * Wo : stride]
            out += np.einsum("nchw,fc->nfhw", sl, w[:, :, a, c])
    return out, (x, w, b, stride, pad)


def conv_as_strided(x, w, b, stride, pad):
    N, C, H, W = x.shape
    F, _, KH, KW = w.shape
    Ho, Wo = (H + 2 * pad - KH) // stride + 1, (W + 2 * pad - KW) // stride + 1
    xp = np.ascontiguousarray(_pad(x, pad))
    sN, sC, sH, sW = xp.strides
    win = as_strided(xp, (N, Ho, Wo, C, KH, KW), (sN, sH * stride, sW * stride, sC, sH, sW))
    out = np.einsum("nhwcij,fcij->nfhw", win, w, optimize=True) + b.reshape(1, F, 1, 1)
    return out, (x, w, b, stride, pad)


def conv_vectorized_flipped(x, w, b, stride, pad):
    return conv_im2col(x, w[:, :, ::-1, ::-1].copy(), b, stride, pad)[0], (x, w, b, stride, pad)


def conv_bias_per_channel(x, w, b, stride, pad):
    out, cache = conv_im2col(x, w, b, stride, pad)
    return out + (x.shape[1] - 1) * b.reshape(1, -1, 1, 1), cache


def conv_calls_torch(x, w, b, stride, pad):
    import torch
    import torch.nn.functional as F

    out = F.conv2d(torch.from_numpy(x), torch.from_numpy(w), torch.from_numpy(b), stride, pad)
    return out.numpy(), (x, w, b, stride, pad)


def conv_calls_reference(x, w, b, stride, pad):
    from course_lib import reference

    return reference.conv2d_forward(x, w, b, stride, pad)


# ------------------------------------------------------------------ conv backward


def conv_backward_loops(dout, cache):
    x, w, b, stride, pad = cache
    F, C, KH, KW = w.shape
    N, _, Ho, Wo = dout.shape
    xp = _pad(x, pad)
    dxp, dw = np.zeros_like(xp), np.zeros_like(w)
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    hs, ws = i * stride, j * stride
                    dw[f] += xp[n, :, hs : hs + KH, ws : ws + KW] * dout[n, f, i, j]
                    dxp[n, :, hs : hs + KH, ws : ws + KW] += w[f] * dout[n, f, i, j]
    H, W = x.shape[2:]
    return dxp[:, :, pad : pad + H, pad : pad + W], dw, dout.sum(axis=(0, 2, 3))


def conv_backward_offsets(dout, cache):
    x, w, b, stride, pad = cache
    F, C, KH, KW = w.shape
    N, _, Ho, Wo = dout.shape
    xp = _pad(x, pad)
    dxp, dw = np.zeros_like(xp), np.zeros_like(w)
    for a in range(KH):
        for c in range(KW):
            sl = (
                slice(None),
                slice(None),
                slice(a, a + stride * Ho, stride),
                slice(c, c + stride * Wo, stride),
            )
            dw[:, :, a, c] = np.einsum("nfhw,nchw->fc", dout, xp[sl])
            dxp[sl] += np.einsum("nfhw,fc->nchw", dout, w[:, :, a, c])
    H, W = x.shape[2:]
    return dxp[:, :, pad : pad + H, pad : pad + W], dw, dout.sum(axis=(0, 2, 3))


def backward_dx_flipped(dout, cache):
    x, w, b, stride, pad = cache
    dx, _, _ = conv_backward_loops(dout, (x, w[:, :, ::-1, ::-1], b, stride, pad))
    return dx, *conv_backward_loops(dout, cache)[1:]


def backward_dw_mean(dout, cache):
    dx, dw, db = conv_backward_loops(dout, cache)
    return dx, dw / dout.shape[0], db


def backward_db_mean(dout, cache):
    dx, dw, _ = conv_backward_loops(dout, cache)
    return dx, dw, dout.mean(axis=(0, 2, 3))


def backward_dx_padded(dout, cache):
    x, w, b, stride, pad = cache
    dx, dw, db = conv_backward_loops(
        dout, (np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad))), w, b, stride, 0)
    )
    return dx, dw, db


def backward_dx_assign(dout, cache):
    x, w, b, stride, pad = cache
    F, C, KH, KW = w.shape
    N, _, Ho, Wo = dout.shape
    xp = _pad(x, pad)
    dxp = np.zeros_like(xp)
    for n in range(N):
        for i in range(Ho):
            for j in range(Wo):
                hs, ws = i * stride, j * stride
                dxp[n, :, hs : hs + KH, ws : ws + KW] = np.tensordot(dout[n, :, i, j], w, axes=1)
    H, W = x.shape[2:]
    _, dw, db = conv_backward_loops(dout, cache)
    return dxp[:, :, pad : pad + H, pad : pad + W], dw, db


def backward_calls_autograd(dout, cache):
    import torch
    import torch.nn.functional as F

    x, w, b, stride, pad = (
        torch.tensor(a, requires_grad=True) if isinstance(a, np.ndarray) else a for a in cache
    )
    F.conv2d(x, w, b, stride=stride, padding=pad).backward(torch.from_numpy(dout))
    return x.grad.numpy(), w.grad.numpy(), b.grad.numpy()


# ------------------------------------------------------------------ max pooling


def pool_loops(x, size, stride):
    N, C, H, W = x.shape
    Ho, Wo = (H - size) // stride + 1, (W - size) // stride + 1
    out = np.empty((N, C, Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            out[:, :, i, j] = x[
                :, :, i * stride : i * stride + size, j * stride : j * stride + size
            ].max(axis=(2, 3))
    return out, (x, size, stride)


def pool_windows(x, size, stride):
    win = sliding_window_view(x, (size, size), axis=(2, 3))[:, :, ::stride, ::stride]
    return win.max(axis=(4, 5)), (x, size, stride)


def pool_average(x, size, stride):
    win = sliding_window_view(x, (size, size), axis=(2, 3))[:, :, ::stride, ::stride]
    return win.mean(axis=(4, 5)), (x, size, stride)


def pool_min(x, size, stride):
    win = sliding_window_view(x, (size, size), axis=(2, 3))[:, :, ::stride, ::stride]
    return win.min(axis=(4, 5)), (x, size, stride)


def pool_no_stride(x, size, stride):
    return pool_windows(x, size, 1)


def pool_size_floor_div(x, size, stride):
    N, C, H, W = x.shape
    out, cache = pool_loops(
        np.pad(x, ((0, 0), (0, 0), (0, size), (0, size)), constant_values=-np.inf), size, stride
    )
    return out[:, :, : H // size, : W // size], cache


def pool_backward_loops(dout, cache):
    x, size, stride = cache
    dx = np.zeros_like(x)
    N, C, Ho, Wo = dout.shape
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    win = x[n, c, i * stride : i * stride + size, j * stride : j * stride + size]
                    a, b = np.unravel_index(np.argmax(win), win.shape)
                    dx[n, c, i * stride + a, j * stride + b] += dout[n, c, i, j]
    return dx


def pool_backward_mask(dout, cache):
    x, size, stride = cache
    win = sliding_window_view(x, (size, size), axis=(2, 3))[:, :, ::stride, ::stride]
    Ho, Wo = dout.shape[2:]
    win = win[:, :, :Ho, :Wo]
    mask = win == win.max(axis=(4, 5), keepdims=True)
    dx = np.zeros_like(x)
    for a in range(size):
        for c in range(size):
            dx[:, :, a : a + stride * Ho : stride, c : c + stride * Wo : stride] += (
                mask[..., a, c] * dout
            )
    return dx


def pool_backward_average(dout, cache):
    x, size, stride = cache
    dx = np.zeros_like(x)
    Ho, Wo = dout.shape[2:]
    for a in range(size):
        for c in range(size):
            dx[:, :, a : a + stride * Ho : stride, c : c + stride * Wo : stride] += dout / size**2
    return dx


def pool_backward_unmasked(dout, cache):
    return pool_backward_average(dout, cache) * cache[1] ** 2


def pool_backward_assign(dout, cache):
    x, size, stride = cache
    dx = np.zeros_like(x)
    N, C, Ho, Wo = dout.shape
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    win = x[n, c, i * stride : i * stride + size, j * stride : j * stride + size]
                    a, b = np.unravel_index(np.argmax(win), win.shape)
                    dx[n, c, i * stride + a, j * stride + b] = dout[n, c, i, j]
    return dx


EXERCISES = [
    Exercise(
        "conv_output_size",
        correct=[size_formula, size_count_windows],
        wrong=[
            Wrong(size_no_plus_one, "'+ 1' is missing"),
            Wrong(size_pad_once, "one side only"),
            Wrong(size_float_division, "integer division"),
            Wrong(size_round_up, "rounding up"),
            Wrong(size_no_stride, "stride is ignored"),
        ],
    ),
    Exercise(
        "conv2d_forward_loops",
        correct=[conv_loops, conv_loops_over_positions, conv_im2col],
        wrong=[
            Wrong(conv_flipped_kernel, "flipped"),
            Wrong(conv_no_bias, "bias is missing"),
            Wrong(conv_window_ignores_stride, "moves by 1"),
            Wrong(conv_pad_one_side, "one side"),
            Wrong(conv_off_by_one, "off by one"),
            Wrong(conv_channels_last, "wrong order"),
            Wrong(conv_calls_torch, "torch"),
            Wrong(conv_calls_reference, "course_lib.reference"),
        ],
    ),
    Exercise(
        "conv2d_forward",
        correct=[conv_im2col, conv_kernel_offsets, conv_as_strided],
        wrong=[
            Wrong(conv_loops, "loops over output positions"),
            Wrong(conv_loops_over_positions, "loops over output positions"),
            Wrong(conv_vectorized_flipped, "flipped"),
            Wrong(conv_bias_per_channel, "once per input channel"),
            Wrong(conv_calls_torch, "torch"),
            Wrong(conv_calls_reference, "course_lib.reference"),
        ],
    ),
    Exercise(
        "conv2d_backward",
        correct=[conv_backward_loops, conv_backward_offsets],
        wrong=[
            Wrong(backward_dx_flipped, "flipped the wrong way"),
            Wrong(backward_dw_mean, "divided by the batch size"),
            Wrong(backward_db_mean, "db is a mean"),
            Wrong(backward_dx_padded, "padded input"),
            Wrong(backward_dx_assign, None),
            Wrong(backward_calls_autograd, "torch"),
        ],
    ),
    Exercise(
        "maxpool2d_forward",
        correct=[pool_loops, pool_windows],
        wrong=[
            Wrong(pool_average, "average pooling"),
            Wrong(pool_min, "minimum"),
            Wrong(pool_no_stride, "stride is ignored"),
            Wrong(pool_size_floor_div, "H // size"),
        ],
    ),
    Exercise(
        "maxpool2d_backward",
        correct=[pool_backward_loops, pool_backward_mask],
        wrong=[
            Wrong(pool_backward_average, "average-pooling backward"),
            Wrong(pool_backward_unmasked, "mask it"),
            Wrong(pool_backward_assign, "accumulate"),
        ],
    ),
]
