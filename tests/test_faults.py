"""Bad input and faults against the public API and the commands, as a careful user and a
hostile file would try them.

Every case states the one acceptable outcome: either a correct result (checked), or an
exception of the stated type whose message matches a pattern that names the argument (or
the file) and says what is wrong. A crash, a hang, a NaN, a silently wrong value, a lost
file or a message from deep inside NumPy fails the case. ``test_the_fuzz_is_large_enough``
keeps the count of cases at 200 or more.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import os
import re
import signal
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from impl import Network, check_directional_derivatives, check_gradients, numerical_gradients
from impl.commands import main as cli_main
from impl.data import MAX_IDX_BYTES, load_mnist, read_idx
from impl.losses import sigmoid_cross_entropy, softmax_cross_entropy

#: NumPy floating-point errors that must not happen (underflow to 0 is harmless here)
STRICT = {"over": "raise", "invalid": "raise", "divide": "raise", "under": "ignore"}


# --------------------------------------------------------------------------- helpers


@pytest.fixture(autouse=True)
def sixteen_gib_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    """The memory checks judge against 16 GiB, so the cases behave alike on every machine."""
    monkeypatch.setattr("impl.validation.total_memory_bytes", lambda: 16 * 2**30)


def net(**options) -> Network:
    return Network([3, 4, 2], seed=0, **options)


def X(m: int = 2) -> np.ndarray:
    return np.linspace(-1, 1, 3 * m).reshape(3, m)


def labels(m: int = 2) -> np.ndarray:
    return np.arange(m) % 2


@contextlib.contextmanager
def no_hang(seconds: int = 20):
    """Turn a hang into a failure (a fault, not a timing: nothing is measured)."""

    def interrupt(*_):
        raise AssertionError(f"hung for more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def run_command(argv: list[str]) -> tuple[int, str]:
    """(exit status, stderr) of ``verified-backprop argv`` run in this process."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            status = cli_main(argv)
        except SystemExit as exit_:
            status = exit_.code if isinstance(exit_.code, int) else 1
    return status, err.getvalue()


def saved(tmp: Path) -> Path:
    return net().save(tmp / "model.npz")


def npz_with(tmp: Path, **changes) -> Path:
    """A saved model with entries replaced (value None removes the entry)."""
    path = saved(tmp)
    with np.load(path, allow_pickle=False) as archive:
        contents = {key: archive[key] for key in archive.files}
    for key, value in changes.items():
        if value is None:
            contents.pop(key, None)
        else:
            contents[key] = value
    np.savez(path, **contents)
    return path


def npz_member_header(tmp: Path, key: str, shape: tuple[int, ...]) -> Path:
    """A saved model whose member ``key`` has a .npy header declaring ``shape`` (tiny data)."""
    path = saved(tmp)
    with np.load(path, allow_pickle=False) as archive:
        contents = {name: archive[name] for name in archive.files}
    out = tmp / "crafted.npz"
    with zipfile.ZipFile(out, "w") as archive:
        for name, value in contents.items():
            buffer = io.BytesIO()
            if name == key:
                header = {"descr": "<f8", "fortran_order": False, "shape": shape}
                np.lib.format.write_array_header_1_0(buffer, header)
                buffer.write(b"\0" * 64)
            else:
                np.lib.format.write_array(buffer, value, allow_pickle=False)
            archive.writestr(name + ".npy", buffer.getvalue())
    return out


def npz_bomb(tmp: Path, key: str, megabytes: int) -> Path:
    """A saved model plus a deflated member of ``megabytes`` MB of zeros (a few KB on disk)."""
    path = saved(tmp)
    zeros = np.zeros(megabytes * 2**17)
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, zeros)
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        if key in {name[:-4] for name in archive.namelist()}:
            raise AssertionError("use a new member name")
        archive.writestr(key + ".npy", buffer.getvalue())
    return path


def idx_bytes(type_code: int, shape: tuple[int, ...], data: bytes | None = None) -> bytes:
    header = bytes([0, 0, type_code, len(shape)]) + b"".join(struct.pack(">I", n) for n in shape)
    if data is None:
        data = bytes(int(np.prod(shape, dtype=object)) if shape else 0)
    return header + data


def mnist_dir(tmp: Path, images: bytes | None = None, labels_: bytes | None = None) -> Path:
    folder = tmp / "mnist"
    folder.mkdir(exist_ok=True)
    good_images = idx_bytes(0x08, (3, 28, 28))
    good_labels = idx_bytes(0x08, (3,), bytes([1, 2, 3]))
    for stem in ("train", "t10k"):
        (folder / f"{stem}-images-idx3-ubyte").write_bytes(images or good_images)
        (folder / f"{stem}-labels-idx1-ubyte").write_bytes(labels_ or good_labels)
    return folder


# --------------------------------------------------------------------------- the cases

Case = tuple[Callable[[Path], object], type[BaseException] | None, str]
CASES: dict[str, Case] = {}


def refuses(name: str, error: type[BaseException], pattern: str):
    """Register ``function(tmp_path)`` as a case that must raise ``error`` matching ``pattern``."""

    def register(function):
        CASES[name] = (function, error, pattern)
        return function

    return register


def correct(name: str):
    """Register ``function(tmp_path)`` as a case that must return (its asserts check it)."""

    def register(function):
        CASES[name] = (function, None, "")
        return function

    return register


def refuse_all(prefix: str, error: type[BaseException], table: dict[str, tuple]) -> None:
    """Register one case per entry ``label: (pattern, function)``."""
    for label, (pattern, function) in table.items():
        CASES[f"{prefix}-{label}"] = (function, error, pattern)


