"""The epoch loop of :meth:`impl.network.Network.fit`: mini-batch SGD with progress and history.

Each epoch draws a fresh permutation of the m training columns from the network's seeded
generator, cuts it into mini-batches of ``batch_size`` (the last one may be smaller) and takes one
step W^l <- W^l - eta dJ_batch/dW^l, b^l <- b^l - eta dJ_batch/db^l per mini-batch. The data are
validated once, copied once into row-per-example (C-order) form so that gathering a mini-batch
reads contiguous rows, and each batch is gathered into a reused buffer.

The network is seen through :class:`TrainableNetwork`, the internal interface of
:class:`impl.network.Network` (this module never imports :mod:`impl.network`). Whether the
steps run on the compiled kernels (:mod:`impl.kernels`: whole runs of steps in one compiled
call, or one step at a time) and whether evaluation does is chosen once, when :func:`fit`
starts.

BLAS threads: by default training runs its matrix products on ONE BLAS thread (restored
afterwards, via threadpoolctl): mini-batch products such as (30 x 784)(784 x 10) are too small
to gain from threads, and one thread makes the floating-point results independent of the
machine's core count (docs/benchmarks.md has the measurements). ``blas_threads=None`` leaves
the setting alone.

Evaluation: ``fit`` evaluates only what it is asked to. By default it evaluates
``validation_data`` (when given) after every epoch and never the training set (a pass over it
costs about as much as an epoch's arithmetic). ``evaluate_every=k`` evaluates the training set
(and the validation data) after every k-th epoch and after the last.

Progress: the bar counts examples, but is told about them once per about
``PROGRESS_EXAMPLES`` examples (and at the end of every epoch), not after every mini-batch.

Divergence: a learning rate that is far too large makes the steps grow until the parameters or
the loss overflow to infinity or NaN. Training runs with NumPy's overflow/invalid warnings
silenced and instead checks after every epoch that the parameters and the pre-activations of
the epoch's last mini-batch are finite (a few thousand numbers, not a pass over the data), and
that every loss it evaluates is finite; if not, :func:`fit` stops with a ``ValueError`` that
names the epoch and the learning rate.
"""

from __future__ import annotations

import sys
import time
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from threadpoolctl import ThreadpoolController
from tqdm import tqdm

from impl import kernels
from impl.validation import (
    check_inputs,
    check_positive_int,
    check_positive_number,
    check_targets,
)


class TrainableNetwork(Protocol):
    """What :func:`fit` uses of a network: :class:`impl.network.Network`'s internal interface.

    The ``*_validated`` methods and :meth:`train_step` take inputs already checked and the
    kernel choice of the call (``on_kernels``); see their docstrings in :mod:`impl.network`.
    """

    sizes: tuple[int, ...]
    output: str
    dtype: np.dtype
    rng: np.random.Generator

    def check_parameters(self) -> None: ...
    def first_non_finite_parameter(self) -> str | None: ...
    def kernels_for_passes(self) -> bool: ...
    def kernels_for_steps(self, batch: int) -> bool: ...
    def evaluate_validated(
        self, X: np.ndarray, Y: np.ndarray, on_kernels: bool
    ) -> tuple[float, float]: ...
    def train_step(
        self, X: np.ndarray, Y: np.ndarray, learning_rate: float, on_kernels: bool
    ) -> None: ...
    def steps_arguments(
        self,
        rows: np.ndarray,
        target_rows: np.ndarray,
        order: np.ndarray,
        batch: int,
        learning_rate: float,
        x_rows: np.ndarray,
        y_rows: np.ndarray,
    ) -> tuple | None: ...
    def last_step_preactivations(self, batch: int) -> list[np.ndarray]: ...


#: examples between two progress-bar updates (and one at the end of every epoch)
PROGRESS_EXAMPLES = 4096


