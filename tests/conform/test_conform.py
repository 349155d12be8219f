"""Timeline conform end to end: OTIO timelines on generated media, through the FCP7 XML, EDL
and OTIO adapters, real renders with the shipped model, the new timeline read back."""
from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from fractions import Fraction
from pathlib import Path

import opentimelineio as otio
import pytest

from clips import frame_index, write_clip
from timelines import RATE, as_fcp7_xml, clip, dissolve, gap, timeline
from vfi_plugin import CancelToken
from vfi_plugin.cli import main as cli_main
from vfi_plugin.conform import (ConformJob, find_slowed_clips, plan_conform, read_timeline)
from vfi_plugin.conform.clips import time_warp, video_clips
from vfi_plugin.errors import Cancelled
from vfi_plugin.media import read_frames



def edit(media: Path, edl: bool = False) -> otio.schema.Timeline:
    """A cut with a plain clip, a dissolve into a 50 % clip, a gap, a 25 % clip and a freeze
    frame; on a second track a 50 % clip over a gap. For an EDL: one track, and a cut instead
    of the dissolve (OTIO's EDL adapter loses the M2 speed of a dissolve's incoming clip)."""
    v1 = [clip("plain", media, 2, 6), dissolve(2, 2), clip("half", media, 10, 6, 0.5), gap(3),
          clip("quarter", media, 20, 5, 0.25), clip("frozen", media, 5, 4, freeze=True)]
    if edl:
        return timeline([v1[0]] + v1[2:])
    return timeline(v1, [gap(4), clip("upper", media, 30, 4, 0.5)])


def write(tl: otio.schema.Timeline, path: Path) -> Path:
    otio.adapters.write_to_file(as_fcp7_xml(tl) if path.suffix == ".xml" else tl, str(path))
    return path


def speed_of(item) -> float | None:
    warp = time_warp(item)
    return None if warp is None else float(warp.speed)


def records(tl) -> list[tuple[str, str, otio.opentime.TimeRange]]:
    return [(track, item.name, item.range_in_parent()) for track, _, item in video_clips(tl)]


def test_finds_constant_slow_motion_only(media):
    """Freeze frames, 100 % and faster clips are not slow motion; transitions give handles."""
    tl = edit(media)
    tl.tracks[0].append(clip("fast", media, 0, 4, 2.0))
    found = find_slowed_clips(tl)
    assert [(c.number, c.track, c.name, float(c.speed)) for c in found] == [
        (1, "V1", "half", 0.5), (2, "V1", "quarter", 0.25), (3, "V2", "upper", 0.5)]
    half = found[0]
    assert half.record.start_time.value == 6 and half.record.duration.value == 6
    assert half.head.value == 2 and half.tail.value == 0  # the dissolve before it
    assert half.source_end().value == 13  # 6 record frames at 50 % show media 10 to 13


@pytest.mark.parametrize("suffix", [".otio", ".xml", ".edl"])
def test_conform_round_trip(tmp_path, media, interp, suffix):
    """The new timeline, read back through the same adapter, has the same duration and record
    ranges; each conformed clip plays its render at 100 % and shows the frames its speed
    effect showed."""
    two = suffix != ".edl"
    exported = read_timeline(write(edit(media, edl=not two), tmp_path / f"cut{suffix}"))
    slowed = find_slowed_clips(exported)
    assert [(c.name, float(c.speed)) for c in slowed] == \
        [("half", 0.5), ("quarter", 0.25)] + ([("upper", 0.5)] if two else [])
    plan = plan_conform(tmp_path / f"cut{suffix}", tmp_path / f"new{suffix}", codec="ffv1")
    result = ConformJob(plan, interpolator=interp).run()
    assert all(p.ok for p in result.plans) and len(result.rendered) == len(slowed)

    new = read_timeline(tmp_path / f"new{suffix}")
    assert new.duration() == exported.duration()
    assert records(new) == records(exported)
    by_name = {item.name: item for _, _, item in video_clips(new)}
    assert speed_of(by_name["frozen"]) == 0.0  # left alone
    assert speed_of(by_name["plain"]) is None
    for plan in result.plans:
        item = by_name[plan.clip.name]
        assert speed_of(item) is None
        assert Path(otio.url_utils.filepath_from_url(item.media_reference.target_url)) \
            == plan.output.resolve()
        frames = list(read_frames(plan.output))
        assert len(frames) == plan.frames
        count = round(item.source_range.duration.value)
        available = item.media_reference.available_range  # an EDL has none: media from 0
        first = round((item.source_range.start_time.value
                       - (available.start_time.value if available else 0)))
        assert first == plan.first and count == plan.record_frames
        assert first - plan.clip.head.value >= 0
        assert first + count + plan.clip.tail.value <= len(frames)
        start = plan.clip.source_start.value
        shown = 0
        for i in range(count):
            media_frame = start + i * plan.clip.speed
            if media_frame == int(media_frame):  # a source frame: it must be that very frame
                assert frame_index(frames[first + i]) == media_frame
                shown += 1
        assert shown == math.ceil(count * plan.clip.speed)


