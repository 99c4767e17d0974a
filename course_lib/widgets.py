"""One ipywidgets explorer per lecture.

Lecture 1: ``ConvExplorer``: pick a kernel (edges, blur, sharpen or your own), a stride and a
padding, and watch the output image and its size change on a real photograph.
"""

from __future__ import annotations

import html

import ipywidgets as W
import matplotlib.pyplot as plt
import numpy as np

from course_lib import _validate as v

__all__ = ["KERNELS", "parse_kernel", "ConvExplorer"]

KERNELS = {
    "vertical edges (Sobel x)": [[1, 0, -1], [2, 0, -2], [1, 0, -1]],
    "horizontal edges (Sobel y)": [[1, 2, 1], [0, 0, 0], [-1, -2, -1]],
    "all edges (Laplacian)": [[0, 1, 0], [1, -4, 1], [0, 1, 0]],
    "blur 3x3 (box)": [[1 / 9] * 3] * 3,
    "blur 5x5 (box)": [[1 / 25] * 5] * 5,
    "sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
    "identity": [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
    "custom": None,
}


def parse_kernel(text: str) -> np.ndarray:
    """Parse a kernel written as rows separated by ';' and numbers by spaces or commas,
    e.g. ``"1 0 -1; 2 0 -2; 1 0 -1"``. Raises ValueError with the expected format."""
    if not isinstance(text, str):
        raise TypeError(
            f"kernel text must be a string like '1 0 -1; 2 0 -2', got {type(text).__name__}"
        )
    try:
        rows = [
            [float(t) for t in r.replace(",", " ").split()] for r in text.split(";") if r.strip()
        ]
    except ValueError:
        raise ValueError(
            f"kernel must be numbers, rows separated by ';' (e.g. '1 0 -1; 2 0 -2'), got {text!r}"
        ) from None
    if not rows or len({len(r) for r in rows}) != 1 or not rows[0]:
        raise ValueError(
            "kernel must be rows of the same length, separated by ';' "
            f"(e.g. '1 0 -1; 2 0 -2'), got {text!r}"
        )
    kernel = np.array(rows)
    if not np.all(np.isfinite(kernel)):
        raise ValueError(f"kernel entries must be finite numbers, got {text!r}")
    return kernel


class ConvExplorer:
    """Interactive convolution of a grayscale image (H, W) with one kernel.

    ``conv`` is a function with the course's layer contract,
    ``conv(x, w, b, stride, pad) -> (out, cache)``; the reference implementation by default.
    """

    def __init__(self, image: np.ndarray | None = None, conv=None):
        from course_lib import data
        from course_lib.reference import conv2d_forward

        self.image = data.sample_image() if image is None else image
        v.array("image", self.image, 2, "(H, W)")
        self.conv = conv or conv2d_forward
        self.kernel = W.Dropdown(
            options=list(KERNELS), value="vertical edges (Sobel x)", description="kernel"
        )
        self.custom = W.Text(value="1 0 -1; 1 0 -1; 1 0 -1", description="custom", disabled=True)
        self.stride = W.IntSlider(value=1, min=1, max=4, description="stride")
        self.pad = W.IntSlider(value=0, min=0, max=4, description="padding")
        self.summary = W.HTML()
        self.plot = W.Output()
        self.output: np.ndarray | None = None
        for control in (self.kernel, self.custom, self.stride, self.pad):
            control.observe(self._redraw, names="value")
        self.widget = W.VBox(
            [
                W.HBox([self.kernel, self.custom]),
                W.HBox([self.stride, self.pad]),
                self.summary,
                self.plot,
            ]
        )
        self._redraw()

    def current_kernel(self) -> np.ndarray:
        name = self.kernel.value
        self.custom.disabled = name != "custom"
        return (
            parse_kernel(self.custom.value)
            if name == "custom"
            else np.array(KERNELS[name], dtype=float)
        )

    def _redraw(self, *_):
        H, Wd = self.image.shape
        try:
            k = self.current_kernel()
            x = self.image[None, None].astype(float)
            out, _ = self.conv(x, k[None, None], np.zeros(1), self.stride.value, self.pad.value)
        except ValueError as err:
            self.summary.value = f"<b style='color:#b00'>{html.escape(str(err), quote=False)}</b>"
            return
        self.output = out[0, 0]
        kh, kw = k.shape
        s, p = self.stride.value, self.pad.value
        self.summary.value = (
            f"input {H} x {Wd}, kernel {kh} x {kw}, stride {s}, padding {p} &rarr; "
            f"<b>output {self.output.shape[0]} x {self.output.shape[1]}</b> "
            f"= ({H} + 2&middot;{p} - {kh}) // {s} + 1"
        )
        self.plot.clear_output(wait=True)
        with self.plot:
            fig, axes = plt.subplots(1, 2, figsize=(9, 3.4))
            axes[0].imshow(self.image, cmap="gray")
            axes[0].set_title(f"input {H} x {Wd}")
            axes[1].imshow(self.output, cmap="gray")
            axes[1].set_title(f"output {self.output.shape[0]} x {self.output.shape[1]}")
            for ax in axes:
                ax.axis("off")
            plt.show()
            plt.close(fig)

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)