# -- constructor arguments --------------------------------------------------------

SIZES = {
    "none": (None, r"sizes must be a list of layer widths"),
    "string": ("784,10", r"sizes must be a list"),
    "int": (10, r"sizes must be a list"),
    "set": ({3, 2}, r"sizes must be a list"),
    "dict": ({"in": 3}, r"sizes must be a list"),
    "empty": ([], r"sizes is \[\] with 0 entries"),
    "one": ([3], r"sizes is \[3\] with 1 entry"),
    "zero-width": ([3, 0], r"sizes\[1\] is 0"),
    "negative-width": ([3, -2], r"sizes\[1\] is -2"),
    "float-width": ([3, 2.5], r"sizes\[1\] is 2.5 \(float\)"),
    "integral-float": ([3.0, 2], r"sizes\[0\] is 3.0 \(float\)"),
    "bool-width": ([3, True], r"sizes\[1\] is True \(bool\)"),
    "string-width": ([3, "2"], r"sizes\[1\] is '2' \(str\)"),
    "none-width": ([None, 2], r"sizes\[0\] is None"),
    "nan-width": ([3, float("nan")], r"sizes\[1\] is nan"),
    "billion-inputs": ([10**9, 10], r"sizes \[1000000000, 10\] needs 10,000,000,010 parameters"),
    "2^63-outputs": ([4, 2**63], r"sizes \[4, 9223372036854775808\] needs .* GiB"),
    "huge-hidden": ([784, 10**12, 10], r"needs .* GiB as float64"),
    "softmax-one-unit": ([4, 1], r"ends in 1 unit with output='softmax'.*output='sigmoid'"),
    "deep-softmax-one-unit": ([4, 3, 1], r"ends in 1 unit with output='softmax'"),
}
for label, (value, pattern) in SIZES.items():
    CASES[f"Network-sizes-{label}"] = (
        lambda _, value=value: Network(value),
        ValueError,
        pattern,
    )


@refuses("Network-sizes-fit-the-machine-but-not-free-memory", ValueError, r"more memory than is")
def _(_):
    def out_of_memory(*_):
        raise MemoryError

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("impl.network.initialize_parameters", out_of_memory)
        Network([50_000, 20_000, 10])


OPTIONS = {
    "hidden-none": ({"hidden_activation": None}, r"hidden_activation is None but must be one"),
    "hidden-case": ({"hidden_activation": "Sigmoid"}, r"hidden_activation is 'Sigmoid'"),
    "hidden-int": ({"hidden_activation": 3}, r"hidden_activation is 3"),
    "hidden-softmax": ({"hidden_activation": "softmax"}, r"hidden_activation is 'softmax'"),
    "output-linear": ({"output": "linear"}, r"output is 'linear' but must be one of"),
    "output-list": ({"output": ["softmax"]}, r"output is \['softmax'\]"),
    "init-glorot": ({"init": "glorot"}, r"init is 'glorot' but must be one of"),
    "init-none": ({"init": None}, r"init is None"),
    "seed-negative": ({"seed": -1}, r"seed is -1 \(int\) but must be None or a non-negative"),
    "seed-float": ({"seed": 2.5}, r"seed is 2.5 \(float\)"),
    "seed-string": ({"seed": "0"}, r"seed is '0' \(str\)"),
    "seed-bool": ({"seed": True}, r"seed is True \(bool\)"),
    "dtype-int": ({"dtype": np.int32}, r"dtype is .*int32.* but must be numpy.float64 or"),
    "dtype-half": ({"dtype": "float16"}, r"dtype is 'float16' but must be"),
    "dtype-complex": ({"dtype": np.complex128}, r"dtype is .*complex128.* but must be"),
    "dtype-nonsense": ({"dtype": "fast"}, r"dtype is 'fast' but must be"),
    "dtype-object": ({"dtype": object}, r"dtype is .*object.* but must be"),
}
for label, (options, pattern) in OPTIONS.items():
    CASES[f"Network-{label}"] = (
        lambda _, options=options: Network([3, 2], **options),
        ValueError,
        pattern,
    )

# -- inputs X and targets Y across the public methods --------------------------------

BAD_X = {
    "ragged": ([[1.0, 2.0], [3.0], [4.0, 5.0]], r"X cannot be read as a numeric array"),
    "strings": (np.array([["a", "b"]] * 3), r"X has dtype <U1 but must hold real numbers"),
    "complex": (np.ones((3, 2), complex), r"X has dtype complex128 but must hold real"),
    "object": (np.array([[1, None]] * 3, dtype=object), r"X has dtype object"),
    "nan": (np.array([[np.nan, 1.0]] * 3), r"X \(shape \(3, 2\)\) contains 3 non-finite"),
    "inf": (np.array([[1.0, np.inf]] * 3), r"X \(shape \(3, 2\)\) contains 3 non-finite"),
    "one-d": (np.ones(3), r"X has shape \(3,\), a single example as a 1-D array"),
    "transposed": (np.ones((2, 3)), r"X has shape \(2, 3\).*it looks transposed: pass X.T"),
    "no-columns": (np.ones((3, 0)), r"X has shape \(3, 0\), i.e. no examples"),
    "three-d": (np.ones((3, 2, 1)), r"X has shape \(3, 2, 1\) but the network's input"),
    "scalar": (1.0, r"X has shape \(\) but the network's input layer has 3 units"),
    "none": (None, r"X has dtype object"),
    "wrong-width": (np.ones((5, 2)), r"X has shape \(5, 2\) but the network's input layer"),
}
METHODS = {
    "forward": lambda network, x: network.forward(x),
    "predict": lambda network, x: network.predict(x),
    "predict_proba": lambda network, x: network.predict_proba(x),
    "backward": lambda network, x: network.backward(x, labels()),
    "loss": lambda network, x: network.loss(x, labels()),
    "evaluate": lambda network, x: network.evaluate(x, labels()),
    "gradient_descent": lambda network, x: network.gradient_descent(x, labels(), 0.1),
    "fit": lambda network, x: network.fit(x, labels(), 1, 1, 0.1, progress=False),
    "check_gradients": lambda network, x: check_gradients(network, x, labels()),
}
for method, call in METHODS.items():
    for label, (value, pattern) in BAD_X.items():
        if method not in ("forward", "backward", "fit") and label not in ("ragged", "nan"):
            continue  # the other methods share the same check; two kinds each suffice
        CASES[f"{method}-X-{label}"] = (
            lambda _, call=call, value=value: call(net(), value),
            ValueError,
            pattern,
        )