def test_handles_and_missing_media(tmp_path, media, interp):
    """Handles extend a render where the media allows; a clip whose media is missing or whose
    cut runs past the media's end is listed and left as it was; the same shot used twice is
    rendered once."""
    junk = tmp_path / "junk.mov"
    junk.write_text("not a movie")
    tl = timeline([clip("half", media, 1, 6, 0.5), clip("lost", tmp_path / "gone.mkv", 0, 4, 0.5),
                   clip("tail", media, 36, 12, 0.5), clip("again", media, 1, 6, 0.5),
                   clip("junk", junk, 0, 4, 0.5)])
    write(tl, tmp_path / "cut.otio")
    plan = plan_conform(tmp_path / "cut.otio", tmp_path / "new.otio", handles=4, codec="ffv1")
    half, lost, tail, again, bad = plan.plans
    assert half.ok and (half.start_frame, half.end_frame) == (0, 7)  # 2 media frames wanted
    assert half.first == 2                                           # before: 1 exists
    assert "not found" in lost.problem and "past the media's last frame" in tail.problem
    assert bad.problem.startswith("unreadable: ") and "junk.mov" in bad.problem
    assert again.shared and again.output == half.output
    # 40 % (factor 5/2) from media frame 11 with a handle (media 10.6): the render starts at 9,
    # so that the cut starts on render frame (11 - 9)·2.5 = 5 exactly (from 10: frame 2.5)
    write(timeline([clip("odd", media, 11, 5, 0.4)]), tmp_path / "odd.otio")
    (odd,) = plan_conform(tmp_path / "odd.otio", tmp_path / "odd_new.otio", handles=1).plans
    assert (odd.start_frame, odd.end_frame, odd.first, odd.frames) == (9, 14, 5, 11)
    result = ConformJob(plan, interpolator=interp).run()
    assert result.rendered == (half.output,)
    new = read_timeline(tmp_path / "new.otio")
    items = {item.name: item for _, _, item in video_clips(new)}
    assert speed_of(items["lost"]) == speed_of(items["tail"]) == 0.5
    assert items["tail"].media_reference.target_url == media.as_uri()
    assert items["again"].media_reference.target_url == half.output.resolve().as_uri()
    frames = list(read_frames(result.plans[0].output))
    assert [frame_index(frames[j]) for j in (0, 2, 4, 12)] == [0, 1, 2, 6]


def test_cancel_leaves_nothing(tmp_path, media, interp):
    write(edit(media), tmp_path / "cut.otio")
    plan = plan_conform(tmp_path / "cut.otio", tmp_path / "new.otio", codec="ffv1",
                        media_dir=tmp_path / "renders")
    token = CancelToken()

    def progress(p):
        if p.done > 3:
            token.cancel()

    with pytest.raises(Cancelled):
        ConformJob(plan, progress, token, interpolator=interp).run()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cut.otio"]


