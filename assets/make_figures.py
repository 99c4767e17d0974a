"""Make the figures under assets/ from code (run: .venv/bin/python assets/make_figures.py).

- padding_stride.png: the slides' padding and stride figure (5x5 input, 3x3 filter, pad 1,
  stride 1 and 2), drawn by course_lib.plotting.conv_grid as in Lecture 1.
- conv_explorer.png: what Lecture 1's kernel explorer shows (a photograph and its vertical edges).
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from course_lib import data, plotting, reference  # noqa: E402
from course_lib.widgets import KERNELS  # noqa: E402

HERE = Path(__file__).resolve().parent


def main():
    fig, axes = plt.subplots(1, 3, figsize=(8.4, 3.5))
    for ax, (pad, stride) in zip(axes, [(0, 1), (1, 1), (1, 2)]):
        plotting.conv_grid(5, 3, pad, stride, ax=ax)
    fig.tight_layout()
    fig.savefig(HERE / "padding_stride.png", dpi=110)
    plt.close(fig)

    image = data.sample_image()
    k = np.array(KERNELS["vertical edges (Sobel x)"], dtype=float)
    out, _ = reference.conv2d_forward(
        image[None, None].astype(float), k[None, None], np.zeros(1), 1, 1
    )
    fig, axes = plt.subplots(1, 2, figsize=(8, 2.8))
    for ax, img, title in [
        (axes[0], image, "input"),
        (axes[1], out[0, 0], "vertical edges (Sobel x)"),
    ]:
        ax.imshow(img, cmap="gray")
        ax.set_title(title)
        ax.axis("off")
    fig.tight_layout()
    fig.savefig(HERE / "conv_explorer.png", dpi=90)
    plt.close(fig)
    print("wrote", ", ".join(p.name for p in sorted(HERE.glob("*.png"))))


if __name__ == "__main__":
    main()
