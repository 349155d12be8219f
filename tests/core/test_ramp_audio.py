"""Audio along a speed ramp: stretched with the curve (rubberband, tempo in 20 ms steps), so a
sound at source time s plays when the video shows s; dropped with a notice by default."""
from __future__ import annotations

import subprocess
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from clips import write_clip
from vfi_plugin import load_interpolator, render
from vfi_plugin.engine.ramp import Ramp, parse_ramp
from vfi_plugin.errors import UserInputError
from vfi_plugin.media import has_filter, probe

FPS = Fraction(25)
RATE = 48000
CLICKS = np.arange(0.1, 1.9, 0.2)  # source seconds of each click
KEYS = "0:1,0.4:0.25~,1.2:0.25,1.6:1"

pytestmark = pytest.mark.skipif(not has_filter("rubberband"),
                                reason="this ffmpeg has no rubberband filter")


@pytest.fixture(scope="module")
def interp():
    return load_interpolator(device="cpu")


@pytest.fixture(scope="module")
def clicky(tmp_path_factory) -> Path:
    """2 s of index frames with a 2 ms click every 0.2 s from 0.1 s (PCM, in Matroska)."""
    folder = tmp_path_factory.mktemp("ramp_audio")
    video = write_clip(folder / "v.mkv", 64, 48, FPS, 50, codec="ffv1")
    expr = "+".join(f"between(t,{t:.3f},{t + 0.002:.3f})" for t in CLICKS)
    out = folder / "clicky.mkv"
    subprocess.run(["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
                    "-i", str(video), "-f", "lavfi", "-i",
                    f"aevalsrc='0.9*({expr})':s={RATE}:d=2", "-c:v", "copy",
                    "-c:a", "pcm_s16le", "-shortest", str(out)], check=True)
    return out


def _samples(path: Path) -> np.ndarray:
    raw = subprocess.run(["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error",
                          "-i", str(path), "-map", "0:a:0", "-ac", "1", "-ar", str(RATE),
                          "-f", "s16le", "pipe:"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, dtype=np.int16).astype(np.float64)


def _onsets(samples: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """The first sample above a third of the peak in a window around each expected time."""
    level = samples.max() / 3
    found = []
    for t in expected:
        lo = max(0, int((t - 0.08) * RATE))
        window = samples[lo:int((t + 0.08) * RATE)]
        loud = np.flatnonzero(window > level)
        found.append((lo + loud[0]) / RATE if loud.size else np.nan)
    return np.array(found)


@pytest.mark.parametrize("keys, frames_off", [
    (KEYS, 1.0),                                  # 4x: measured within 6 ms
    ("0:1,0.3:0.5,0.8:0.125~,1.4:0.6,1.8:1", 1.5),  # 8x: measured up to 55 ms at its slowest
])
def test_stretched_audio_follows_the_ramp(tmp_path, clicky, interp, keys, frames_off):
    notices = []
    result = render(clicky, tmp_path / "r.mkv", ramp=keys, audio="stretch", codec="ffv1",
                    interpolator=interp, notice=notices.append)
    ramp = Ramp(parse_ramp(keys, FPS), FPS, 0, 50)
    info = probe(result.output)
    assert result.frames == ramp.frame_count() == info.frame_count
    assert info.audio and info.audio[0].duration == pytest.approx(result.duration_s, abs=0.01)
    expected = np.array([ramp.output_time(t * float(FPS)) / float(FPS) for t in CLICKS])
    late = _onsets(_samples(result.output), expected) - expected
    # each click within ``frames_off`` frames of the frame showing its source time
    print("click lateness ms", np.round(late * 1000, 1))
    assert np.all(np.abs(late) < frames_off / float(FPS)), np.round(late * 1000, 1)
    assert not any("dropped" in n for n in notices)


def test_ramp_audio_auto_drops_with_a_notice_and_copy_is_refused(tmp_path, clicky, interp):
    notices = []
    result = render(clicky, tmp_path / "a.mkv", ramp=KEYS, codec="ffv1", interpolator=interp,
                    notice=notices.append)
    assert not probe(result.output).audio
    assert any("audio is dropped" in n and "--audio stretch" in n for n in notices)
    with pytest.raises(UserInputError, match="'copy' does not fit a ramp"):
        render(clicky, tmp_path / "c.mkv", ramp=KEYS, audio="copy", codec="ffv1",
               interpolator=interp)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.mkv"]


def test_tempo_steps_reach_each_step_when_the_video_does():
    ramp = Ramp(parse_ramp(KEYS, FPS), FPS, 0, 50)
    steps = ramp.tempo_steps(1.96)
    assert steps[0][0] == 0.0 and 0.97 < steps[0][1] < 1  # the mean over 0-20 ms of 1 -> 0.25
    assert min(t for _, t in steps) == pytest.approx(0.25)
    # output seconds summed over the steps equal the curve's
    starts = [s for s, _ in steps] + [1.96]
    total = sum((b - a) / t for (a, t), b in zip(steps, starts[1:]))
    assert total == pytest.approx(ramp.output_time(1.96 * 25) / 25, rel=1e-9)
