"""Data sets in the network's layout: X of shape (n_0, m) (one column per image), integer labels.

``load_digits_split``
    scikit-learn's bundled 8 x 8 digits (1,797 images, no download): 64 inputs scaled from the
    pixel range 0..16 to [0, 1], split by a fixed seeded, stratified train/test split.

``load_mnist``
    the 28 x 28 MNIST digits read from IDX files in a directory the user names (784 inputs,
    pixels 0..255 scaled to [0, 1]). Files may be gzip-compressed (``.gz``). An IDX file is a
    4-byte magic number (two zero bytes, a type code, the number of dimensions), then each
    dimension as a big-endian uint32, then the data in C order; the images are type 0x08
    (unsigned byte) with 3 dimensions, the labels 0x08 with 1 dimension.

X is returned Fortran-ordered, i.e. as the transpose of a C-ordered (m, n_0) array, so that each
example is contiguous in memory (fast mini-batch gathering).
"""

from __future__ import annotations

import gzip
import math
import zlib
from pathlib import Path
from typing import NamedTuple

import numpy as np

IDX_TYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}

MNIST_FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}


class DataSplit(NamedTuple):
    """A train/test split: X_* of shape (n_0, m), y_* integer labels of shape (m,)."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray


def _columns(rows: np.ndarray) -> np.ndarray:
    """(m, n) C-ordered rows -> (n, m) view whose columns are contiguous."""
    return np.ascontiguousarray(rows).T


def load_digits_split(test_size: float = 0.25, seed: int = 0) -> DataSplit:
    """The 1,797 scikit-learn digits as X (64, m) in [0, 1] and labels 0..9, split reproducibly.

    ``test_size`` is the fraction held out for testing (stratified by class); the same
    ``seed`` always gives the same split.
    """
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    if not (isinstance(test_size, float | int) and 0 < test_size < 1):
        raise ValueError(f"test_size is {test_size!r} but must be a fraction between 0 and 1")
    digits = load_digits()
    images = digits.data / 16.0  # pixel intensities 0..16 -> [0, 1]
    labels = digits.target.astype(np.int64)
    train_rows, test_rows, y_train, y_test = train_test_split(
        images, labels, test_size=test_size, random_state=seed, stratify=labels
    )
    return DataSplit(_columns(train_rows), y_train, _columns(test_rows), y_test)


#: largest IDX data section read (1 GiB; MNIST's training images are 47 MB): a header that
#: announces more is refused before anything is read or decompressed
MAX_IDX_BYTES = 1 << 30


def _read_exactly(handle, count: int, source: Path, what: str) -> bytes:
    """``count`` bytes from ``handle``, or a ValueError if the file ends before."""
    data = handle.read(count)
    if len(data) != count:
        raise ValueError(
            f"{source} is truncated inside its {what}: it ends after {len(data)} of its "
            f"{count} bytes"
        )
    return data


def read_idx(path: str | Path) -> np.ndarray:
    """Read one IDX file (optionally ``.gz``) into an array of its stored shape and type.

    Bounded memory: the header is read first; its dimensions are multiplied as Python
    integers (no wrap-around), and a data section larger than MAX_IDX_BYTES is refused before
    it is read. Exactly the announced number of bytes is then read (decompressed), plus one
    to detect a longer file, so a decompression bomb is never inflated beyond that.
    """
    source = Path(path)
    if not source.is_file():
        raise ValueError(f"{source} is not a regular file")
    try:
        with source.open("rb") as raw_handle:
            handle = gzip.GzipFile(fileobj=raw_handle) if source.suffix == ".gz" else raw_handle
            with handle:
                return _read_idx_stream(handle, source)
    except (gzip.BadGzipFile, EOFError, zlib.error) as error:
        raise ValueError(f"{source} is not a readable gzip file: {error}") from error


def _read_idx_stream(handle, source: Path) -> np.ndarray:
    magic = handle.read(4)
    if len(magic) < 4:
        raise ValueError(f"{source} is truncated: {len(magic)} bytes, too short for an IDX header")
    zero_a, zero_b, type_code, ndim = magic
    if zero_a != 0 or zero_b != 0 or type_code not in IDX_TYPES or ndim == 0:
        raise ValueError(
            f"{source} is not an IDX file: its magic number is 0x{magic.hex()}, expected "
            "0x0000 followed by a type code (0x08 for unsigned bytes) and a dimension count"
        )
    dimensions = _read_exactly(handle, 4 * ndim, source, "header")
    shape = tuple(int.from_bytes(dimensions[4 * k : 4 * k + 4], "big") for k in range(ndim))
    dtype = IDX_TYPES[type_code]
    expected = math.prod(shape) * dtype.itemsize  # Python integers: no overflow
    if expected > MAX_IDX_BYTES:
        raise ValueError(
            f"{source} announces shape {shape}, {expected:,} bytes of data, more than the "
            f"{MAX_IDX_BYTES:,} this reader accepts: refused without reading it"
        )
    data = handle.read(expected + 1)
    if len(data) != expected:
        problem = "truncated" if len(data) < expected else "longer than its header says"
        raise ValueError(
            f"{source} is {problem}: the header announces shape {shape} ({expected:,} bytes "
            f"of data) but the file holds {'more' if len(data) > expected else len(data)}"
            f"{'' if len(data) > expected else ' bytes'}"
        )
    return np.frombuffer(data, dtype=dtype).reshape(shape).astype(dtype.newbyteorder("="))


def _find(directory: Path, stem: str) -> Path:
    candidates = [stem, stem + ".gz"]
    dotted = stem.replace("-idx", ".idx")  # some mirrors name them train-images.idx3-ubyte
    candidates += [dotted, dotted + ".gz"]
    for name in candidates:
        path = directory / name
        if path.is_file():
            return path
    raise FileNotFoundError(
        f"{directory} has no {stem} (also looked for {', '.join(candidates[1:])}); "
        "the MNIST directory must hold train-images-idx3-ubyte, train-labels-idx1-ubyte, "
        "t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte, optionally gzip-compressed"
    )


def _images_and_labels(directory: Path, images_stem: str, labels_stem: str, dtype: np.dtype):
    images_path, labels_path = _find(directory, images_stem), _find(directory, labels_stem)
    images, labels = read_idx(images_path), read_idx(labels_path)
    if images.ndim != 3 or images.dtype != np.uint8:
        raise ValueError(
            f"{images_path} holds a {images.dtype} array of shape {images.shape}, but MNIST "
            "images must be unsigned bytes of shape (count, rows, columns)"
        )
    if labels.ndim != 1 or labels.dtype != np.uint8:
        raise ValueError(
            f"{labels_path} holds a {labels.dtype} array of shape {labels.shape}, but MNIST "
            "labels must be unsigned bytes of shape (count,)"
        )
    if labels.shape[0] != images.shape[0]:
        raise ValueError(
            f"{images_path} has {images.shape[0]} images but {labels_path} has "
            f"{labels.shape[0]} labels"
        )
    if images.shape[0] == 0:
        raise ValueError(f"{images_path} holds 0 images: there is nothing to train or test on")
    if images.shape[1] * images.shape[2] == 0:
        raise ValueError(
            f"{images_path} holds images of {images.shape[1]} x {images.shape[2]} pixels: "
            "MNIST images have pixels (28 x 28)"
        )
    if labels.size and labels.max() > 9:
        raise ValueError(f"{labels_path} contains label {labels.max()}, but digits are 0..9")
    rows = images.reshape(images.shape[0], -1).astype(dtype)
    rows /= 255.0
    return _columns(rows), labels.astype(np.int64)


def load_mnist(directory: str | Path, dtype: type = np.float64) -> DataSplit:
    """MNIST from the four IDX files in ``directory``: X (784, m) in [0, 1], labels 0..9."""
    folder = Path(directory)
    if not folder.is_dir():
        raise FileNotFoundError(f"MNIST directory {folder} does not exist")
    X_train, y_train = _images_and_labels(
        folder, MNIST_FILES["train_images"], MNIST_FILES["train_labels"], np.dtype(dtype)
    )
    X_test, y_test = _images_and_labels(
        folder, MNIST_FILES["test_images"], MNIST_FILES["test_labels"], np.dtype(dtype)
    )
    if X_test.shape[0] != X_train.shape[0]:
        raise ValueError(
            f"training images have {X_train.shape[0]} pixels but test images have {X_test.shape[0]}"
        )
    return DataSplit(X_train, y_train, X_test, y_test)
