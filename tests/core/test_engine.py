"""The engine: midpoints, recursion, timing, tiling, streaming memory."""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from vfi_plugin import load_interpolator
from vfi_plugin.engine import InferenceOptions, RetimePlan, Retimer, parse_factor
from vfi_plugin.engine.retime import _StreamState
from vfi_plugin.errors import UserInputError


@pytest.fixture(scope="module")
def interp():
    return load_interpolator(device="cpu")


def moving_square(n: int, h: int = 48, w: int = 64, speed: float = 3.0) -> list[np.ndarray]:
    yy, xx = np.mgrid[0:h, 0:w]
    frames = []
    for i in range(n):
        x0 = 5 + speed * i
        img = np.zeros((h, w, 3), np.uint8)
        img[..., 0] = (xx * 4) % 256
        img[..., 1] = (yy * 5) % 256
        inside = (xx >= x0) & (xx < x0 + 12) & (yy >= 15) & (yy < 30)
        img[inside] = (250, 240, 20)
        frames.append(img)
    return frames


def test_midpoint_any_size(interp):
    rng = np.random.default_rng(1)
    frames = [rng.integers(0, 256, (77, 101, 3), dtype=np.uint8) for _ in range(4)]
    mid = interp.midpoint(*frames)
    assert mid.shape == (77, 101, 3) and mid.dtype == np.uint8


def test_midpoint_rejects_bad_frames(interp):
    f = np.zeros((8, 8, 3), np.uint8)
    with pytest.raises(UserInputError):
        interp.midpoint(f, f, f, np.zeros((8, 9, 3), np.uint8))
    with pytest.raises(UserInputError):
        interp.midpoint(f, f, f, f.astype(np.float32))


def test_still_clip_comes_back_unchanged(interp):
    frame = moving_square(1)[0]
    out = list(Retimer(interp, RetimePlan(Fraction(4))).run([frame] * 5))
    assert len(out) == 17
    assert all(np.array_equal(o, frame) for o in out)


@pytest.mark.parametrize("factor", [2, 3, 4, 8, "2.5"])
@pytest.mark.parametrize("mode", ["slowmo", "smooth"])
def test_output_counts_and_source_frames_kept(interp, factor, mode):
    src = moving_square(6)
    plan = RetimePlan(parse_factor(factor), mode)
    out = list(Retimer(interp, plan).run(iter(src)))
    n = len(src)
    expected = (n - 1) * plan.factor + 1 if mode == "slowmo" else n * plan.factor
    assert len(out) == plan.output_frames(n) == int(np.floor(expected) if mode == "slowmo" else np.ceil(expected))
    for j, frame in enumerate(out):
        t = plan.grid_time(j)
        assert abs(t - plan.wanted_time(j)) <= plan.max_timing_error
        if t.denominator == 1 and t <= n - 1:
            assert np.array_equal(frame, src[int(t)])


def test_power_of_two_equals_repeated_doubling(interp):
    src = moving_square(5)

    def double(seq):
        out = []
        for i in range(len(seq)):
            out.append(seq[i])
            if i < len(seq) - 1:
                out.append(interp.midpoint(seq[max(0, i - 1)], seq[i], seq[i + 1],
                                           seq[min(len(seq) - 1, i + 2)]))
        return out

    expected = double(double(double(src)))
    got = list(Retimer(interp, RetimePlan(Fraction(8))).run(iter(src)))
    assert len(got) == len(expected)
    # The Retimer batches windows, single calls do not: convolutions over different batch
    # sizes may round differently (measured: 1 code value on 0.01 % of one frame's pixels in
    # fp32). A wrong window or order would differ everywhere the square moves.
    for a, b in zip(got, expected):
        diff = np.abs(a.astype(np.int16) - b)
        assert diff.max() <= 1 and (diff > 0).mean() < 1e-3


def test_streaming_memory_is_flat(interp, monkeypatch):
    peak = {"held": 0}
    original = _StreamState.evict_before

    def spy(self, t):
        original(self, t)
        peak["held"] = max(peak["held"], len(self.frames) + len(self.nodes))

    monkeypatch.setattr(_StreamState, "evict_before", spy)
    frames = (moving_square(2, 16, 16)[i % 2] for i in range(120))
    out = sum(1 for _ in Retimer(interp, RetimePlan(Fraction(4))).run(frames))
    assert out == 119 * 4 + 1
    assert 0 < peak["held"] < 40, peak


def test_tiles_blend_without_seams(interp):
    src = moving_square(4, 96, 128)
    whole = interp.midpoint(*src)
    tiled = load_interpolator(device="cpu", options=InferenceOptions(
        tile_pixels=64 * 64, tile_size=64, tile_overlap=16)).midpoint(*src)
    diff = np.abs(whole.astype(int) - tiled.astype(int))
    # tiles see less context than the whole frame, so a few pixels near moving edges may differ;
    # a seam would show as a band of large differences
    assert diff.mean() < 1.0 and np.percentile(diff, 99.5) < 30


def test_bad_factors():
    for bad in ["0", "1", "-2", "abc", "100"]:
        with pytest.raises(UserInputError):
            parse_factor(bad)


def test_near_still_footage_is_not_damaged(interp):
    """Sensor noise on a still shot: the model must not add its own artefacts (the residual
    nets once cost still scenes ~5 dB); it may not be worse than blending by more than 0.5 dB."""
    from pathlib import Path

    from vfi_plugin.media import read_frames

    clip = Path(__file__).resolve().parents[1] / "data" / "bikes_pan_192x128.mkv"
    clean = next(iter(read_frames(clip))).astype(np.int16)
    rng = np.random.default_rng(0)
    noisy = [np.clip(clean + rng.integers(-2, 3, clean.shape), 0, 255).astype(np.uint8)
             for _ in range(4)]

    def psnr(img):
        return 10 * np.log10(255 ** 2 / np.mean((img.astype(float) - clean) ** 2))

    model = psnr(interp.midpoint(*noisy))
    blend = psnr((noisy[1].astype(float) + noisy[2]) / 2)
    assert model > 45.0 and model > blend - 0.5, (model, blend)


def test_one_interpolator_shared_by_two_threads_runs_one_pass_at_a_time():
    """A panel's preview and render may share one Interpolator: passes never overlap and
    the call counter counts every window."""
    import threading
    import time

    import numpy as np

    from vfi_plugin import load_interpolator

    interp = load_interpolator(device="cpu")
    real, active, overlaps = interp._forward, [0], []

    def forward(x):
        active[0] += 1
        overlaps.append(active[0])
        time.sleep(0.01)
        try:
            return real(x)
        finally:
            active[0] -= 1

    interp._forward = forward
    rng = np.random.default_rng(0)
    wins = [tuple(rng.integers(0, 256, (32, 32, 3), np.uint8) for _ in range(4)) for _ in range(6)]
    results = {}

    def work(name):
        results[name] = [interp.midpoint(*w) for w in wins]

    threads = [threading.Thread(target=work, args=(n,)) for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert max(overlaps) == 1
    assert interp.net_calls == 12
    assert all(np.array_equal(x, y) for x, y in zip(results["a"], results["b"]))
