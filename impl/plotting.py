"""PNG plot of a training history (loss and accuracy per epoch), drawn with the Agg backend.

Uses ``matplotlib.figure.Figure`` directly instead of pyplot, so no global backend or figure
state is touched and no display is needed.
"""

from __future__ import annotations

from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure


def plot_history(
    history: dict[str, list[float]], path: str | Path, validation_label: str = "validation"
) -> Path:
    """Write a two-panel PNG (loss, accuracy against epoch) of ``history`` to ``path``."""
    figure = Figure(figsize=(10, 4), layout="constrained")
    FigureCanvasAgg(figure)
    loss_axes, accuracy_axes = figure.subplots(1, 2)
    epochs = history["epoch"]
    for axes, key, title in (
        (loss_axes, "loss", "cost J (mean loss)"),
        (accuracy_axes, "accuracy", "accuracy"),
    ):
        axes.plot(epochs, history[key], marker="o", markersize=3, label="training")
        if f"val_{key}" in history:
            axes.plot(
                epochs, history[f"val_{key}"], marker="o", markersize=3, label=validation_label
            )
        axes.set_xlabel("epoch")
        axes.set_title(title)
        axes.grid(alpha=0.3)
        axes.legend()
    target = Path(path)
    figure.savefig(target, dpi=100)
    return target