BAD_Y = {
    "label-too-big": (np.array([0, 2]), r"Y \(integer class labels, shape \(2,\)\) contains the"),
    "label-negative": (np.array([0, -1]), r"contains the label -1"),
    "float-labels": (np.array([0.0, 1.0]), r"Y has shape \(2,\) and dtype float64: a 1-D Y"),
    "too-few-labels": (np.array([0]), r"Y has shape \(1,\) \(integer class labels\) but X has 2"),
    "one-row": (np.ones((1, 2)), r"Y has shape \(1, 2\) but must have shape \(2, 2\)"),
    "wrong-shape": (np.ones((3, 2)) / 3, r"Y has shape \(3, 2\) but must have shape \(2, 2\)"),
    "nan": (np.array([[np.nan, 0.0], [1.0, 1.0]]), r"Y \(shape \(2, 2\)\) contains 1 non-finite"),
    "above-one": (np.array([[2.0, 0.0], [-1.0, 1.0]]), r"entries from -1 to 2.*in \[0, 1\]"),
    "multi-hot": (np.ones((2, 2)), r"column 0 of Y \(shape \(2, 2\)\) sums to 2"),
    "ragged": ([[1.0, 0.0], [0.0]], r"Y cannot be read as a numeric array"),
    "strings": (np.array([["a", "b"], ["c", "d"]]), r"Y has dtype <U1 but must hold real"),
}
for method in ("backward", "loss", "evaluate", "gradient_descent", "fit", "check_gradients"):
    for label, (value, pattern) in BAD_Y.items():
        if method not in ("backward", "fit") and label not in ("label-too-big", "multi-hot"):
            continue
        call = {
            "backward": lambda network, y: network.backward(X(), y),
            "loss": lambda network, y: network.loss(X(), y),
            "evaluate": lambda network, y: network.evaluate(X(), y),
            "gradient_descent": lambda network, y: network.gradient_descent(X(), y, 0.1),
            "fit": lambda network, y: network.fit(X(), y, 1, 1, 0.1, progress=False),
            "check_gradients": lambda network, y: check_gradients(network, X(), y),
        }[method]
        CASES[f"{method}-Y-{label}"] = (
            lambda _, call=call, value=value: call(net(), value),
            ValueError,
            pattern,
        )

# -- parameters assigned by hand (e.g. copied from PyTorch or JAX) -----------------------


def with_parameter(kind: str, index: int, value) -> Network:
    network = net()
    getattr(network, kind)[index] = value
    return network


PARAMETERS = {
    "bias-1d": ("biases", 0, np.zeros(4), r"net.biases\[0\] has shape \(4,\).*np.reshape"),
    "bias-row": ("biases", 1, np.zeros((1, 2)), r"net.biases\[1\] has shape \(1, 2\)"),
    "weight-transposed": ("weights", 0, np.zeros((3, 4)), r"net.weights\[0\] has shape \(3, 4\)"),
    "weight-float32": (
        "weights",
        1,
        np.zeros((2, 4), np.float32),
        r"net.weights\[1\] has shape \(2, 4\) and dtype float32.*astype\(np.float64\)",
    ),
    "weight-list": ("weights", 0, [[0.0] * 3] * 4, r"net.weights\[0\] has a list"),
    "bias-none": ("biases", 0, None, r"net.biases\[0\] has a NoneType"),
}
for label, (kind, index, value, pattern) in PARAMETERS.items():
    for method in ("forward", "backward", "loss", "gradient_descent"):
        CASES[f"parameters-{label}-{method}"] = (
            lambda _, kind=kind, index=index, value=value, method=method: METHODS[method](
                with_parameter(kind, index, value), X()
            ),
            ValueError,
            pattern,
        )


@refuses("parameters-layer-missing", ValueError, r"net.weights must be a list of 2 arrays")
def _(_):
    network = net()
    network.weights.pop()
    network.forward(X())


@refuses("parameters-float64-in-float32-net", ValueError, r"dtype float64.*astype\(np.float32\)")
def _(_):
    network = Network([3, 2], dtype=np.float32, seed=0)
    network.biases[0] = np.zeros((2, 1))
    network.predict(X())


