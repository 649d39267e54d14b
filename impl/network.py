"""A fully connected feed-forward network trained by backpropagation, vectorised over examples.

Notation (columns are examples; a mini-batch of m examples is a matrix with m columns)::

    A^0 = X                                   shape (n_0, m)
    Z^l = W^l A^{l-1} + b^l                   shape (n_l, m)   (b^l broadcast over columns)
    A^l = g(Z^l)   for hidden layers,  A^L = h(Z^L) at the output (softmax or sigmoid)
    J   = (1/m) sum_i L(a^L_i, y_i)           the batch-mean cost

Python lists are 0-based, so ``weights[k]`` is W^{k+1} (shape (sizes[k+1], sizes[k])) and
``biases[k]`` is b^{k+1} (shape (sizes[k+1], 1)); in a :class:`ForwardCache`, ``Z[k]`` is Z^{k+1}
and ``A[k]`` is A^k (``A[0]`` is X itself).

Backward pass (batch-mean convention). dZ^l denotes the per-example derivatives dL_i/dz^l_i
stacked as columns, so dZ^l = m dJ/dZ^l::

    dZ^L = A^L - Y                              (both cross-entropy pairings)
    dZ^L = (A^L - Y) * h'(Z^L)                  (sigmoid + quadratic cost)
    dZ^l = (W^{l+1})^T dZ^{l+1} * g'(Z^l)       (hidden layers, * = element-wise)
    dJ/dW^l = (1/m) dZ^l (A^{l-1})^T            shape (n_l, n_{l-1})
    dJ/db^l = (1/m) sum_i dZ^l[:, i]            shape (n_l, 1)

Because every line is linear in dZ^L, the implementation multiplies dZ^L by one scalar
(1/m for :meth:`Network.backward`, eta/m for :meth:`Network.gradient_descent`) and then runs the
recursion on the scaled deltas; the scaling touches an (n_L, m) array instead of every dW.
Nothing loops over examples: each layer costs two or three matrix products.

``Network.fit``, ``Network.save`` and ``Network.load`` are methods of the class below; their
work is done by :mod:`impl.training` (the epoch loop) and :mod:`impl.serialization` (the
``.npz`` format), which this module imports and which never import it: they see a network
through the internal interface described by :class:`impl.training.TrainableNetwork` and
:class:`impl.serialization.StoredNetwork`.

Compiled kernels (:mod:`impl.kernels`): whether a computation runs on them is chosen once per
call (:meth:`Network.kernels_for_passes`, :meth:`Network.kernels_for_steps`) and passed down as
``on_kernels``; a kernel pass that meets a value that is not finite is redone on NumPy.

>>> import numpy as np
>>> net = Network([2, 3, 2], seed=0)
>>> X = np.array([[0.0, 1.0, 2.0], [1.0, 0.0, -1.0]])   # 3 examples as columns
>>> y = np.array([0, 1, 1])                               # class labels
>>> [dW.shape for dW in net.backward(X, y)[0]]
[(3, 2), (2, 3)]
>>> net.predict_proba(X).sum(axis=0)                      # softmax columns sum to 1
array([1., 1., 1.])
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np

from impl import kernels, serialization, training
from impl.activations import HIDDEN_ACTIVATIONS, HiddenActivation
from impl.initializers import INITIALIZERS, initialize_parameters
from impl.losses import OUTPUT_LAYERS, OutputLayer
from impl.validation import (
    check_choice,
    check_inputs,
    check_memory,
    check_output_units,
    check_parameters,
    check_positive_number,
    check_seed,
    check_sizes,
    check_targets,
    parameter_count,
)

SUPPORTED_DTYPES = (np.dtype(np.float64), np.dtype(np.float32))

#: Forward passes over large data sets (evaluate, predict) run in chunks of this many columns.
EVALUATION_CHUNK = 8192


@dataclass
class ForwardCache:
    """Pre-activations and activations of one forward pass.

    ``Z[k] = weights[k] @ A[k] + biases[k]`` (that is Z^{k+1}), ``A[0] = X`` and
    ``A[k + 1] = g(Z[k])`` (the output activation h for the last layer).
    """

    Z: list[np.ndarray]
    A: list[np.ndarray]

    @property
    def output(self) -> np.ndarray:
        """The network output A^L, shape (n_L, m)."""
        return self.A[-1]


class StepBuffers:
    """Preallocated arrays for one mini-batch size, reused by every training step.

    ``Z``, ``A`` (``A[0]`` is the batch while a step runs, else None), ``delta``, ``work``,
    ``grad_W``, ``grad_b`` as in :func:`backward_into`; ``ones`` is the column of m ones.
    """

    def __init__(self, sizes: Sequence[int], batch: int, dtype: np.dtype) -> None:
        widths = sizes[1:]
        self.Z = [np.empty((n, batch), dtype) for n in widths]
        self.A: list[Any] = [None] + [np.empty((n, batch), dtype) for n in widths]
        self.delta = [np.empty((n, batch), dtype) for n in widths]
        self.work = [np.empty((n, batch), dtype) for n in widths]
        self.grad_W = [np.empty((n_out, n_in), dtype) for n_in, n_out in itertools.pairwise(sizes)]
        self.grad_b = [np.empty((n, 1), dtype) for n in widths]
        self.ones = np.ones((batch, 1), dtype)  # db = dZ @ 1 (a BLAS call beats np.sum here)


def forward_into(
    weights: Sequence[np.ndarray],
    biases: Sequence[np.ndarray],
    hidden: HiddenActivation,
    output: OutputLayer,
    X: np.ndarray,
    Z: list[np.ndarray],
    A: list[Any],
) -> None:
    """Forward pass into preallocated Z, A: Z[k] = W A[k] + b, A[k+1] = g(Z[k]) (h at the end)."""
    A[0] = X
    last = len(weights) - 1
    for k, (W, b) in enumerate(zip(weights, biases, strict=True)):
        z = np.matmul(W, A[k], out=Z[k])
        z += b
        if k < last:
            hidden.forward(z, out=A[k + 1])
        else:
            output.activation(z, out=A[k + 1])


def backward_into(
    weights: Sequence[np.ndarray],
    hidden: HiddenActivation,
    output: OutputLayer,
    Y: np.ndarray,
    Z: list[np.ndarray],
    A: list[Any],
    delta: list[np.ndarray],
    work: list[np.ndarray],
    grad_W: list[np.ndarray],
    grad_b: list[np.ndarray],
    ones: np.ndarray,
    scale: float,
) -> None:
    """Backward pass into preallocated buffers (needs Z, A from :func:`forward_into`).

    With D^l = scale * dZ^l (per-example deltas dZ^l stacked as columns, times ``scale``)::

        D^L = scale * (output delta)               e.g. scale * (A^L - Y)
        grad_W[l-1] = D^l (A^{l-1})^T,   grad_b[l-1] = D^l 1   (1 = ``ones``, shape (m, 1))
        D^{l-1} = (W^l)^T D^l * g'(Z^{l-1})

    ``scale = 1/m`` gives dJ/dW^l and dJ/db^l; ``scale = eta/m`` gives the descent step.
    """
    last = len(weights) - 1
    output.delta(A[-1], Y, out=delta[last], work=work[last])
    delta[last] *= scale
    for k in range(last, -1, -1):
        np.matmul(delta[k], A[k].T, out=grad_W[k])
        np.matmul(delta[k], ones, out=grad_b[k])  # sum over the m columns
        if k:
            np.matmul(weights[k].T, delta[k], out=delta[k - 1])
            delta[k - 1] *= hidden.derivative(Z[k - 1], A[k], out=work[k - 1])


class Network:
    """Feed-forward network ``Network([784, 30, 10])`` with verified backpropagation.

    Parameters
    ----------
    sizes:
        Units per layer, input first: ``[784, 30, 10]`` has W^1 (30 x 784), W^2 (10 x 30).
    hidden_activation:
        ``"sigmoid"`` (default, as in the sources), ``"tanh"`` or ``"relu"`` (relu'(0) = 0).
    output:
        ``"softmax"`` (categorical cross-entropy, default), ``"sigmoid"`` (binary
        cross-entropy per output, multi-label) or ``"sigmoid_quadratic"`` (quadratic cost).
    init:
        ``"normal"`` (standard normal weights and biases, as the sources' ``randn``; default),
        ``"xavier"`` or ``"he"``; see :mod:`impl.initializers`.
    seed:
        Seed of the network's own ``numpy.random.default_rng`` (initialisation and shuffling):
        ``None`` (different every run) or a non-negative integer.
    dtype:
        ``numpy.float64`` (default) or ``numpy.float32`` for parameters and computations.

    Training and persistence: :meth:`fit`, :meth:`save`, :meth:`load`.

    >>> net = Network([784, 30, 10], seed=0)
    >>> net.sizes, net.hidden_activation, net.output
    ((784, 30, 10), 'sigmoid', 'softmax')
    >>> net.n_parameters, [W.shape for W in net.weights]
    (23860, [(30, 784), (10, 30)])
    """

    def __init__(
        self,
        sizes: Sequence[int],
        hidden_activation: str = "sigmoid",
        output: str = "softmax",
        init: str = "normal",
        seed: int | None = None,
        dtype: Any = np.float64,
    ) -> None:
        self._configure(sizes, hidden_activation, output, init, seed, dtype)
        try:
            self.weights, self.biases = initialize_parameters(
                self.sizes, self.init, self.rng, self.dtype
            )
        except MemoryError as error:  # fits in the machine's memory, but not in what is free
            raise ValueError(
                f"sizes {list(self.sizes)} needs {parameter_count(self.sizes):,} parameters "
                f"({parameter_count(self.sizes) * self.dtype.itemsize / 2**30:,.1f} GiB as "
                f"{self.dtype.name}), more memory than is free: choose smaller layer widths"
            ) from error

    def _configure(
        self,
        sizes: Sequence[int],
        hidden_activation: str,
        output: str,
        init: str,
        seed: int | None,
        dtype: Any,
    ) -> None:
        """Check and store the configuration and create the generator; no parameters yet."""
        self.sizes = check_sizes(sizes)
        self.hidden_activation = check_choice(
            "hidden_activation", hidden_activation, tuple(HIDDEN_ACTIVATIONS)
        )
        self.output = check_choice("output", output, tuple(OUTPUT_LAYERS))
        self.init = check_choice("init", init, INITIALIZERS)
        try:
            self.dtype = np.dtype(dtype)
        except TypeError as error:
            raise ValueError(
                f"dtype is {dtype!r} but must be numpy.float64 or numpy.float32"
            ) from error
        if self.dtype not in SUPPORTED_DTYPES:
            raise ValueError(f"dtype is {dtype!r} but must be numpy.float64 or numpy.float32")
        check_output_units(self.sizes, self.output)
        check_memory(self.sizes, self.dtype)
        self.rng = np.random.default_rng(check_seed(seed))
        self.weights: list[np.ndarray] = []
        self.biases: list[np.ndarray] = []
        self._workspaces: dict[int, StepBuffers] = {}

    @classmethod
    def _without_parameters(
        cls,
        sizes: Sequence[int],
        hidden_activation: str,
        output: str,
        init: str,
        seed: int | None,
        dtype: Any,
    ) -> Network:
        """A checked configuration with empty ``weights``/``biases`` lists for the caller to fill.

        Used by :func:`impl.serialization.load_network`, which checks the stored arrays
        against ``sizes`` first: nothing of the size the header claims is allocated here.
        """
        network = cls.__new__(cls)
        network._configure(sizes, hidden_activation, output, init, seed, dtype)
        return network

    # ------------------------------------------------------------------ description
    @property
    def num_layers(self) -> int:
        """Number of weight layers L (the input layer is not counted)."""
        return len(self.sizes) - 1

    @property
    def n_parameters(self) -> int:
        """Total number of weights and biases, e.g. 23,860 for [784, 30, 10]."""
        return sum(W.size + b.size for W, b in zip(self.weights, self.biases, strict=True))

    @property
    def hidden(self) -> HiddenActivation:
        """The hidden activation g (functions g, g', complex-safe g)."""
        return HIDDEN_ACTIVATIONS[self.hidden_activation]

    @property
    def output_layer(self) -> OutputLayer:
        """The output activation h with its loss and output delta."""
        return OUTPUT_LAYERS[self.output]

    def __repr__(self) -> str:
        return (
            f"Network({list(self.sizes)}, hidden_activation={self.hidden_activation!r}, "
            f"output={self.output!r}, init={self.init!r}, dtype={self.dtype.name})"
        )

    # ------------------------------------------------------------------ input checks
    def check_parameters(self) -> None:
        """ValueError unless every W^l, b^l has the shape and dtype ``sizes`` and ``dtype`` imply.

        Runs at the start of every public computation, so parameters assigned by hand (biases
        of shape (n,) instead of (n, 1), float64 arrays in a float32 network) are refused
        instead of broadcasting into a silently wrong result.
        """
        check_parameters(self.weights, self.biases, self.sizes, self.dtype)

    def check_inputs(self, X: object, argument: str = "X") -> np.ndarray:
        """X as a (n_0, m) array of this network's dtype, or a ValueError saying what is wrong."""
        self.check_parameters()
        return check_inputs(X, self.sizes[0], self.dtype, argument)

    def check_targets(
        self, Y: object, n_examples: int, argument: str = "Y", inputs_argument: str = "X"
    ) -> np.ndarray:
        """Y as a (n_L, m) array valid for the loss (int labels are one-hot encoded)."""
        return check_targets(
            Y, self.sizes[-1], n_examples, self.output, self.dtype, argument, inputs_argument
        )

    def _checked(self, X: object, Y: object) -> tuple[np.ndarray, np.ndarray]:
        inputs = self.check_inputs(X)
        return inputs, self.check_targets(Y, inputs.shape[1])

    # ------------------------------------------------------------------ forward / backward
    def forward(self, X: np.ndarray) -> ForwardCache:
        """Forward pass Z^l = W^l A^{l-1} + b^l, A^l = g(Z^l) (h(Z^L) at the output).

        Returns fresh arrays (safe to keep); X has shape (n_0, m).
        """
        inputs = self.check_inputs(X)
        return self.forward_validated(inputs, self.kernels_for_passes())

    def backward(self, X: np.ndarray, Y: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Gradients (dW, db) of the batch-mean cost J = (1/m) sum_i L_i.

        dW[k] = dJ/dW^{k+1} = (1/m) dZ^{k+1} (A^k)^T and db[k] = dJ/db^{k+1}
        = (1/m) sum_i dZ^{k+1}[:, i] (shape (n, 1)), with the output delta dZ^L = A^L - Y for
        cross-entropy, (A^L - Y) * sigma'(Z^L) for the quadratic cost, and the hidden recursion
        dZ^l = (W^{l+1})^T dZ^{l+1} * g'(Z^l). Y may be integer labels of shape (m,).
        """
        inputs, targets = self._checked(X, Y)
        return self.backward_validated(inputs, targets, self.kernels_for_passes())

    # ------------------------------------------------------------------ training
    def fit(
        self,
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
        """Train in place by mini-batch gradient descent; returns the history (dict of lists).

        Each epoch shuffles the m columns of X (with this network's generator), cuts them into
        mini-batches of ``batch_size`` and takes one step W^l <- W^l - eta dJ_batch/dW^l,
        b^l <- b^l - eta dJ_batch/db^l per mini-batch. The loop is :func:`impl.training.fit`,
        whose docstring lists the history's keys, the evaluation and divergence rules.

        >>> import numpy as np
        >>> X = np.array([[0.0, 0.0, 1.0, 1.0], [0.0, 1.0, 0.0, 1.0]])
        >>> y = np.array([0, 1, 1, 0])                            # XOR
        >>> net = Network([2, 8, 2], hidden_activation="tanh", seed=0)
        >>> history = net.fit(X, y, epochs=400, batch_size=4, learning_rate=0.5, progress=False)
        >>> net.predict(X), sorted(history)
        (array([0, 1, 1, 0]), ['cpu_seconds', 'epoch', 'seconds'])
        """
        return training.fit(
            self,
            X,
            Y,
            epochs,
            batch_size,
            learning_rate,
            validation_data=validation_data,
            progress=progress,
            blas_threads=blas_threads,
            validation_name=validation_name,
            evaluate_every=evaluate_every,
        )

    def gradient_descent(self, X: np.ndarray, Y: np.ndarray, learning_rate: float) -> None:
        """One gradient-descent step on one mini-batch: W^l <- W^l - eta dJ/dW^l, b likewise.

        X has shape (n_0, m); Y has shape (n_L, m) or holds m integer labels. A step so large
        that a weight or bias overflows to infinity or NaN raises ValueError (no NumPy warning).
        """
        eta = check_positive_number("learning_rate", learning_rate)
        inputs, targets = self._checked(X, Y)
        on_kernels = self.kernels_for_steps(inputs.shape[1])
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            self.train_step(inputs, targets, eta, on_kernels)
        bad = self.first_non_finite_parameter()
        if bad is not None:
            raise ValueError(
                f"gradient descent diverged: the step with learning_rate {eta:g} made {bad} "
                "non-finite (inf or nan), so this network can no longer be used; lower "
                "learning_rate and start again from a new Network"
            )

    def first_non_finite_parameter(self) -> str | None:
        """The name of the first parameter array holding inf or NaN ("W1", "b2", ...), or None.

        A non-finite parameter means training diverged (the learning rate was too large).
        """
        for layer, (W, b) in enumerate(zip(self.weights, self.biases, strict=True), start=1):
            for name, value in ((f"W{layer}", W), (f"b{layer}", b)):
                if not np.isfinite(value).all():
                    return name
        return None

    # ------------------------------------------------------------------ persistence
    def save(self, path: str | PathLike[str]) -> Path:
        """Write the network to ``path`` as ``.npz`` (appended if missing); returns the path.

        Plain arrays only, read back bit for bit by :meth:`load` (format:
        :mod:`impl.serialization`). Refuses what :meth:`load` would refuse: wrong shapes or
        dtypes, non-finite parameters, a path that is a directory.
        """
        return serialization.save_network(self, path)

    @classmethod
    def load(cls, path: str | PathLike[str], seed: int | None = None) -> Network:
        """The network stored at ``path`` by :meth:`save`; ``seed`` seeds its new generator.

        Every stored array is checked against the stored ``sizes`` before anything of that
        size is allocated; a damaged or foreign file raises ValueError saying what is wrong.
        """
        return serialization.load_network(path, cls._without_parameters, seed)

    # ------------------------------------------------------------------ inference
    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Output activations A^L = h(Z^L), shape (n_L, m) (softmax: class probabilities)."""
        inputs = self.check_inputs(X)
        on_kernels = self.kernels_for_passes()
        chunks = [
            self.forward_validated(inputs[:, start : start + EVALUATION_CHUNK], on_kernels).output
            for start in range(0, inputs.shape[1], EVALUATION_CHUNK)
        ]
        return np.concatenate(chunks, axis=1)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Predicted class index argmax_k A^L[k, i] for every example, shape (m,)."""
        return np.argmax(self.predict_proba(X), axis=0)

    def loss(self, X: np.ndarray, Y: np.ndarray) -> float:
        """The batch-mean cost J = (1/m) sum_i L_i (computed stably from the logits)."""
        return self.evaluate(X, Y)[0]

    def evaluate(self, X: np.ndarray, Y: np.ndarray) -> tuple[float, float]:
        """(J, accuracy) on a data set; accuracy as described in :func:`accuracy_count`."""
        inputs, targets = self._checked(X, Y)
        return self.evaluate_validated(inputs, targets, self.kernels_for_passes())

    # ------------------------------------------------------------------ internal interface
    # For impl.training, impl.gradcheck and impl.bench (impl.training.TrainableNetwork lists
    # what training uses): inputs already validated by the caller, and the kernel choice made
    # by the caller once per call and passed as ``on_kernels``. Not for users: these skip the
    # checks of the public methods above.

    def kernels_for_passes(self) -> bool:
        """Whether the forward and backward passes of one call (outside training steps) run on
        the compiled kernels: :func:`impl.kernels.kernels_pay` for a one-off pass (mode
        "numba" only; "auto" keeps them on NumPy)."""
        return kernels.kernels_pay(self.sizes, 1, training=False)

    def kernels_for_steps(self, batch: int) -> bool:
        """Whether the training steps of ``batch`` examples of one call run on the per-step
        kernels: :func:`impl.kernels.kernels_pay` for a training step (in "auto": a small step,
        the kernels compiled already or the running fit planning enough steps)."""
        return kernels.kernels_pay(self.sizes, batch, dtype=self.dtype)

    def forward_validated(self, X: np.ndarray, on_kernels: bool) -> ForwardCache:
        """:meth:`forward` on inputs already checked (``X`` of this network's dtype)."""
        m = X.shape[1]
        Z = [np.empty((n, m), self.dtype) for n in self.sizes[1:]]
        A: list[Any] = [None] + [np.empty((n, m), self.dtype) for n in self.sizes[1:]]
        self._forward_or_refuse_overflow(X, Z, A, on_kernels)
        return ForwardCache(Z, A)

    def backward_validated(
        self, X: np.ndarray, Y: np.ndarray, on_kernels: bool
    ) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """:meth:`backward` on inputs and targets already checked."""
        m = X.shape[1]
        buffers = StepBuffers(self.sizes, m, self.dtype)
        self._forward_or_refuse_overflow(X, buffers.Z, buffers.A, on_kernels)
        if not (on_kernels and self._kernel_backward(Y, buffers, 1.0 / m)):
            self._numpy_backward(Y, buffers, 1.0 / m)
        return buffers.grad_W, buffers.grad_b

    def evaluate_validated(
        self, X: np.ndarray, Y: np.ndarray, on_kernels: bool
    ) -> tuple[float, float]:
        """:meth:`evaluate` on inputs and targets already checked, in chunks of
        :data:`EVALUATION_CHUNK` columns."""
        m = X.shape[1]
        single_label = self.output == "softmax" or _columns_are_one_hot(Y)
        total_loss = 0.0
        correct = 0
        for start in range(0, m, EVALUATION_CHUNK):
            stop = start + EVALUATION_CHUNK
            cache = self.forward_validated(X[:, start:stop], on_kernels)
            targets = Y[:, start:stop]
            total_loss += float(
                np.sum(self.output_layer.loss(cache.Z[-1], targets), dtype=np.float64)
            )
            correct += accuracy_count(cache.output, targets, single_label)
        return total_loss / m, correct / m

    def step_buffers(self, batch: int) -> StepBuffers:
        """The reused buffers of training steps of ``batch`` examples (at most four sizes are
        kept; a fifth clears them)."""
        buffers = self._workspaces.get(batch)
        if buffers is None:
            if len(self._workspaces) >= 4:
                self._workspaces.clear()
            buffers = self._workspaces[batch] = StepBuffers(self.sizes, batch, self.dtype)
        return buffers

    def last_step_preactivations(self, batch: int) -> list[np.ndarray]:
        """Z^1 .. Z^L of the last training step of ``batch`` examples ([] if none was taken)."""
        buffers = self._workspaces.get(batch)
        return [] if buffers is None else buffers.Z

    def train_step(
        self, X: np.ndarray, Y: np.ndarray, learning_rate: float, on_kernels: bool
    ) -> None:
        """The step of :meth:`gradient_descent` on a checked mini-batch, unchecked afterwards.

        W^l <- W^l - (eta/m) dZ^l (A^{l-1})^T and b^l <- b^l - (eta/m) dZ^l 1, computed as in
        :func:`backward_into` with scale = eta/m. With ``on_kernels`` on the compiled kernels
        of :mod:`impl.kernels`; on NumPy when they are not chosen, when a parameter is
        read-only, or when they meet a value that is not finite (before any parameter
        changed), so that inf and NaN behave exactly as on NumPy.
        """
        m = X.shape[1]
        buffers = self.step_buffers(m)
        if on_kernels and self._kernel_step(X, Y, learning_rate / m, buffers):
            buffers.A[0] = None
            return
        hidden, output = self.hidden, self.output_layer
        forward_into(self.weights, self.biases, hidden, output, X, buffers.Z, buffers.A)
        self._numpy_backward(Y, buffers, learning_rate / m)
        for W, step_W, b, step_b in zip(
            self.weights, buffers.grad_W, self.biases, buffers.grad_b, strict=True
        ):
            W -= step_W
            b -= step_b
        buffers.A[0] = None  # do not keep the caller's batch alive

    def steps_arguments(
        self,
        rows: np.ndarray,
        target_rows: np.ndarray,
        order: np.ndarray,
        batch: int,
        learning_rate: float,
        x_rows: np.ndarray,
        y_rows: np.ndarray,
    ) -> tuple | None:
        """The arguments of :func:`impl.kernels.train_steps` for mini-batches of ``batch``
        examples of ``rows``, ``target_rows`` in the ``order`` of an epoch (steps 0 to 0:
        the caller sets the range), or None when the kernels cannot update the parameters in
        place (a parameter is read-only or not C-contiguous)."""
        parameters = (*self.weights, *self.biases)
        if not all(p.flags.writeable and p.flags.c_contiguous for p in parameters):
            return None
        buffers = self.step_buffers(batch)
        return (
            tuple(self.weights),
            tuple(self.biases),
            rows,
            target_rows,
            order,
            0,
            0,
            kernels.HIDDEN_CODES[self.hidden_activation],
            kernels.OUTPUT_CODES[self.output],
            self.dtype.type(learning_rate / batch),
            tuple(buffers.Z),
            tuple(buffers.A[1:]),
            tuple(buffers.delta),
            tuple(buffers.grad_W),
            tuple(buffers.grad_b),
            x_rows,
            y_rows,
            *kernels.gemm_for(self.dtype),
        )

    # ------------------------------------------------------------------ private helpers
    def _forward_or_refuse_overflow(
        self, X: np.ndarray, Z: list[np.ndarray], A: list, on_kernels: bool
    ) -> None:
        """:func:`forward_into` (on the kernels if ``on_kernels``, on NumPy again when they
        meet a value that is not finite), then a ValueError if a pre-activation overflowed.

        Finite inputs and parameters can still give infinite logits (X ~ 1e308), and then the
        loss and the gradients would be NaN: refused with the sizes involved instead.
        """
        with np.errstate(over="ignore", invalid="ignore"):
            if not (on_kernels and self._kernel_forward(X, Z, A)):
                forward_into(self.weights, self.biases, self.hidden, self.output_layer, X, Z, A)
        for layer, z in enumerate(Z, start=1):
            if not np.isfinite(z).all():
                bad = self.first_non_finite_parameter()
                if bad is not None:  # a NaN or inf weight, not a large X, is the cause
                    raise ValueError(
                        f"the parameter {bad} holds inf or nan, so Z^{layer} does too: a "
                        f"non-finite value was assigned to {bad}, or training diverged (the "
                        "learning rate was too large); set finite values or start from a new "
                        "Network"
                    )
                raise ValueError(
                    f"the pre-activations Z^{layer} overflowed to inf or nan "
                    f"(largest |X| is {float(np.max(np.abs(X))):g}, largest |W^{layer}| is "
                    f"{float(np.max(np.abs(self.weights[layer - 1]))):g}): the values of X or of "
                    f"the parameters are too large for {self.dtype.name}; scale X, e.g. to [0, 1]"
                )

    def _kernel_forward(self, X: np.ndarray, Z: list[np.ndarray], A: list) -> bool:
        hidden = kernels.HIDDEN_CODES[self.hidden_activation]
        output = kernels.OUTPUT_CODES[self.output]
        return kernels.forward_into(self.weights, self.biases, hidden, output, X, Z, A)

    def _kernel_backward(self, Y: np.ndarray, buffers: StepBuffers, scale: float) -> bool:
        return kernels.backward_into(
            self.weights,
            kernels.HIDDEN_CODES[self.hidden_activation],
            kernels.OUTPUT_CODES[self.output],
            Y,
            buffers.Z,
            buffers.A,
            buffers.delta,
            buffers.grad_W,
            buffers.grad_b,
            scale,
        )

    def _numpy_backward(self, Y: np.ndarray, buffers: StepBuffers, scale: float) -> None:
        """:func:`backward_into` on ``buffers`` (the NumPy path)."""
        backward_into(
            self.weights,
            self.hidden,
            self.output_layer,
            Y,
            buffers.Z,
            buffers.A,
            buffers.delta,
            buffers.work,
            buffers.grad_W,
            buffers.grad_b,
            buffers.ones,
            scale,
        )

    def _kernel_step(
        self, X: np.ndarray, Y: np.ndarray, scale: float, buffers: StepBuffers
    ) -> bool:
        """One step on the kernels; False, with no parameter changed, if a parameter is
        read-only or a value met is not finite (the caller then takes the NumPy path)."""
        parameters = (*self.weights, *self.biases)
        if not all(parameter.flags.writeable for parameter in parameters):
            return False
        done = self._kernel_forward(X, buffers.Z, buffers.A) and self._kernel_backward(
            Y, buffers, scale
        )
        kernels.compiled(self.dtype)
        if not done:
            return False
        for W, step_W, b, step_b in zip(
            self.weights, buffers.grad_W, self.biases, buffers.grad_b, strict=True
        ):
            kernels.descend(W, step_W, b, step_b)
        return True


def _columns_are_one_hot(Y: np.ndarray) -> bool:
    return bool(np.all((Y == 0) | (Y == 1)) and np.all(Y.sum(axis=0) == 1))


def accuracy_count(outputs: np.ndarray, Y: np.ndarray, single_label: bool) -> int:
    """Number of correctly classified columns.

    Single-label targets (one-hot columns, or any softmax target): argmax_k a_k == argmax_k y_k.
    Multi-label targets with sigmoid outputs: every unit right, (a_k >= 1/2) == (y_k >= 1/2).
    """
    if single_label:
        return int(np.count_nonzero(np.argmax(outputs, axis=0) == np.argmax(Y, axis=0)))
    return int(np.count_nonzero(np.all((outputs >= 0.5) == (Y >= 0.5), axis=0)))
