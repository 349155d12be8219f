"""AAF (Avid Media Composer) conform end to end: a sequence in Avid's form built with pyaaf2 on
AMA-linked media, and a sequence exported by Media Composer; real renders with the shipped
model; the new AAF read back through OTIO's AAF adapter."""
from __future__ import annotations

import gzip
import hashlib
from fractions import Fraction
from pathlib import Path

import opentimelineio as otio
import pytest

from avid import avid_aaf
from clips import frame_index, write_clip
from timelines import RATE, clip, timeline
from vfi_plugin.cli import main as cli_main
from vfi_plugin.conform import ConformJob, find_slowed_clips, plan_conform, read_timeline
from vfi_plugin.conform.aaf import write_conformed_aaf
from vfi_plugin.conform.clips import time_warp, video_clips
from vfi_plugin.errors import SlowMoError
from vfi_plugin.media import read_frames

DATA = Path(__file__).resolve().parent.parent / "data"
HOUR = 3600 * RATE  # the media's start timecode, 01:00:00:00, in frames

# V1: a cut, a dissolve into a 50 % Motion Effect, filler, a 25 % one dissolving into a 200 %
# one, a 50 % one that runs past the media's end (left as it was); V2: filler, a 50 % one under
# a colour effect
CUT = [(2, 8), ("dissolve", 4, 2), (8, 8, Fraction(1, 2)), (3,), (20, 6, Fraction(1, 4)),
       ("dissolve", 2, 1), (3, 5, Fraction(2)), (36, 10, Fraction(1, 2))]
UPPER = [(4,), ("tinted", 30, 4, Fraction(1, 2))]


@pytest.fixture(scope="module")
def media(tmp_path_factory) -> Path:
    """32x32, 24 fps, 40 frames carrying their index, QuickTime, timecode 01:00:00:00."""
    return write_clip(tmp_path_factory.mktemp("media") / "take.mov", 32, 32, Fraction(RATE), 40,
                      extra=["-timecode", "01:00:00:00"])


def speed_of(item) -> Fraction | None:
    warp = time_warp(item)
    return None if warp is None else warp.speed


def url_path(item) -> Path:
    return Path(otio.url_utils.filepath_from_url(item.media_reference.target_url))


def check_conformed(old, new, plans) -> None:
    """``new`` keeps the duration and every clip's record range of ``old`` (the timeline as the
    plan read it); each rendered clip plays its render at 100 % showing the frames its speed
    effect showed; every other clip is as it was."""
    assert new.duration() == old.duration()
    olds = [item for _, _, item in video_clips(old)]
    news = [item for _, _, item in video_clips(new)]
    assert [i.range_in_parent() for i in news] == [i.range_in_parent() for i in olds]
    rendered = {next(i for i, c in enumerate(olds) if c is p.clip.clip): p
                for p in plans if p.ok}
    assert rendered
    for index, (was, item) in enumerate(zip(olds, news)):
        plan = rendered.get(index)
        if plan is None:
            assert (item.source_range, speed_of(item), item.media_reference.target_url) == \
                (was.source_range, speed_of(was), was.media_reference.target_url)
            continue
        assert speed_of(item) is None and url_path(item) == plan.output.resolve()
        frames = list(read_frames(plan.output))
        assert len(frames) == plan.frames
        first = round((item.source_range.start_time
                       - item.media_reference.available_range.start_time).value)
        count = round(item.source_range.duration.value)
        assert first == plan.first and count == plan.record_frames
        assert first - plan.clip.head.value >= 0
        assert first + count + plan.clip.tail.value <= len(frames)
        start = (plan.clip.source_start - plan.clip.media_origin).value  # the media's frame
        shown = 0
        for i in range(count):
            media_frame = start + i * plan.clip.speed
            if media_frame == int(media_frame):  # a source frame: it must be that very frame
                assert frame_index(frames[first + i]) == media_frame
                shown += 1
        assert shown >= 1  # the cut's first frame is a source frame


