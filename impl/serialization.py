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
another program) raises ``ValueError`` saying what is wrong.
"""

from __future__ import annotations

import zipfile
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

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


def save_network(network: Network, path: str | PathLike[str]) -> Path:
    """Write ``network`` to ``path`` (``.npz`` is appended if missing); returns the path written."""
    target = Path(path)
    if target.suffix != ".npz":
        target = target.with_name(target.name + ".npz")
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


def load_network(cls: type[Network], path: str | PathLike[str], seed: int | None = None) -> Network:
    """Read a file written by :func:`save_network` into a new ``cls`` instance."""
    source = Path(path)
    where = f"{str(source)!r}"
    try:
        with source.open("rb") as handle:  # our handle: closed even when np.load fails
            loaded = np.load(handle, allow_pickle=False)
            if not isinstance(loaded, np.lib.npyio.NpzFile):
                raise ValueError("it holds a single .npy array, not an .npz archive")
            with loaded as archive:
                contents = {key: archive[key] for key in archive.files}
    except FileNotFoundError:
        raise
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, KeyError) as error:
        raise ValueError(
            f"{where} is not a readable verified-backprop model file (.npz): {error}"
        ) from error
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
    network = cls(
        [int(n) for n in sizes],
        hidden_activation=_text(contents, "hidden_activation"),
        output=_text(contents, "output"),
        init=_text(contents, "init"),
        seed=seed,
        dtype=_text(contents, "dtype"),
    )
    expected = set(CONFIG_KEYS)
    for layer in range(1, network.num_layers + 1):
        expected |= {f"W{layer}", f"b{layer}"}
    unexpected = sorted(set(contents) - expected)
    if unexpected:
        raise ValueError(f"unexpected entries {unexpected}")
    for layer in range(network.num_layers):
        for name, target in ((f"W{layer + 1}", network.weights), (f"b{layer + 1}", network.biases)):
            if name not in contents:
                raise ValueError(f"missing parameter array {name!r}")
            value = contents[name]
            wanted = target[layer].shape
            if value.shape != wanted or value.dtype != network.dtype:
                raise ValueError(
                    f"{name} has shape {value.shape} and dtype {value.dtype}, expected shape "
                    f"{wanted} and dtype {network.dtype} for sizes {list(network.sizes)}"
                )
            if not np.all(np.isfinite(value)):
                raise ValueError(f"{name} contains non-finite values")
            target[layer] = np.array(value, dtype=network.dtype, order="C")
    return network