def test_cli_lists_and_reports_errors(tmp_path, media, capsys):
    write(edit(media, edl=True), tmp_path / "cut.edl")
    assert cli_main(["conform", str(tmp_path / "cut.edl"), "-o", str(tmp_path / "new.edl"),
                     "--list"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split()[:7] == ["#", "track", "clip", "source", "range", "speed", "frames"]
    assert "half" in out[1] and "00:00:00:10-00:00:00:13" in out[1] and "50 %" in out[1] \
        and "take_x2_f10-13.mov" in out[1]
    assert "quarter" in out[2] and "25 %" in out[2]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cut.edl"]  # nothing written
    media25 = write_clip(tmp_path / "m25.mkv", 32, 32, Fraction(25), 20, codec="ffv1")
    write(timeline([clip("pal", media25, 2, 4, 0.5)]), tmp_path / "pal.edl")
    assert cli_main(["conform", str(tmp_path / "pal.edl"), "-o", str(tmp_path / "n.edl"),
                     "--list"]) == 0
    assert "read at 24 fps (an EDL does not say) but its media run at 25 fps: if the timeline " \
           "runs at that rate, pass --edl-fps" in capsys.readouterr().err
    assert cli_main(["conform", str(tmp_path / "pal.edl"), "-o", str(tmp_path / "n.edl"),
                     "--list", "--edl-fps", "25"]) == 0
    assert "--edl-fps" not in capsys.readouterr().err
    for name in ("m25.mkv", "pal.edl"):
        (tmp_path / name).unlink()

    for args, message in (
            ([str(tmp_path / "none.edl")], "none.edl: no such timeline file"),
            ([str(tmp_path / "cut.txt")], "unknown timeline format '.txt'"),
            ([str(tmp_path / "cut.edl"), "--clips", "9"], "no slowed clip numbered 9"),
            ([str(tmp_path / "cut.edl"), "--codec", "png"], "invalid choice"),
            ([str(tmp_path / "cut.edl"), "-o", str(tmp_path / "new.aaf")],
             "a new .aaf is written by editing the AAF it conforms")):
        assert cli_main(["conform", "-o", str(tmp_path / "new.edl"), *args]) == 2
        err = capsys.readouterr().err.strip()
        assert err.startswith("error: ") and message in err and "\n" not in err


@pytest.mark.parametrize("suffix", [".edl", ".xml"])
def test_timecoded_media(tmp_path, interp, suffix):
    """Camera media with a start timecode: the timeline's source times count from it (an EDL
    gives no media range: the file's own timecode is the origin); the ProRes render carries the
    source's timecode at its first frame and the new clip's source times count from it."""
    media = write_clip(tmp_path / "cam.mov", 32, 32, Fraction(RATE), 30,
                       extra=["-timecode", "01:00:00:00"])
    origin = 3600 * RATE
    item = clip("cam", media, origin + 10, 6, 0.5, media_frames=30)
    ref = item.media_reference
    ref.available_range = otio.opentime.TimeRange(otio.opentime.RationalTime(origin, RATE),
                                                  ref.available_range.duration)
    write(timeline([clip("plain", media, origin + 2, 4, media_frames=30), item]),
          tmp_path / f"cut{suffix}")
    plan = plan_conform(tmp_path / f"cut{suffix}", tmp_path / f"new{suffix}")
    (half,) = plan.plans
    assert half.ok and (half.start_frame, half.end_frame) == (10, 14)
    assert half.output.suffix == ".mov" and half.timecode == "01:00:00:10"
    ConformJob(plan, interpolator=interp).run()
    new = {c.name: c for _, _, c in video_clips(read_timeline(tmp_path / f"new{suffix}"))}
    start = new["cam"].source_range.start_time
    assert otio.opentime.to_timecode(start, RATE) == "01:00:00:10"
    frames = list(read_frames(half.output))
    assert [frame_index(frames[j]) for j in (0, 2, 4)] == [10, 11, 12]
    assert new["plain"].source_range.start_time.value == origin + 2
    if suffix == ".xml":  # the render's file: video only, its size
        video = ET.parse(tmp_path / "new.xml").find(".//file[name='cam_x2_f10-13.mov']/media")
        assert [e.tag for e in video] == ["video"]
        assert video.findtext("video/samplecharacteristics/width") == "32"


def test_interrupt_exits_130_and_leaves_nothing(tmp_path, media):
    """Ctrl+C during a conform's renders: exit 130, no render, no media folder, no timeline."""
    import json
    import signal
    import subprocess
    import sys
    import time

    work = tmp_path / "work"
    work.mkdir()
    write(timeline([clip("first", media, 0, 30, 0.25), clip("second", media, 10, 30, 0.25)]),
          work / "cut.otio")
    proc = subprocess.Popen([sys.executable, "-m", "vfi_plugin", "conform", "cut.otio",
                             "-o", "new.otio", "--codec", "ffv1", "--device", "cpu",
                             "--progress", "json"],
                            cwd=work, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    for line in proc.stderr:
        if (line.startswith("{") and json.loads(line)["stage"] == "rendering") \
                or time.time() > deadline:
            break
    proc.send_signal(signal.SIGINT)
    rest = proc.communicate(timeout=60)[1]
    assert proc.returncode == 130, rest
    assert "Traceback" not in rest and "interrupted: no output written" in rest
    assert sorted(p.name for p in work.iterdir()) == ["cut.otio"]


def test_renders_as_one_queue_of_segments(tmp_path, media):
    """With farm options the clips' renders run as one queue (vfi_plugin.farm.queue): here
    segments of 4 source frames one after the other; the same frames land in the same places."""
    from vfi_plugin.farm import FarmOptions

    write(timeline([clip("half", media, 3, 8, 0.5), gap(2), clip("quarter", media, 20, 5, 0.25)]),
          tmp_path / "cut.otio")
    plan = plan_conform(tmp_path / "cut.otio", tmp_path / "new.otio", codec="ffv1",
                        farm=FarmOptions(None, None, 4))
    reports = []
    result = ConformJob(plan, reports.append).run()
    assert all(p.ok for p in result.plans) and len(result.rendered) == 2
    assert reports[-1].done == reports[-1].total == plan.total_frames
    items = {c.name: c for _, _, c in video_clips(read_timeline(tmp_path / "new.otio"))}
    for plan_ in result.plans:
        frames = list(read_frames(plan_.output))
        assert len(frames) == plan_.frames
        assert items[plan_.clip.name].media_reference.target_url == plan_.output.resolve().as_uri()
        step = round(1 / plan_.clip.speed)
        assert [frame_index(f) for f in frames[plan_.first::step]] == \
            list(range(plan_.start_frame, plan_.end_frame))
