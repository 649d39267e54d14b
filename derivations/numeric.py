"""From proofs to numbers: NumPy functions made by ``sympy.lambdify`` from the proven objects.

Every function here is generated from a SymPy object that :mod:`derivations` verifies (a
claim's ``result`` or a loss/activation :class:`~derivations.kernel.language.Definition`); none is a
second hand-written copy of a formula.  They are cached: each is built once per process.

Shapes follow the project convention: units on axis 0, examples on axis 1 (columns).

* :func:`activation_derivative` — σ′, tanh′, ReLU′ (x ≠ 0), softplus′, leaky ReLU′;
* :func:`output_delta` — δ = ∂L/∂z for each output/loss pairing, as a function of (a, y);
* :func:`softmax_delta_any_labels` — a Σy − y, valid for labels that do not sum to one;
* :func:`softmax_jacobian`, :func:`softmax_ce_hessian` — K × K matrices from a (and y);
* :class:`SymbolicNetwork` — a whole small network written out in SymPy, whose gradient
  SymPy computes and ``lambdify`` compiles, for comparison with ``impl``'s backward pass.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from functools import cache

import mpmath
import numpy as np
import sympy as sp

from derivations.claims import activations as activation_claims
from derivations.claims import get_claim
from derivations.claims.quadratic import QUADRATIC_LOSS
from derivations.claims.shared import SIGMOID, SIGMOID_OUTPUT, SOFTMAX
from derivations.claims.sigmoid_ce import BINARY_CE_LOSS
from derivations.claims.softmax_ce import SOFTMAX_CE_LOSS
from derivations.kernel.language import Definition
from derivations.kernel.rewriting import unfold
from derivations.notation import K, a, i, j, y, z

__all__ = [
    "ACTIVATION_CLAIMS",
    "OUTPUT_CLAIMS",
    "SymbolicNetwork",
    "activation_derivative",
    "output_delta",
    "softmax_ce_hessian",
    "softmax_delta_any_labels",
    "softmax_jacobian",
]

#: activation name -> the claim proving its derivative
ACTIVATION_CLAIMS = {
    "sigmoid": "sigmoid_derivative",
    "tanh": "tanh_derivative",
    "relu": "relu_derivative",
    "softplus": "softplus_derivative",
    "leaky_relu": "leaky_relu_derivative",
}

#: output/loss pairing (the names ``impl.Network(output=...)`` uses) -> claim proving δ
OUTPUT_CLAIMS = {
    "softmax": "softmax_ce_delta",
    "sigmoid": "sigmoid_bce_delta",
    "sigmoid_quadratic": "quadratic_sigmoid_delta",
}

#: activation name -> its definition g(x) := ... (the objects the activation claims verify)
HIDDEN_DEFINITIONS: dict[str, Definition] = {
    "sigmoid": SIGMOID,
    "tanh": activation_claims.TANH,
    "relu": activation_claims.RELU,
}

#: output pairing -> (per-example loss J in terms of a_c, y_c; definitions of a_c)
LOSS_DEFINITIONS: dict[str, tuple[Definition, tuple[Definition, ...]]] = {
    "softmax": (SOFTMAX_CE_LOSS, (SOFTMAX,)),
    "sigmoid": (BINARY_CE_LOSS, (SIGMOID_OUTPUT, SIGMOID)),
    "sigmoid_quadratic": (QUADRATIC_LOSS, (SIGMOID_OUTPUT, SIGMOID)),
}


#: working precision of the exact (mpmath) evaluations, in decimal digits
EXACT_DIGITS = 50


def _known(name: str, table: dict, what: str) -> None:
    if name not in table:
        raise ValueError(f"unknown {what} {name!r}: expected one of {', '.join(table)}")


# --------------------------------------------------------------------------- elementwise


@cache
def activation_derivative(name: str) -> Callable[..., np.ndarray]:
    """g′ as a NumPy function of x, from the claim proving it (definitions unfolded).

    ``leaky_relu`` takes the slope as a second argument: ``f(x, alpha)``.  ReLU′ and leaky
    ReLU′ are proven for x ≠ 0 only; their value at 0 is a convention (0 in ``impl``).
    Sigmoid-type derivatives are written with ``exp`` and overflow for |x| ≳ 700: this is
    the formula, not a numerically hardened implementation (that is ``impl``'s job).
    """
    _known(name, ACTIVATION_CLAIMS, "activation")
    claim = get_claim(ACTIVATION_CLAIMS[name])
    (variable,) = claim.lhs.variables
    formula = unfold(claim.result, claim.definitions)
    arguments = [variable, activation_claims.alpha] if name == "leaky_relu" else [variable]
    return sp.lambdify(arguments, formula, modules="numpy")


@cache
def _exact_activation_derivative(name: str) -> Callable[..., object]:
    _known(name, ACTIVATION_CLAIMS, "activation")
    claim = get_claim(ACTIVATION_CLAIMS[name])
    (variable,) = claim.lhs.variables
    formula = unfold(claim.result, claim.definitions)
    return sp.lambdify([variable], formula, modules="mpmath")


def exact_activation_derivative(name: str, x: np.ndarray, digits: int = EXACT_DIGITS) -> np.ndarray:
    """g′(x) from the same proven formula as :func:`activation_derivative`, evaluated entry by
    entry in ``digits``-digit arithmetic and rounded to float64 (relative error ≤ 2⁻⁵³ where
    the 50 digits are not all cancelled). The float64 formula cancels where g′ → 0, e.g.
    1 − 1/(1 + e^{−x}) at x = 30. For the smooth activations (not ReLU, whose derivative is a
    selection)."""
    function = _exact_activation_derivative(name)
    with mpmath.workdps(digits):
        return np.array([float(function(mpmath.mpf(float(v)))) for v in np.ravel(x)]).reshape(
            np.shape(x)
        )


def _per_unit(expr: sp.Expr) -> tuple[sp.Expr, tuple[sp.Symbol, sp.Symbol]]:
    """Replace a_j, y_j by plain symbols: the formula then applies entry by entry to arrays."""
    a_entry, y_entry = sp.Symbol("a", real=True), sp.Symbol("y", real=True)
    return expr.xreplace({a[j]: a_entry, y[j]: y_entry}), (a_entry, y_entry)


@cache
def output_delta(pairing: str) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """δ = ∂L/∂z as a function of the output a and the labels y, entry by entry.

    From the claims ``softmax_ce_delta`` (a − y, under Σ y = 1), ``sigmoid_bce_delta``
    (a − y) and ``quadratic_sigmoid_delta`` ((a − y) a (1 − a)).  Works for any K and any
    batch: ``a`` and ``y`` have shape ``(K, m)``.
    """
    _known(pairing, OUTPUT_CLAIMS, "output pairing")
    formula, arguments = _per_unit(get_claim(OUTPUT_CLAIMS[pairing]).result)
    return sp.lambdify(arguments, formula, modules="numpy", cse=True)


# --------------------------------------------------------------------------- fixed K


def _entries(base: sp.IndexedBase, size: int) -> list[sp.Indexed]:
    return [base[index] for index in range(1, size + 1)]


@cache
def _any_labels_delta(classes: int) -> Callable[..., list]:
    formula = get_claim("softmax_ce_delta_any_labels").result.subs(K, classes).doit()
    entries = [formula.subs(j, unit) for unit in range(1, classes + 1)]
    return sp.lambdify([_entries(a, classes), _entries(y, classes)], entries, modules="numpy")


def softmax_delta_any_labels(a_values: np.ndarray, y_values: np.ndarray) -> np.ndarray:
    """∂L/∂z_j = a_j Σ_c y_c − y_j for softmax cross-entropy with *any* labels (shape (K, m))."""
    a_values, y_values = np.asarray(a_values), np.asarray(y_values)
    classes = a_values.shape[0]
    delta = _any_labels_delta(classes)(a_values, y_values)
    return np.stack(np.broadcast_arrays(*delta))


@cache
def _matrix_function(claim_name: str, classes: int) -> Callable[..., list]:
    claim = get_claim(claim_name)
    formula = claim.result.subs(K, classes)
    matrix = [
        [formula.subs({i: row, j: col}).doit() for col in range(1, classes + 1)]
        for row in range(1, classes + 1)
    ]
    return sp.lambdify([_entries(a, classes)], matrix, modules="numpy")


def softmax_jacobian(a_values: np.ndarray) -> np.ndarray:
    """∂a_i/∂z_j = a_i(δ_ij − a_j) for one example's softmax output ``a`` of shape (K,)."""
    a_values = np.asarray(a_values, dtype=float)
    return np.array(_matrix_function("softmax_jacobian", a_values.shape[0])(a_values))


def softmax_ce_hessian(a_values: np.ndarray) -> np.ndarray:
    """∂²L/∂z_i∂z_j = a_i(δ_ij − a_j) (labels summing to one), ``a`` of shape (K,)."""
    a_values = np.asarray(a_values, dtype=float)
    return np.array(_matrix_function("softmax_ce_hessian", a_values.shape[0])(a_values))


# --------------------------------------------------------------------------- networks


def _activation(definition: Definition) -> Callable[[sp.Expr], sp.Expr]:
    (variable,) = definition.indices
    return lambda argument: definition.expr.xreplace({variable: argument})


def _example_loss(pairing: str, logits: Sequence[sp.Expr], labels: Sequence[sp.Expr]):
    """The per-example loss of ``pairing`` for K = len(logits), from its definitions."""
    loss, output_definitions = LOSS_DEFINITIONS[pairing]
    classes = len(logits)
    expr = unfold(loss.expr, output_definitions).subs(K, classes).doit()
    replacements = {z[unit + 1]: logits[unit] for unit in range(classes)}
    replacements |= {y[unit + 1]: labels[unit] for unit in range(classes)}
    # log(e^{z}/S) = z − log S for real z: keeps the expression (and its derivative) small
    return sp.expand_log(expr.xreplace(replacements), force=True)


class SymbolicNetwork:
    """A feedforward network written out entry by entry in SymPy, for fixed small sizes.

    ``J = (1/m) Σ_i L_i`` with the loss and activation *definitions* the claims verify;
    SymPy differentiates J with respect to every weight and bias and ``lambdify`` (with
    ``cse=True``) compiles the gradient.  Building costs seconds, so keep sizes small
    (widths ≤ 5, depth ≤ 3, batch ≤ 4) and reuse instances (:func:`symbolic_network`).
    """

    def __init__(self, sizes: Sequence[int], hidden: str, output: str, batch: int) -> None:
        _known(hidden, HIDDEN_DEFINITIONS, "hidden activation")
        _known(output, LOSS_DEFINITIONS, "output pairing")
        self.sizes, self.hidden, self.output, self.batch = tuple(sizes), hidden, output, batch
        g = _activation(HIDDEN_DEFINITIONS[hidden])
        inputs = sp.Matrix(sizes[0], batch, lambda r, c: sp.Symbol(f"x_{r}_{c}", real=True))
        labels = sp.Matrix(sizes[-1], batch, lambda r, c: sp.Symbol(f"y_{r}_{c}", real=True))
        self.weights = [
            sp.Matrix(rows, cols, lambda r, c, layer=layer: sp.Symbol(f"W{layer}_{r}_{c}"))
            for layer, (cols, rows) in enumerate(itertools.pairwise(sizes))
        ]
        self.biases = [
            sp.Matrix(rows, 1, lambda r, _c, layer=layer: sp.Symbol(f"b{layer}_{r}"))
            for layer, rows in enumerate(sizes[1:])
        ]
        activations = inputs
        for layer, (weight, bias) in enumerate(zip(self.weights, self.biases, strict=True)):
            logits = weight * activations + bias * sp.ones(1, batch)
            last = layer == len(self.weights) - 1
            activations = logits if last else logits.applyfunc(g)
        cost = (
            sum(
                _example_loss(output, list(logits[:, example]), list(labels[:, example]))
                for example in range(batch)
            )
            / batch
        )
        self.cost = cost
        parameters = [
            *(w for weight in self.weights for w in weight),
            *(b for bias in self.biases for b in bias),
        ]
        gradient = [sp.diff(cost, parameter) for parameter in parameters]
        arguments = [parameters, list(inputs), list(labels)]
        self._gradient = sp.lambdify(arguments, gradient, modules="numpy", cse=True)
        self._cost = sp.lambdify(arguments, cost, modules="numpy", cse=True)
        # the same expressions for mpmath, compiled on first use (see exact_gradient)
        self._symbolic = (arguments, gradient, cost)
        self._exact: tuple[Callable[..., list], Callable[..., object]] | None = None

    def _arguments(
        self,
        weights: Sequence[np.ndarray],
        biases: Sequence[np.ndarray],
        X: np.ndarray,
        Y: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        parameters = np.concatenate(
            [np.asarray(w, dtype=float).ravel() for w in weights]
            + [np.asarray(b, dtype=float).ravel() for b in biases]
        )
        # Matrix symbols were listed row by row: ravel in C order to match
        return parameters, np.asarray(X, dtype=float).ravel(), np.asarray(Y, dtype=float).ravel()

    def gradient(
        self,
        weights: Sequence[np.ndarray],
        biases: Sequence[np.ndarray],
        X: np.ndarray,
        Y: np.ndarray,
    ) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """(∂J/∂W per layer, ∂J/∂b per layer) at the given parameters and batch."""
        flat = np.asarray(self._gradient(*self._arguments(weights, biases, X, Y)), dtype=float)
        return self._split(flat)

    def _split(self, flat: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """The flat gradient (weights row by row, then biases) as per-layer arrays."""
        dW, db, offset = [], [], 0
        for weight in self.weights:
            dW.append(flat[offset : offset + weight.rows * weight.cols].reshape(weight.shape))
            offset += weight.rows * weight.cols
        for bias in self.biases:
            db.append(flat[offset : offset + bias.rows].reshape(bias.rows, 1))
            offset += bias.rows
        return dW, db

    def _exact_functions(self) -> tuple[Callable[..., list], Callable[..., object]]:
        if self._exact is None:
            arguments, gradient, cost = self._symbolic
            self._exact = (
                sp.lambdify(arguments, gradient, modules="mpmath", cse=True),
                sp.lambdify(arguments, cost, modules="mpmath", cse=True),
            )
        return self._exact

    def _exact_arguments(self, weights, biases, X, Y) -> list[list[mpmath.mpf]]:
        return [
            [mpmath.mpf(float(v)) for v in flat] for flat in self._arguments(weights, biases, X, Y)
        ]

    def exact_gradient(
        self,
        weights: Sequence[np.ndarray],
        biases: Sequence[np.ndarray],
        X: np.ndarray,
        Y: np.ndarray,
        digits: int = EXACT_DIGITS,
    ) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """:meth:`gradient` evaluated in ``digits``-digit arithmetic (mpmath), then rounded.

        The float64 inputs are exact binary numbers, so each entry is the true gradient at
        them to within 10^-digits times the size of the intermediate terms, then rounded to
        the nearest float64 (relative error at most 2⁻⁵³). The float64 ``lambdify`` of
        :meth:`gradient` loses digits where the formula cancels, e.g. 1 − σ(z) at
        saturated logits (z ≈ 16 to 20); this evaluation does not.
        """
        gradient, _ = self._exact_functions()
        with mpmath.workdps(digits):
            values = gradient(*self._exact_arguments(weights, biases, X, Y))
            flat = np.array([float(value) for value in values])
        return self._split(flat)

    def exact_cost_value(
        self,
        weights: Sequence[np.ndarray],
        biases: Sequence[np.ndarray],
        X: np.ndarray,
        Y: np.ndarray,
        digits: int = EXACT_DIGITS,
    ) -> float:
        """:meth:`cost_value` in ``digits``-digit arithmetic, rounded to float64."""
        _, cost = self._exact_functions()
        with mpmath.workdps(digits):
            return float(cost(*self._exact_arguments(weights, biases, X, Y)))

    def cost_value(
        self,
        weights: Sequence[np.ndarray],
        biases: Sequence[np.ndarray],
        X: np.ndarray,
        Y: np.ndarray,
    ) -> float:
        """J at the given parameters and batch."""
        return float(self._cost(*self._arguments(weights, biases, X, Y)))


@cache
def symbolic_network(
    sizes: tuple[int, ...], hidden: str, output: str, batch: int
) -> SymbolicNetwork:
    """A cached :class:`SymbolicNetwork` (building one takes seconds)."""
    return SymbolicNetwork(sizes, hidden, output, batch)
