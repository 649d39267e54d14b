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
import zipfile
from collections.abc import Sequence
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from impl.validation import check_seed

if TYPE_CHECKING:
    from impl.network import Network

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


def save_network(network: Network, path: str | PathLike[str]) -> Path:
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
    with target.open("wb") as handle:
        np.savez(handle, allow_pickle=False, **arrays)
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


def _read_archive(source: Path) -> dict[str, np.ndarray]:
    """Every entry of the .npz archive at ``source``, or a ValueError saying why not.

    The reasons are worded here: NumPy's own messages would advise loading the file "unsafely"
    with pickle, which a model file never needs.
    """
    with source.open("rb") as handle:  # our handle: closed even when np.load fails
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
            archive = np.load(handle, allow_pickle=False)
        except (OSError, ValueError, EOFError, zipfile.BadZipFile) as error:
            raise ValueError(
                f"it looks like a zip archive but is damaged or truncated ({error})"
            ) from error
        contents = {}
        with archive:
            for key in archive.files:
                try:
                    contents[key] = archive[key]
                except ValueError as error:
                    if "pickle" in str(error) or "Object arrays" in str(error):
                        raise ValueError(
                            f"entry {key!r} holds pickled Python objects, which are never "
                            "loaded (unpickling can run arbitrary code)"
                        ) from error
                    raise ValueError(f"entry {key!r} is damaged ({error})") from error
                except (OSError, EOFError, zipfile.BadZipFile, KeyError) as error:
                    raise ValueError(f"entry {key!r} is damaged ({error})") from error
    return contents


def load_network(cls: type[Network], path: str | PathLike[str], seed: int | None = None) -> Network:
    """Read a file written by :func:`save_network` into a new ``cls`` instance."""
    seed = check_seed(seed)
    source = Path(path)
    where = f"{str(source)!r}"
    try:
        contents = _read_archive(source)
    except FileNotFoundError:
        raise
    except IsADirectoryError as error:
        raise ValueError(f"{where} is a directory, not a model file (.npz)") from error
    except (OSError, ValueError) as error:
        raise ValueError(f"{where} is not a valid .npz model file: {error}") from error
    try:
        return _build(cls, contents, seed)
    except (ValueError, KeyError, TypeError, IndexError) as error:
        raise ValueError(f"{where} is not a valid verified-backprop model file: {error}") from error


def _build(cls: type[Network], contents: dict[str, np.ndarray], seed: int | None) -> Network:
    missing = [key for key in CONFIG_KEYS if key not in contents]
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
    network = cls._without_parameters(
        [int(n) for n in sizes],
        hidden_activation=_text(contents, "hidden_activation"),
        output=_text(contents, "output"),
        init=_text(contents, "init"),
        seed=seed,
        dtype=_text(contents, "dtype"),
    )
    shapes = _expected_shapes(network.sizes)
    unexpected = sorted(set(contents) - set(CONFIG_KEYS) - set(shapes))
    if unexpected:
        raise ValueError(f"unexpected entries {unexpected}")
    for name, shape in shapes.items():
        if name not in contents:
            raise ValueError(f"missing parameter array {name!r}")
        _check_parameter(name, contents[name], shape, network.dtype, network.sizes)
    for layer in range(1, network.num_layers + 1):
        network.weights.append(np.array(contents[f"W{layer}"], order="C"))
        network.biases.append(np.array(contents[f"b{layer}"], order="C"))
    return network
