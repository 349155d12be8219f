"""Interlaced sources (issue 11): detected, deinterlaced to the field rate in time order,
or taken as progressive when the user says the flag is wrong."""
from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from vfi_plugin import load_interpolator, render
from vfi_plugin.errors import UserInputError
from vfi_plugin.jobs import RenderRequest, plan_render
from vfi_plugin.media import probe, read_frames

W, H, FIELDS = 128, 96, 24  # 24 moments at 50 per second, woven into 12 frames of 25i


def bar_moments() -> bytes:
    """A white bar moving 4 px per field time over black: its position tells the time."""
    out = []
    for t in range(FIELDS):
        f = np.zeros((H, W, 3), np.uint8)
        f[:, 8 + 4 * t:16 + 4 * t] = 255
        out.append(f.tobytes())
    return b"".join(out)


@pytest.fixture(scope="module")
def interlaced(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("fields") / "i.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24",
                    "-s", f"{W}x{H}", "-framerate", "50", "-i", "pipe:",
                    "-vf", "tinterlace=mode=interleave_top,fieldorder=tff",
                    "-c:v", "libx264", "-crf", "10", "-flags", "+ilme+ildct", "-x264opts",
                    "tff=1", str(path)], input=bar_moments(), check=True, timeout=60)
    return path


def bar_x(frame: np.ndarray) -> float:
    column = frame[H // 2 - 8:H // 2 + 8, :, 1].mean(0)
    return float((column * np.arange(W)).sum() / column.sum())


def test_interlaced_source_is_detected_and_deinterlaced_in_time_order(tmp_path, interlaced):
    info = probe(interlaced)
    assert info.interlaced and info.field_order == "tt" and info.frame_count == FIELDS // 2
    plan = plan_render(RenderRequest(interlaced, tmp_path / "o.mp4"))
    assert plan.info.fps == 2 * info.fps and plan.source_frames == FIELDS
    assert any("interlaced (top field first)" in n for n in plan.notices)
    with read_frames(interlaced, info=plan.info) as reader:
        xs = [bar_x(f) for f in reader]
    assert len(xs) == FIELDS
    steps = np.diff(xs)
    assert (steps > 2).all() and (steps < 6).all(), steps  # 4 px a field, never backwards


def test_render_uses_every_field(tmp_path, interlaced):
    out = tmp_path / "o.mp4"
    result = render(interlaced, out, factor=2, interpolator=load_interpolator(device="cpu"))
    got = probe(out)
    assert got.fps == 50 and got.frame_count == 2 * FIELDS - 1 == result.frames
    assert not got.interlaced


def test_fields_progressive_takes_the_frames_as_they_are(tmp_path, interlaced):
    plan = plan_render(RenderRequest(interlaced, tmp_path / "o.mp4", fields="progressive"))
    assert plan.info.fps == 25 and plan.source_frames == FIELDS // 2
    assert not any("interlaced" in n for n in plan.notices)
    with pytest.raises(UserInputError, match="bad fields"):
        plan_render(RenderRequest(interlaced, tmp_path / "o.mp4", fields="weave"))