def fit(
    network: TrainableNetwork,
    X: np.ndarray,
    Y: np.ndarray,
    epochs: int,
    batch_size: int,
    learning_rate: float,
    validation_data: tuple[np.ndarray, np.ndarray] | None = None,
    progress: bool = True,
    blas_threads: int | None = 1,
    validation_name: str = "val",
    evaluate_every: int | None = None,
) -> dict[str, list[float]]:
    """Train ``network`` in place and return its history, a dict of lists (``Network.fit``).

    Always: ``epoch`` (1, 2, ..., epochs), ``seconds`` (wall time of each epoch's training
    steps, shuffle and mini-batch gathers included, evaluation not) and ``cpu_seconds`` (the
    same in CPU time of this process).

    Evaluation (see the module docstring), one entry per evaluation, all aligned with
    ``evaluated_epoch`` (the epochs after which it ran), which is present when anything is
    evaluated:

    * ``val_loss``, ``val_accuracy``: on ``validation_data = (X_val, Y_val)`` when given, after
      every epoch (or as ``evaluate_every`` says);
    * ``loss``, ``accuracy``: on the training data, only when ``evaluate_every = k`` is given:
      after every k-th epoch and after the last (``evaluate_every=1``: after every epoch).

    The progress bar goes to stderr; ``progress=False`` disables it. ``blas_threads`` caps the
    BLAS threads while training (default 1, see the module docstring; ``None``: no cap).
    ``validation_name`` is what the progress bar calls the validation data (``"test"`` when it
    is the test split).

    Raises :class:`TrainingDivergedError` (a ``ValueError``) when training diverges (a
    parameter, a pre-activation of the epoch's last mini-batch or an evaluated loss is inf or
    NaN); the network's parameters are then unusable.
    """
    epochs = check_positive_int("epochs", epochs)
    batch_size = check_positive_int("batch_size", batch_size)
    eta = check_positive_number("learning_rate", learning_rate)
    if blas_threads is not None:
        blas_threads = check_positive_int("blas_threads", blas_threads)
    if evaluate_every is not None:
        evaluate_every = check_positive_int("evaluate_every", evaluate_every)
    network.check_parameters()
    inputs = check_inputs(X, network.sizes[0], network.dtype)
    targets = check_targets(Y, network.sizes[-1], inputs.shape[1], network.output, network.dtype)
    validation = None
    if validation_data is not None:
        if not isinstance(validation_data, tuple | list) or len(validation_data) != 2:
            raise ValueError(
                "validation_data must be a pair (X_val, Y_val) with X_val of shape "
                f"({network.sizes[0]}, m_val); got {type(validation_data).__name__}"
            )
        val_inputs = check_inputs(
            validation_data[0], network.sizes[0], network.dtype, "validation_data[0]"
        )
        val_targets = check_targets(
            validation_data[1],
            network.sizes[-1],
            val_inputs.shape[1],
            network.output,
            network.dtype,
            "validation_data[1]",
            "validation_data[0]",
        )
        validation = (val_inputs, val_targets)

    limit = nullcontext() if blas_threads is None else _blas_limit(blas_threads)
    # the compiled kernels (impl.kernels, when installed) pay only in a long enough fit
    steps = epochs * -(-inputs.shape[1] // batch_size)
    # overflow to inf/nan is detected after every epoch (see the module docstring)
    with (
        limit,
        kernels.planned(steps),
        np.errstate(over="ignore", invalid="ignore", divide="ignore"),
    ):
        return _run_epochs(
            network,
            inputs,
            targets,
            validation,
            _Schedule(epochs, batch_size, eta, evaluate_every),
            progress,
            validation_name,
        )


#: threadpoolctl's view of the loaded BLAS libraries, and how many modules were imported when
#: it was taken: finding the libraries reads the process's list of loaded shared objects
#: (milliseconds), so it is done again only after new imports (which may load another BLAS)
_controller: tuple[int, ThreadpoolController] | None = None


def _blas_limit(threads: int) -> object:
    """A context manager capping every loaded BLAS library at ``threads`` threads (threadpoolctl's
    ``threadpool_limits(threads, "blas")``, with the library list reused between fits)."""
    global _controller
    if _controller is None or _controller[0] != len(sys.modules):
        _controller = (len(sys.modules), ThreadpoolController())
    return _controller[1].limit(limits=threads, user_api="blas")


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


@dataclass(frozen=True)
class _Schedule:
    """What :func:`fit` was asked to do: epochs, mini-batch size, step size, evaluation."""

    epochs: int
    batch_size: int
    eta: float
    evaluate_every: int | None

    def evaluates_training_data(self, epoch: int) -> bool:
        every = self.evaluate_every
        return every is not None and (epoch % every == 0 or epoch == self.epochs)

    def evaluates_validation_data(self, epoch: int) -> bool:
        return self.evaluate_every is None or self.evaluates_training_data(epoch)


@dataclass(frozen=True)
class _KernelChoice:
    """Where the computations of one :func:`fit` run, chosen once when it starts.

    ``loop``: the full mini-batches in the compiled loop :func:`impl.kernels.train_steps`;
    ``steps``: for each mini-batch size, whether a step taken one at a time (the last, smaller
    mini-batch, every step when there is no loop, a step the loop hands back because it met a
    value that is not finite) runs on the per-step kernels; ``passes``: whether evaluation
    does. A fit that runs the loop has the kernels compiled for its dtype, so its steps taken
    one at a time use them too.
    """

    loop: bool
    steps: dict[int, bool]
    passes: bool

    @classmethod
    def of(
        cls, network: TrainableNetwork, batch: int, last_batch: int, arguments: tuple | None
    ) -> _KernelChoice:
        loop = arguments is not None and kernels.steps_pay(network.sizes, batch, arguments)
        steps = {size: loop or network.kernels_for_steps(size) for size in {batch, last_batch}}
        return cls(loop, steps, network.kernels_for_passes())


def _check_finite(
    network: TrainableNetwork, epoch: int, schedule: _Schedule, last_batch: int
) -> None:
    """Divergence after an epoch: non-finite parameters, or logits of the last mini-batch.

    The pre-activations of the epoch's last step are still in the step's buffers: finite
    parameters with infinite pre-activations (inputs or weights too large for the dtype) mean
    that the loss is no longer finite, found without a pass over the data.
    """
    bad = network.first_non_finite_parameter()
    if bad is not None:
        raise TrainingDivergedError(
            epoch, schedule.epochs, f"{bad} contains inf or nan", schedule.eta
        )
    for layer, z in enumerate(network.last_step_preactivations(last_batch), start=1):
        if not np.isfinite(z).all():
            raise TrainingDivergedError(
                epoch,
                schedule.epochs,
                f"the pre-activations Z^{layer} of the last mini-batch overflowed to inf or nan",
                schedule.eta,
            )


def _evaluate(
    network: TrainableNetwork,
    data: tuple[np.ndarray, np.ndarray],
    epoch: int,
    schedule: _Schedule,
    name: str,
    on_kernels: bool,
) -> tuple[float, float]:
    """(loss, accuracy) on ``data``, or TrainingDivergedError if the loss is not finite."""
    try:
        loss, accuracy = network.evaluate_validated(*data, on_kernels)
    except ValueError as error:  # the logits overflowed although W, b are finite
        raise TrainingDivergedError(epoch, schedule.epochs, str(error), schedule.eta) from error
    if not np.isfinite(loss):
        raise TrainingDivergedError(epoch, schedule.epochs, f"{name} is {loss}", schedule.eta)
    return loss, accuracy


def _run_epochs(
    network: TrainableNetwork,
    inputs: np.ndarray,
    targets: np.ndarray,
    validation: tuple[np.ndarray, np.ndarray] | None,
    schedule: _Schedule,
    progress: bool,
    validation_name: str = "val",
) -> dict[str, list[float]]:
    """The SGD loop on validated data (see :func:`fit`)."""
    m = inputs.shape[1]
    input_rows = np.ascontiguousarray(inputs.T)  # (m, n_0): example i is a contiguous row
    target_rows = np.ascontiguousarray(targets.T)
    batch = min(schedule.batch_size, m)
    input_buffer = np.empty((batch, input_rows.shape[1]), network.dtype)
    target_buffer = np.empty((batch, target_rows.shape[1]), network.dtype)
    last_batch = m - (m - 1) // batch * batch  # the size of each epoch's last mini-batch
    steps_per_update = max(1, PROGRESS_EXAMPLES // batch)

    history: dict[str, list[float]] = {"epoch": [], "seconds": [], "cpu_seconds": []}
    if schedule.evaluate_every is not None or validation is not None:
        history["evaluated_epoch"] = []
    if schedule.evaluate_every is not None:
        history["loss"] = []
        history["accuracy"] = []
    if validation is not None:
        history["val_loss"] = []
        history["val_accuracy"] = []

    bar = tqdm(
        total=schedule.epochs * m,
        unit="ex",
        unit_scale=True,
        desc="training",
        file=sys.stderr,
        disable=not progress,
        leave=True,
        dynamic_ncols=True,
    )

    def single_step(order: np.ndarray, step: int) -> None:
        """Mini-batch ``step`` of the epoch in ``order``: gathered here, one train_step."""
        indices = order[step * batch : (step + 1) * batch]
        size = indices.shape[0]
        if size == batch:
            x_rows, y_rows = input_buffer, target_buffer
        else:
            x_rows = np.empty((size, input_rows.shape[1]), network.dtype)
            y_rows = np.empty((size, target_rows.shape[1]), network.dtype)
        # mode="clip": the indices come from a permutation of range(m), so nothing is
        # ever clipped; the default mode="raise" gathers into a temporary and copies it
        # into ``out`` afterwards (docs/changelog.md)
        np.take(input_rows, indices, axis=0, out=x_rows, mode="clip")
        np.take(target_rows, indices, axis=0, out=y_rows, mode="clip")
        network.train_step(x_rows.T, y_rows.T, schedule.eta, choice.steps[size])

    steps = -(-m // batch)
    full_steps = m // batch  # the compiled loop takes these; a smaller last one, single_step
    arguments = network.steps_arguments(
        input_rows,
        target_rows,
        np.empty(0, np.intp),
        batch,
        schedule.eta,
        input_buffer,
        target_buffer,
    )
    choice = _KernelChoice.of(network, batch, last_batch, arguments)
    compiled_loop = choice.loop

    try:
        for epoch in range(1, schedule.epochs + 1):
            started, cpu_started = time.perf_counter(), time.process_time()
            order = network.rng.permutation(m)
            step = 0
            if compiled_loop:
                assert arguments is not None
                head, tail = arguments[:4], arguments[7:]
                while step < full_steps:
                    stop = min(step + steps_per_update, full_steps)
                    while step < stop:
                        step = kernels.train_steps(*head, order, step, stop, *tail)
                        if step < stop:  # a value that is not finite: this step alone (NumPy then)
                            single_step(order, step)
                            step += 1
                    bar.update((epoch - 1) * m + stop * batch - bar.n)
                kernels.compiled(network.dtype)
            for rest in range(step, steps):
                single_step(order, rest)
                if (rest + 1) % steps_per_update == 0:
                    bar.update((epoch - 1) * m + (rest + 1) * batch - bar.n)
            history["seconds"].append(time.perf_counter() - started)
            history["cpu_seconds"].append(time.process_time() - cpu_started)
            bar.update(epoch * m - bar.n)  # the steps since the last update
            history["epoch"].append(epoch)
            _check_finite(network, epoch, schedule, last_batch)
            postfix: dict[str, object] = {"epoch": epoch}
            if schedule.evaluates_training_data(epoch):
                loss, accuracy = _evaluate(
                    network, (inputs, targets), epoch, schedule, "loss", choice.passes
                )
                history["loss"].append(loss)
                history["accuracy"].append(accuracy)
                postfix |= {"loss": f"{loss:.4f}", "acc": f"{accuracy:.4f}"}
            if validation is not None and schedule.evaluates_validation_data(epoch):
                val_loss, val_accuracy = _evaluate(
                    network, validation, epoch, schedule, "validation loss", choice.passes
                )
                history["val_loss"].append(val_loss)
                history["val_accuracy"].append(val_accuracy)
                postfix[f"{validation_name}_loss"] = f"{val_loss:.4f}"
                postfix[f"{validation_name}_acc"] = f"{val_accuracy:.4f}"
            if "evaluated_epoch" in history and len(postfix) > 1:
                history["evaluated_epoch"].append(epoch)
            bar.set_postfix(postfix, refresh=False)
    finally:
        bar.close()
    return history
