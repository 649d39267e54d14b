"""The verified NumPy implementation of backpropagation.

Modules (one job each):

``impl.network``        :class:`Network`: forward pass, vectorised backward pass, gradient descent
``impl.training``       the epoch loop of ``Network.fit``: mini-batch SGD, progress bar, history
``impl.serialization``  the ``.npz`` format of ``Network.save`` and ``Network.load`` (no pickle)
``impl.kernels``        optional compiled (numba) kernels of the training step and forward pass
``impl.atomic``         write a file atomically (temporary file in the same folder + os.replace)
``impl.activations``    hidden activations g, g' and their complex-safe versions
``impl.losses``         output layers: softmax/sigmoid, stable losses from logits, output deltas
``impl.initializers``   ``normal`` (the sources' randn), ``xavier`` and ``he`` initialisation
``impl.validation``     input checks raising ValueError with explanatory messages
``impl.gradcheck``      gradient checks: central differences, complex step, directional
``impl.data``           scikit-learn digits split and MNIST IDX reader
``impl.per_example``    the sources' per-example loop (reference and benchmark baseline)
``impl.plotting``       PNG of a training history

Subpackages:

``impl.bench``          the measuring behind ``verified-backprop bench``
``impl.testing``        check a user's backward pass: ``check_backward``, strategies, mistakes
``impl.commands``       the ``verified-backprop`` command, one module per sub-command

Dependencies run one way, from the commands down (no module imports one above it)::

    impl.commands  ->  impl.bench, impl.training, impl.data, impl.plotting, impl.network
    impl.bench  ->  impl.gradcheck, impl.per_example, impl.network, impl.losses
    impl.gradcheck, impl.per_example  ->  impl.network
    impl.network  ->  impl.training, impl.serialization, impl.kernels, impl.losses,
                      impl.activations, impl.initializers, impl.validation
    impl.training  ->  impl.kernels, impl.validation
    impl.serialization  ->  impl.atomic, impl.validation

The implementation never imports :mod:`derivations`; only :mod:`impl.commands` (for ``verify``,
``docs`` and ``check-claim``), :mod:`impl.bench.symbolic` (the proofs and lambdified deltas it
times) and :mod:`impl.testing` (the known mistakes and the lambdified formulas that reproduce
them) do.

``Network.fit``, ``Network.save`` and ``Network.load`` are methods in :class:`Network`'s own
body; they delegate to :mod:`impl.training` and :mod:`impl.serialization`, which see the
network through a protocol (:class:`impl.training.TrainableNetwork`,
:class:`impl.serialization.StoredNetwork`) and never import :mod:`impl.network`. Importing
this package changes no class.
"""

from impl.data import DataSplit, load_digits_split, load_mnist
from impl.gradcheck import (
    GradCheckResult,
    check_directional_derivatives,
    check_gradients,
    numerical_gradients,
)
from impl.network import ForwardCache, Network

__all__ = [
    "DataSplit",
    "ForwardCache",
    "GradCheckResult",
    "Network",
    "check_directional_derivatives",
    "check_gradients",
    "load_digits_split",
    "load_mnist",
    "numerical_gradients",
]
