"""Mini-batch stochastic gradient descent with a progress bar and a per-epoch history.

Each epoch draws a fresh permutation of the m training columns from the network's seeded
generator, cuts it into mini-batches of ``batch_size`` (the last one may be smaller) and takes one
step W^l <- W^l - eta dJ_batch/dW^l, b^l <- b^l - eta dJ_batch/db^l per mini-batch. The data are
validated once, copied once into row-per-example (C-order) form so that gathering a mini-batch
reads contiguous rows, and each batch is gathered into a reused buffer.

BLAS threads: by default training runs its matrix products on ONE BLAS thread (restored
afterwards, via threadpoolctl). Mini-batch products such as (30 x 784)(784 x 10) are too small
to gain from threads, and on a shared 2-core machine a second BLAS thread that waits for a busy
core made training ~3x slower in our measurements. One thread also makes the floating-point
results independent of the machine's core count. ``blas_threads=None`` leaves the setting alone.

Divergence: a learning rate that is far too large makes the steps grow until the parameters or
the loss overflow to infinity or NaN. Training runs with NumPy's overflow/invalid warnings
silenced and instead checks after every epoch that the parameters and the losses are finite;
if not, :func:`fit` stops with a ``ValueError`` that names the epoch and the learning rate.
"""

from __future__ import annotations

import sys
import time
from contextlib import nullcontext
from typing import TYPE_CHECKING

import numpy as np
from threadpoolctl import threadpool_limits
from tqdm import tqdm

from impl.validation import check_positive_int, check_positive_number

if TYPE_CHECKING:
    from impl.network import Network


def fit(
    network: Network,
    X: np.ndarray,
    Y: np.ndarray,
    epochs: int,
    batch_size: int,
    learning_rate: float,
    validation_data: tuple[np.ndarray, np.ndarray] | None = None,
    progress: bool = True,
    blas_threads: int | None = 1,
    validation_name: str = "val",
) -> dict[str, list[float]]:
    """Train ``network`` in place and return its history, a dict of per-epoch lists.

        Keys: ``epoch`` (1, 2, ...), ``loss`` and ``accuracy`` on the training data after the
        epoch, ``seconds`` (wall time of the epoch's training steps) and, when ``validation_data =
        (X_val, Y_val)`` is given, ``val_loss`` and ``val_accuracy``. The progress bar goes to
        stderr; ``progress=False`` disables it. ``blas_threads`` caps the BLAS threads while
        training (default 1, see the module docstring; ``None``: no cap). ``validation_name`` is
    what the progress bar calls the validation data (``"test"`` when it is the test split).

        Raises :class:`TrainingDivergedError` (a ``ValueError``) when training diverges (a
        parameter or the epoch's loss is inf or NaN); the network's parameters are then unusable.
    """
    epochs = check_positive_int("epochs", epochs)
    batch_size = check_positive_int("batch_size", batch_size)
    eta = check_positive_number("learning_rate", learning_rate)
    if blas_threads is not None:
        blas_threads = check_positive_int("blas_threads", blas_threads)
    inputs = network.check_inputs(X)
    targets = network.check_targets(Y, inputs.shape[1])
    validation = None
    if validation_data is not None:
        if not isinstance(validation_data, tuple | list) or len(validation_data) != 2:
            raise ValueError(
                "validation_data must be a pair (X_val, Y_val) with X_val of shape "
                f"({network.sizes[0]}, m_val); got {type(validation_data).__name__}"
            )
        val_inputs = network.check_inputs(validation_data[0], "validation_data[0]")
        val_targets = network.check_targets(
            validation_data[1],
            val_inputs.shape[1],
            "validation_data[1]",
            "validation_data[0]",
        )
        validation = (val_inputs, val_targets)

    limit = nullcontext() if blas_threads is None else threadpool_limits(blas_threads, "blas")
    # overflow to inf/nan is detected after every epoch (see the module docstring)
    with limit, np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        return _run_epochs(
            network,
            inputs,
            targets,
            validation,
            epochs,
            batch_size,
            eta,
            progress,
            validation_name,
        )


