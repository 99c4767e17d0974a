"""Vectorized NumPy convolution (course_lib.reference) against PyTorch on the CPU.

LeNet-sized layer: x 64x1x28x28, 20 filters 5x5, padding 2, stride 1, float32.
Times forward + backward (median of repeats) and prints the ratio NumPy / PyTorch.
Quality bar (issue 2): ratio <= 3.

    .venv/bin/python benchmarks/conv_vs_torch.py [--repeats 30]
"""

import argparse
import statistics
import time

import numpy as np
import torch
import torch.nn.functional as F

from course_lib import reference


def median_ms(fn, repeats):
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return 1000 * statistics.median(times)


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 1, 28, 28)).astype(np.float32)
    w = rng.standard_normal((20, 1, 5, 5)).astype(np.float32)
    b = rng.standard_normal(20).astype(np.float32)
    stride, pad = 1, 2
    out, cache = reference.conv2d_forward(x, w, b, stride, pad)
    dout = rng.standard_normal(out.shape).astype(np.float32)

    def numpy_step():
        _, c = reference.conv2d_forward(x, w, b, stride, pad)
        reference.conv2d_backward(dout, c)

    xt, wt, bt = (torch.from_numpy(a).requires_grad_() for a in (x, w, b))
    dt = torch.from_numpy(dout)

    def torch_step():
        xt.grad = wt.grad = bt.grad = None
        F.conv2d(xt, wt, bt, stride=stride, padding=pad).backward(dt)

    # same numbers first, then speed
    numpy_step()
    dx, dw, db = reference.conv2d_backward(dout, cache)
    torch_step()
    assert np.allclose(dx, xt.grad.numpy(), atol=1e-3) and np.allclose(
        dw, wt.grad.numpy(), rtol=1e-3, atol=1e-2
    )

    t_np = median_ms(numpy_step, args.repeats)
    t_torch = median_ms(torch_step, args.repeats)
    print(
        f"conv 64x1x28x28, 20 filters 5x5, pad 2, forward+backward, torch threads={torch.get_num_threads()}"
    )
    print(f"  numpy (course_lib.reference): {t_np:8.2f} ms")
    print(f"  torch F.conv2d + autograd:    {t_torch:8.2f} ms")
    print(f"  ratio numpy / torch:          {t_np / t_torch:8.2f}x  (bar: <= 3x)")


if __name__ == "__main__":
    main()
