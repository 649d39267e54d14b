"""PNG plot of a training history (loss and accuracy per epoch), drawn with the Agg backend.

Uses ``matplotlib.figure.Figure`` directly instead of pyplot, so no global backend or figure
state is touched and no display is needed.

The axes are honest: accuracy always spans 0 to 100 % (so noise at chance level does not look
like learning), with the chance level drawn when it is known; the loss axis starts at 0, or
is logarithmic (and says so) when the losses span more than two orders of magnitude.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

#: losses spanning more than this ratio are drawn on a logarithmic axis
LOG_SCALE_RATIO = 100.0


def plot_history(
    history: dict[str, list[float]],
    path: str | Path,
    validation_label: str = "validation",
    title: str | None = None,
    chance: float | None = None,
    loss_before: float | None = None,
) -> Path:
    """Write a two-panel PNG (loss, accuracy against epoch) of ``history`` to ``path``.

    The options are those of :func:`draw_history`.
    """
    target = Path(path)
    draw_history(history, validation_label, title, chance, loss_before).savefig(target, dpi=100)
    return target


def draw_history(
    history: dict[str, list[float]],
    validation_label: str = "validation",
    title: str | None = None,
    chance: float | None = None,
    loss_before: float | None = None,
) -> Figure:
    """The two-panel figure (loss, accuracy against epoch) of ``history``.

    ``history`` is what :func:`impl.training.fit` returns with ``evaluate_every`` given: the
    losses and accuracies are drawn against ``evaluated_epoch`` (against ``epoch`` when a
    history has no ``evaluated_epoch``, one value per epoch).

    ``title`` goes above both panels (the run's settings and outcome); ``chance`` (a
    fraction) draws the accuracy of always guessing the most common class, ``loss_before`` the
    loss of the untrained network.
    """
    figure = Figure(figsize=(10, 4.4), layout="constrained")
    FigureCanvasAgg(figure)
    loss_axes, accuracy_axes = figure.subplots(1, 2)
    epochs = history.get("evaluated_epoch", history["epoch"])  # see impl.training.fit
    for axes, key, name in (
        (loss_axes, "loss", "cost J (mean loss)"),
        (accuracy_axes, "accuracy", "accuracy"),
    ):
        axes.plot(epochs, history[key], marker="o", markersize=3, label="training")
        if f"val_{key}" in history:
            axes.plot(
                epochs, history[f"val_{key}"], marker="o", markersize=3, label=validation_label
            )
        axes.set_xlabel("epoch")
        axes.set_title(name)
        axes.grid(alpha=0.3)
    if loss_before is not None:
        loss_axes.axhline(
            loss_before,
            color="grey",
            linestyle="--",
            linewidth=1,
            label=f"{validation_label} loss before training ({loss_before:.3g})",
        )
    losses = np.array(
        [v for key in ("loss", "val_loss") for v in history.get(key, [])]
        + ([loss_before] if loss_before is not None else []),
        dtype=float,
    )
    positive = losses[losses > 0]
    if positive.size and positive.max() / positive.min() > LOG_SCALE_RATIO:
        loss_axes.set_yscale("log")
        loss_axes.set_title("cost J (mean loss), logarithmic axis")
    else:
        loss_axes.set_ylim(bottom=0, top=max(float(losses.max(initial=0.0)) * 1.05, 1e-12))
    accuracy_axes.set_ylim(0, 1)
    accuracy_axes.yaxis.set_major_formatter(PercentFormatter(xmax=1))
    if chance is not None:
        accuracy_axes.axhline(
            chance, color="grey", linestyle="--", linewidth=1, label=f"chance ({chance:.0%})"
        )
    for axes in (loss_axes, accuracy_axes):
        axes.legend()
    if title:
        figure.suptitle(title, fontsize=10)
    return figure
