"""The compiled kernels' disk cache: only in the user's cache folder, and optional.

impl.kernels keeps numba's compiled kernels in ``cache_folder()`` (from
VERIFIED_BACKPROP_CACHE_DIR, XDG_CACHE_HOME or ~/.cache, read at import). The claims tested
here, each in a fresh interpreter with its own environment and working folder: the cache is
written there and nowhere else (not into the package, not into the working folder); a
second process finds the kernels there and compiles nothing; a folder that cannot be
created, a folder that cannot be written and files that are not numba's all fall back to
compiling in memory, with the same training. Nothing here is timed.
"""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

import pytest

from impl import kernels

pytestmark = pytest.mark.skipif(not kernels.AVAILABLE, reason="numba is not installed")
ROOT = pathlib.Path(__file__).resolve().parents[1]

FIT = """
import numpy as np
from impl import Network, kernels
rng = np.random.default_rng(0)
X, y = rng.random((6, 40)), rng.integers(0, 3, 40)
net = Network([6, 5, 3], seed=0)
rows, targets = np.ascontiguousarray(X.T), np.eye(3)[y]
arguments = net.steps_arguments(
    rows, targets, np.empty(0, np.intp), 8, 0.5, np.empty((8, 6)), np.empty((8, 3))
)
print("ready before" if kernels.is_ready(arguments) else "cold before")
with kernels.using("numba"):
    net.fit(X, y, epochs=2, batch_size=8, learning_rate=0.5, progress=False)
stats = kernels.train_steps.stats
print("hits", sum(stats.cache_hits.values()), "misses", sum(stats.cache_misses.values()))
print("folder", kernels.CACHE_FOLDER)
print("cache", type(kernels.train_steps._cache).__name__)
print("W", repr(net.weights[0].tobytes().hex()[:64]))
"""


def _run(code: str, tmp_path: pathlib.Path, cache: str | None) -> dict[str, str]:
    """Run ``code`` in a fresh interpreter, working folder and home inside ``tmp_path``."""
    work, home = tmp_path / "work", tmp_path / "home"
    work.mkdir(exist_ok=True)
    home.mkdir(exist_ok=True)
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in (kernels.CACHE_ENV, "XDG_CACHE_HOME", "NUMBA_CACHE_DIR")
    }
    environment |= {"PYTHONPATH": str(ROOT), "HOME": str(home)}
    if cache is not None:
        environment[kernels.CACHE_ENV] = cache
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=work,
        env=environment,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = [line.split(" ", 1) for line in result.stdout.splitlines()]
    return {line[0]: line[1] if len(line) > 1 else "" for line in lines}


def _files(folder: pathlib.Path) -> set[pathlib.Path]:
    return {path for path in folder.rglob("*") if path.is_file()}


def _numba_files_in_the_repository() -> set[pathlib.Path]:
    return {*ROOT.rglob("*.nbi"), *ROOT.rglob("*.nbc")}


def test_the_cache_is_written_only_into_its_folder_and_found_by_the_next_process(
    tmp_path,
) -> None:
    before = _numba_files_in_the_repository()
    cache = tmp_path / "cache"
    first = _run(FIT, tmp_path, str(cache))
    assert first["folder"] == str(cache / "numba") and first["cache"] == "_DiskCache"
    assert first.get("cold") == "before"  # a fresh folder: compiled, then written
    written = _files(tmp_path)
    assert written and all(path.is_relative_to(cache / "numba") for path in written), written
    assert any(path.suffix == ".nbi" for path in written)
    assert _numba_files_in_the_repository() == before  # nothing next to the package

    second = _run(FIT, tmp_path, str(cache))
    assert second["ready"] == "before"  # the loop is found in the cache before any call
    hits, misses = second["hits"].split(" misses ")
    assert int(hits) >= 1 and int(misses) == 0  # loaded, not compiled
    assert second["W"] == first["W"]  # the same training
    assert _files(tmp_path) == written


def test_the_default_folder_is_the_users_cache_folder(monkeypatch, tmp_path) -> None:
    monkeypatch.delenv(kernels.CACHE_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert kernels.cache_folder() == tmp_path / "xdg" / "verified-backprop" / "numba"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/folder")  # not absolute: ignored (XDG)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert kernels.cache_folder() == tmp_path / "home" / ".cache" / "verified-backprop" / "numba"
    monkeypatch.setenv(kernels.CACHE_ENV, str(tmp_path / "mine"))
    assert kernels.cache_folder() == tmp_path / "mine" / "numba"
    monkeypatch.setenv(kernels.CACHE_ENV, "")  # set and empty: no disk cache
    assert kernels.cache_folder() is None
    monkeypatch.setenv(kernels.CACHE_ENV, "relative")  # never relative to the working folder
    assert kernels.cache_folder() is None


def test_no_disk_cache_and_an_uncreatable_folder_compile_in_memory(tmp_path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    for cache in ("", str(blocker / "cache")):
        result = _run(FIT, tmp_path, cache)
        assert result["cold"] == "before" and result["cache"] == "NullCache"
        assert int(result["hits"].split(" misses ")[1]) >= 1  # compiled
    assert _files(tmp_path) == {blocker}


def test_an_unwritable_or_foreign_cache_falls_back_to_compiling(tmp_path) -> None:
    cache = tmp_path / "cache"
    reference = _run(FIT, tmp_path, str(cache))
    files = _files(cache)
    # a folder that refuses every write (as a read-only one does; the tests may run as root,
    # whom permissions do not stop): new kernels are compiled and used, nothing is written
    refusing = (
        "from numba.core import caching\n"
        "def refuse(self, path):\n"
        "    raise PermissionError(13, 'Permission denied', path)\n"
        "caching.IndexDataCacheFile._open_for_write = refuse\n"
    )
    float32 = FIT.replace("Network([6, 5, 3], seed=0)", "Network([6, 5, 3], seed=0, dtype='f4')")
    float32 = float32.replace("rng.random((6, 40))", "rng.random((6, 40)).astype('f4')")
    float32 = float32.replace("np.eye(3)[y]", "np.eye(3, dtype='f4')[y]")
    float32 = float32.replace(
        "np.empty((8, 6)), np.empty((8, 3))", "*(np.empty((8, n), 'f4') for n in (6, 3))"
    )
    result = _run(refusing + float32, tmp_path, str(cache))
    assert result["cold"] == "before"
    assert _files(cache) == files
    # files that are not numba's: read as a miss, compiled, and replaced
    for path in files:
        path.write_bytes(b"not a numba cache file")
    result = _run(FIT, tmp_path, str(cache))
    assert int(result["hits"].split(" misses ")[1]) >= 1
    assert result["W"] == reference["W"]


def test_the_suite_compiles_into_a_temporary_folder_not_the_users_cache() -> None:
    # tests/conftest.py points VERIFIED_BACKPROP_CACHE_DIR into the system's temporary folder
    # before impl is imported, so no test compiles kernels into ~/.cache/verified-backprop
    import tempfile

    folder = kernels.CACHE_FOLDER
    assert folder is not None
    assert folder.is_relative_to(pathlib.Path(tempfile.gettempdir()))
    assert not folder.is_relative_to(pathlib.Path.home() / ".cache")
