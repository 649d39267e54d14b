"""The verified NumPy implementation of backpropagation.

Modules (one job each):

``impl.network``        :class:`Network`: forward pass, vectorised backward pass, gradient descent
``impl.training``       mini-batch SGD loop with progress bar and history (``Network.fit``)
``impl.serialization``  save/load as ``.npz`` without pickle (``Network.save``, ``Network.load``)
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
    impl.training, impl.serialization, impl.gradcheck, impl.per_example  ->  impl.network
    impl.serialization  ->  impl.atomic
    impl.network  ->  impl.losses, impl.activations, impl.initializers, impl.validation

The implementation never imports :mod:`derivations`; only :mod:`impl.commands` (for ``verify``,
``docs`` and ``check-claim``), :mod:`impl.bench.symbolic` (the proofs and lambdified deltas it
times) and :mod:`impl.testing` (the known mistakes and the lambdified formulas that reproduce
them) do.

``Network.fit``, ``Network.save`` and ``Network.load`` are bound here, not in
:mod:`impl.network`: their code lives in :mod:`impl.training` and :mod:`impl.serialization`,
which need :class:`Network`, and ``impl.network`` importing them back (even inside a method)
would make an import cycle. Python runs this file before any ``impl.*`` module is imported,
so the methods are there however :class:`Network` is reached.
"""

from impl import serialization, training
from impl.data import DataSplit, load_digits_split, load_mnist
from impl.gradcheck import (
    GradCheckResult,
    check_directional_derivatives,
    check_gradients,
    numerical_gradients,
)
from impl.network import ForwardCache, Network

Network.fit = training.fit  # net.fit(X, Y, epochs, batch_size, learning_rate, ...)
Network.save = serialization.save_network  # net.save(path)
Network.load = classmethod(serialization.load_network)  # Network.load(path, seed=None)

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
