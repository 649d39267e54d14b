"""Whether a training run learned anything: a failed run must not look like a success.

A run *failed* when its network ends no better than before training, or no better than
always guessing the most common class.  :func:`failure_reason` says which, in a sentence a
student understands; ``verified-backprop train`` prints it and exits with status 1.
"""

from __future__ import annotations

import numpy as np

__all__ = ["PROGRESS_NEEDED", "chance_accuracy", "failure_reason"]

#: a run must get at least this fraction of the way from chance accuracy to 100 %
PROGRESS_NEEDED = 0.25


def chance_accuracy(labels: np.ndarray) -> float:
    """The accuracy of always guessing the most common class.

    ``labels`` is one-hot (or probability) columns of shape (K, m), or m integer labels.
    """
    values = np.asarray(labels)
    classes = values if values.ndim == 1 else np.argmax(values, axis=0)
    if classes.size == 0:
        raise ValueError("chance_accuracy needs at least one label")
    return float(np.max(np.bincount(classes.astype(np.int64))) / classes.size)


def failure_reason(
    test_loss: float, test_accuracy: float, loss_before: float, chance: float
) -> str | None:
    """Why the run failed, or None if it learned.

    ``loss_before`` is the test loss of the network before training and ``chance`` the
    accuracy of always guessing the most common class (:func:`chance_accuracy`).
    """
    needed = chance + PROGRESS_NEEDED * (1.0 - chance)
    if not test_loss < loss_before:
        return (
            f"the test loss rose from {loss_before:.4g} before training to {test_loss:.4g}: "
            "training made the network worse (is the learning rate far too large?)"
        )
    if test_accuracy < needed:
        return (
            f"the test accuracy {test_accuracy:.2%} is hardly better than always guessing "
            f"the most common class ({chance:.2%}); a run that learned gets at least a "
            f"quarter of the way from there to 100 % ({needed:.2%})"
        )
    return None