@correct("parameters-bias-1d-when-batch-equals-width-refused-not-broadcast")
def _(_):
    """Batch 4 = width 4: b of shape (4,) would broadcast over rows, silently wrong."""
    network = net()
    network.biases[0] = network.biases[0].ravel()
    with pytest.raises(ValueError, match=r"net.biases\[0\] has shape \(4,\)"):
        network.backward(X(4), labels(4))


# -- gradient checks --------------------------------------------------------------------

GRADCHECK = {
    "method-forward": ({"method": "forward"}, r"method is 'forward' but must be one of"),
    "method-none": ({"method": None}, r"method is None but must be one of"),
    "step-string": ({"step": "tiny"}, r"step is 'tiny' but must be a positive finite number"),
    "step-negative": ({"step": -1e-6}, r"step is -1e-06 but must be a positive"),
    "step-zero": ({"step": 0.0}, r"step is 0.0 but must be a positive"),
    "step-nan": ({"step": float("nan")}, r"step is nan but must be"),
    "step-inf": ({"step": float("inf")}, r"step is inf but must be"),
    "step-bool": ({"step": True}, r"step is True but must be"),
    "tolerance-string": ({"tolerance": "1e-5"}, r"tolerance is '1e-5' but must be a positive"),
    "tolerance-negative": ({"tolerance": -1.0}, r"tolerance is -1.0 but must be a positive"),
}
for label, (options, pattern) in GRADCHECK.items():
    CASES[f"check_gradients-{label}"] = (
        lambda _, options=options: check_gradients(net(), X(), labels(), **options),
        ValueError,
        pattern,
    )
    CASES[f"check_directional_derivatives-{label}"] = (
        lambda _, options=options: check_directional_derivatives(net(), X(), labels(), **options),
        ValueError,
        pattern,
    )

DIRECTIONAL = {
    "directions-float": ({"directions": 2.7}, r"directions is 2.7 but must be a positive integer"),
    "directions-none": ({"directions": None}, r"directions is None but must be a positive"),
    "directions-zero": ({"directions": 0}, r"directions is 0 but must be a positive integer"),
    "directions-negative": ({"directions": -2}, r"directions is -2 but must be"),
    "directions-string": ({"directions": "3"}, r"directions is '3' but must be"),
    "directions-bool": ({"directions": True}, r"directions is True but must be"),
    "seed-negative": ({"seed": -3}, r"seed is -3 \(int\) but must be None or a non-negative"),
    "seed-float": ({"seed": 1.5}, r"seed is 1.5 \(float\)"),
    "seed-string": ({"seed": "x"}, r"seed is 'x' \(str\)"),
}
for label, (options, pattern) in DIRECTIONAL.items():
    CASES[f"check_directional_derivatives-{label}"] = (
        lambda _, options=options: check_directional_derivatives(net(), X(), labels(), **options),
        ValueError,
        pattern,
    )

for label, call in {
    "check_gradients": check_gradients,
    "check_directional_derivatives": check_directional_derivatives,
    "numerical_gradients": numerical_gradients,
}.items():
    CASES[f"{label}-float32-network"] = (
        lambda _, call=call: call(Network([3, 2], dtype=np.float32, seed=0), X(), labels()),
        ValueError,
        r"the network has dtype float32, but gradient checking needs float64",
    )

# -- training arguments -------------------------------------------------------------------

FIT = {
    "epochs-zero": ({"epochs": 0}, r"epochs is 0 but must be a positive integer"),
    "epochs-float": ({"epochs": 2.5}, r"epochs is 2.5 but must be a positive integer"),
    "epochs-none": ({"epochs": None}, r"epochs is None"),
    "batch-zero": ({"batch_size": 0}, r"batch_size is 0 but must be a positive integer"),
    "batch-string": ({"batch_size": "10"}, r"batch_size is '10'"),
    "rate-zero": ({"learning_rate": 0.0}, r"learning_rate is 0.0 but must be a positive finite"),
    "rate-negative": ({"learning_rate": -0.1}, r"learning_rate is -0.1"),
    "rate-nan": ({"learning_rate": float("nan")}, r"learning_rate is nan"),
    "rate-inf": ({"learning_rate": float("inf")}, r"learning_rate is inf"),
    "rate-string": ({"learning_rate": "0.1"}, r"learning_rate is '0.1'"),
    "validation-single": ({"validation_data": X()}, r"validation_data must be a pair"),
    "validation-bad-X": (
        {"validation_data": (np.ones((2, 2)), labels())},
        r"validation_data\[0\] has shape \(2, 2\)",
    ),
    "validation-bad-Y": (
        {"validation_data": (X(), np.array([0, 5]))},
        r"validation_data\[1\] \(integer class labels.*label 5",
    ),
    "blas-threads-zero": ({"blas_threads": 0}, r"blas_threads is 0 but must be a positive"),
}
for label, (options, pattern) in FIT.items():
    arguments = {"epochs": 1, "batch_size": 1, "learning_rate": 0.1, "progress": False}
    arguments |= options
    CASES[f"fit-{label}"] = (
        lambda _, arguments=arguments: net().fit(X(), labels(), **arguments),
        ValueError,
        pattern,
    )
CASES["gradient_descent-rate-nan"] = (
    lambda _: net().gradient_descent(X(), labels(), float("nan")),
    ValueError,
    r"learning_rate is nan but must be a positive finite number",
)
CASES["gradient_descent-diverges"] = (
    lambda _: Network([3, 2], seed=0).gradient_descent(1000 * X(), labels(), 1e308),
    ValueError,
    r"gradient descent diverged: the step with learning_rate 1e\+308 made .* from a new Network",
)

