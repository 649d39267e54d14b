"""Data loading: the fixed digits split and the MNIST IDX reader (on small files made here)."""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from impl.data import DataSplit, load_digits_split, load_mnist, read_idx


def idx_bytes(array: np.ndarray, type_code: int = 0x08) -> bytes:
    """IDX encoding: 0x0000, type code, ndim, big-endian uint32 dimensions, big-endian data."""
    header = bytes([0, 0, type_code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


def write_mnist(
    directory: Path, n_train: int = 12, n_test: int = 5, compress: bool = False, size: int = 28
) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    train_images = rng.integers(0, 256, (n_train, size, size), dtype=np.uint8)
    test_images = rng.integers(0, 256, (n_test, size, size), dtype=np.uint8)
    files = {
        "train-images-idx3-ubyte": train_images,
        "train-labels-idx1-ubyte": rng.integers(0, 10, n_train, dtype=np.uint8),
        "t10k-images-idx3-ubyte": test_images,
        "t10k-labels-idx1-ubyte": rng.integers(0, 10, n_test, dtype=np.uint8),
    }
    for name, array in files.items():
        if compress:
            with gzip.open(directory / (name + ".gz"), "wb") as handle:
                handle.write(idx_bytes(array))
        else:
            (directory / name).write_bytes(idx_bytes(array))
    return train_images, files["train-labels-idx1-ubyte"]


# ---------------------------------------------------------------- digits
def test_digits_split_has_column_examples_in_unit_range_and_integer_labels() -> None:
    split = load_digits_split()
    assert isinstance(split, DataSplit)
    assert split.X_train.shape[0] == split.X_test.shape[0] == 64
    assert split.X_train.shape[1] + split.X_test.shape[1] == 1797
    assert split.X_test.shape[1] == 450  # 25 % held out by default
    assert split.y_train.dtype.kind == "i" and split.y_train.shape == (split.X_train.shape[1],)
    assert split.X_train.min() >= 0.0 and split.X_train.max() == 1.0
    assert split.X_train.flags.f_contiguous  # each example (column) contiguous in memory
    assert set(np.unique(split.y_test)) == set(range(10))  # stratified: every class is tested


def test_digits_split_is_fixed_for_a_seed_and_changes_with_it() -> None:
    first, again, other = (
        load_digits_split(seed=0),
        load_digits_split(seed=0),
        load_digits_split(seed=1),
    )
    assert_array_equal(first.X_train, again.X_train)
    assert_array_equal(first.y_test, again.y_test)
    assert not np.array_equal(first.y_test, other.y_test)


@pytest.mark.parametrize("test_size", [0, 1, 1.5, -0.2, "half"])
def test_digits_split_rejects_a_bad_test_fraction(test_size: object) -> None:
    with pytest.raises(ValueError, match=r"test_size is .* but must be a fraction between 0 and 1"):
        load_digits_split(test_size=test_size)  # type: ignore[arg-type]


# ---------------------------------------------------------------- MNIST IDX
@pytest.mark.parametrize("compress", [False, True])
def test_mnist_reader_returns_scaled_column_images_and_labels(
    tmp_path: Path, compress: bool
) -> None:
    images, labels = write_mnist(tmp_path, compress=compress)
    split = load_mnist(tmp_path)
    assert split.X_train.shape == (784, 12) and split.X_test.shape == (784, 5)
    assert_array_equal(split.X_train[:, 3], images[3].ravel() / 255.0)  # row-major pixels
    assert_array_equal(split.y_train, labels)
    assert split.y_train.dtype == np.int64
    assert split.X_train.flags.f_contiguous


def test_mnist_reader_accepts_the_dotted_file_names_of_some_mirrors(tmp_path: Path) -> None:
    write_mnist(tmp_path)
    for path in list(tmp_path.iterdir()):
        path.rename(tmp_path / path.name.replace("-idx", ".idx"))
    assert load_mnist(tmp_path).X_test.shape == (784, 5)


def test_read_idx_reads_other_element_types(tmp_path: Path) -> None:
    values = np.array([[1.5, -2.0], [3.25, 0.0]], dtype=np.float32)
    path = tmp_path / "floats.idx"
    path.write_bytes(idx_bytes(values, type_code=0x0D))
    read = read_idx(path)
    assert read.dtype == np.float32
    assert_array_equal(read, values)


def test_truncated_image_file_is_refused_with_sizes(tmp_path: Path) -> None:
    write_mnist(tmp_path)
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(path.read_bytes()[:-100])
    message = r"train-images-idx3-ubyte is truncated: the header announces shape \(12, 28, 28\)"
    with pytest.raises(ValueError, match=message):
        load_mnist(tmp_path)


def test_truncated_gzip_file_is_refused(tmp_path: Path) -> None:
    write_mnist(tmp_path, compress=True)
    path = tmp_path / "t10k-labels-idx1-ubyte.gz"
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(ValueError, match=r"t10k-labels-idx1-ubyte\.gz is not a readable gzip file"):
        load_mnist(tmp_path)


def test_file_with_trailing_bytes_is_refused(tmp_path: Path) -> None:
    write_mnist(tmp_path)
    path = tmp_path / "t10k-labels-idx1-ubyte"
    path.write_bytes(path.read_bytes() + b"\x00")
    with pytest.raises(ValueError, match=r"is longer than its header says"):
        load_mnist(tmp_path)


@pytest.mark.parametrize(
    "magic", [b"\x1f\x8b\x08\x00", b"\x00\x01\x08\x03", b"\x00\x00\x07\x03", b"PK\x03\x04"]
)
def test_wrong_magic_number_is_refused(tmp_path: Path, magic: bytes) -> None:
    write_mnist(tmp_path)
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(magic + path.read_bytes()[4:])
    with pytest.raises(ValueError, match=r"is not an IDX file: its magic number is 0x"):
        load_mnist(tmp_path)


def test_file_shorter_than_a_header_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "tiny"
    path.write_bytes(b"\x00\x00")
    with pytest.raises(
        ValueError, match=r"tiny is truncated: 2 bytes, too short for an IDX header"
    ):
        read_idx(path)
    path.write_bytes(b"\x00\x00\x08\x03\x00\x00")
    with pytest.raises(ValueError, match=r"truncated inside its header"):
        read_idx(path)


def test_labels_file_given_as_images_is_refused(tmp_path: Path) -> None:
    write_mnist(tmp_path)
    labels = (tmp_path / "train-labels-idx1-ubyte").read_bytes()
    (tmp_path / "train-images-idx3-ubyte").write_bytes(labels)
    with pytest.raises(
        ValueError, match=r"MNIST images must be unsigned bytes of shape \(count, rows, columns\)"
    ):
        load_mnist(tmp_path)


def test_image_and_label_counts_must_agree(tmp_path: Path) -> None:
    write_mnist(tmp_path)
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(idx_bytes(np.zeros(11, dtype=np.uint8)))
    with pytest.raises(
        ValueError, match=r"has 12 images but .*train-labels-idx1-ubyte has 11 labels"
    ):
        load_mnist(tmp_path)


def test_labels_above_nine_are_refused(tmp_path: Path) -> None:
    write_mnist(tmp_path)
    (tmp_path / "t10k-labels-idx1-ubyte").write_bytes(
        idx_bytes(np.array([1, 2, 12, 3, 4], dtype=np.uint8))
    )
    with pytest.raises(ValueError, match=r"contains label 12, but digits are 0\.\.9"):
        load_mnist(tmp_path)


def test_missing_files_and_directories_are_named(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"MNIST directory .* does not exist"):
        load_mnist(tmp_path / "nowhere")
    write_mnist(tmp_path)
    (tmp_path / "t10k-images-idx3-ubyte").unlink()
    with pytest.raises(FileNotFoundError, match=r"has no t10k-images-idx3-ubyte"):
        load_mnist(tmp_path)
