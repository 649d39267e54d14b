"""Backward passes as a student writes them: correct (vectorised and a per-example loop) and
with one bug each.  Plain NumPy, independent of ``impl``: this is the *user's* code that
``impl.testing.check_backward`` judges (tests/test_check_backward.py)."""

from __future__ import annotations

import numpy as np


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def _softmax(z):
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


HIDDEN = {"sigmoid": _sigmoid, "tanh": np.tanh, "relu": lambda z: np.maximum(z, 0)}
OUTPUT = {"softmax": _softmax, "sigmoid": _sigmoid}


def student(bug: str | None = None, hidden: str = "sigmoid", output: str = "softmax"):
    """A backward(weights, biases, X, Y) with ``bug`` (None: correct)."""
    g = HIDDEN[hidden]

    def g_prime(z, a):
        if bug == "missing-activation-derivative":
            return 1.0
        if bug == "activation-derivative-of-a":
            z, a = a, g(a)
        if bug == "derivative-formula-on-z":
            a = z
        if hidden == "sigmoid":
            return a * (1 - a)
        if hidden == "tanh":
            return 1 - a if bug == "tanh-derivative-without-square" else 1 - a**2
        if bug == "relu-derivative-is-z":
            return np.where(z > 0, z, 0.0)
        return (z >= 0).astype(float)  # the other convention at 0: accepted

    def backward(weights, biases, X, Y):
        m = X.shape[1]
        A, Z = [X], []
        for k, (W, b) in enumerate(zip(weights, biases, strict=True)):
            z = W @ A[-1] + b
            Z.append(z)
            A.append(OUTPUT[output](z) if k == len(weights) - 1 else g(z))
        delta = A[-1] - Y
        if bug == "extra-output-derivative":
            delta = delta * A[-1] * (1 - A[-1])
        scale = 1.0 if bug == "sum-instead-of-mean" else 1.0 / m
        if bug == "one-over-m-twice":  # dZ = (A - Y)/m, then dW = dZ A^T / m again
            scale = 1.0 / m**2
        if bug == "only-at-one-example" and m == 1:  # a 'fast path' for one example
            scale = 0.5
        output_delta = delta
        dW, db = [None] * len(weights), [None] * len(weights)
        for k in range(len(weights) - 1, -1, -1):
            previous = A[k + 1] if bug == "weight-gradient-of-wrong-layer" else A[k]
            dW[k] = scale * delta @ previous.T
            db[k] = scale * delta.sum(axis=1, keepdims=True)
            if k:
                W = weights[k]
                if bug == "stale-delta" and k < len(weights) - 1:
                    back = weights[k].T @ (weights[k + 1].T @ output_delta)
                else:
                    back = W @ delta if bug == "untransposed-weights" else W.T @ delta
                delta = back * g_prime(Z[k - 1], A[k])
        if bug == "wrong-shape":
            db = [d.ravel() for d in db]
        if bug == "raises":
            raise RuntimeError("not implemented yet")
        return dW, db

    return backward


def in_float32(bug: str | None = None):
    """The vectorised backward pass computed in float32 (inputs cast, float32 returned)."""
    backward = student(bug, "sigmoid", "softmax")

    def backward32(weights, biases, X, Y):
        def cast(arrays):
            return [np.asarray(a, dtype=np.float32) for a in arrays]

        dW, db = backward(cast(weights), cast(biases), np.float32(X), np.float32(Y))
        return cast(dW), cast(db)

    return backward32


def one_hot_only(weights, biases, X, Y):
    """Correct for one-hot labels only: it reads each example's class and builds Y back."""
    Y = np.eye(Y.shape[0])[:, np.argmax(Y, axis=0)]
    return student(None, "sigmoid", "softmax")(weights, biases, X, Y)


def per_example_loop(weights, biases, X, Y):
    """Correct, one example at a time (sigmoid hidden, softmax output), then the mean."""
    m = X.shape[1]
    dW = [np.zeros_like(W) for W in weights]
    db = [np.zeros_like(b) for b in biases]
    for i in range(m):
        a = [X[:, i : i + 1]]
        for k, (W, b) in enumerate(zip(weights, biases, strict=True)):
            z = W @ a[-1] + b
            a.append(_softmax(z) if k == len(weights) - 1 else _sigmoid(z))
        delta = a[-1] - Y[:, i : i + 1]
        for k in range(len(weights) - 1, -1, -1):
            dW[k] += delta @ a[k].T / m
            db[k] += delta / m
            if k:
                delta = (weights[k].T @ delta) * a[k] * (1 - a[k])
    return dW, db
