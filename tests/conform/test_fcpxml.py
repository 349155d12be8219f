"""Final Cut Pro's FCPXML: retiming (timeMap) read from the XML, real renders with the shipped
model, the new FCPXML an edit of the original, read back through OTIO's adapter and
vfi_plugin.conform.fcpx."""
from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from fractions import Fraction
from pathlib import Path

import opentimelineio as otio
import pytest

from clips import frame_index
from finalcut import cut
from timelines import MEDIA_FRAMES
from vfi_plugin.cli import main as cli_main
from vfi_plugin.conform import ConformJob, find_slowed_clips, plan_conform, read_timeline
from vfi_plugin.conform.clips import time_warp, video_clips
from vfi_plugin.conform.fcpx import Retime, notices, parse_time, retime
from vfi_plugin.media import read_frames

DATA = Path(__file__).resolve().parents[1] / "data"
# Final Cut Pro's own export (DAWFileKit's test data, MIT licence: see tests/data/README.md):
# a 24 fps project with 23.98 and 29.97 media, transitions, storylines, compound clips and five
# retimed asset-clips (all faster than 100 %)
FINAL_CUT_EXPORT = DATA / "dawfilekit_24.fcpxml"


def records(tl) -> list[tuple[str, str, otio.opentime.TimeRange]]:
    return [(track, item.name, item.range_in_parent()) for track, _, item in video_clips(tl)]


def clip_elements(path: Path) -> dict[str, ET.Element]:
    return {e.get("name"): e for e in ET.parse(path).getroot().iter("asset-clip")}


def test_reads_final_cut_retiming(tmp_path, media, capsys):
    """Speeds and the media time of each retimed clip's first frame come from its timeMap
    (its start counts retimed time); ramps and reverse are listed as problems; a clip without
    timeMap plays at 100 %; media paths come from media-rep (FCPXML 1.9+)."""
    path = tmp_path / "cut.fcpxml"
    path.write_text(cut(media, MEDIA_FRAMES, "1.10"))
    timeline = read_timeline(path)
    assert notices(timeline) == (f"{path}: 1 retimed element(s) not read as clips are left as "
                                 f"they are (not listed): 'compound' (ref-clip)",)
    found = find_slowed_clips(timeline)
    assert [(c.track, c.name, c.speed, c.source_start.value, c.record.start_time.value,
             c.record.duration.value, c.problem) for c in found] == [
        ("V1", "half", Fraction(1, 2), 10, 6, 6, None),
        ("V1", "quarter", Fraction(1, 4), 20, 15, 5, None),
        ("V1", "ramp", Fraction(3, 4), 0, 20, 8,
         "a speed ramp (timeMap of several speeds): not a constant slow motion"),
        ("V1", "reverse", Fraction(1, 2), 37, 28, 4, "reversed: not conformed"),
        ("V2", "upper", Fraction(1, 2), 30, 7, 4, None)]
    assert all(c.media_url == media.resolve().as_uri() for c in found)
    plain = next(item for _, _, item in video_clips(read_timeline(path)) if item.name == "plain")
    assert time_warp(plain) is None and plain.source_range.start_time.value == 2
    assert cli_main(["conform", str(path), "-o", str(tmp_path / "new.fcpxml"), "--list"]) == 0
    out, err = capsys.readouterr()
    assert "'compound' (ref-clip)" in err and "\n" not in err.strip()
    assert "ramp" in out and "a speed ramp" in out and "25 %" in out


