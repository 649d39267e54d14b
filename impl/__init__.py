"""The verified NumPy implementation of backpropagation.

Modules (one job each):

``impl.network``        :class:`Network`: forward pass, vectorised backward pass, gradient descent
``impl.training``       mini-batch SGD loop with progress bar and history (``Network.fit``)
``impl.activations``    hidden activations g, g' and their complex-safe versions
``impl.losses``         output layers: softmax/sigmoid, stable losses from logits, output deltas
``impl.initializers``   ``normal`` (the seeds' randn), ``xavier`` and ``he`` initialisation
``impl.validation``     input checks raising ValueError with explanatory messages
``impl.gradcheck``      gradient checks: central differences, complex step, directional
``impl.serialization``  save/load as ``.npz`` without pickle
``impl.data``           scikit-learn digits split and MNIST IDX reader
``impl.per_example``    the seeds' per-example loop (reference and benchmark baseline)
``impl.plotting``       PNG of a training history
``impl.commands.train``  ``verified-backprop train``
``impl.commands.bench``  ``verified-backprop bench`` (with the helper modules in ``impl.bench``)
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
