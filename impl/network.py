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

Training and persistence live in :mod:`impl.training` and :mod:`impl.serialization`, which
import this module; this module imports neither of them. The package (``impl/__init__.py``)
binds them as the methods ``Network.fit``, ``Network.save`` and ``Network.load``. Python runs
the package before any of its modules, so every ``Network`` has them, however it was imported.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from impl import kernels
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


class _Workspace:
    """Preallocated arrays for one mini-batch size, reused by every training step."""

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

    Training and persistence: ``net.fit(X, Y, epochs, batch_size, learning_rate, ...)`` is
    :func:`impl.training.fit`, ``net.save(path)`` is :func:`impl.serialization.save_network`
    and ``Network.load(path, seed=None)`` is :func:`impl.serialization.load_network`, bound
    to this class by ``impl/__init__.py`` (see the module docstring).
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
        self._workspaces: dict[int, _Workspace] = {}

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
        return self._forward_checked(inputs)

    def _forward_checked(self, X: np.ndarray) -> ForwardCache:
        m = X.shape[1]
        Z = [np.empty((n, m), self.dtype) for n in self.sizes[1:]]
        A: list[Any] = [None] + [np.empty((n, m), self.dtype) for n in self.sizes[1:]]
        self._forward_or_refuse_overflow(X, Z, A)
        return ForwardCache(Z, A)

    def _forward_or_refuse_overflow(self, X: np.ndarray, Z: list[np.ndarray], A: list) -> None:
        """:func:`forward_into`, then a ValueError if a pre-activation overflowed.

        Finite inputs and parameters can still give infinite logits (X ~ 1e308), and then the
        loss and the gradients would be NaN: refused with the sizes involved instead.
        """
        with np.errstate(over="ignore", invalid="ignore"):
            self._forward_into(X, Z, A)
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

    def _forward_into(self, X: np.ndarray, Z: list[np.ndarray], A: list) -> None:
        """:func:`forward_into`, on the compiled kernels when :func:`impl.kernels.kernels_pay`
        (and on NumPy's path again when they meet a value that is not finite)."""
        if kernels.kernels_pay(self.sizes, X.shape[1], training=False) and self._kernel_forward(
            X, Z, A
        ):
            return
        forward_into(self.weights, self.biases, self.hidden, self.output_layer, X, Z, A)

    def _kernel_forward(self, X: np.ndarray, Z: list[np.ndarray], A: list) -> bool:
        hidden = kernels.HIDDEN_CODES[self.hidden_activation]
        output = kernels.OUTPUT_CODES[self.output]
        return kernels.forward_into(self.weights, self.biases, hidden, output, X, Z, A)

    def _kernel_backward(self, Y: np.ndarray, buffers: _Workspace, scale: float) -> bool:
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

    def _backward_into(self, Y: np.ndarray, buffers: _Workspace, scale: float) -> None:
        """:func:`backward_into` on ``buffers`` after a forward pass into them (kernels alike,
        NumPy's path again when they meet a value that is not finite)."""
        if not (
            kernels.kernels_pay(self.sizes, Y.shape[1], training=False)
            and self._kernel_backward(Y, buffers, scale)
        ):
            self._numpy_backward(Y, buffers, scale)

    def _numpy_backward(self, Y: np.ndarray, buffers: _Workspace, scale: float) -> None:
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

    def backward(self, X: np.ndarray, Y: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Gradients (dW, db) of the batch-mean cost J = (1/m) sum_i L_i.

        dW[k] = dJ/dW^{k+1} = (1/m) dZ^{k+1} (A^k)^T and db[k] = dJ/db^{k+1}
        = (1/m) sum_i dZ^{k+1}[:, i] (shape (n, 1)), with the output delta dZ^L = A^L - Y for
        cross-entropy, (A^L - Y) * sigma'(Z^L) for the quadratic cost, and the hidden recursion
        dZ^l = (W^{l+1})^T dZ^{l+1} * g'(Z^l). Y may be integer labels of shape (m,).
        """
        inputs, targets = self._checked(X, Y)
        return self._backward_checked(inputs, targets)

    def _backward_checked(
        self, X: np.ndarray, Y: np.ndarray
    ) -> tuple[list[np.ndarray], list[np.ndarray]]:
        m = X.shape[1]
        buffers = _Workspace(self.sizes, m, self.dtype)
        self._forward_or_refuse_overflow(X, buffers.Z, buffers.A)
        self._backward_into(Y, buffers, 1.0 / m)
        return buffers.grad_W, buffers.grad_b

    # ------------------------------------------------------------------ training
    def _workspace(self, batch: int) -> _Workspace:
        buffers = self._workspaces.get(batch)
        if buffers is None:
            if len(self._workspaces) >= 4:
                self._workspaces.clear()
            buffers = self._workspaces[batch] = _Workspace(self.sizes, batch, self.dtype)
        return buffers

    def gradient_descent(self, X: np.ndarray, Y: np.ndarray, learning_rate: float) -> None:
        """One gradient-descent step on one mini-batch: W^l <- W^l - eta dJ/dW^l, b likewise.

        X has shape (n_0, m); Y has shape (n_L, m) or holds m integer labels. A step so large
        that a weight or bias overflows to infinity or NaN raises ValueError (no NumPy warning).
        """
        eta = check_positive_number("learning_rate", learning_rate)
        inputs, targets = self._checked(X, Y)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            self._train_step(inputs, targets, eta)
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

    def _train_step(self, X: np.ndarray, Y: np.ndarray, learning_rate: float) -> None:
        """The unchecked hot path of :meth:`gradient_descent` (inputs already validated).

        On the compiled kernels of :mod:`impl.kernels` when :func:`impl.kernels.kernels_pay`
        (numba installed, a small step in a fit long enough to pay for compiling them, or
        the mode chosen by :func:`impl.kernels.use`).
        """
        m = X.shape[1]
        buffers = self._workspace(m)
        if kernels.kernels_pay(self.sizes, m, dtype=self.dtype) and self._kernel_step(
            X, Y, learning_rate / m, buffers
        ):
            buffers.A[0] = None
            return
        # the NumPy path; also after the kernels met a value that is not finite (before any
        # parameter changed), so that inf and NaN behave exactly as here
        hidden, output = self.hidden, self.output_layer
        forward_into(self.weights, self.biases, hidden, output, X, buffers.Z, buffers.A)
        self._numpy_backward(Y, buffers, learning_rate / m)
        for W, step_W, b, step_b in zip(
            self.weights, buffers.grad_W, self.biases, buffers.grad_b, strict=True
        ):
            W -= step_W
            b -= step_b
        buffers.A[0] = None  # do not keep the caller's batch alive

    def _kernel_step(self, X: np.ndarray, Y: np.ndarray, scale: float, buffers: _Workspace) -> bool:
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

    def _steps_arguments(
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
        buffers = self._workspace(batch)
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
        )

    # ------------------------------------------------------------------ inference
    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Output activations A^L = h(Z^L), shape (n_L, m) (softmax: class probabilities)."""
        inputs = self.check_inputs(X)
        chunks = [
            self._forward_checked(inputs[:, start : start + EVALUATION_CHUNK]).output
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
        return self._evaluate_checked(inputs, targets)

    def _evaluate_checked(self, X: np.ndarray, Y: np.ndarray) -> tuple[float, float]:
        m = X.shape[1]
        single_label = self.output == "softmax" or _columns_are_one_hot(Y)
        total_loss = 0.0
        correct = 0
        for start in range(0, m, EVALUATION_CHUNK):
            stop = start + EVALUATION_CHUNK
            cache = self._forward_checked(X[:, start:stop])
            targets = Y[:, start:stop]
            total_loss += float(
                np.sum(self.output_layer.loss(cache.Z[-1], targets), dtype=np.float64)
            )
            correct += accuracy_count(cache.output, targets, single_label)
        return total_loss / m, correct / m


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
