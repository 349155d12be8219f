"""Variable-frame-rate sources (issue 11): refused with the rate range and the way out,
or conformed to a stated constant rate."""
from __future__ import annotations

import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest

from vfi_plugin.errors import UserInputError
from vfi_plugin.jobs import RenderRequest, plan_render
from vfi_plugin.media import probe


@pytest.fixture(scope="module")
def vfr(tmp_path_factory) -> Path:
    """One second at 25 fps, then one at 50 fps, joined without re-encoding."""
    folder = tmp_path_factory.mktemp("vfr")
    parts = []
    for rate in (25, 50):
        part = folder / f"p{rate}.mp4"
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                        f"testsrc2=s=64x48:r={rate}", "-t", "1", "-c:v", "libx264",
                        "-preset", "ultrafast", str(part)], check=True, timeout=60)
        parts.append(part)
    listing = folder / "list.txt"
    listing.write_text("".join(f"file '{p}'\n" for p in parts))
    out = folder / "vfr.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "concat", "-safe", "0", "-i",
                    str(listing), "-c", "copy", "-video_track_timescale", "1000", str(out)],
                   check=True, timeout=60)
    return out


def test_variable_rate_is_detected(vfr):
    low, high = probe(vfr).variable_rate
    assert round(low) == 25 and round(high) == 50


def test_variable_rate_is_refused_with_the_way_out(tmp_path, vfr):
    with pytest.raises(UserInputError) as err:
        plan_render(RenderRequest(vfr, tmp_path / "o.mp4"))
    text = str(err.value)
    assert str(vfr) in text and "variable frame rate (25 to 50 fps)" in text
    assert "--conform-fps" in text
    res = subprocess.run([sys.executable, "-m", "vfi_plugin", str(vfr), "-o",
                          str(tmp_path / "o.mp4")], capture_output=True, text=True, timeout=120)
    assert res.returncode == 2 and "variable frame rate" in res.stderr
    assert not list(tmp_path.iterdir())


def test_conform_to_a_stated_rate(tmp_path, vfr):
    plan = plan_render(RenderRequest(vfr, tmp_path / "o.mp4", conform_fps="50"))
    assert plan.info.fps == 50 and plan.source_frames == 100  # 2 s at 50 fps
    assert any("conformed to a constant 50 fps" in n for n in plan.notices)
    with pytest.raises(UserInputError, match="bad frame rate"):
        plan_render(RenderRequest(vfr, tmp_path / "o.mp4", conform_fps="fast"))


def test_constant_rate_files_are_not_scanned_as_variable(tmp_path):
    path = tmp_path / "c.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                    "testsrc2=s=64x48:r=30000/1001", "-t", "1", "-c:v", "libx264", str(path)],
                   check=True, timeout=60)
    info = probe(path)
    assert info.variable_rate is None and info.fps == Fraction(30000, 1001)
