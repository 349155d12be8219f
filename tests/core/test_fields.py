"""Interlaced sources (issue 11): detected, deinterlaced to the field rate in time order,
taken as progressive when the user says the flag is wrong, or written interlaced again
(--fields keep): each output frame weaves two successive retimed moments."""
from __future__ import annotations

import json
import subprocess
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from vfi_plugin import load_interpolator, render
from vfi_plugin.cli import main
from vfi_plugin.errors import UserInputError
from vfi_plugin.jobs import RenderRequest, plan_render
from vfi_plugin.media import FrameWriter, probe, read_frames

W, H, FIELDS = 128, 96, 24  # 24 moments at 50 per second, woven into 12 frames of 25i


def bar_moments() -> bytes:
    """A white bar moving 4 px per field time over black: its position tells the time."""
    out = []
    for t in range(FIELDS):
        f = np.zeros((H, W, 3), np.uint8)
        f[:, 8 + 4 * t:16 + 4 * t] = 255
        out.append(f.tobytes())
    return b"".join(out)


def weave(path: Path, order: str, extra: tuple[str, ...] = ()) -> Path:
    """The bar moments woven into 25i H.264 frames, top (tt) or bottom (bb) field first."""
    mode, flag = ("interleave_top", "tff") if order == "tt" else ("interleave_bottom", "bff")
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24",
                    "-s", f"{W}x{H}", "-framerate", "50", "-i", "pipe:",
                    "-vf", f"tinterlace=mode={mode},fieldorder={flag}",
                    "-c:v", "libx264", "-crf", "10", "-flags", "+ilme+ildct", "-x264opts",
                    f"{flag}=1", *extra, str(path)], input=bar_moments(), check=True, timeout=60)
    return path


@pytest.fixture(scope="module")
def interlaced(tmp_path_factory) -> Path:
    return weave(tmp_path_factory.mktemp("fields") / "i.mp4", "tt")


@pytest.fixture(scope="module")
def bottom_first(tmp_path_factory) -> Path:
    return weave(tmp_path_factory.mktemp("fields") / "bff.mov", "bb",
                 ("-timecode", "01:00:00:12"))


@pytest.fixture(scope="module")
def interp():
    return load_interpolator(device="cpu")


def bar_x(frame: np.ndarray) -> float:
    column = frame[H // 2 - 8:H // 2 + 8, :, 1].mean(0)
    return float((column * np.arange(W)).sum() / column.sum())


def stream(path: Path) -> dict:
    done = subprocess.run(["ffprobe", "-v", "error", "-of", "json", "-count_frames",
                           "-show_streams", "-select_streams", "v:0", str(path)],
                          capture_output=True, check=True, timeout=60)
    return json.loads(done.stdout)["streams"][0]


def woven(path: Path) -> np.ndarray:
    """The output's frames as stored (no deinterlacing), RGB."""
    done = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-f", "rawvideo",
                           "-pix_fmt", "rgb24", "pipe:"], capture_output=True, check=True,
                          timeout=60)
    return np.frombuffer(done.stdout, np.uint8).reshape(-1, H, W, 3)


