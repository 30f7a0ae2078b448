"""The stroke dataset: shards round-trip, runs are deterministic and resume after an interruption."""

import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from training import data
from training.render import render


def test_shards_round_trip(tmp_path):
    paths = data.make_dataset(tmp_path, 25, seed=4, workers=1, shard_size=10, progress=False)
    assert [p.name for p in paths] == ["shard-00000.npz", "shard-00001.npz", "shard-00002.npz"]
    actions, alpha = data.load_dataset(tmp_path)
    assert actions.shape == (25, 12) and actions.dtype == np.float32
    assert alpha.shape == (25, 64, 64) and alpha.dtype == np.uint8
    assert 0 <= actions.min() and actions.max() <= 1
    # What is stored is what MyPaint paints for the stored action.
    np.testing.assert_array_equal(alpha[13], np.rint(render(actions[13]) * 255).astype(np.uint8))


def test_same_seed_same_data_whatever_the_workers(tmp_path):
    data.make_dataset(tmp_path / "one", 30, seed=7, workers=1, shard_size=12, progress=False)
    data.make_dataset(tmp_path / "two", 30, seed=7, workers=2, shard_size=12, progress=False)
    data.make_dataset(tmp_path / "other", 30, seed=8, workers=1, shard_size=12, progress=False)
    one, two, other = (data.load_dataset(tmp_path / d) for d in ("one", "two", "other"))
    np.testing.assert_array_equal(one[0], two[0])
    np.testing.assert_array_equal(one[1], two[1])
    assert not np.array_equal(one[0], other[0])


def test_interrupted_run_leaves_no_partial_shard_and_resumes(tmp_path, monkeypatch):
    reference = tmp_path / "reference"
    data.make_dataset(reference, 30, seed=2, workers=1, shard_size=10, progress=False)

    out = tmp_path / "interrupted"
    real_save = data.save_shard
    saved = []

    def save_then_interrupt(path, actions, alpha):
        if len(saved) == 1:
            # Interrupted while the second shard is being written.
            with open(path.with_name(f".{path.name}.tmp"), "wb") as f:
                f.write(b"half a shard")
            raise KeyboardInterrupt
        real_save(path, actions, alpha)
        saved.append(path)

    monkeypatch.setattr(data, "save_shard", save_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        data.make_dataset(out, 30, seed=2, workers=1, shard_size=10, progress=False)
    assert sorted(p.name for p in out.glob("*.npz")) == ["shard-00000.npz"]
    first_written = (out / "shard-00000.npz").stat().st_mtime_ns

    monkeypatch.setattr(data, "save_shard", real_save)
    data.make_dataset(out, 30, seed=2, workers=1, shard_size=10, progress=False)
    assert (out / "shard-00000.npz").stat().st_mtime_ns == first_written  # kept, not redone
    for got, want in zip(data.load_dataset(out), data.load_dataset(reference)):
        np.testing.assert_array_equal(got, want)


def test_a_corrupt_shard_is_rendered_again(tmp_path):
    data.make_dataset(tmp_path, 20, seed=1, workers=1, shard_size=10, progress=False)
    good = data.load_dataset(tmp_path)
    (tmp_path / "shard-00001.npz").write_bytes(b"truncated")
    data.make_dataset(tmp_path, 20, seed=1, workers=1, shard_size=10, progress=False)
    np.testing.assert_array_equal(data.load_dataset(tmp_path)[1], good[1])


def test_other_settings_in_the_same_folder_are_refused(tmp_path):
    data.make_dataset(tmp_path, 5, seed=1, workers=1, progress=False)
    with pytest.raises(data.DataError, match="other settings"):
        data.make_dataset(tmp_path, 5, seed=2, workers=1, progress=False)


def test_streams_store_the_mean_coverage_and_are_part_of_the_settings(tmp_path):
    data.make_dataset(tmp_path / "plain", 6, seed=3, workers=1, progress=False)
    data.make_dataset(tmp_path / "mean", 6, seed=3, workers=1, progress=False, streams=4)
    (actions, plain), (same_actions, mean) = data.load_dataset(tmp_path / "plain"), data.load_dataset(tmp_path / "mean")
    np.testing.assert_array_equal(actions, same_actions)
    np.testing.assert_array_equal(mean[2], np.rint(render(actions[2], streams=4) * 255).astype(np.uint8))
    assert not np.array_equal(mean, plain)
    with pytest.raises(data.DataError, match="other settings"):
        data.make_dataset(tmp_path / "mean", 6, seed=3, workers=1, progress=False)
    with pytest.raises(data.DataError, match="--streams"):
        data.make_dataset(tmp_path / "none", 6, streams=0, progress=False)


def test_sampling_keeps_the_uniform_baseline_and_adds_painterly_strokes():
    actions = data.sample_actions(np.random.default_rng(0), 4000)
    assert actions.dtype == np.float32 and 0 <= actions.min() and actions.max() <= 1
    pressure = actions[:, [0, 11]].min(axis=1)
    assert 0.4 < (pressure >= 0.4).mean() < 0.8  # half firm by construction, plus uniform ones
    assert (pressure < 0.1).mean() > 0.02  # faint strokes still appear, from the uniform half


def test_public_layout_gives_back_the_coverage():
    rng = np.random.default_rng(0)
    actions = data.sample_actions(rng, 6)
    actions[5, 6:9] = 0.98  # near white: no coverage can be read from it
    alpha = np.stack([render(a) for a in actions])
    colour = actions[:, None, None, 6:9]
    rgb = np.rint((alpha[..., None] * colour + (1 - alpha[..., None])) * 255).astype(np.uint8)
    kept_actions, kept_alpha = data.alpha_from_public(actions, rgb)
    assert len(kept_actions) == 5
    error = np.abs(kept_alpha.astype(int) - np.rint(alpha[:5] * 255).astype(int))
    assert error.mean() < 1.5


def test_cli_writes_shards_and_a_contact_sheet(tmp_path):
    out, sheet = tmp_path / "strokes", tmp_path / "sheet.png"
    result = subprocess.run([sys.executable, "-m", "training", "data", "--strokes", "60", "--out", str(out),
                             "--workers", "2", "--preview", str(sheet)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert len(data.load_dataset(out)[0]) == 60
    image = Image.open(sheet)
    assert image.size[0] > 500 and np.asarray(image).std() > 10  # strokes on paper, not a blank page


def test_cli_bad_input_is_one_sentence(tmp_path):
    result = subprocess.run([sys.executable, "-m", "training", "data", "--strokes", "0", "--out", str(tmp_path)],
                            capture_output=True, text=True)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "--strokes must be at least 1" in result.stderr


def test_cli_without_libmypaint_names_the_packages(tmp_path, monkeypatch, capsys):
    from painter import mypaint
    from training.__main__ import main

    monkeypatch.setattr(mypaint, "LIBRARY", "libmypaint-missing.so")
    mypaint.library.cache_clear()
    monkeypatch.setattr(mypaint, "_cells", {})
    try:
        code = main(["data", "--strokes", "5", "--out", str(tmp_path), "--workers", "1"])
    finally:
        mypaint.library.cache_clear()
    err = capsys.readouterr().err
    assert code == 2 and "apt-get install libmypaint-1.5-1 mypaint-brushes" in err and "Traceback" not in err