# -- extreme finite values: correct results, or a clear refusal ------------------------------


@correct("loss-softmax-at-plus-minus-1e308")
def _(_):
    z, y = np.array([[1e308], [-1e308]]), np.array([[1.0], [0.0]])
    with np.errstate(**STRICT):
        assert softmax_cross_entropy(z, y).tolist() == [0.0]  # a = (1, 0): exactly 0
        assert softmax_cross_entropy(z, y[::-1]).tolist() == [np.inf]  # -log(e^-2e308) > max


@correct("loss-softmax-labels-summing-just-above-one-at-the-float-range")
def _(_):
    """Labels may sum to 1 ± 1e-6 (rounding in user data); at logits M/2, −M/2 (M the largest
    float) the loss (0.5 + 0.5 + 1e-9)·M lies beyond the float range: +inf, the correctly
    rounded value, and not an overflow warning."""
    M = np.finfo(np.float64).max
    z, y = np.array([[M / 2], [-M / 2], [-M / 2]]), np.array([[0.0], [0.5], [0.5 + 1e-9]])
    with np.errstate(**STRICT):
        assert softmax_cross_entropy(z, y).tolist() == [np.inf]


@correct("loss-softmax-float32-at-plus-minus-3e38")
def _(_):
    z = np.array([[3e38], [-3e38]], np.float32)
    y = np.array([[1.0], [0.0]], np.float32)
    with np.errstate(**STRICT):
        assert softmax_cross_entropy(z, y).tolist() == [0.0]


@correct("loss-softmax-soft-labels-at-1e308")
def _(_):
    z, y = np.array([[1e308], [1e308 / 2]]), np.array([[0.5], [0.5]])
    with np.errstate(**STRICT):
        assert softmax_cross_entropy(z, y).tolist() == [0.5 * (1e308 - 1e308 / 2)]


@correct("loss-sigmoid-at-plus-minus-1e308")
def _(_):
    z, y = np.array([[1e308], [-1e308]]), np.array([[1.0], [0.0]])
    with np.errstate(**STRICT):
        assert sigmoid_cross_entropy(z, y).tolist() == [0.0]
    with np.errstate(**STRICT):  # the overflow of the sum is the loss's own business
        assert sigmoid_cross_entropy(z, y[::-1]).tolist() == [np.inf]  # 2e308 > max


@correct("loss-softmax-equal-huge-logits")
def _(_):
    z, y = np.full((2, 1), 1e308), np.array([[1.0], [0.0]])
    with np.errstate(**STRICT):
        assert softmax_cross_entropy(z, y).tolist() == [np.log(2.0)]


def unit_weights(value: float, dtype=np.float64) -> Network:
    """Network([2, 3]) with every weight ``value`` and biases 0: logits are value·(x₁ + x₂)."""
    network = Network([2, 3], seed=0, dtype=dtype)
    network.weights[0][:] = value
    network.biases[0][:] = 0.0
    return network


@correct("loss-network-at-logits-of-1e308")
def _(_):
    """Finite logits z = 0.5·(1e308 + 1e308) = 1e308 in every unit: J = log 3 exactly
    rounded, no warning."""
    with np.errstate(**STRICT):
        loss = unit_weights(0.5).loss(np.full((2, 2), 1e308), [0, 1])
    assert loss == np.log(3.0)


for label, call in {
    "loss": lambda network, x: network.loss(x, [0, 1]),
    "evaluate": lambda network, x: network.evaluate(x, [0, 1]),
    "predict_proba": lambda network, x: network.predict_proba(x),
    "backward": lambda network, x: network.backward(x, [0, 1]),
    "check_gradients": lambda network, x: check_gradients(network, x, [0, 1]),
}.items():
    CASES[f"{label}-X-1e308-overflows-the-logits"] = (
        lambda _, call=call: call(unit_weights(1.0), np.full((2, 2), 1e308)),
        ValueError,
        r"the pre-activations Z\^1 overflowed to inf or nan .*largest \|X\| is 1e\+308",
    )


@refuses("loss-overflow-names-the-layer-and-its-weights", ValueError, r"Z\^2 .*\|W\^2\| is 2\)")
def _(_):
    network = Network([2, 2, 2], hidden_activation="relu", seed=0)
    network.weights[0][:] = 1.0
    network.biases[0][:] = 0.0
    network.weights[1][:] = 2.0  # Z^1 = 1.2e308 is finite, Z^2 = 2 (1.2e308 + 1.2e308) is not
    network.loss(np.full((2, 1), 0.6e308), [0])


CASES["loss-float32-X-3e38-overflows"] = (
    lambda _: unit_weights(1.0, np.float32).loss(np.full((2, 2), 3e38), [0, 1]),
    ValueError,
    r"Z\^1 overflowed to inf or nan .*too large for float32",
)


@correct("evaluate-more-than-one-chunk")
def _(_):
    """8,192 + 3 columns: the loss is the mean over all of them, not the last chunk's."""
    network = net()
    m = 8192 + 3
    x = np.tile(X(1), (1, m))
    x[:, -3:] = 5.0
    y = np.zeros(m, int)
    per_example = [network.loss(x[:, [i]], y[[i]]) for i in (0, m - 1)]
    expected = (per_example[0] * (m - 3) + per_example[1] * 3) / m
    loss, _ = network.evaluate(x, y)
    assert abs(loss - expected) <= 1e-12 * expected  # sums of m terms: γ_m-size rounding


# -- model files --------------------------------------------------------------------------