@pytest.mark.parametrize("version", ["1.10", "1.8"])
def test_fcpxml_conform_round_trip(tmp_path, media, interp, version):
    """Conform an FCPXML in Final Cut's form: the new file, read back through the adapter and
    the timeMap reader, has the same duration and record ranges; the conformed clips play their
    renders at 100 % and show the frames their timeMap showed; the ramp, the reverse and the
    100 % clip are as Final Cut wrote them; markers and connected clips keep their places."""
    source = tmp_path / "cut.fcpxml"
    source.write_text(cut(media, MEDIA_FRAMES, version))
    exported = read_timeline(source)
    plan = plan_conform(source, tmp_path / "new.fcpxml", codec="ffv1")
    assert [(p.clip.name, p.ok) for p in plan.plans] == [
        ("half", True), ("quarter", True), ("ramp", False), ("reverse", False), ("upper", True)]
    result = ConformJob(plan, interpolator=interp).run()
    assert len(result.rendered) == 3

    new_path = tmp_path / "new.fcpxml"
    new = read_timeline(new_path)
    assert new.duration() == exported.duration()
    assert records(new) == records(exported)
    items = {item.name: item for _, _, item in video_clips(new)}
    for name in ("ramp", "reverse"):
        assert time_warp(items[name]).problem
    assert time_warp(items["plain"]) is None
    for plan_ in (p for p in result.plans if p.ok):
        item = items[plan_.clip.name]
        assert time_warp(item) is None
        assert item.media_reference.target_url == plan_.output.resolve().as_uri()
        frames = list(read_frames(plan_.output))
        assert len(frames) == plan_.frames
        first = round(item.source_range.start_time.value)
        count = round(item.source_range.duration.value)
        assert first == plan_.first and count == plan_.record_frames
        start, speed = plan_.clip.source_start.value, plan_.clip.speed
        shown = [frame_index(frames[first + i]) for i in range(count)
                 if (start + i * speed) == int(start + i * speed)]
        assert shown == [start + i * speed for i in range(count)
                         if (start + i * speed) == int(start + i * speed)]
        assert len(shown) == math.ceil(count * speed)
        assert shown == {"half": [10, 11, 12], "quarter": [20, 21], "upper": [30, 31]}[item.name]

    old, written = clip_elements(source), clip_elements(new_path)
    for name in ("plain", "ramp", "reverse"):  # as Final Cut wrote them
        assert ET.tostring(written[name]) == ET.tostring(old[name])
    root = ET.parse(new_path).getroot()
    assert ET.tostring(root.find(".//ref-clip")) == \
        ET.tostring(ET.parse(source).getroot().find(".//ref-clip"))
    assert root.get("version") == version
    assert root.find("./library//sequence").get("duration") == "3600/2400s"
    for name in ("half", "quarter", "upper"):
        element = written[name]
        assert element.find("timeMap") is None
        assert element.get("duration") == old[name].get("duration")
        assert element.get("lane") == old[name].get("lane")
        if name != "upper":  # (upper's offset counts its parent's local time: below)
            assert element.get("offset") == old[name].get("offset")
        asset = root.find(f"./resources/asset[@id='{element.get('ref')}']")
        src = asset.get("src") if version == "1.8" else asset.find("media-rep").get("src")
        assert src.startswith("file://") and src.endswith(".mkv") and "take_x" in src
        fmt = root.find(f"./resources/format[@id='{asset.get('format')}']")
        assert parse_time(fmt.get("frameDuration")) == Fraction(1, 24)
    half, old_half = written["half"], old["half"]
    # the marker and the connected clip sit where they sat in the clip's (new) local time
    shift = parse_time(half.get("start")) - parse_time(old_half.get("start"))
    assert parse_time(half.find("marker").get("start")) == \
        parse_time(old_half.find("marker").get("start")) + shift
    assert parse_time(written["upper"].get("offset")) == \
        parse_time(old["upper"].get("offset")) + shift


def test_final_cut_export_reads_and_copies(tmp_path):
    """A file exported by Final Cut Pro: each of its five retimed asset-clips is found among
    the adapter's clips with the speed of its timeMap (all faster than 100 %: none is slow
    motion, rate-conformed clips neither); a conform without slowed clips writes the file back
    with every element as it was."""
    exported = tmp_path / "fcp.fcpxml"
    exported.write_bytes(FINAL_CUT_EXPORT.read_bytes())
    timeline = read_timeline(exported)
    assert find_slowed_clips(timeline) == []
    speeds = sorted(round(float(time_warp(item).speed), 3) for _, _, item in video_clips(timeline)
                    if time_warp(item) is not None)
    slopes = []
    for time_map in ET.parse(exported).getroot().iter("timeMap"):
        (t0, v0), (t1, v1) = [(parse_time(p.get("time")), parse_time(p.get("value")))
                              for p in time_map.findall("timept")]
        slopes.append(round(float((v1 - v0) / (t1 - t0)), 3))
    assert len(slopes) == 5 and speeds == sorted(slopes)
    assert cli_main(["conform", str(exported), "-o", str(tmp_path / "new.fcpxml"), "-q"]) == 0
    old, new = (ET.parse(p).getroot() for p in (exported, tmp_path / "new.fcpxml"))
    assert [(e.tag, e.attrib, (e.text or "").strip()) for e in new.iter()] == \
        [(e.tag, e.attrib, (e.text or "").strip()) for e in old.iter()]


def test_conform_rate():
    """Media rate-conformed to the project (conform-rate, scaling by default) plays frame for
    frame: not slow motion on its own; with a timeMap too it is listed and left; with
    scaleEnabled="0" (frames sampled in real time) the timeMap alone gives the speed."""
    def element(conform: str, timemap: bool = True) -> ET.Element:
        points = ('<timeMap><timept time="0s" value="0s"/><timept time="2s" value="1s"/>'
                  '</timeMap>') if timemap else ""
        return ET.fromstring(f'<asset-clip start="1s" duration="1s">{conform}{points}'
                             f'</asset-clip>')

    rate = Fraction(24)
    assert retime(element('<conform-rate srcFrameRate="25"/>', timemap=False), rate) is None
    conformed = retime(element('<conform-rate srcFrameRate="25"/>'), rate)
    assert conformed.problem == "retimed and rate-conformed (conform-rate): not conformed"
    for same in ('<conform-rate scaleEnabled="0" srcFrameRate="29.97"/>',
                 '<conform-rate srcFrameRate="24"/>', ""):
        assert retime(element(same), rate) == Retime(Fraction(1, 2), Fraction(1, 2))


def test_unreadable_fcpxml_is_one_line(tmp_path, capsys):
    path = tmp_path / "cut.fcpxml"
    path.write_text('<?xml version="1.0"?>\n<fcpxml version="1.10"><resources>')
    assert cli_main(["conform", str(path), "-o", str(tmp_path / "new.fcpxml")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "cut.fcpxml: cannot read it as FCPXML" in err \
        and err.count("\n") == 1
