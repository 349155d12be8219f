"""A conform that writes another format than it read: every retimed clip that stays as it is
must keep its speed in the new format, else the conform is refused before rendering (or, for a
clip whose render fails, nothing is written)."""
from __future__ import annotations

import shutil
from pathlib import Path

import opentimelineio as otio
import pytest

from timelines import clip, gap, timeline
from vfi_plugin.conform import ConformJob, plan_conform, read_timeline
from vfi_plugin.conform.clips import time_warp, video_clips
from vfi_plugin.conform.speeds import lost_speeds
from vfi_plugin.errors import UserInputError


def cut(media: Path, freeze: bool = False) -> otio.schema.Timeline:
    items = [clip("half", media, 10, 6, 0.5), gap(2), clip("quarter", media, 20, 5, 0.25)]
    if freeze:
        items.append(clip("frozen", media, 5, 4, freeze=True))
    return timeline(items)


def save(tl: otio.schema.Timeline, path: Path) -> Path:
    otio.adapters.write_to_file(tl, str(path))
    return path


def test_the_writers_that_lose_speeds_are_found(tmp_path, media):
    tl = cut(media, freeze=True)
    source = save(tl, tmp_path / "cut.otio")
    assert lost_speeds(tl, source, tmp_path / "same.otio") == []
    # OTIO's FCP7 XML writer writes no speed: all three are lost
    lost = lost_speeds(tl, source, tmp_path / "new.xml")
    assert [(c.name, c.speed, c.written) for c in lost] == \
        [("half", 0.5, 1.0), ("quarter", 0.25, 1.0), ("frozen", 0.0, 1.0)]
    # the EDL writer keeps LinearTimeWarp (M2) and freeze frames
    assert lost_speeds(tl, source, tmp_path / "new.edl") == []


def test_a_lost_speed_of_a_clip_left_is_refused_before_rendering(tmp_path, media):
    source = save(cut(media, freeze=True), tmp_path / "cut.otio")
    with pytest.raises(UserInputError, match=r"new\.xml: the Final Cut Pro 7 XML .* writer would "
                                             r"lose the speed of 1 retimed clip.*frozen"):
        plan_conform(source, tmp_path / "new.xml", codec="ffv1")
    with pytest.raises(UserInputError, match=r"2 retimed clip.*quarter.*frozen"):
        plan_conform(source, tmp_path / "new.xml", codec="ffv1", chosen=(1,))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cut.otio"]


def test_otio_to_fcp7_xml_when_every_retimed_clip_is_rendered(tmp_path, media, interp):
    source = save(cut(media), tmp_path / "cut.otio")
    result = ConformJob(plan_conform(source, tmp_path / "new.xml", codec="ffv1"),
                        interpolator=interp).run()
    assert all(p.ok for p in result.plans) and len(result.rendered) == 2
    new = read_timeline(tmp_path / "new.xml")
    old = read_timeline(source)
    assert [(n, i.range_in_parent()) for n, _, i in video_clips(new)] == \
        [(n, i.range_in_parent()) for n, _, i in video_clips(old)]
    assert all(time_warp(i) is None for _, _, i in video_clips(new))


def test_a_failed_render_whose_speed_would_be_lost_writes_nothing(tmp_path, media, interp):
    own = shutil.copy(media, tmp_path / "take.mkv")
    source = save(cut(Path(own)), tmp_path / "cut.otio")
    plan = plan_conform(source, tmp_path / "new.xml", codec="ffv1")
    assert all(p.ok for p in plan.plans)
    Path(own).write_bytes(b"not a movie any more")  # the renders fail on their own input
    with pytest.raises(UserInputError, match="not written: half could not be rendered"):
        ConformJob(plan, interpolator=interp).run()
    assert not (tmp_path / "new.xml").exists()
    assert not plan.media_dir.exists() or not any(plan.media_dir.iterdir())


def test_edl_reels_hold_no_spaces(tmp_path, media):
    """OTIO's EDL writer keeps spaces in reels taken from names; a reel with a space splits the
    event's columns. Every reel written is letters and digits, at most 8."""
    spaced = Path(shutil.copy(media, tmp_path / "my take 01.mkv"))
    tl = timeline([clip("plain", spaced, 2, 6), clip("half", spaced, 10, 6, 0.5)])
    plain = tl.video_tracks()[0][0]
    plain.media_reference.name = "UNC Path"  # as the AAF reader names media
    source = save(tl, tmp_path / "cut.otio")
    plan = plan_conform(source, tmp_path / "new.edl", codec="ffv1", chosen=())
    ConformJob(plan).run()  # nothing to render: the timeline is written as it is
    lines = [line.split() for line in (tmp_path / "new.edl").read_text().splitlines()
             if line[:3].isdigit()]
    assert [line[1] for line in lines] == ["mytake01", "mytake01"]
    assert all(len(line) == 8 for line in lines)  # event reel track edit in out rec-in rec-out
    new = read_timeline(tmp_path / "new.edl")
    assert [i.range_in_parent() for _, _, i in video_clips(new)] == \
        [i.range_in_parent() for _, _, i in video_clips(read_timeline(source))]
