"""The training plot: a title with the settings and outcome, and axes that do not flatter."""

from __future__ import annotations

import math

from impl.plotting import draw_history

FLAT = {
    "epoch": [1, 2, 3],
    "loss": [4500.0, 5000.0, 4800.0],
    "accuracy": [0.097, 0.102, 0.099],
    "val_loss": [4600.0, 5048.0, 4900.0],
    "val_accuracy": [0.095, 0.1, 0.0978],
}


def test_accuracy_spans_0_to_100_percent_so_chance_level_noise_looks_flat() -> None:
    figure = draw_history(FLAT, "test", title="FAILED: lr 1000", chance=0.1)
    accuracy_axes = figure.axes[1]
    assert accuracy_axes.get_ylim() == (0.0, 1.0)
    assert figure._suptitle.get_text() == "FAILED: lr 1000"
    assert "chance (10%)" in [text.get_text() for text in accuracy_axes.get_legend().get_texts()]


def test_the_loss_axis_starts_at_zero() -> None:
    loss_axes, _ = draw_history(FLAT, "test").axes
    assert loss_axes.get_yscale() == "linear" and loss_axes.get_ylim()[0] == 0


def test_losses_spanning_orders_of_magnitude_get_a_labelled_log_axis() -> None:
    history = {"epoch": [1, 2, 3], "loss": [2.3, 0.1, 0.002], "accuracy": [0.5, 0.9, 1.0]}
    loss_axes, _ = draw_history(history, loss_before=2.4).axes
    assert loss_axes.get_yscale() == "log" and "logarithmic" in loss_axes.get_title()
    bottom, top = loss_axes.get_ylim()
    assert bottom <= 0.002 and top >= 2.4 and math.isfinite(top)
