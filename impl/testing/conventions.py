"""The conventions people write backprop in, converted at the boundary to this project's own.

Inside the project columns are examples: ``X`` has shape (n₀, m), ``W[l]`` (n_l, n_{l−1}),
``b[l]`` (n_l, 1), and the gradients are those of J = (1/m) Σᵢ Lᵢ.  A :class:`Convention`
says how a user's function differs, and converts both ways: :meth:`Convention.calls` gives the
arguments of each call for a case, :meth:`Convention.gradients` reads what the calls returned
back into this project's layout (transposed, reshaped, averaged and rescaled), naming every
array it cannot read instead of raising.

==================  ===========================================================================
option              the user's function
==================  ===========================================================================
``layout=columns``  X (n₀, m), Y (K, m), W (n_out, n_in), b (n_out, 1) — the default
``layout=rows``     X (m, n₀), Y (m, K), W (n_in, n_out), b (n_out,) (``bias="row"``: (1, n_out));
                    dW and db come back in the same layout (db as (n,) or (1, n))
``per_example``     ``backward(weights, biases, x, y)`` for ONE example: x (n₀, 1) and y (K, 1)
                    for columns, x (n₀,) and y (K,) for rows; we call it for each example and
                    average
``parameters=dict`` ``backward(params, X, Y)`` with params {"W1", "b1", "W2", …}; it returns the
                    gradients as a dict with keys dW1/db1 (or W1/b1), or (loss, grads)
``objective=sum``   the gradient of Σᵢ Lᵢ (m times ours); ``log-likelihood``: of Σᵢ log pᵢ =
                    −Σᵢ Lᵢ (climbing); ``mean-log-likelihood``: of −J
``returns=db,dW``   the pair comes back biases first (as Nielsen's ``backprop`` returns it)
``labels=integer``  Y as class indices, shape (m,) (an int per example with ``per_example``):
                    softmax outputs, or a sigmoid output of width 1 (labels 0/1)
==================  ===========================================================================
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from impl.testing.isolation import Unreadable
from impl.testing.strategies import LABEL_KINDS, Case

__all__ = [
    "BIAS_SHAPES",
    "LAYOUTS",
    "OBJECTIVES",
    "PARAMETERS",
    "RETURNS",
    "Convention",
    "Gradients",
    "array_names",
]

LAYOUTS = ("columns", "rows")
PARAMETERS = ("lists", "dict")
#: objective -> (factor on the batch-mean gradient, the same for one example's gradient)
OBJECTIVES = {
    "mean": (lambda m: 1.0, 1.0),
    "sum": (lambda m: float(m), 1.0),
    "log-likelihood": (lambda m: -float(m), -1.0),
    "mean-log-likelihood": (lambda m: -1.0, -1.0),
}
RETURNS = ("dW,db", "db,dW")
#: the shape a bias of width n is given in: (n, 1), (1, n) or (n,)
BIAS_SHAPES = ("column", "row", "flat")
#: the precisions a user's function may compute in
DTYPES = ("float64", "float32")


def array_names(depth: int) -> list[str]:
    """[dW1, …, dWL, db1, …, dbL]: the order gradients are kept in."""
    return [f"dW{k}" for k in range(1, depth + 1)] + [f"db{k}" for k in range(1, depth + 1)]


@dataclass
class Gradients:
    """What the calls returned, read into this project's layout.

    ``arrays[n]`` is the n-th array of :func:`array_names` (None when it could not be read,
    and then ``problems[name]`` says why); ``problem`` is set when nothing could be read.
    """

    arrays: list[np.ndarray | None]
    problems: dict[str, str] = field(default_factory=dict)
    problem: str = ""
    #: the coarsest precision among the returned arrays (float64 or float32)
    precision: str = "float64"


@dataclass(frozen=True)
class Convention:
    """How a user's backward function takes its arguments and returns its gradients (module
    docstring); the default is this project's own convention."""

    layout: str = "columns"
    per_example: bool = False
    parameters: str = "lists"
    objective: str = "mean"
    returns: str = "dW,db"
    #: None: (n, 1) for columns, (n,) for rows
    bias: str | None = None
    labels: str = "soft"
    dtype: str = "float64"

    def __post_init__(self) -> None:
        for name, value, allowed in (
            ("layout", self.layout, LAYOUTS),
            ("parameters", self.parameters, PARAMETERS),
            ("objective", self.objective, tuple(OBJECTIVES)),
            ("returns", self.returns, RETURNS),
            ("bias", self.bias, (None, *BIAS_SHAPES)),
            ("labels", self.labels, LABEL_KINDS),
            ("dtype", self.dtype, DTYPES),
        ):
            if value not in allowed:
                shown = ", ".join(str(a) for a in allowed if a is not None)
                raise ValueError(f"{name} is {value!r}; expected one of {shown}")
        if self.parameters == "dict" and self.returns != "dW,db":
            raise ValueError("returns applies to lists of parameters, not to a dict")

    @property
    def bias_shape(self) -> str:
        """column, row or flat: the shape biases are given in."""
        if self.bias is not None:
            return self.bias
        return "column" if self.layout == "columns" else "flat"

    def is_default(self) -> bool:
        """The project's own convention (nothing to say about it in a report)."""
        return self == Convention(labels=self.labels, dtype=self.dtype)

    def describe(self) -> str:
        """The convention in a few words, for a report."""
        words = [f"examples in {self.layout}"]
        if self.per_example:
            words.append("one example per call")
        if self.parameters == "dict":
            words.append("parameters in a dict (W1, b1, …)")
        if self.objective != "mean":
            words.append(f"objective {self.objective}")
        if self.returns != "dW,db":
            words.append("returns (db, dW)")
        words.append(f"biases {self._bias_text()}")
        return ", ".join(words)

    def _bias_text(self) -> str:
        return {"column": "(n, 1)", "row": "(1, n)", "flat": "(n,)"}[self.bias_shape]

    # -- to the user's layout ------------------------------------------------------------

    def _bias(self, b: np.ndarray) -> np.ndarray:
        n = b.shape[0]
        shape = {"column": (n, 1), "row": (1, n), "flat": (n,)}[self.bias_shape]
        return b.reshape(shape)

    def _cast(self, array: np.ndarray) -> np.ndarray:
        return np.array(array, dtype=np.dtype(self.dtype), order="C", copy=True)

    def _labels(self, Y: np.ndarray) -> Any:
        """Y (K, m) in the user's form: integer indices, or (K, m) / (m, K)."""
        if self.labels == "integer":
            classes = Y[0] if Y.shape[0] == 1 else np.argmax(Y, axis=0)
            return np.asarray(np.rint(classes), dtype=np.int64)
        return self._cast(Y if self.layout == "columns" else Y.T)

    def _parameters(self, case: Case) -> list[Any]:
        weights = [self._cast(w if self.layout == "columns" else w.T) for w in case.weights]
        biases = [self._cast(self._bias(b)) for b in case.biases]
        if self.parameters == "dict":
            params: dict[str, np.ndarray] = {}
            for k, (w, b) in enumerate(zip(weights, biases, strict=True), start=1):
                params[f"W{k}"], params[f"b{k}"] = w, b
            return [params]
        return [weights, biases]

    def calls(self, case: Case) -> list[list[Any]]:
        """The arguments of each call for ``case``: one call, or one per example.

        Every call gets fresh copies, so a function that changes its arguments changes
        nothing for the next call.
        """
        if not self.per_example:
            X = self._cast(case.X if self.layout == "columns" else case.X.T)
            return [[*self._parameters(case), X, self._labels(case.Y)]]
        calls = []
        labels = self._labels(case.Y)
        for i in range(case.m):
            x = case.X[:, i : i + 1] if self.layout == "columns" else case.X[:, i]
            if self.labels == "integer":
                y: Any = int(labels[i])
            else:
                y = self._cast(case.Y[:, i : i + 1] if self.layout == "columns" else case.Y[:, i])
            calls.append([*self._parameters(case), self._cast(x), y])
        return calls

    # -- back to ours ------------------------------------------------------------------

    def gradients(self, values: list[Any], case: Case) -> Gradients:
        """The returned values (one per call, plain data) as gradients of J in our layout."""
        names = array_names(case.depth)
        total: list[np.ndarray | None] = [np.zeros(shape) for shape in _our_shapes(case)]
        result = Gradients(list(total))
        factor_batch, factor_one = OBJECTIVES[self.objective]
        factor = factor_one * case.m if self.per_example else factor_batch(case.m)
        for value in values:
            parts, problem = self._split(value, case.depth)
            if problem:
                return Gradients([None] * len(names), problem=problem)
            for n, (name, part) in enumerate(zip(names, parts, strict=True)):
                if result.arrays[n] is None:
                    continue
                array, precision, why = self._read(name, part, case)
                if array is None:
                    result.arrays[n] = None
                    result.problems[name] = why
                    continue
                if precision == "float32":
                    result.precision = "float32"
                result.arrays[n] = result.arrays[n] + array  # type: ignore[operator]
        result.arrays = [None if a is None else a / factor for a in result.arrays]
        return result

    def _split(self, value: Any, depth: int) -> tuple[list[Any], str]:
        """The 2L parts of one returned value in :func:`array_names` order, or a problem."""
        if self.parameters == "dict":
            return self._split_dict(value, depth)
        if not isinstance(value, list) or len(value) != 2:
            shown = _kind(value)
            return [], (
                f"returned {shown}; expected a pair (dW, db) of lists of {depth} arrays each"
                if self.returns == "dW,db"
                else f"returned {shown}; expected a pair (db, dW) of lists of {depth} arrays each"
            )
        first, second = value
        dW, db = (first, second) if self.returns == "dW,db" else (second, first)
        parts = []
        for label, part in (("dW", dW), ("db", db)):
            if not isinstance(part, list) or len(part) != depth:
                count = len(part) if isinstance(part, list) else _kind(part)
                return [], f"{label} has {count} entries; expected one per layer: {depth}"
            parts += part
        return parts, ""

    def _split_dict(self, value: Any, depth: int) -> tuple[list[Any], str]:
        grads = value
        if isinstance(value, list) and len(value) == 2:  # (loss, grads) or (grads, loss)
            dicts = [entry for entry in value if isinstance(entry, dict)]
            if len(dicts) == 1:
                grads = dicts[0]
        if not isinstance(grads, dict):
            return [], (
                f"returned {_kind(value)}; expected a dict of gradients with keys dW1, db1, … "
                "(or W1, b1, …), or a pair (loss, gradients)"
            )
        parts = []
        for letter in ("W", "b"):
            for k in range(1, depth + 1):
                for key in (f"d{letter}{k}", f"{letter}{k}"):
                    if key in grads:
                        parts.append(grads[key])
                        break
                else:
                    keys = ", ".join(sorted(grads)) or "none"
                    parts.append(_Missing(f"no key d{letter}{k} or {letter}{k} (its keys: {keys})"))
        return parts, ""

    def _read(self, name: str, part: Any, case: Case) -> tuple[np.ndarray | None, str, str]:
        """(the array in our layout, its precision, "") or (None, "", why not)."""
        if isinstance(part, _Missing):
            return None, "", part.why
        array, why = _as_array(part)
        if array is None:
            return None, "", f"{name} is {why}"
        if array.dtype.kind == "c":
            imaginary = float(np.max(np.abs(array.imag))) if array.size else 0.0
            return (
                None,
                "",
                (
                    f"{name} is complex (imaginary parts up to {imaginary:.3g}): a gradient of a "
                    "real loss is real; return its real part only if you mean it"
                ),
            )
        if array.dtype == np.float16:
            return None, "", f"{name} is float16, too coarse to check (use float32 or float64)"
        if array.dtype.kind not in "biuf":
            return None, "", f"{name} is an array of {array.dtype}, not numbers"
        precision = "float32" if array.dtype == np.float32 else "float64"
        k = int(name[2:]) - 1
        weight = name.startswith("dW")
        ours = case.weights[k].shape if weight else case.biases[k].shape
        accepted = self._accepted_shapes(ours, weight)
        if array.shape not in accepted:
            expected = " or ".join(str(shape) for shape in accepted)
            return None, "", f"{name} has shape {array.shape}; expected {expected}"
        value = np.asarray(array, dtype=np.float64)
        if not np.all(np.isfinite(value)):
            return None, "", f"{name} has entries that are not finite (nan or inf)"
        if weight:
            value = value if self.layout == "columns" else value.T
        return value.reshape(ours), precision, ""

    def _accepted_shapes(self, ours: tuple[int, ...], weight: bool) -> list[tuple[int, ...]]:
        if weight:
            return [ours if self.layout == "columns" else (ours[1], ours[0])]
        n = ours[0]
        given = {"column": (n, 1), "row": (1, n), "flat": (n,)}[self.bias_shape]
        accepted = [given]
        if self.layout == "rows":
            accepted += [shape for shape in ((n,), (1, n)) if shape != given]
        elif self.bias_shape == "flat":
            accepted.append((n, 1))
        return accepted

    def user_index(self, name: str, index: tuple[int, ...]) -> tuple[int, ...]:
        """An entry's index (ours: (row, column)) in the user's layout of that array."""
        if name.startswith("dW"):
            return index if self.layout == "columns" else (index[1], index[0])
        return {"column": (index[0], 0), "row": (0, index[0]), "flat": (index[0],)}[self.bias_shape]


@dataclass(frozen=True)
class _Missing:
    why: str


def _our_shapes(case: Case) -> list[tuple[int, ...]]:
    return [w.shape for w in case.weights] + [b.shape for b in case.biases]


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return f"a sequence of {len(value)}"
    if isinstance(value, dict):
        return "a dict"
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    if isinstance(value, Unreadable):
        return value.reason
    return "None" if value is None else type(value).__name__


def _as_array(value: Any) -> tuple[np.ndarray | None, str]:
    """A returned part (array, or nested lists of numbers) as one array, or why not."""
    if isinstance(value, np.ndarray):
        return value, ""
    if isinstance(value, Unreadable):
        return None, value.reason
    if value is None:
        return None, "None"
    if isinstance(value, dict):
        return None, "a dict, not an array"
    if isinstance(value, list):
        converted = []
        for entry in value:
            array, why = _as_array(entry)
            if array is None:
                return None, why
            converted.append(array)
        try:
            stacked = np.array(converted) if converted else np.zeros(0)
        except ValueError:
            return None, "a ragged list (its rows have different lengths)"
        if stacked.dtype == object:
            return None, "a ragged list (its rows have different lengths)"
        return stacked, ""
    return None, type(value).__name__