@refuses("load-missing-file", FileNotFoundError, r"nothing\.npz")
def _(tmp):
    Network.load(tmp / "nothing.npz")


@refuses("load-directory", ValueError, r"is a directory, not a model file")
def _(tmp):
    Network.load(tmp)


@refuses("load-empty-file", ValueError, r"empty.npz' is not a valid .npz model file: the file")
def _(tmp):
    (tmp / "empty.npz").write_bytes(b"")
    Network.load(tmp / "empty.npz")


@refuses("load-text-file", ValueError, r"does not start like an .npz file")
def _(tmp):
    (tmp / "notes.npz").write_text("hello")
    Network.load(tmp / "notes.npz")


@refuses("load-npy-file", ValueError, r"it holds a single .npy array, not an .npz archive")
def _(tmp):
    np.save(tmp / "array.npy", np.zeros(3))
    Network.load(tmp / "array.npy")


@refuses("load-truncated-zip", ValueError, r"looks like a zip archive but is damaged")
def _(tmp):
    path = saved(tmp)
    path.write_bytes(path.read_bytes()[:200])
    Network.load(path)


@refuses("load-named-pipe", ValueError, r"pipe.npz' is not a valid .npz model file: it is not a")
def _(tmp):
    fifo = tmp / "pipe.npz"
    os.mkfifo(fifo)
    with no_hang():
        Network.load(fifo)


@refuses("load-device", ValueError, r"it is not a regular file")
def _(_):
    with no_hang():
        Network.load("/dev/zero")


@refuses("load-header-claims-huge-W1", ValueError, r"entry 'W1' .*expected .*\(4, 3\)")
def _(tmp):
    Network.load(npz_member_header(tmp, "W1", (200_000, 20_000)))


@refuses("load-header-claims-huge-sizes", ValueError, r"entry 'sizes' .*(far too large|bytes)")
def _(tmp):
    Network.load(npz_member_header(tmp, "sizes", (200_000, 20_000)))


@refuses("load-sizes-beyond-memory", ValueError, r"needs .* GiB as float64, but this machine")
def _(tmp):
    Network.load(npz_with(tmp, sizes=np.array([200_000, 200_000, 10])))


@refuses("load-bomb-extra-entry", ValueError, r"unexpected entries \['bomb'\]")
def _(tmp):
    Network.load(npz_bomb(tmp, "bomb", 512))


@refuses("load-bomb-config-entry", ValueError, r"entry 'W9' |unexpected entries")
def _(tmp):
    Network.load(npz_bomb(tmp, "W9", 512))


@correct("load-bomb-is-never-inflated")
def _(tmp):
    """The 512 MB member is refused from the zip directory, before a byte is inflated."""
    path = npz_bomb(tmp, "format_extra", 512)
    assert path.stat().st_size < 2_000_000
    with pytest.raises(ValueError, match=r"unexpected entries"):
        Network.load(path)


@refuses("load-oversized-config-entry", ValueError, r"entry 'init' is .* bytes, more than")
def _(tmp):
    Network.load(npz_with(tmp, init=np.array("x" * 100_000)))


@refuses("load-pickled-entry", ValueError, r"entry 'format' holds pickled Python objects")
def _(tmp):
    Network.load(npz_with(tmp, format=np.array([{"evil": 1}], dtype=object)))


@refuses("load-missing-entry", ValueError, r"missing entries \['dtype'\]")
def _(tmp):
    Network.load(npz_with(tmp, dtype=None))


@refuses("load-missing-parameter", ValueError, r"missing parameter array 'b2'")
def _(tmp):
    Network.load(npz_with(tmp, b2=None))


@refuses("load-bias-1d", ValueError, r"entry 'b1' declares shape \(4,\).*expected shape \(4, 1\)")
def _(tmp):
    Network.load(npz_with(tmp, b1=np.zeros(4)))


@refuses("load-wrong-dtype", ValueError, r"entry 'W1' declares .*float32.*expected .*float64")
def _(tmp):
    Network.load(npz_with(tmp, W1=np.zeros((4, 3), np.float32)))


@refuses("load-nan-parameter", ValueError, r"W2 contains non-finite values")
def _(tmp):
    Network.load(npz_with(tmp, W2=np.full((2, 4), np.nan)))


@refuses("load-sizes-float", ValueError, r"entry 'sizes' should be a 1-D integer array")
def _(tmp):
    Network.load(npz_with(tmp, sizes=np.array([3.0, 4.0, 2.0])))


@refuses("load-sizes-negative", ValueError, r"sizes\[1\] is -4")
def _(tmp):
    Network.load(npz_with(tmp, sizes=np.array([3, -4, 2])))


@refuses("load-softmax-one-unit", ValueError, r"ends in 1 unit with output='softmax'")
def _(tmp):
    Network.load(npz_with(tmp, sizes=np.array([3, 4, 1]), W2=np.zeros((1, 4)), b2=np.zeros((1, 1))))


@refuses("load-seed-negative", ValueError, r"seed is -1 \(int\)")
def _(tmp):
    Network.load(saved(tmp), seed=-1)


@refuses("save-to-directory", ValueError, r"is a directory; give a file name such as")
def _(tmp):
    net().save(tmp)


@refuses("save-non-finite", ValueError, r"cannot save the network: W1 contains non-finite")
def _(tmp):
    network = net()
    network.weights[0][0, 0] = np.inf
    network.save(tmp / "model.npz")


