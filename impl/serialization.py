"""Save and load networks as ``.npz`` archives of plain arrays; pickle is never used.

Layout of the archive (every entry a plain NumPy array, readable with ``allow_pickle=False``):

    format             0-d str   "verified-backprop-network"
    format_version     0-d int   1
    sizes              int64 (L+1,)
    hidden_activation  0-d str   e.g. "sigmoid"
    output             0-d str   e.g. "softmax"
    init               0-d str   e.g. "normal"
    dtype              0-d str   "float64" or "float32"
    W1 .. WL, b1 .. bL           the parameters, in the network's dtype

Values are stored bit for bit, so a round trip is exact. Anything else (not a zip archive, a
missing or extra entry, wrong shapes or dtypes, non-finite parameters, a format marker from
another program) raises ``ValueError`` saying what is wrong. Loading checks every stored array
against ``sizes`` before building the network, so a header that claims huge layers is refused
without allocating them. Saving refuses what loading would refuse (wrong shapes or dtypes,
non-finite parameters, e.g. after training diverged) and a path that is a directory.
"""

from __future__ import annotations

import itertools
import math
import os
import stat
import zipfile
from collections.abc import Callable, Sequence
from os import PathLike
from pathlib import Path
from typing import Any, BinaryIO, Protocol, TypeVar

import numpy as np

from impl.atomic import write_atomically
from impl.validation import check_seed


class StoredNetwork(Protocol):
    """What is saved and loaded of a network (:class:`impl.network.Network` has it all);
    this module never imports :mod:`impl.network`."""

    sizes: tuple[int, ...]
    hidden_activation: str
    output: str
    init: str
    dtype: np.dtype
    weights: list[np.ndarray]
    biases: list[np.ndarray]


N = TypeVar("N", bound=StoredNetwork)

FORMAT_NAME = "verified-backprop-network"
FORMAT_VERSION = 1
CONFIG_KEYS = (
    "format",
    "format_version",
    "sizes",
    "hidden_activation",
    "output",
    "init",
    "dtype",
)


def _expected_shapes(sizes: Sequence[int]) -> dict[str, tuple[int, int]]:
    """{"W1": (n_1, n_0), "b1": (n_1, 1), ...}: the parameter shapes that ``sizes`` implies."""
    shapes: dict[str, tuple[int, int]] = {}
    for layer, (n_in, n_out) in enumerate(itertools.pairwise(sizes), start=1):
        shapes[f"W{layer}"] = (n_out, n_in)
        shapes[f"b{layer}"] = (n_out, 1)
    return shapes


def _check_parameter(
    name: str, value: np.ndarray, shape: tuple[int, int], dtype: np.dtype, sizes: Sequence[int]
) -> None:
    """ValueError unless ``value`` has this shape and dtype and holds only finite numbers."""
    if value.shape != shape or value.dtype != dtype:
        raise ValueError(
            f"{name} has shape {value.shape} and dtype {value.dtype}, expected shape "
            f"{shape} and dtype {dtype} for sizes {list(sizes)}"
        )
    if not np.isfinite(value).all():
        raise ValueError(f"{name} contains non-finite values (inf or nan)")


def save_network(network: StoredNetwork, path: str | PathLike[str]) -> Path:
    """Write ``network`` to ``path`` (``.npz`` is appended if missing); returns the path written.

    Raises ValueError when ``path`` is a directory or when a parameter array has the wrong
    shape or dtype for ``network.sizes`` or holds inf/NaN (such a file could not be loaded).
    """
    given = Path(path)
    target = given if given.suffix == ".npz" else given.with_name(given.name + ".npz")
    for candidate in dict.fromkeys((given, target)):
        if candidate.is_dir():
            raise ValueError(
                f"path {str(candidate)!r} is a directory; give a file name such as "
                f"{str(candidate / 'model.npz')!r}"
            )
    shapes = _expected_shapes(network.sizes)
    layers = len(shapes) // 2
    if len(network.weights) != layers or len(network.biases) != layers:
        raise ValueError(
            f"cannot save the network: it has {len(network.weights)} weight and "
            f"{len(network.biases)} bias arrays, but sizes {list(network.sizes)} needs "
            f"{layers} of each"
        )
    arrays: dict[str, np.ndarray] = {
        "format": np.array(FORMAT_NAME),
        "format_version": np.array(FORMAT_VERSION, dtype=np.int64),
        "sizes": np.array(network.sizes, dtype=np.int64),
        "hidden_activation": np.array(network.hidden_activation),
        "output": np.array(network.output),
        "init": np.array(network.init),
        "dtype": np.array(network.dtype.name),
    }
    for layer, (W, b) in enumerate(zip(network.weights, network.biases, strict=True), start=1):
        arrays[f"W{layer}"] = np.asarray(W)
        arrays[f"b{layer}"] = np.asarray(b)
    for name, shape in shapes.items():
        try:
            _check_parameter(name, arrays[name], shape, network.dtype, network.sizes)
        except ValueError as error:
            raise ValueError(f"cannot save the network: {error}") from error
    write_atomically(target, lambda handle: np.savez(handle, allow_pickle=False, **arrays))
    return target