def test_reads_avid_motion_effects(tmp_path, media):
    """Motion Effects read as constant speeds, their source times from the media's start
    timecode; dissolves give the clips beside them a head or a tail."""
    tl = read_timeline(avid_aaf(tmp_path / "cut.aaf", media, CUT, UPPER, timecode=HOUR))
    assert [speed_of(item) for _, _, item in video_clips(tl)] == \
        [None, Fraction(1, 2), Fraction(1, 4), 2, Fraction(1, 2), Fraction(1, 2)]
    half, quarter, late, upper = find_slowed_clips(tl)
    assert (half.record.start_time.value, half.record.duration.value) == (6, 6)
    assert (half.source_start.value, half.media_origin.value) == (HOUR + 10, HOUR)
    assert (half.head.value, half.tail.value) == (2, 0)
    assert (quarter.record.start_time.value, quarter.source_start.value) == (15, HOUR + 20)
    assert (quarter.head.value, quarter.tail.value) == (0, 1)
    assert (upper.track, upper.record.start_time.value) == ("V2", 4)
    assert tl.duration().value == 34


@pytest.mark.parametrize("suffix", [".aaf", ".otio"])
def test_avid_aaf_round_trip(tmp_path, media, interp, suffix):
    """An Avid sequence conformed to a new AAF (or OTIO) and read back: same duration and
    record ranges, the 50 % and 25 % clips (around dissolves, on V1 and V2, under an effect)
    play their renders at 100 % from the render's timecode, the 200 % clip and the one past
    the media's end are as they were; the original AAF is untouched; the new AAF's sequence
    has a new mob ID."""
    cut = avid_aaf(tmp_path / "cut.aaf", media, CUT, UPPER, timecode=HOUR)
    digest = hashlib.sha256(cut.read_bytes()).hexdigest()
    plan = plan_conform(cut, tmp_path / f"new{suffix}")
    assert [p.problem is None for p in plan.plans] == [True, True, False, True]
    assert "past the media's last frame" in plan.plans[2].problem
    result = ConformJob(plan, interpolator=interp).run()
    assert len(result.rendered) == 3 and result.plans[0].timecode == "01:00:00:09"
    new = read_timeline(tmp_path / f"new{suffix}")
    check_conformed(plan.timeline, new, result.plans)
    items = [item for _, _, item in video_clips(new)]
    assert otio.opentime.to_timecode(items[1].source_range.start_time, RATE) == "01:00:00:11"
    assert [e.name for e in items[-1].effects] == ["Tint"]  # the effect on it stays
    assert hashlib.sha256(cut.read_bytes()).hexdigest() == digest
    was = [i for _, _, i in video_clips(plan.timeline)]
    assert items[3].metadata["AAF"]["MobID"] == was[3].metadata["AAF"]["MobID"]  # left as it was
    render_id = items[1].metadata.get("AAF", {}).get("MobID")  # its render's master mob
    assert render_id != was[1].metadata["AAF"]["MobID"]
    assert (render_id is None) == (suffix == ".otio")  # OTIO: the old mob's metadata dropped
    if suffix == ".aaf":  # a new sequence
        assert new.metadata["AAF"]["MobID"] != plan.timeline.metadata["AAF"]["MobID"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cut.aaf", f"new{suffix}",
                                                          "new_media"]


def test_speed_graphs_conform_only_when_constant(tmp_path, media, interp):
    """Motion Effects that OTIO's reader reads as a constant speed but are not one from the
    source clip's start (trimmed, a position graph) and a speed ramp are listed and left as
    they were; a constant one beside them is conformed."""
    cut = avid_aaf(tmp_path / "cut.aaf", media, [
        (10, 6, Fraction(1, 2), {"offset": Fraction(1, 2)}),
        (10, 6, Fraction(1, 2), {"position": True}),
        (10, 8, Fraction(1, 2), {"ramp": ((4, 1),)}),
        (20, 4, Fraction(1, 2))])
    plan = plan_conform(cut, tmp_path / "new.aaf")
    assert [(p.clip.speed, p.problem) for p in plan.plans] == [
        (Fraction(1, 2), "starts 0.5 frames into its source clip (a trimmed Motion Effect): "
                         "not conformed"),
        (Fraction(1, 2), "an Avid position-graph Motion Effect: its speed is not read, not "
                         "conformed"),
        (1, "a speed ramp or another time effect: not a constant slow motion"),
        (Fraction(1, 2), None)]
    result = ConformJob(plan, interpolator=interp).run()
    check_conformed(plan.timeline, read_timeline(tmp_path / "new.aaf"), result.plans)