@refuses("save-bias-1d", ValueError, r"cannot save the network: b1 has shape \(4,\)")
def _(tmp):
    network = net()
    network.biases[0] = np.zeros(4)
    network.save(tmp / "model.npz")


@correct("save-failure-keeps-the-previous-model")
def _(tmp):
    """A write that fails part-way leaves the old file intact and no temporary file behind."""
    old = net(init="xavier")
    path = old.save(tmp / "model.npz")
    before = path.read_bytes()

    def failing_savez(handle, **arrays):
        handle.write(b"PK\x03\x04 half a model")
        raise OSError("No space left on device")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(np, "savez", failing_savez)
        with pytest.raises(OSError, match="No space left"):
            net().save(path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp.iterdir()] == ["model.npz"]
    loaded = Network.load(path)
    assert all(np.array_equal(a, b) for a, b in zip(loaded.weights, old.weights, strict=True))


@correct("save-round-trip-is-exact")
def _(tmp):
    network = net(hidden_activation="tanh")
    loaded = Network.load(network.save(tmp / "model"))
    assert loaded.sizes == network.sizes and loaded.hidden_activation == "tanh"
    assert all(np.array_equal(a, b) for a, b in zip(loaded.biases, network.biases, strict=True))


# -- IDX files ------------------------------------------------------------------------------


def idx_file(tmp: Path, content: bytes, name: str = "data-idx1-ubyte") -> Path:
    path = tmp / name
    if name.endswith(".gz"):
        with gzip.open(path, "wb") as handle:
            handle.write(content)
    else:
        path.write_bytes(content)
    return path


IDX = {
    "bad-magic": (b"\x01\x02\x08\x01\0\0\0\x01x", r"is not an IDX file: its magic number"),
    "unknown-type": (b"\0\0\x07\x01\0\0\0\x01x", r"is not an IDX file"),
    "zero-dimensions": (b"\0\0\x08\x00", r"is not an IDX file"),
    "truncated-header": (b"\0\0\x08\x03\0\0", r"is truncated inside its header"),
    "truncated-data": (idx_bytes(0x08, (4,))[:-1], r"is truncated: the header announces shape"),
    "longer-than-header": (idx_bytes(0x08, (4,)) + b"x", r"is longer than its header says"),
    "dimensions-wrap-int64": (
        idx_bytes(0x08, (2**32 - 1, 2**32 - 1, 2**32 - 1), b""),
        r"announces shape \(4294967295, 4294967295, 4294967295\), .* bytes of data, more than",
    ),
    "dimensions-product-zero-mod-2^64": (
        idx_bytes(0x0E, (2**16, 2**16, 2**16, 2**16), b""),
        r"announces shape \(65536, 65536, 65536, 65536\)",
    ),
    "just-over-the-limit": (
        idx_bytes(0x08, (MAX_IDX_BYTES + 1,), b""),
        r"more than the 1,073,741,824 this reader accepts",
    ),
    "too-short": (b"\0\0", r"is truncated: 2 bytes, too short for an IDX header"),
}
for label, (content, pattern) in IDX.items():
    for suffix in ("", ".gz"):
        CASES[f"read_idx{suffix or '-plain'}-{label}"] = (
            lambda tmp, content=content, suffix=suffix: read_idx(
                idx_file(tmp, content, "data-idx1-ubyte" + suffix)
            ),
            ValueError,
            pattern,
        )


@refuses("read_idx-gzip-bomb", ValueError, r"is longer than its header says")
def _(tmp):
    """A 4-byte data section announced, 1 GB of zeros inflated: stops after 5 bytes."""
    path = tmp / "bomb-idx1-ubyte.gz"
    with gzip.open(path, "wb", compresslevel=9) as handle:
        handle.write(idx_bytes(0x08, (4,)))
        block = bytes(2**20)
        for _ in range(64):  # 64 MB here; the reader never reads past byte 4 + 8 + 5
            handle.write(block)
    read_idx(path)


@refuses("read_idx-damaged-gzip", ValueError, r"is not a readable gzip file")
def _(tmp):
    path = tmp / "x-idx1-ubyte.gz"
    path.write_bytes(b"\x1f\x8b\x08\x00garbage")
    read_idx(path)


@refuses("read_idx-directory", ValueError, r"is not a regular file")
def _(tmp):
    read_idx(tmp)


@refuses("read_idx-named-pipe", ValueError, r"is not a regular file")
def _(tmp):
    os.mkfifo(tmp / "pipe-idx1-ubyte")
    with no_hang():
        read_idx(tmp / "pipe-idx1-ubyte")


@correct("read_idx-round-trip")
def _(tmp):
    values = np.arange(-3, 3, dtype=">i2").reshape(2, 3)
    path = idx_file(tmp, idx_bytes(0x0B, (2, 3), values.tobytes()))
    result = read_idx(path)
    assert result.dtype == np.int16 and np.array_equal(result, values)


@refuses("load_mnist-missing-directory", FileNotFoundError, r"MNIST directory .* does not exist")
def _(tmp):
    load_mnist(tmp / "nowhere")


@refuses("load_mnist-missing-file", FileNotFoundError, r"has no train-images-idx3-ubyte")
def _(tmp):
    (tmp / "empty").mkdir()
    load_mnist(tmp / "empty")


@refuses("load_mnist-labels-out-of-range", ValueError, r"contains label 12, but digits are 0..9")
def _(tmp):
    load_mnist(mnist_dir(tmp, labels_=idx_bytes(0x08, (3,), bytes([1, 12, 3]))))


