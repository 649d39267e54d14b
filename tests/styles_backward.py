"""Backward passes written in the conventions people use (examples as rows, one example per
call, a parameter dict, a summed or climbed objective, biases first): plain NumPy,
independent of ``impl``, each correct for sigmoid hidden layers and a softmax output.

``user_backward(convention)`` returns the function a user of that convention would write;
the tests hand it to ``check_backward`` with the same options and to
``Convention.gradients`` directly (tests/test_conventions.py).
"""

from __future__ import annotations

import numpy as np


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def _softmax_columns(z):
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def _columns_backward(weights, biases, X, Y):
    """∂J/∂W, ∂J/∂b of the mean loss, columns are examples, biases (n, 1)."""
    m = X.shape[1]
    A = [X]
    for k, (W, b) in enumerate(zip(weights, biases, strict=True)):
        z = W @ A[-1] + b
        A.append(_softmax_columns(z) if k == len(weights) - 1 else _sigmoid(z))
    delta = (A[-1] - Y) / m
    dW, db = [None] * len(weights), [None] * len(weights)
    for k in range(len(weights) - 1, -1, -1):
        dW[k] = delta @ A[k].T
        db[k] = delta.sum(axis=1, keepdims=True)
        if k:
            delta = (weights[k].T @ delta) * A[k] * (1 - A[k])
    return dW, db


def user_backward(
    layout="columns",
    per_example=False,
    parameters="lists",
    objective="mean",
    returns="dW,db",
    bias=None,
    labels="soft",
):
    """The correct backward pass of a user writing in this convention."""
    bias_shape = bias or ("column" if layout == "columns" else "flat")
    sign = -1.0 if "log-likelihood" in objective else 1.0

    def to_columns(weights, biases, X, Y, classes):
        if layout == "rows":
            weights = [w.T for w in weights]
            X = X.T if X.ndim == 2 else X.reshape(-1, 1)
            if labels != "integer":
                Y = Y.T if Y.ndim == 2 else Y.reshape(-1, 1)
        elif X.ndim == 1:
            X = X.reshape(-1, 1)
        biases = [np.reshape(b, (-1, 1)) for b in biases]
        if labels == "integer":
            picks = np.atleast_1d(np.asarray(Y))
            Y = np.eye(classes)[:, picks] if classes > 1 else picks.reshape(1, -1) * 1.0
        return weights, biases, X, Y

    def from_columns(dW, db):
        if layout == "rows":
            dW = [g.T for g in dW]
        shape = {"column": lambda g: g, "row": lambda g: g.reshape(1, -1), "flat": np.ravel}
        db = [shape[bias_shape](g) for g in db]
        return dW, db

    def scaled(dW, db, m):
        factor = sign * (m if objective in ("sum", "log-likelihood") and not per_example else 1)
        return [factor * g for g in dW], [factor * g for g in db]

    def lists(weights, biases, X, Y):
        classes = weights[-1].shape[0] if layout == "columns" else weights[-1].shape[1]
        w, b, Xc, Yc = to_columns(weights, biases, X, Y, classes)
        dW, db = _columns_backward(w, b, Xc, Yc)
        dW, db = scaled(dW, db, Xc.shape[1])
        dW, db = from_columns(dW, db)
        return (dW, db) if returns == "dW,db" else (db, dW)

    if parameters == "lists":
        return lists

    def with_dict(params, X, Y):
        depth = len(params) // 2
        weights = [params[f"W{k}"] for k in range(1, depth + 1)]
        biases = [params[f"b{k}"] for k in range(1, depth + 1)]
        dW, db = lists(weights, biases, X, Y)
        grads = {}
        for k in range(depth):
            grads[f"W{k + 1}"], grads[f"b{k + 1}"] = dW[k], db[k]
        return 0.0, grads  # (loss, grads), as course code returns them

    return with_dict
