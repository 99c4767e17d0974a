"""Checks for Lecture 1 (convolution and pooling).

Oracle: PyTorch's own ops in float64 (``F.conv2d``, ``F.max_pool2d``), autograd for
gradients, and central differences of the oracle for a few sampled weight entries.
Every check runs fixed named cases plus random cases drawn from ``seed``; ``hidden=True``
draws other shapes (used by the hidden tests at grading time).
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from course_lib.checks._core import (
    Case,
    Trace,
    as_array,
    assert_no_forbidden,
    call,
    central_difference,
    compare,
    expect_callable,
    unpack,
)

__all__ = [
    "check_conv_output_size",
    "check_conv2d_forward_loops",
    "check_conv2d_forward",
    "check_conv2d_backward",
    "check_maxpool2d_forward",
    "check_maxpool2d_backward",
]


# ----------------------------------------------------------------------------- oracles
def _t(a):
    return torch.from_numpy(np.ascontiguousarray(a, dtype=np.float64))


def _conv(x, w, b, stride, pad):
    return F.conv2d(_t(x), _t(w), None if b is None else _t(b), stride=stride, padding=pad).numpy()


def _conv_grads(x, w, b, stride, pad, dout):
    xt, wt, bt = (_t(a).requires_grad_() for a in (x, w, b))
    F.conv2d(xt, wt, bt, stride=stride, padding=pad).backward(_t(dout))
    return xt.grad.numpy(), wt.grad.numpy(), bt.grad.numpy()


def _pool(x, size, stride):
    return F.max_pool2d(_t(x), size, stride).numpy()


def _size(n, k, pad, stride):
    return (n + 2 * pad - k) // stride + 1


# ----------------------------------------------------------------------------- cases
def _conv_case(name, rng, N, C, H, W, F_, KH, KW, stride, pad):
    x = rng.standard_normal((N, C, H, W))
    w = rng.standard_normal((F_, C, KH, KW))
    b = rng.uniform(0.5, 1.5, F_) * rng.choice([-1.0, 1.0], F_)  # never ~0: a missing bias shows
    params = dict(N=N, C=C, H=H, W=W, F=F_, KH=KH, KW=KW, stride=stride, pad=pad)
    return Case(name, params), x, w, b


def _random_conv_params(rng, big):
    kh, kw = (int(k) for k in rng.integers(1, 6 if big else 4, size=2))
    pad = int(rng.integers(0, 3))
    stride = int(rng.integers(1, 4))
    h = int(rng.integers(max(kh - 2 * pad, 1), kh + (10 if big else 5)))
    w = int(rng.integers(max(kw - 2 * pad, 1), kw + (10 if big else 5)))
    n, c, f = (int(k) for k in rng.integers(1, 4, size=3))
    return n, c, h, w, f, kh, kw, stride, pad


def _conv_cases(seed, hidden):
    rng = np.random.default_rng(seed)
    if hidden:
        fixed = [
            ("1x1 kernel", (2, 3, 4, 5, 2, 1, 1, 1, 0)),
            ("kernel as large as the padded input", (2, 2, 3, 4, 3, 5, 6, 1, 1)),
            ("stride 3, pad 2, tall kernel", (1, 2, 10, 8, 3, 4, 2, 3, 2)),
            ("single image, channel and filter", (1, 1, 6, 6, 1, 3, 3, 2, 1)),
        ]
        n_random = 6
    else:
        fixed = [
            ("batch and channels", (2, 3, 5, 5, 4, 3, 3, 1, 0)),
            ("non-square kernel, odd sizes", (2, 2, 7, 9, 3, 3, 2, 1, 0)),
            ("padding 1", (2, 3, 6, 6, 2, 3, 3, 1, 1)),
            ("stride 2", (2, 1, 9, 7, 2, 3, 3, 2, 0)),
            ("stride 2, padding 2, 3x5 kernel", (3, 2, 8, 7, 3, 3, 5, 2, 2)),
        ]
        n_random = 3
    cases = [_conv_case(name, rng, *p) for name, p in fixed]
    for i in range(n_random):
        cases.append(
            _conv_case(f"random #{i} (seed {seed})", rng, *_random_conv_params(rng, hidden))
        )
    return cases


# ----------------------------------------------------------------------------- output size
def check_conv_output_size(conv_output_size, seed=0, hidden=False):
    """Compare ``conv_output_size(n, k, pad, stride)`` with the size PyTorch's conv produces."""
    expect_callable(conv_output_size, "conv_output_size")
    rng = np.random.default_rng(seed)
    cases = [
        ("slides: 32x32 image, 5x5 filter", (32, 5, 0, 1)),
        ("slides: 5x5, 3x3 filter, pad 1, stride 1 (5x5 to 5x5)", (5, 3, 1, 1)),
        ("slides: 5x5, 3x3 filter, pad 1, stride 2 (5x5 to 3x3)", (5, 3, 1, 2)),
        ("LeNet conv1: 28, 5x5, pad 2", (28, 5, 2, 1)),
    ]
    if hidden:
        cases = []
    for i in range(40 if hidden else 12):
        k = int(rng.integers(1, 8))
        pad = int(rng.integers(0, 4))
        stride = int(rng.integers(1, 5))
        n = int(rng.integers(max(k - 2 * pad, 1), 40))
        cases.append((f"random #{i} (seed {seed})", (n, k, pad, stride)))
    trace = Trace()
    for i, (name, (n, k, pad, stride)) in enumerate(cases):
        case = Case(name, dict(n=n, k=k, pad=pad, stride=stride))
        got = call(conv_output_size, n, k, pad, stride, trace=trace if i == 0 else None)
        if i == 0:
            assert_no_forbidden(trace, "conv_output_size")
        expected = F.conv2d(
            torch.zeros(1, 1, n, 1), torch.zeros(1, 1, k, 1), padding=(pad, 0), stride=(stride, 1)
        ).shape[2]
        if isinstance(got, float) and got == expected:
            raise AssertionError(
                f"{case}: returned the float {got!r}; sizes are integers. "
                "Likely cause: '/' instead of integer division '//'."
            )
        if isinstance(got, bool) or not isinstance(got, (int, np.integer)):
            raise AssertionError(f"{case}: expected an int, got {type(got).__name__} {got!r}")
        if got == expected:
            continue
        causes = {
            (n + 2 * pad - k) // stride: "the '+ 1' is missing",
            (n + pad - k) // stride + 1: "padding counted on one side only: use n + 2 * pad",
            n + 2 * pad - k + 1: "the stride is ignored",
            -(-(n + 2 * pad - k) // stride) + 1: "rounding up: a window that does not fit is "
            "dropped, so round down (//)",
            (n - k) // stride + 1: "padding is ignored",
            (n + 2 * pad - k + 1) // stride: "the stride divides (n + 2 pad - k + 1); divide "
            "only (n + 2 pad - k), then add 1",
        }
        msg = f"{case}: got {got}, expected {expected} = (n + 2 pad - k) // stride + 1."
        if got in causes:
            msg += f" Likely cause: {causes[got]}."
        raise AssertionError(msg)


# ----------------------------------------------------------------------------- conv forward
def _forward_causes(x, w, b, stride, pad, ho, wo):
    N, C, H, W = x.shape
    F_, _, KH, KW = w.shape
    causes = {
        "the kernel is flipped: that is true convolution; this course (like PyTorch) uses "
        "cross-correlation, out = sum of x[window] * w with no flip": lambda: _conv(
            x, w[:, :, ::-1, ::-1], b, stride, pad
        ),
        "the bias is missing (add b[f] to every output of filter f)": lambda: _conv(
            x, w, None, stride, pad
        ),
        "the bias is added once per input channel (C times): add it once per output": lambda: (
            _conv(x, w, None, stride, pad) + C * b.reshape(1, -1, 1, 1)
        ),
        "the window moves by 1 instead of by the stride (index the input at i * stride)": lambda: (
            _conv(x, w, b, 1, pad)[:, :, :ho, :wo]
        ),
        "the padding is not zeros on both sides of each axis": lambda: _conv(
            np.pad(x, ((0, 0), (0, 0), (2 * pad, 0), (2 * pad, 0))), w, b, stride, 0
        )[:, :, :ho, :wo],
    }
    if KH == KW:
        causes[
            "the kernel's rows and columns are swapped (w[f, c, j, i] used for w[f, c, i, j])"
        ] = lambda: _conv(x, w.transpose(0, 1, 3, 2), b, stride, pad)
    off_by_one = "off by one in the output size: Ho = (H + 2 pad - KH) // stride + 1"
    shapes = [
        ((N, ho, wo, F_), "axes in the wrong order: the output layout is (N, F, Ho, Wo)"),
        ((N, F_, _size(H, KH, pad, 1), _size(W, KW, pad, 1)), "the stride is ignored"),
        ((N, F_, _size(H, KH, 0, stride), _size(W, KW, 0, stride)), "the padding is ignored"),
        (
            (N, F_, (H + pad - KH) // stride + 1, (W + pad - KW) // stride + 1),
            "padding on one side only: pad rows at the top AND bottom, columns left AND right",
        ),
        ((N, F_, ho - 1, wo - 1), off_by_one),
        ((N, F_, ho + 1, wo + 1), off_by_one),
        ((N, F_, wo, ho), "H and W swapped in the output"),
    ]
    return causes, shapes


def _check_forward(fn, fname, seed, hidden, vectorized):
    expect_callable(fn, fname)
    for i, (case, x, w, b) in enumerate(_conv_cases(seed, hidden)):
        stride, pad = case.params["stride"], case.params["pad"]
        trace = Trace() if i == 0 else None
        result = call(fn, x, w, b, stride, pad, trace=trace)
        if trace is not None:
            assert_no_forbidden(trace, fname)
        out, cache = unpack(result, ("out", "cache"), fname, case)
        expected = _conv(x, w, b, stride, pad)
        causes, shapes = _forward_causes(x, w, b, stride, pad, *expected.shape[2:])
        compare(f"{fname} output", out, expected, case, causes=causes, shape_causes=shapes)
        if not (isinstance(cache, tuple) and len(cache) == 5 and cache[0] is not None):
            raise AssertionError(
                f"{case}: {fname} should return cache = (x, w, b, stride, pad); "
                f"conv2d_backward reads it. Got {type(cache).__name__}"
                + (f" of length {len(cache)}" if isinstance(cache, tuple) else "")
            )
    if vectorized:
        _check_vectorized(fn, fname, seed)


def _check_vectorized(fn, fname, seed):
    rng = np.random.default_rng(seed + 7)
    case, x, w, b = _conv_case("vectorization probe", rng, 4, 3, 20, 20, 4, 3, 3, 1, 0)
    trace = Trace()
    call(fn, x, w, b, 1, 0, trace=trace)
    positions = 18 * 18
    budget = 30 + 5 * 3 * 3
    if trace.lines > budget:
        raise AssertionError(
            f"{case}: {fname} ran {trace.lines} lines of Python for an output of {positions} "
            f"positions per image (a vectorized version needs at most about {budget}). It still "
            "loops over output positions, images or filters: build all windows at once with "
            "im2col or numpy.lib.stride_tricks.sliding_window_view and use one matrix product "
            "(a loop over the KH x KW kernel offsets is fine)."
        )


def check_conv2d_forward_loops(conv2d_forward_loops, seed=0, hidden=False):
    """Check the loop version of the convolution forward pass against ``F.conv2d``."""
    _check_forward(conv2d_forward_loops, "conv2d_forward_loops", seed, hidden, vectorized=False)


def check_conv2d_forward(conv2d_forward, seed=0, hidden=False):
    """Check the vectorized convolution forward pass: correct, and free of position loops."""
    _check_forward(conv2d_forward, "conv2d_forward", seed, hidden, vectorized=True)


# ----------------------------------------------------------------------------- conv backward
def _backward_causes(x, w, b, stride, pad, dout, grads):
    dx, dw, db = grads
    N, C, H, W = x.shape
    F_ = w.shape[0]
    Ho, Wo = dout.shape[2:]
    flipped = lambda: _conv_grads(x, w[:, :, ::-1, ::-1], b, stride, pad, dout)[0]  # noqa: E731
    dx_causes = {
        "dx uses the kernel flipped the wrong way: each dout[n, f, i, j] goes back to the "
        "input window it came from, multiplied by w[f] as it is (no flip)": flipped,
        "dx is missing the sum over filters f": lambda: _conv_grads(
            x, w[:1], b[:1], stride, pad, dout[:, :1]
        )[0],
    }
    dx_shapes = [
        (
            (N, C, H + 2 * pad, W + 2 * pad),
            "this is the gradient of the padded input: crop pad rows and columns from each side",
        )
    ]
    dw_causes = {
        "dw is divided by the batch size: sum over the batch, dout already carries any 1/N": (
            lambda: dw / N
        ),
        "dw uses only the first image: sum the contributions of all N images": lambda: _conv_grads(
            x[:1], w, b, stride, pad, dout[:1]
        )[1],
        "dw is computed with the kernel flipped (cross-correlate the input with dout)": lambda: dw[
            :, :, ::-1, ::-1
        ],
    }
    db_causes = {
        "db is a mean: it is the sum of dout over batch and positions": lambda: db / (N * Ho * Wo),
        "db sums over the batch only": lambda: dout[:, :, 0, 0].sum(0),
    }
    db_shapes = [
        ((F_, Ho, Wo), "db must also sum over the output positions: sum over axes (0, 2, 3)"),
        ((N, F_), "db must also sum over the batch: sum over axes (0, 2, 3)"),
        ((F_, 1, 1), "db should have shape (F,)"),
    ]
    return (dx_causes, dx_shapes), (dw_causes, []), (db_causes, db_shapes)


def check_conv2d_backward(conv2d_backward, seed=0, hidden=False):
    """Check ``conv2d_backward(dout, cache) -> (dx, dw, db)``.

    The cache is built by the check as (x, w, b, stride, pad), the contract of conv2d_forward.
    Oracle: autograd through ``F.conv2d``; spot checks by central differences.
    """
    expect_callable(conv2d_backward, "conv2d_backward")
    for i, (case, x, w, b) in enumerate(_conv_cases(seed + 1, hidden)):
        stride, pad = case.params["stride"], case.params["pad"]
        out = _conv(x, w, b, stride, pad)
        dout = np.random.default_rng(seed + i).standard_normal(out.shape)
        trace = Trace() if i == 0 else None
        result = call(conv2d_backward, dout, (x, w, b, stride, pad), trace=trace)
        if trace is not None:
            assert_no_forbidden(trace, "conv2d_backward")
        got = unpack(result, ("dx", "dw", "db"), "conv2d_backward", case)
        expected = _conv_grads(x, w, b, stride, pad, dout)
        named = zip(
            ("dx", "dw", "db"),
            got,
            expected,
            _backward_causes(x, w, b, stride, pad, dout, expected),
        )
        for name, g, e, (causes, shapes) in named:
            compare(f"conv2d_backward's {name}", g, e, case, causes=causes, shape_causes=shapes)
        if i == 0:
            _spot_check_dw(as_array(got[1], "dw", case), x, w, b, stride, pad, dout, case)


def _spot_check_dw(dw, x, w, b, stride, pad, dout, case, n=3):
    """Independent of autograd: d(sum(out * dout)) / d w[idx] by central differences."""
    rng = np.random.default_rng(0)
    for _ in range(n):
        idx = tuple(int(rng.integers(0, s)) for s in w.shape)
        num = central_difference(
            lambda ww: float(np.sum(_conv(x, ww, b, stride, pad) * dout)), w, idx
        )
        if not np.isclose(dw[idx], num, rtol=1e-4, atol=1e-6):
            raise AssertionError(
                f"{case}: dw{list(idx)} = {dw[idx]:.6g} but central differences give {num:.6g}"
            )


# ----------------------------------------------------------------------------- max pooling
def _pool_cases(seed, hidden):
    rng = np.random.default_rng(seed)
    if hidden:
        fixed = [
            ("3x3 windows, stride 3", (2, 2, 9, 7, 3, 3)),
            ("overlapping 3x3, stride 1", (1, 3, 5, 6, 3, 1)),
            ("one window per image", (3, 1, 2, 2, 2, 2)),
        ]
        n_random = 5
    else:
        fixed = [
            ("2x2 stride 2 (the slides)", (2, 3, 4, 4, 2, 2)),
            ("odd width: the last column is dropped", (2, 2, 6, 5, 2, 2)),
            ("overlapping windows, 3x3 stride 2", (1, 2, 7, 7, 3, 2)),
            ("2x2 stride 1", (2, 1, 5, 6, 2, 1)),
        ]
        n_random = 2
    cases = []
    for name, p in fixed:
        cases.append((Case(name, dict(zip(("N", "C", "H", "W", "size", "stride"), p))), p))
    for i in range(n_random):
        size, stride = int(rng.integers(1, 4)), int(rng.integers(1, 4))
        n, c = (int(k) for k in rng.integers(1, 4, size=2))
        h, w_ = (int(k) for k in rng.integers(size, size + 8, size=2))
        p = (n, c, h, w_, size, stride)
        cases.append(
            (
                Case(
                    f"random #{i} (seed {seed})",
                    dict(zip(("N", "C", "H", "W", "size", "stride"), p)),
                ),
                p,
            )
        )
    out = []
    for case, (n, c, h, w_, size, stride) in cases:
        x = rng.permutation(n * c * h * w_).reshape(n, c, h, w_) / (n * c * h * w_) - 0.5  # no ties
        if stride < size and h >= size + stride and w_ >= size + stride:
            # an input at (stride, stride) lies in windows (0, 0) and (1, 1): make it the maximum
            # of both, so that overwriting instead of accumulating gradients shows
            x[:, :, stride, stride] = 1.0 + rng.random((n, c))
        out.append((case, x, size, stride))
    return out


def check_maxpool2d_forward(maxpool2d_forward, seed=0, hidden=False):
    """Check ``maxpool2d_forward(x, size, stride) -> (out, cache)`` against ``F.max_pool2d``."""
    expect_callable(maxpool2d_forward, "maxpool2d_forward")
    for i, (case, x, size, stride) in enumerate(_pool_cases(seed, hidden)):
        trace = Trace() if i == 0 else None
        result = call(maxpool2d_forward, x, size, stride, trace=trace)
        if trace is not None:
            assert_no_forbidden(trace, "maxpool2d_forward")
        out, _ = unpack(result, ("out", "cache"), "maxpool2d_forward", case)
        expected = _pool(x, size, stride)
        N, C, H, W = x.shape
        ho, wo = expected.shape[2:]
        causes = {
            "this is average pooling: take the maximum of each window": lambda: F.avg_pool2d(
                _t(x), size, stride
            ).numpy(),
            "this is the minimum of each window, not the maximum": lambda: -_pool(-x, size, stride),
            "the window moves by 1 instead of by the stride": lambda: _pool(x, size, 1)[
                :, :, :ho, :wo
            ],
        }
        shapes = [
            ((N, C, H - size + 1, W - size + 1), "the stride is ignored"),
            (
                (N, C, -(-(H - size) // stride) + 1, -(-(W - size) // stride) + 1),
                "rounding up the output size: a window that does not fit is dropped, "
                "Ho = (H - size) // stride + 1",
            ),
            (
                (N, C, H // size, W // size),
                "Ho = H // size only holds when stride == size; use Ho = (H - size) // stride + 1",
            ),
        ]
        compare("maxpool2d_forward output", out, expected, case, causes=causes, shape_causes=shapes)


def _pool_backward_assign(x, size, stride, dout):
    """What a loop with '=' instead of '+=' produces where windows overlap."""
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


def check_maxpool2d_backward(maxpool2d_backward, seed=0, hidden=False):
    """Check ``maxpool2d_backward(dout, cache) -> dx`` against autograd through ``F.max_pool2d``.

    The cache is built by the check as (x, size, stride), the contract of maxpool2d_forward.
    """
    expect_callable(maxpool2d_backward, "maxpool2d_backward")
    for i, (case, x, size, stride) in enumerate(_pool_cases(seed + 1, hidden)):
        xt = _t(x).requires_grad_()
        out = F.max_pool2d(xt, size, stride)
        dout = np.random.default_rng(seed + i).standard_normal(out.shape)
        out.backward(_t(dout))
        expected = xt.grad.numpy()
        trace = Trace() if i == 0 else None
        got = call(maxpool2d_backward, dout, (x, size, stride), trace=trace)
        if trace is not None:
            assert_no_forbidden(trace, "maxpool2d_backward")
        causes = {
            "the gradient is spread over the whole window (that is average-pooling backward): "
            "send it only to the position of the maximum": lambda: _conv_grads(
                x.reshape(-1, 1, *x.shape[2:]),
                np.ones((1, 1, size, size)) / (size * size),
                np.zeros(1),
                stride,
                0,
                dout.reshape(-1, 1, *dout.shape[2:]),
            )[0].reshape(x.shape),
            "every element of the window gets dout: mask it so only the maximum does": lambda: (
                _conv_grads(
                    x.reshape(-1, 1, *x.shape[2:]),
                    np.ones((1, 1, size, size)),
                    np.zeros(1),
                    stride,
                    0,
                    dout.reshape(-1, 1, *dout.shape[2:]),
                )[0].reshape(x.shape)
            ),
            "where windows overlap an input can be the maximum of several windows: accumulate "
            "with += instead of overwriting with =": lambda: _pool_backward_assign(
                x, size, stride, dout
            ),
        }
        compare("maxpool2d_backward's dx", got, expected, case, causes=causes)