@refuses("load_mnist-count-mismatch", ValueError, r"has 3 images but .* has 2 labels")
def _(tmp):
    load_mnist(mnist_dir(tmp, labels_=idx_bytes(0x08, (2,), bytes([1, 2]))))


@refuses("load_mnist-images-2d", ValueError, r"MNIST images must be unsigned bytes of shape")
def _(tmp):
    load_mnist(mnist_dir(tmp, images=idx_bytes(0x08, (3, 784))))


# -- the commands ---------------------------------------------------------------------------

TRAIN = ["train", "--epochs", "1", "--no-progress"]
COMMANDS = {
    "train-out-empty": (["train", "--out", ""], 2, r"--out: must name a directory"),
    "train-out-blank": (["train", "--out", "  "], 2, r"--out: must name a directory"),
    "train-epochs-zero": (["train", "--epochs", "0"], 2, r"--epochs: must be a positive"),
    "train-epochs-word": (["train", "--epochs", "ten"], 2, r"--epochs: must be a positive .*ten"),
    "train-batch-negative": (["train", "--batch-size", "-1"], 2, r"--batch-size: must be"),
    "train-rate-nan": (["train", "--learning-rate", "nan"], 2, r"--learning-rate: must be a pos"),
    "train-rate-inf": (["train", "--learning-rate", "inf"], 2, r"--learning-rate: must be"),
    "train-rate-zero": (["train", "--learning-rate", "0"], 2, r"--learning-rate: must be"),
    "train-rate-word": (["train", "--learning-rate", "fast"], 2, r"--learning-rate: must .*fast"),
    "train-seed-negative": (["train", "--seed", "-1"], 2, r"--seed: must be a non-negative"),
    "train-seed-word": (["train", "--seed", "x"], 2, r"--seed: must be a non-negative"),
    "train-hidden-unknown": (["train", "--hidden-activation", "gelu"], 2, r"invalid choice"),
    "train-init-unknown": (["train", "--init", "zeros"], 2, r"--init: invalid choice"),
    "unknown-command": (["fly"], 2, r"fly"),
}
for label, (argv, status, pattern) in COMMANDS.items():

    def command_case(_, argv=argv, status=status, pattern=pattern):
        got, err = run_command(argv)
        assert got == status, (got, err)
        assert re.search(pattern, err), err

    CASES[f"command-{label}"] = (command_case, None, "")


@correct("command-train-out-is-a-file")
def _(tmp):
    (tmp / "file").write_text("x")
    status, err = run_command([*TRAIN, "--out", str(tmp / "file")])
    assert status == 2 and "is an existing file, not a directory" in err
    assert (tmp / "file").read_text() == "x"


@correct("command-train-mnist-missing")
def _(tmp):
    status, err = run_command([*TRAIN, "--mnist", str(tmp / "no"), "--out", str(tmp / "o")])
    assert status == 2 and "cannot load the data: MNIST directory" in err
    assert not (tmp / "o").exists()


@correct("command-train-mnist-hostile-header")
def _(tmp):
    bad = idx_bytes(0x08, (2**32 - 1, 2**32 - 1, 2**32 - 1), b"")
    folder = mnist_dir(tmp, images=bad)
    status, err = run_command([*TRAIN, "--mnist", str(folder), "--out", str(tmp / "o")])
    assert status == 2 and "train-images-idx3-ubyte announces shape" in err, err


@correct("command-train-refuses-an-earlier-run")
def _(tmp):
    out = tmp / "run"
    assert run_command([*TRAIN, "--out", str(out)])[0] == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    status, err = run_command([*TRAIN, "--seed", "5", "--out", str(out)])
    assert status == 2 and "already holds an earlier run" in err and "--overwrite" in err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


@correct("command-train-overwrite-replaces-the-whole-run")
def _(tmp):
    out = tmp / "run"
    assert run_command([*TRAIN, "--out", str(out)])[0] == 0
    assert run_command([*TRAIN, "--seed", "5", "--overwrite", "--out", str(out)])[0] == 0
    assert sorted(p.name for p in out.iterdir()) == ["history.json", "model.npz", "training.png"]
    assert json.loads((out / "history.json").read_text())["settings"]["seed"] == 5


def failing_plot(history, path, **_):
    """Stands in for the last of the three writes, failing as a full disk would."""
    raise OSError("disk full")


@correct("command-train-failed-write-leaves-nothing")
def _(tmp):
    out = tmp / "run"

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("impl.commands.train._plot_history_here_only", failing_plot)
        status, err = run_command([*TRAIN, "--out", str(out)])
    assert status == 1 and "disk full" in err
    assert not out.exists() and list(tmp.iterdir()) == []


@correct("command-train-failed-overwrite-keeps-the-earlier-run")
def _(tmp):
    out = tmp / "run"
    assert run_command([*TRAIN, "--out", str(out)])[0] == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("impl.commands.train._plot_history_here_only", failing_plot)
        status, _ = run_command([*TRAIN, "--overwrite", "--seed", "3", "--out", str(out)])
    assert status == 1
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


# --------------------------------------------------------------------------- the tests


@pytest.mark.parametrize("name", sorted(CASES))
def test_fault_gives_a_clear_error_or_a_correct_result(name: str, tmp_path: Path) -> None:
    function, error, pattern = CASES[name]
    if error is None:
        function(tmp_path)
        return
    with pytest.raises(error, match=pattern):
        function(tmp_path)


def test_the_fuzz_is_large_enough() -> None:
    assert len(CASES) >= 200, len(CASES)