class TrainingDivergedError(ValueError):
    """Training diverged: after ``epoch`` a parameter or the loss was inf or NaN."""

    def __init__(self, epoch: int, epochs: int, symptom: str, learning_rate: float) -> None:
        self.epoch, self.epochs, self.symptom = epoch, epochs, symptom
        self.learning_rate = learning_rate
        super().__init__(
            f"training diverged at epoch {epoch} of {epochs} ({symptom}): the learning rate is "
            f"too large; lower learning_rate, now {learning_rate:g} (try {learning_rate / 10:g} "
            "or less), and train a new Network, because this one's parameters are no longer "
            "usable"
        )


def _run_epochs(
    network: Network,
    inputs: np.ndarray,
    targets: np.ndarray,
    validation: tuple[np.ndarray, np.ndarray] | None,
    epochs: int,
    batch_size: int,
    eta: float,
    progress: bool,
    validation_name: str = "val",
) -> dict[str, list[float]]:
    """The SGD loop on validated data (see :func:`fit`)."""
    m = inputs.shape[1]
    input_rows = np.ascontiguousarray(inputs.T)  # (m, n_0): example i is a contiguous row
    target_rows = np.ascontiguousarray(targets.T)
    batch = min(batch_size, m)
    input_buffer = np.empty((batch, input_rows.shape[1]), network.dtype)
    target_buffer = np.empty((batch, target_rows.shape[1]), network.dtype)

    history: dict[str, list[float]] = {"epoch": [], "loss": [], "accuracy": [], "seconds": []}
    if validation is not None:
        history["val_loss"] = []
        history["val_accuracy"] = []

    bar = tqdm(
        total=epochs * m,
        unit="ex",
        unit_scale=True,
        desc="training",
        file=sys.stderr,
        disable=not progress,
        leave=True,
        dynamic_ncols=True,
    )
    try:
        for epoch in range(1, epochs + 1):
            started = time.perf_counter()
            order = network.rng.permutation(m)
            for start in range(0, m, batch):
                indices = order[start : start + batch]
                size = indices.shape[0]
                if size == batch:
                    x_rows, y_rows = input_buffer, target_buffer
                else:
                    x_rows = np.empty((size, input_rows.shape[1]), network.dtype)
                    y_rows = np.empty((size, target_rows.shape[1]), network.dtype)
                # mode="clip": the indices come from a permutation of range(m), so nothing is
                # ever clipped; the default mode="raise" gathers into a temporary and copies it
                # into ``out`` afterwards, which made the gather 1.5-2.5x slower.
                np.take(input_rows, indices, axis=0, out=x_rows, mode="clip")
                np.take(target_rows, indices, axis=0, out=y_rows, mode="clip")
                network._train_step(x_rows.T, y_rows.T, eta)
                bar.update(size)
            seconds = time.perf_counter() - started
            bad = network.first_non_finite_parameter()
            if bad is not None:
                raise TrainingDivergedError(epoch, epochs, f"{bad} contains inf or nan", eta)
            try:
                loss, accuracy = network._evaluate_checked(inputs, targets)
            except ValueError as error:  # the logits overflowed although W, b are finite
                raise TrainingDivergedError(epoch, epochs, str(error), eta) from error
            if not np.isfinite(loss):
                raise TrainingDivergedError(epoch, epochs, f"loss is {loss}", eta)
            history["epoch"].append(epoch)
            history["loss"].append(loss)
            history["accuracy"].append(accuracy)
            history["seconds"].append(seconds)
            postfix = {"epoch": epoch, "loss": f"{loss:.4f}", "acc": f"{accuracy:.4f}"}
            if validation is not None:
                val_loss, val_accuracy = network._evaluate_checked(*validation)
                if not np.isfinite(val_loss):
                    raise TrainingDivergedError(
                        epoch, epochs, f"validation loss is {val_loss}", eta
                    )
                history["val_loss"].append(val_loss)
                history["val_accuracy"].append(val_accuracy)
                postfix[f"{validation_name}_acc"] = f"{val_accuracy:.4f}"
            bar.set_postfix(postfix, refresh=False)
    finally:
        bar.close()
    return history
