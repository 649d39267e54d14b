"""Save/load round trips exactly through .npz without pickle; foreign files are refused clearly."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from impl import Network
from impl.serialization import FORMAT_NAME


def saved_network(tmp_path: Path, **options: object) -> tuple[Network, Path]:
    net = Network([6, 5, 4], seed=3, **options)  # type: ignore[arg-type]
    rng = np.random.default_rng(0)
    net.fit(rng.random((6, 30)), rng.integers(0, 4, 30), 2, 7, 0.5, progress=False)
    return net, net.save(tmp_path / "model.npz")


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"hidden_activation": "relu", "output": "sigmoid", "init": "he"},
        {"hidden_activation": "tanh", "output": "sigmoid_quadratic", "dtype": np.float32},
    ],
)
def test_round_trip_reproduces_configuration_and_parameters_bit_for_bit(
    tmp_path: Path, options: dict
) -> None:
    net, path = saved_network(tmp_path, **options)
    loaded = Network.load(path)
    assert type(loaded) is Network
    assert loaded.sizes == net.sizes
    assert (loaded.hidden_activation, loaded.output, loaded.init, loaded.dtype) == (
        net.hidden_activation,
        net.output,
        net.init,
        net.dtype,
    )
    for a, b in zip(net.weights + net.biases, loaded.weights + loaded.biases, strict=True):
        assert a.dtype == b.dtype
        assert_array_equal(a, b)
    X = np.random.default_rng(1).random((6, 9))
    assert_array_equal(net.predict_proba(X), loaded.predict_proba(X))


def test_saved_file_contains_only_plain_arrays_loadable_without_pickle(tmp_path: Path) -> None:
    _, path = saved_network(tmp_path)
    with np.load(path, allow_pickle=False) as archive:
        assert set(archive.files) == {
            "format", "format_version", "sizes", "hidden_activation", "output", "init",
            "dtype", "W1", "b1", "W2", "b2",
        }  # fmt: skip
        assert all(archive[key].dtype != object for key in archive.files)
        assert str(archive["format"]) == FORMAT_NAME


def test_npz_suffix_is_added_when_missing(tmp_path: Path) -> None:
    written = Network([3, 2], seed=0).save(tmp_path / "weights")
    assert written == tmp_path / "weights.npz" and written.is_file()


def test_loaded_network_keeps_training(tmp_path: Path) -> None:
    _, path = saved_network(tmp_path)
    loaded = Network.load(path, seed=5)
    rng = np.random.default_rng(2)
    loaded.gradient_descent(rng.random((6, 4)), rng.integers(0, 4, 4), 0.1)


def test_random_bytes_are_not_a_valid_npz_model_and_no_pickling_is_suggested(
    tmp_path: Path,
) -> None:
    path = tmp_path / "noise.npz"
    path.write_bytes(np.random.default_rng(0).bytes(300))
    with pytest.raises(ValueError, match=r"is not a valid \.npz model file") as error:
        Network.load(path)
    assert "pickle" not in str(error.value)  # NumPy would advise loading it "unsafely"


def test_an_empty_file_is_refused_as_empty(tmp_path: Path) -> None:
    path = tmp_path / "empty.npz"
    path.write_bytes(b"")
    with pytest.raises(ValueError, match=r"is not a valid \.npz model file: the file is empty"):
        Network.load(path)


def test_a_directory_is_refused_as_a_directory(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"is a directory, not a model file"):
        Network.load(tmp_path)


def test_a_truncated_model_file_is_refused(tmp_path: Path) -> None:
    _, path = saved_network(tmp_path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match=r"is not a valid \.npz model file: .*damaged or trunc"):
        Network.load(path)


def test_a_corrupted_member_is_refused_by_name(tmp_path: Path) -> None:
    _, path = saved_network(tmp_path)
    data = bytearray(path.read_bytes())
    position = data.find(b"\x93NUMPY", data.find(b"W1.npy")) + 200  # inside W1's data
    data[position : position + 8] = b"\xff" * 8
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match=r"is not a valid \.npz model file: entry 'W1' is damaged"):
        Network.load(path)


def test_a_foreign_npz_archive_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.npz"
    np.savez(path, images=np.zeros((3, 3)))
    with pytest.raises(ValueError, match=r"missing entries .*is it a file from another program"):
        Network.load(path)


def test_a_single_npy_array_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "array.npy"
    np.save(path, np.arange(4))
    with pytest.raises(ValueError, match=r"holds a single \.npy array, not an \.npz archive"):
        Network.load(path)


def test_pickled_content_is_never_loaded(tmp_path: Path) -> None:
    path = tmp_path / "pickled.npz"
    np.savez(path, format=np.array([{"evil": True}], dtype=object))
    with pytest.raises(ValueError, match=r"entry 'format' holds pickled Python objects") as error:
        Network.load(path)
    assert "allow_pickle=" not in str(error.value)


def test_a_header_claiming_huge_layers_is_refused_before_anything_is_allocated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """sizes [200000, 200000, 10] would need 298 GiB of weights: refused before any entry of
    that size is read, and before anything is initialised."""
    _, path = saved_network(tmp_path)
    rewrite(path, sizes=np.array([200_000, 200_000, 10]))

    def no_initialisation(*args: object, **kwargs: object) -> None:
        raise AssertionError("load initialised random parameters")

    monkeypatch.setattr("impl.network.initialize_parameters", no_initialisation)
    monkeypatch.setattr("impl.validation.total_memory_bytes", lambda: 16 * 2**30)  # any machine
    with pytest.raises(
        ValueError,
        match=r"not a valid verified-backprop model file: sizes \[200000, 200000, 10\] needs "
        r"40,002,200,010 parameters, 298\.0 GiB as float64",
    ):
        Network.load(path)


def test_load_does_not_initialise_parameters_it_then_overwrites(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    net, path = saved_network(tmp_path)

    def no_initialisation(*args: object, **kwargs: object) -> None:
        raise AssertionError("load initialised random parameters")

    monkeypatch.setattr("impl.network.initialize_parameters", no_initialisation)
    loaded = Network.load(path)
    for a, b in zip(net.weights + net.biases, loaded.weights + loaded.biases, strict=True):
        assert_array_equal(a, b)
        assert b.flags.writeable and b.flags.c_contiguous


@pytest.mark.parametrize("seed", [-1, "a", 1.5])
def test_load_rejects_a_bad_seed_by_name_before_reading(tmp_path: Path, seed: object) -> None:
    _, path = saved_network(tmp_path)
    with pytest.raises(ValueError, match=r"^seed is .* but must be None or a non-negative"):
        Network.load(path, seed=seed)  # type: ignore[arg-type]


# ---------------------------------------------------------------- save refuses what load refuses
def test_saving_to_an_existing_directory_is_refused_and_writes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "x"
    target.mkdir()
    with pytest.raises(ValueError, match=r"is a directory; give a file name such as .*model\.npz"):
        Network([3, 2], seed=0).save(target)
    assert [path.name for path in tmp_path.iterdir()] == ["x"]  # no sibling x.npz
    assert not any(target.iterdir())


def test_saving_to_a_name_whose_npz_form_is_a_directory_is_refused(tmp_path: Path) -> None:
    (tmp_path / "x.npz").mkdir()
    with pytest.raises(ValueError, match=r"x\.npz' is a directory"):
        Network([3, 2], seed=0).save(tmp_path / "x")


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_save_refuses_non_finite_parameters_naming_the_array(tmp_path: Path, bad: float) -> None:
    net = Network([3, 4, 2], seed=0)
    net.biases[1][0, 0] = bad
    with pytest.raises(ValueError, match=r"cannot save the network: b2 contains non-finite"):
        net.save(tmp_path / "model.npz")
    assert not any(tmp_path.iterdir())


def test_save_refuses_a_wrong_shape_or_dtype_naming_the_array(tmp_path: Path) -> None:
    net = Network([3, 4, 2], seed=0)
    net.weights[0] = np.zeros((3, 4))  # transposed
    with pytest.raises(
        ValueError, match=r"cannot save the network: W1 has shape \(3, 4\).*expected shape \(4, 3\)"
    ):
        net.save(tmp_path / "model.npz")
    net = Network([3, 4, 2], seed=0)
    net.weights[1] = net.weights[1].astype(np.float32)
    with pytest.raises(ValueError, match=r"W2 has shape \(2, 4\) and dtype float32, expected"):
        net.save(tmp_path / "model.npz")
    net = Network([3, 4, 2], seed=0)
    net.biases.pop()
    with pytest.raises(ValueError, match=r"1 bias arrays, but sizes \[3, 4, 2\] needs 2"):
        net.save(tmp_path / "model.npz")
    assert not any(tmp_path.iterdir())


def rewrite(path: Path, **changes: np.ndarray) -> None:
    with np.load(path, allow_pickle=False) as archive:
        contents = {key: archive[key] for key in archive.files}
    contents.update(changes)
    for key in [key for key, value in changes.items() if value is None]:
        del contents[key]
    np.savez(path, **contents)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"format": np.array("something-else")}, r"format marker is 'something-else'"),
        ({"format_version": np.array(2)}, r"unsupported format_version"),
        ({"W1": np.zeros((4, 6))}, r"entry .W1. declares shape \(4, 6\).*expected shape \(5, 6\)"),
        ({"b2": np.full((4, 1), np.nan)}, r"b2 contains non-finite values"),
        ({"output": np.array("linear")}, r"output is 'linear' but must be one of"),
        ({"sizes": np.array([6, 0, 4])}, r"sizes\[1\] is 0"),
        ({"W2": None}, r"missing parameter array 'W2'"),
        ({"W3": np.zeros((2, 4))}, r"unexpected entries \['W3'\]"),
        (
            {"hidden_activation": np.array(["sigmoid", "tanh"])},
            r"entry .hidden_activation. should be a single string",
        ),
    ],
)
def test_inconsistent_archives_are_refused_with_the_reason(
    tmp_path: Path, changes: dict, message: str
) -> None:
    _, path = saved_network(tmp_path)
    rewrite(path, **changes)
    with pytest.raises(
        ValueError, match=r"is not a valid verified-backprop model file: " + message
    ):
        Network.load(path)


def test_a_missing_file_is_a_file_not_found_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        Network.load(tmp_path / "absent.npz")


def test_archive_is_a_standard_zip(tmp_path: Path) -> None:
    _, path = saved_network(tmp_path)
    assert zipfile.is_zipfile(path)


def test_loaded_network_draws_from_the_seed_given_to_load(tmp_path: Path) -> None:
    """``Network.load(path, seed=s)`` seeds the network's own generator (shuffling in ``fit``)
    with s, as ``Network(..., seed=s)`` does: its draws are those of ``default_rng(s)``."""
    _, path = saved_network(tmp_path)
    loaded = Network.load(path, seed=5)
    assert loaded.rng.random(4).tolist() == np.random.default_rng(5).random(4).tolist()


def test_saving_into_a_missing_folder_names_the_path_and_the_folder(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "model.npz"
    with pytest.raises(FileNotFoundError, match=r"the folder .*missing.* does not exist"):
        Network([3, 2], seed=0).save(target)
    assert not (tmp_path / "missing").exists()  # nothing created, nothing half-written


def test_a_saved_model_gets_the_permissions_of_any_new_file(tmp_path: Path) -> None:
    import os

    mask = os.umask(0o022)
    try:
        target = Network([3, 2], seed=0).save(tmp_path / "model.npz")
    finally:
        os.umask(mask)
    assert target.stat().st_mode & 0o777 == 0o644  # 0666 less the umask, not mkstemp's 0600
