"""Scene cuts (issue 11): the frames inserted at a cut never mix two shots."""
from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from vfi_plugin import load_interpolator, render
from vfi_plugin.engine import Retimer
from vfi_plugin.engine.cuts import CutDetector
from vfi_plugin.engine.timing import RetimePlan
from vfi_plugin.errors import UserInputError
from vfi_plugin.jobs import RenderRequest, plan_render
from vfi_plugin.media import probe, read_frames

W, H = 96, 64


def shot(seed: int, frames: int, speed: int) -> list[np.ndarray]:
    """A blocky random texture (16 px blocks, like large objects) panning `speed` px a frame."""
    cells = np.random.default_rng(seed).integers(0, 256, (H // 16, W // 16 + frames, 3))
    tex = np.kron(cells, np.ones((16, 16, 1))).astype(np.uint8)
    return [tex[:, speed * i:speed * i + W].copy() for i in range(frames)]


@pytest.fixture(scope="module")
def interp():
    return load_interpolator(device="cpu")


def test_detector_fires_at_the_cut_only():
    frames = shot(1, 6, 6) + shot(2, 6, 6)  # fast pans both sides: not cuts
    det = CutDetector()
    assert [i for i, f in enumerate(frames) if det.push(f)] == [6]


@pytest.mark.parametrize("cuts", ["hold", "blend", "interpolate"])
def test_frames_at_a_cut(interp, cuts):
    a, b = shot(1, 5, 2), shot(2, 5, 2)
    retimer = Retimer(interp, RetimePlan(2), cuts=cuts)
    out = list(retimer.run(a + b))
    assert len(out) == 19
    gap = out[9]  # between a[4] (output 8) and b[0] (output 10)
    if cuts == "hold":
        assert np.array_equal(gap, a[4]) and retimer.found_cuts == [5]
    elif cuts == "blend":
        want = np.rint((a[4].astype(np.float32) + b[0]) / 2).astype(np.uint8)
        assert np.array_equal(gap, want)
    else:
        assert retimer.found_cuts == []
        assert not np.array_equal(gap, a[4])
    if cuts != "interpolate":
        # next to the cut each shot is interpolated from its own frames only: the frame
        # before the cut's gap equals a render of shot a alone
        alone = list(Retimer(interp, RetimePlan(2)).run(a))
        assert np.array_equal(out[7], alone[7])


def test_render_holds_at_a_cut_end_to_end(tmp_path, interp):
    frames = shot(3, 6, 2) + shot(4, 6, 2)
    src = tmp_path / "cut.mkv"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s",
                    f"{W}x{H}", "-framerate", "25", "-i", "pipe:", "-c:v", "ffv1", str(src)],
                   input=b"".join(f.tobytes() for f in frames), check=True, timeout=60)
    out = tmp_path / "o.mkv"
    render(src, out, factor=2, interpolator=interp)
    with read_frames(out, info=probe(out)) as reader:
        got = list(reader)
    assert np.array_equal(got[11], got[10])  # held: the outgoing shot's last frame
    with pytest.raises(UserInputError, match="bad cuts"):
        plan_render(RenderRequest(src, tmp_path / "x.mkv", cuts="dissolve"))