def field_x(frame: np.ndarray, first: int) -> float:
    """The bar's position in the field starting at line `first` (0 top, 1 bottom)."""
    column = frame[first::2][H // 4 - 4:H // 4 + 4, :, 1].astype(float).mean(0)
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


# ----------------------------------------------------------------------------- --fields keep
def test_writer_weaves_pairs_and_holds_an_odd_last_frame(tmp_path):
    out = tmp_path / "w.mkv"
    colours = [(40, 200, 7), (90, 10, 250), (140, 66, 3), (190, 255, 120), (240, 0, 77)]
    moments = [np.broadcast_to(np.array(c, np.uint8), (H, W, 3)) for c in colours]
    with FrameWriter(out, W, H, Fraction(50), "ffv1", fields="bb") as writer:
        for m in moments:  # five moments: the last one fills both fields of the third frame
            writer.write(np.ascontiguousarray(m))
    assert writer.frames_written == 5 and writer.padded
    info = stream(out)
    assert info["field_order"] == "bb" and info["r_frame_rate"] == "25/1"
    frames = woven(out)
    assert len(frames) == 3  # lossless, colours exact: the bottom lines hold the earlier moment
    for k, frame in enumerate(frames):
        first, second = moments[2 * k], moments[min(2 * k + 1, 4)]
        assert (frame[1::2] == first[1::2]).all() and (frame[0::2] == second[0::2]).all()


@pytest.mark.parametrize("codec, name", [("h265", "o.mp4"), ("h264", "o.mkv")])
def test_interlaced_outputs_read_back_in_time_order(tmp_path, codec, name):
    """Bottom field first: H.265 flags it in the container only (its frames carry no field
    flags), and it is read back by that flag, every field in time order."""
    out = tmp_path / name
    moments = np.frombuffer(bar_moments(), np.uint8).reshape(FIELDS, H, W, 3)
    with FrameWriter(out, W, H, Fraction(50), codec, fields="bb") as writer:
        for m in moments:
            writer.write(np.ascontiguousarray(m))
    info = probe(out)
    assert info.field_order == "bb" and info.fps == 25 and info.frame_count == FIELDS // 2
    with read_frames(out, info=info.field_rate()) as reader:
        xs = [bar_x(f) for f in reader]
    assert len(xs) == FIELDS and ((np.diff(xs) > 3) & (np.diff(xs) < 5)).all(), np.diff(xs)


def test_fields_keep_writes_interlaced_frames_of_interpolated_moments(tmp_path, interlaced,
                                                                      interp):
    """12 source fields -> 23 moments at 50 a second -> 12 frames of 25i, top field first:
    the top lines of frame k are moment 2k, the bottom lines moment 2k+1 (half a field time
    later: the bar 2 px on), the last frame's second field the held last moment."""
    out = tmp_path / "o.mkv"
    notes: list[str] = []
    result = render(interlaced, out, factor=2, end="12f", fields="keep", interpolator=interp,
                    notice=notes.append)
    assert any("written interlaced again (25 frames a second, top field first)" in n
               for n in notes)
    assert any("23 fields" in n and "held" in n for n in notes)
    info = stream(out)
    assert info["field_order"] == "tt" and info["r_frame_rate"] == "25/1"
    assert int(info["nb_read_frames"]) == 12 == result.frames and result.fps == 25
    got = probe(out)
    assert got.interlaced and got.fps == 25
    frames = woven(out)
    top = np.array([field_x(f, 0) for f in frames])
    bottom = np.array([field_x(f, 1) for f in frames])
    assert np.allclose(top, 11.5 + 4 * np.arange(12), atol=1), top  # source moments
    lag = bottom - top
    assert ((lag[:-1] > 1.2) & (lag[:-1] < 2.8)).all(), lag  # interpolated moments between
    assert abs(lag[-1]) < 0.5  # the held last moment


def test_fields_keep_bottom_first_h264_with_timecode(tmp_path, bottom_first, interp):
    """A bottom-field-first source comes back bottom field first, flagged in the H.264
    stream itself; the timecode is the source's at the range start (frames, not fields)."""
    info = probe(bottom_first)
    assert info.field_order == "bb" and info.timecode == "01:00:00:12"
    out = tmp_path / "o.mp4"
    plan = plan_render(RenderRequest(bottom_first, out, start="2f", end="8f", fields="keep"))
    assert plan.fields == "bb" and plan.output_timecode == "01:00:00:13"
    auto = plan_render(RenderRequest(bottom_first, out, start="2f", end="8f"))
    assert auto.fields is None and auto.output_timecode == "01:00:00:26"  # 50p: 2 per frame
    by_timecode = plan_render(RenderRequest(bottom_first, out, start="01:00:00:13", end="8f"))
    assert by_timecode.start_frame == 2  # the source's frame 1: its fields 2 and 3
    render(bottom_first, out, factor=2, start="2f", end="8f", fields="keep", interpolator=interp)
    got = stream(out)
    assert got["field_order"] == "bb" and got["r_frame_rate"] == "25/1"
    assert int(got["nb_read_frames"]) == 6 and got["tags"]["timecode"] == "01:00:00:13"
    first = woven(out)[0]
    assert field_x(first, 1) + 1 < field_x(first, 0)  # the bottom field is the earlier one


def test_fields_keep_prores_even_count_needs_no_padding(tmp_path, bottom_first, interp):
    out = tmp_path / "o.mov"
    notes: list[str] = []
    result = render(bottom_first, out, factor=3, end="6f", fields="keep", interpolator=interp,
                    notice=notes.append)  # 5 gaps x 3 + 1 = 16 moments: 8 frames
    assert not any("held" in n for n in notes)
    got = stream(out)
    assert (got["codec_name"], got["field_order"], got["r_frame_rate"]) == ("prores", "bb", "25/1")
    assert int(got["nb_read_frames"]) == 8 == result.frames
    xs = [(field_x(f, 1), field_x(f, 0)) for f in woven(out)]
    moments = [x for pair in xs for x in pair]  # bottom, top, bottom, top ... in time order
    assert (np.diff(moments) > 0.5).all(), moments  # 4/3 px a moment, never backwards


def test_fields_keep_refusals_and_progressive_sources(tmp_path, interlaced):
    with pytest.raises(UserInputError, match="image frames carry no field order"):
        plan_render(RenderRequest(interlaced, tmp_path / "frames", fields="keep"))
    with pytest.raises(UserInputError, match="cannot write DNxHR HQ") as err:
        plan_render(RenderRequest(interlaced, tmp_path / "o.mov", codec="dnxhr", fields="keep"))
    assert "prores" in str(err.value) and "--fields auto" in str(err.value)
    with pytest.raises(UserInputError, match="slowmo"):
        plan_render(RenderRequest(interlaced, tmp_path / "o.mp4", mode="smooth", fields="keep"))
    progressive = tmp_path / "p.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", f"testsrc2=s={W}x{H}:r=25",
                    "-frames:v", "4", str(progressive)], check=True, timeout=60)
    plan = plan_render(RenderRequest(progressive, tmp_path / "o.mp4", fields="keep"))
    assert plan.fields is None and any("no fields to keep" in n for n in plan.notices)


def test_cli_fields_keep_into_image_frames_exits_2(tmp_path, interlaced, capsys):
    code = main([str(interlaced), "-o", str(tmp_path / "frames") + "/", "--fields", "keep"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1
    assert err[0].startswith("error: ") and "field order" in err[0] and "frames" in err[0]
