"""Plots of the course: image grids, filters, feature maps and live training curves."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from course_lib import _validate as v

__all__ = ["image_grid", "show_filters", "show_feature_maps", "LiveCurves", "conv_grid"]


def _images(name, images):
    images = np.asarray(images) if not isinstance(images, np.ndarray) else images
    v.array(name, images)
    if images.ndim == 4 and images.shape[1] in (1, 3):
        images = images[:, 0] if images.shape[1] == 1 else images.transpose(0, 2, 3, 1)
    elif images.ndim != 3:
        raise ValueError(
            f"{name} must have shape (N, H, W), (N, 1, H, W) or (N, 3, H, W), got {images.shape}"
        )
    return images


def image_grid(
    images,
    labels=None,
    ncols: int = 10,
    title: str | None = None,
    cmap="gray",
    size: float = 1.1,
    symmetric: bool = False,
):
    """Show images in a grid with optional labels; returns the figure.

    images: (N, H, W), (N, 1, H, W) or (N, 3, H, W). symmetric: colour scale centred on 0
    (for filters and gradients).
    """
    images = _images("images", images)
    n = len(images)
    if labels is not None and len(labels) != n:
        raise ValueError(f"labels must have one entry per image ({n}), got {len(labels)}")
    ncols = max(1, min(ncols, n))
    nrows = (n + ncols - 1) // ncols
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(size * ncols, size * nrows + 0.3), squeeze=False
    )
    for k, ax in enumerate(axes.flat):
        ax.axis("off")
        if k >= n:
            continue
        img = images[k]
        if symmetric:
            m = float(np.abs(img).max()) or 1.0
            ax.imshow(img, cmap="RdBu_r", vmin=-m, vmax=m)
        else:
            ax.imshow(img, cmap=cmap)
        if labels is not None:
            ax.set_title(str(labels[k]), fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def show_filters(w, title: str = "first-layer filters"):
    """Filters w: (F, C, KH, KW) as images (channel mean), red positive, blue negative."""
    w = v.array("w", np.asarray(w), 4, "(F, C, KH, KW)")
    return image_grid(w.mean(axis=1), labels=list(range(len(w))), title=title, symmetric=True)


def show_feature_maps(maps, title: str = "feature maps"):
    """Feature maps of one image: (C, H, W)."""
    maps = v.array("maps", np.asarray(maps), 3, "(C, H, W)")
    return image_grid(maps, labels=list(range(len(maps))), title=title, cmap="viridis")


class LiveCurves:
    """Training curves that redraw in place in a notebook, one figure for the whole run.

    ``update(epoch, **metrics)`` appends and redraws; accuracies share one axis, losses another.
    Outside a notebook it only records.
    """

    def __init__(self, title: str = "training"):
        self.title = title
        self.history: dict[str, list] = {}
        self.epochs: list[int] = []
        self._handle = None

    def update(self, epoch: int, **metrics: float) -> None:
        self.epochs.append(epoch)
        for k, val in metrics.items():
            self.history.setdefault(k, []).append(float(val))
        fig = self.figure()
        try:
            from IPython import get_ipython
            from IPython.display import display

            if get_ipython() is not None:
                if self._handle is None:
                    self._handle = display(fig, display_id=True)
                else:
                    self._handle.update(fig)
        finally:
            plt.close(fig)

    def figure(self):
        fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(9, 3))
        for k, vals in self.history.items():
            ax = ax_acc if "acc" in k else ax_loss
            ax.plot(self.epochs[-len(vals) :], vals, marker="o", label=k)
        for ax, name in ((ax_loss, "loss"), (ax_acc, "accuracy")):
            ax.set_xlabel("epoch")
            ax.set_ylabel(name)
            if ax.lines:
                ax.legend()
        fig.suptitle(self.title)
        fig.tight_layout()
        return fig


def conv_grid(n: int = 5, k: int = 3, pad: int = 1, stride: int = 2, ax=None):
    """Draw the slides' padding and stride figure: an n x n input (white) with ``pad`` rings of
    zeros (grey), the first window (solid) and the next one along the row (dashed), and the
    output size. Returns the axes."""
    from matplotlib.patches import Rectangle

    n, k = v.positive_int("n", n), v.positive_int("k", k)
    pad, stride = v.positive_int("pad", pad, minimum=0), v.positive_int("stride", stride)
    total = n + 2 * pad
    if k > total:
        raise ValueError(f"kernel k={k} does not fit the padded input n + 2 pad = {total}")
    out = (total - k) // stride + 1
    if ax is None:
        _, ax = plt.subplots(figsize=(2.8, 3.0))
    for i in range(total):
        for j in range(total):
            inside = pad <= i < pad + n and pad <= j < pad + n
            ax.add_patch(
                Rectangle(
                    (j, total - 1 - i),
                    1,
                    1,
                    facecolor="white" if inside else "#d9d9d9",
                    edgecolor="#888",
                    lw=0.6,
                )
            )
            if not inside:
                ax.text(
                    j + 0.5,
                    total - 0.5 - i,
                    "0",
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="#666",
                )
    starts = [(0, 0)] + ([(0, stride)] if out > 1 else [])
    for (r, c), style in zip(starts, ("-", "--")):
        ax.add_patch(
            Rectangle((c, total - r - k), k, k, fill=False, edgecolor="#c00", lw=2, ls=style)
        )
    ax.set_xlim(-0.2, total + 0.2)
    ax.set_ylim(-0.2, total + 0.2)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(f"{n}x{n}, {k}x{k} filter, pad {pad}, stride {stride}\n-> {out}x{out}", fontsize=9)
    return ax