def _text(archive: Any, key: str) -> str:
    value = archive[key]
    if value.shape != () or value.dtype.kind != "U":
        raise ValueError(
            f"entry {key!r} should be a single string, found {value.dtype} {value.shape}"
        )
    return str(value[()])


_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")  # a zip member, or an empty zip archive
_NPY_MAGIC = b"\x93NUMPY"
#: a configuration entry (a short string or the sizes vector) is never larger than this
MAX_CONFIG_ENTRY_BYTES = 1 << 16
#: room for the .npy header (magic, version, header length, padded dict) of one entry
MAX_NPY_HEADER_BYTES = 1 << 16


def open_regular_file(source: Path) -> BinaryIO:
    """Open ``source`` for reading, refusing what is not a regular file (a FIFO, a device).

    Opened with O_NONBLOCK, so a named pipe without a writer cannot block the call, and the
    check is made on the opened descriptor (no window between checking and opening).
    """
    descriptor = os.open(source, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        mode = os.fstat(descriptor).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(f"{str(source)!r} is a directory")
        if not stat.S_ISREG(mode):
            raise ValueError("it is not a regular file (a named pipe, a device or a socket)")
        if hasattr(os, "set_blocking"):
            os.set_blocking(descriptor, True)
        return os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise


class DamagedArchiveError(ValueError):
    """A member of the zip archive cannot be read as a plain NumPy array."""


class EntryMismatchError(ValueError):
    """A parameter entry is a readable array, but not of the shape or dtype ``sizes`` implies."""


def _read_entry(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    key: str,
    shape: tuple[int, ...] | None,
    dtype: np.dtype | None,
) -> np.ndarray:
    """One .npy member, its header checked before its data is read.

    Refused unread: a member whose zip directory size exceeds what ``shape`` and ``dtype``
    need (or MAX_CONFIG_ENTRY_BYTES for a configuration entry, ``shape`` None), object
    arrays (pickle), and a header whose shape or dtype differ from the expected ones.
    ``archive.open`` then yields at most ``info.file_size`` bytes, however much a
    compressed member would inflate to.
    """
    limit = MAX_CONFIG_ENTRY_BYTES
    if shape is not None and dtype is not None:
        limit = MAX_NPY_HEADER_BYTES + math.prod(shape) * dtype.itemsize
    if info.file_size > limit:
        raise ValueError(
            f"entry {key!r} is {info.file_size:,} bytes, more than the {limit:,} it may hold: "
            "refused without reading it"
        )
    with archive.open(info) as member:
        version = np.lib.format.read_magic(member)
        if version == (1, 0):
            declared_shape, _, declared_dtype = np.lib.format.read_array_header_1_0(member)
        elif version in ((2, 0), (3, 0)):
            declared_shape, _, declared_dtype = np.lib.format.read_array_header_2_0(member)
        else:
            raise ValueError(f"entry {key!r} has .npy format version {version}")
        if declared_dtype.hasobject:
            raise ValueError(
                f"entry {key!r} holds pickled Python objects, which are never "
                "loaded (unpickling can run arbitrary code)"
            )
        if shape is not None and (declared_shape != shape or declared_dtype != dtype):
            raise EntryMismatchError(
                f"entry {key!r} declares shape {declared_shape} and dtype {declared_dtype}, "
                f"expected shape {shape} and dtype {dtype}"
            )
        if shape is None and math.prod(declared_shape) * declared_dtype.itemsize > limit:
            raise ValueError(f"entry {key!r} declares shape {declared_shape}: far too large")
        member.seek(0)
        return np.lib.format.read_array(member, allow_pickle=False)


def _open_archive(handle: BinaryIO) -> zipfile.ZipFile:
    start = handle.read(6)
    handle.seek(0)
    if not start:
        raise ValueError("the file is empty")
    if start.startswith(_NPY_MAGIC):
        raise ValueError("it holds a single .npy array, not an .npz archive")
    if not start.startswith(_ZIP_MAGIC):
        raise ValueError(
            "it does not start like an .npz file (a zip archive of NumPy arrays): "
            "it was not written by Network.save, or it is damaged"
        )
    try:
        return zipfile.ZipFile(handle)
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as error:
        raise ValueError(
            f"it looks like a zip archive but is damaged or truncated ({error})"
        ) from error


def _members(archive: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    members = {}
    for info in archive.infolist():
        key = info.filename.removesuffix(".npy")
        if key == info.filename or key in members:
            raise DamagedArchiveError(f"member {info.filename!r} is not a NumPy array entry")
        members[key] = info
    return members


def _read_checked(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    key: str,
    shape: tuple[int, ...] | None = None,
    dtype: np.dtype | None = None,
) -> np.ndarray:
    """:func:`_read_entry` with every failure of a damaged member a DamagedArchiveError."""
    try:
        return _read_entry(archive, info, key, shape, dtype)
    except EntryMismatchError:
        raise
    except (OSError, EOFError, zipfile.BadZipFile, KeyError) as error:
        raise DamagedArchiveError(f"entry {key!r} is damaged ({error})") from error
    except ValueError as error:
        if str(error).startswith("entry "):
            raise DamagedArchiveError(str(error)) from error
        raise DamagedArchiveError(f"entry {key!r} is damaged ({error})") from error


def load_network(path: str | PathLike[str], build: Callable[..., N], seed: int | None = None) -> N:
    """Read a file written by :func:`save_network` into a network made by ``build``.

    ``build(sizes, hidden_activation=, output=, init=, seed=, dtype=)`` checks the stored
    configuration and returns a network with empty ``weights`` and ``biases`` lists, which
    are then filled with the stored arrays (``Network.load`` passes its own).

    Bounded memory whatever the file claims: the configuration entries are read first
    (each at most MAX_CONFIG_ENTRY_BYTES); they give the network's sizes and dtype, which
    must fit in memory (:func:`impl.validation.check_memory`); then each parameter entry is
    read only if its size and .npy header match the shape and dtype the sizes imply.
    Anything that is not a regular file (a named pipe, a device) is refused unopened.
    """
    seed = check_seed(seed)
    source = Path(path)
    where = f"{str(source)!r}"
    try:
        handle = open_regular_file(source)
    except FileNotFoundError:
        raise
    except IsADirectoryError as error:
        raise ValueError(f"{where} is a directory, not a model file (.npz)") from error
    except (OSError, ValueError) as error:
        raise ValueError(f"{where} is not a valid .npz model file: {error}") from error
    with handle:
        try:
            archive = _open_archive(handle)
        except ValueError as error:
            raise ValueError(f"{where} is not a valid .npz model file: {error}") from error
        with archive:
            try:
                return _build(build, archive, seed)
            except DamagedArchiveError as error:
                raise ValueError(f"{where} is not a valid .npz model file: {error}") from error
            except (ValueError, KeyError, TypeError, IndexError) as error:
                raise ValueError(
                    f"{where} is not a valid verified-backprop model file: {error}"
                ) from error


def _build(build: Callable[..., N], archive: zipfile.ZipFile, seed: int | None) -> N:
    members = _members(archive)
    contents = {
        key: _read_checked(archive, members[key], key) for key in CONFIG_KEYS if key in members
    }
    missing = [key for key in CONFIG_KEYS if key not in members]
    if missing:
        raise ValueError(f"missing entries {missing} (is it a file from another program?)")
    if _text(contents, "format") != FORMAT_NAME:
        raise ValueError(f"format marker is {_text(contents, 'format')!r}, not {FORMAT_NAME!r}")
    version = contents["format_version"]
    if version.shape != () or version.dtype.kind not in "iu" or int(version) != FORMAT_VERSION:
        raise ValueError(
            f"unsupported format_version {version!r} (this program reads {FORMAT_VERSION})"
        )
    sizes = contents["sizes"]
    if sizes.ndim != 1 or sizes.dtype.kind not in "iu":
        raise ValueError(
            f"entry 'sizes' should be a 1-D integer array, found {sizes.dtype} {sizes.shape}"
        )
    # configuration only: no parameter arrays are allocated before the stored ones are checked
    network = build(
        [int(n) for n in sizes],
        hidden_activation=_text(contents, "hidden_activation"),
        output=_text(contents, "output"),
        init=_text(contents, "init"),
        seed=seed,
        dtype=_text(contents, "dtype"),
    )
    shapes = _expected_shapes(network.sizes)
    unexpected = sorted(set(members) - set(CONFIG_KEYS) - set(shapes))
    if unexpected:
        raise ValueError(f"unexpected entries {unexpected}")
    for name, shape in shapes.items():
        if name not in members:
            raise ValueError(f"missing parameter array {name!r}")
        contents[name] = _read_checked(archive, members[name], name, shape, network.dtype)
        _check_parameter(name, contents[name], shape, network.dtype, network.sizes)
    for layer in range(1, len(network.sizes)):
        network.weights.append(np.array(contents[f"W{layer}"], order="C"))
        network.biases.append(np.array(contents[f"b{layer}"], order="C"))
    return network
