"""Editorial metadata kept from source to output (issue 11): pixel aspect, start timecode
in MOV/MP4 (tmcd) and MKV (TIMECODE tag), and ranges given in the source's timecode."""
from __future__ import annotations

import json
import subprocess
from fractions import Fraction
from pathlib import Path

import pytest

from vfi_plugin import load_interpolator, render
from vfi_plugin.jobs import RenderRequest, plan_render
from vfi_plugin.media import probe


@pytest.fixture(scope="module")
def interp():
    return load_interpolator(device="cpu")


def make(path: Path, rate: str, timecode: str | None, sar: str | None, frames: int = 30,
         reel: str | None = None) -> Path:
    cmd = ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", f"testsrc2=s=128x96:r={rate}",
           "-frames:v", str(frames), "-c:v", "libx264", "-preset", "ultrafast"]
    if timecode:
        cmd += ["-timecode", timecode]
    if sar:
        cmd += ["-vf", f"setsar={sar}"]
    if reel:
        cmd += ["-metadata:s:v:0", f"reel_name={reel}"]
    subprocess.run(cmd + [str(path)], check=True, timeout=60)
    return path


def tags(path: Path) -> dict:
    done = subprocess.run(["ffprobe", "-v", "error", "-of", "json", "-show_streams",
                           "-show_format", str(path)], capture_output=True, check=True)
    data = json.loads(done.stdout)
    video = next(s for s in data["streams"] if s["codec_type"] == "video")
    codes = [v for s in data["streams"] for k, v in (s.get("tags") or {}).items()
             if k.lower() == "timecode"]
    codes += [v for k, v in (data["format"].get("tags") or {}).items() if k.lower() == "timecode"]
    return {"sar": video.get("sample_aspect_ratio"), "timecode": codes[0] if codes else None,
            "frames": video.get("nb_frames")}


@pytest.fixture(scope="module")
def dv(tmp_path_factory) -> Path:
    """25 fps, DV-PAL-like 32:27 pixels, starting at 01:00:00:00 (a tmcd track), reel A001."""
    return make(tmp_path_factory.mktemp("ed") / "dv.mov", "25", "01:00:00:00", "32/27",
                reel="A001C003")


def test_probe_reads_sar_and_timecode(dv):
    info = probe(dv)
    assert info.sample_aspect_ratio == Fraction(32, 27)
    assert info.timecode == "01:00:00:00"
    assert info.reel_name == "A001C003"


@pytest.mark.parametrize("name, mode, want_tc", [
    ("o.mov", "slowmo", "01:00:00:10"),   # tmcd track
    ("o.mp4", "slowmo", "01:00:00:10"),
    ("o.mkv", "smooth", "01:00:00:20"),   # 50 fps output: the same instant, at its own rate
])
def test_sar_and_range_start_timecode_are_kept(tmp_path, dv, interp, name, mode, want_tc):
    notes: list[str] = []
    out = tmp_path / name
    render(dv, out, factor=2, mode=mode, start="01:00:00:10", end="01:00:00:16",
           interpolator=interp, notice=notes.append)
    got = tags(out)
    assert got["sar"] == "32:27"
    assert got["timecode"] == want_tc
    if name.endswith(".mp4"):  # MP4 has no place for it: said
        assert probe(out).reel_name is None and any("A001C003 is not kept" in n for n in notes)
    else:
        assert probe(out).reel_name == "A001C003"
    assert any("read as the source's timecode" in n for n in notes)
    assert probe(out).frame_count == (11 if mode == "slowmo" else 12)


def test_timecode_before_the_source_start_counts_from_the_clip(tmp_path, dv):
    plan = plan_render(RenderRequest(dv, tmp_path / "o.mov", start="00:00:00:05",
                                     end="00:00:00:09"))
    assert (plan.start_frame, plan.end_frame) == (5, 9)
    assert not any("timecode" in n for n in plan.notices)


def test_drop_frame_timecode_is_kept(tmp_path, interp):
    src = make(tmp_path / "ntsc.mov", "30000/1001", "00:59:59;28", None)
    render(src, tmp_path / "o.mov", factor=2, start="4f", end="8f", interpolator=interp)
    assert tags(tmp_path / "o.mov")["timecode"] == "01:00:00;02"  # 59;28 + 4 frames, drop frame


def test_image_sequences_say_what_they_cannot_keep(tmp_path, dv):
    plan = plan_render(RenderRequest(dv, f"{tmp_path / 'seq'}/"))
    text = " ".join(plan.notices)
    assert "32:27 is not kept" in text and "01:00:00:00 is not kept" in text


def test_square_pixels_stay_untagged(tmp_path, interp):
    src = make(tmp_path / "sq.mp4", "25", None, None, frames=6)
    render(src, tmp_path / "o.mp4", factor=2, interpolator=interp)
    assert probe(tmp_path / "o.mp4").sample_aspect_ratio is None
    assert tags(tmp_path / "o.mp4")["timecode"] is None
