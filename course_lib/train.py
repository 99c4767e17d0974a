"""A small, readable training loop: seeding, device choice, one progress bar per loop.

Arrays in, history out. Under nbgrader (``course_lib.env.is_grading()``) the progress bar is
off, because anything a cell writes to stderr costs points there.
"""

from __future__ import annotations

import random

import numpy as np
import torch
from tqdm.auto import tqdm

from course_lib import _validate as v
from course_lib.env import device as pick_device
from course_lib.env import is_grading

__all__ = ["seed_everything", "random_shift", "fit", "evaluate", "predict", "pick_device"]


def seed_everything(seed: int = 0) -> None:
    """Seed Python, NumPy and PyTorch so that a notebook gives the same numbers every run."""
    seed = v.positive_int("seed", seed, minimum=0)
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def random_shift(pixels: int = 2):
    """Data augmentation: move each image by up to ``pixels`` in x and y (zeros come in).

    Returns ``augment(xb, generator) -> xb`` for ``fit(..., augment=...)``; xb: (B, C, H, W).
    """
    m = v.positive_int("pixels", pixels)

    def augment(xb: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        H, W = xb.shape[-2:]
        padded = torch.nn.functional.pad(xb, (m, m, m, m))
        dy, dx = torch.randint(0, 2 * m + 1, (2, len(xb)), generator=generator).tolist()
        return torch.stack([p[:, a : a + H, b : b + W] for p, a, b in zip(padded, dy, dx)])

    return augment


def _tensors(X, y, device):
    v.array("X", X, None)
    v.array("y", y, 1, "(N,)")
    if len(X) != len(y):
        raise ValueError(f"X and y need the same number of samples, got {len(X)} and {len(y)}")
    return torch.as_tensor(X, dtype=torch.float32, device=device), torch.as_tensor(
        y, dtype=torch.long, device=device
    )


@torch.no_grad()
def predict(model: torch.nn.Module, X: np.ndarray, batch_size: int = 512) -> np.ndarray:
    """Class predictions (argmax of the logits) for every row of ``X``."""
    model.eval()
    dev = next(model.parameters()).device
    Xt = torch.as_tensor(v.array("X", X), dtype=torch.float32)
    preds = [
        model(Xt[i : i + batch_size].to(dev)).argmax(1).cpu() for i in range(0, len(Xt), batch_size)
    ]
    return torch.cat(preds).numpy()


def evaluate(model: torch.nn.Module, X: np.ndarray, y: np.ndarray) -> float:
    """Accuracy of ``model`` on ``(X, y)``, in [0, 1]."""
    v.array("y", y, 1, "(N,)")
    if len(X) != len(y):
        raise ValueError(f"X and y need the same number of samples, got {len(X)} and {len(y)}")
    return float(np.mean(predict(model, X) == y))


def fit(
    model: torch.nn.Module,
    X: np.ndarray,
    y: np.ndarray,
    *,
    epochs: int,
    batch_size: int = 64,
    lr: float = 1e-3,
    weight_decay: float = 0.0,
    val: tuple[np.ndarray, np.ndarray] | None = None,
    seed: int = 0,
    device: str | None = None,
    augment=None,
    live=None,
    desc: str = "training",
) -> dict:
    """Train a classifier with Adam (one-cycle learning rate, peak ``lr``) and cross-entropy.

    X: (N, ...) float inputs, y: (N,) int labels. ``val``: optional (X_val, y_val) evaluated
    after each epoch. ``augment``: e.g. ``random_shift(2)``, applied to each training batch.
    ``live``: an object with ``update(epoch, **metrics)`` such as
    ``course_lib.plotting.LiveCurves`` to draw curves while training.
    Returns {"loss": [...], "train_acc": [...], "val_acc": [...]} with one entry per epoch.
    """
    epochs = v.positive_int("epochs", epochs)
    batch_size = v.positive_int("batch_size", batch_size)
    dev = pick_device(device)
    Xt, yt = _tensors(X, y, dev)
    model.to(dev)
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
    n_batches = (len(Xt) + batch_size - 1) // batch_size
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=epochs * n_batches)
    loss_fn = torch.nn.CrossEntropyLoss()
    history = {"loss": [], "train_acc": [], "val_acc": []}
    with tqdm(total=epochs * n_batches, desc=desc, disable=is_grading(), leave=True) as bar:
        for epoch in range(epochs):
            model.train()
            order = torch.randperm(len(Xt), generator=gen).to(dev)
            total, correct, loss_sum = 0, 0, 0.0
            for i in range(0, len(Xt), batch_size):
                idx = order[i : i + batch_size]
                xb = Xt[idx] if augment is None else augment(Xt[idx], gen)
                logits = model(xb)
                loss = loss_fn(logits, yt[idx])
                opt.zero_grad()
                loss.backward()
                opt.step()
                sched.step()
                loss_sum += loss.item() * len(idx)
                correct += (logits.argmax(1) == yt[idx]).sum().item()
                total += len(idx)
                bar.update(1)
            history["loss"].append(loss_sum / total)
            history["train_acc"].append(correct / total)
            if val is not None:
                history["val_acc"].append(evaluate(model, *val))
            shown = {k: round(vals[-1], 4) for k, vals in history.items() if vals}
            bar.set_postfix(epoch=epoch + 1, **shown)
            if live is not None:
                live.update(epoch + 1, **{k: vals[-1] for k, vals in history.items() if vals})
    return history