@pytest.mark.parametrize("name, speeds, slowed, media", [
    ("linear_speed_effects",  # 1 clip, then "n/d" for d 1-5, n 1-4: n record frames show d
     [None] + [Fraction(d, n) for d in range(1, 6) for n in range(1, 5)][1:],
     [(Fraction(1, 2), None), (Fraction(1, 3), None), (Fraction(1, 4), None),
      (Fraction(2, 3), None), (Fraction(1, 2), None), (Fraction(3, 4), None)],
     {"Frame Debugger 0h.mov": None}),
    ("misc_speed_effects",  # a freeze frame, 200 %, 50 %, ..., reverse, a speed bump
     [None, 0, 2, Fraction(1, 2), 3, Fraction(3, 8), Fraction(115, 8), Fraction(3, 8), 1, 1],
     [(Fraction(1, 2), None), (Fraction(3, 8), None), (Fraction(3, 8), None),
      (1, "reversed: not conformed")],
     {"Frame Debugger 0h.mov": None, "Frame Debugger 1h.mov": "01:00:00:00"})])
def test_media_composer_sequences(tmp_path, interp, name, speeds, slowed, media):
    """Sequences exported by Media Composer (otio-aaf-adapter's sample data): their Motion
    Effects read with the speeds Media Composer showed; their constant slowed clips, on media
    found by name, conform into a new AAF that reads back as the same cut. (The adapter reads
    the speed bump, a position graph, at 100 %: not slowed, left as it is.)"""
    cut = tmp_path / "cut.aaf"
    cut.write_bytes(gzip.decompress((DATA / f"{name}.aaf.gz").read_bytes()))
    old = read_timeline(cut)
    assert [speed_of(item) for _, _, item in video_clips(old)] == speeds
    found = tmp_path / "found"
    found.mkdir()
    for file, timecode in media.items():
        write_clip(found / file, 32, 32, Fraction(RATE), 120,
                   extra=["-timecode", timecode] if timecode else None)
    plan = plan_conform(cut, tmp_path / "new.aaf", search=(found,))
    assert [(p.clip.speed, p.problem) for p in plan.plans] == slowed
    result = ConformJob(plan, interpolator=interp).run()
    check_conformed(plan.timeline, read_timeline(tmp_path / "new.aaf"), result.plans)


def test_aaf_output_errors(tmp_path, media, capsys):
    """A new AAF is written only from an AAF, with QuickTime renders: one-line errors."""
    otio.adapters.write_to_file(timeline([clip("half", media, 10, 6, 0.5)]),
                                str(tmp_path / "cut.otio"))
    avid_aaf(tmp_path / "cut.aaf", media, CUT)
    for args, message in (
            (["cut.otio"], "a new .aaf is written by editing the AAF it conforms"),
            (["cut.aaf", "--codec", "ffv1"], "Media Composer links QuickTime renders")):
        assert cli_main(["conform", str(tmp_path / args[0]), "-o", str(tmp_path / "new.aaf"),
                         *args[1:]]) == 2
        err = capsys.readouterr().err.strip()
        assert err.startswith("error: ") and message in err and "\n" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cut.aaf", "cut.otio"]


def test_failed_aaf_write_leaves_nothing(tmp_path, media):
    """A new AAF that cannot be written (here: its renders are missing) is not written, and
    neither is its temporary file; the error is one line naming it."""
    cut = avid_aaf(tmp_path / "cut.aaf", media, CUT)
    plan = plan_conform(cut, tmp_path / "new.aaf")
    with pytest.raises(SlowMoError) as failure:
        write_conformed_aaf(cut, list(plan.plans), tmp_path / "new.aaf")
    assert "take_x2_f9-13.mov: no such file" in str(failure.value)
    assert "\n" not in str(failure.value)
    plan.discard()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cut.aaf"]
