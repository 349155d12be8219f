"""Whether a timeline's speed effects survive being written in another format.

A conform may write its new timeline in another format than it read (an AAF or an FCP7 XML
to an EDL, an OTIO file to FCP7 XML). The clips it renders play at 100 % afterwards, but
every other retimed clip (left slowed, faster, a freeze frame) must keep its speed, and not
every adapter writes every speed: OTIO's FCP7 XML and FCPXML writers write none, its EDL
writer writes ``LinearTimeWarp`` (M2) but not FCP7's Time Remap filter. So the timeline as
read is written once to a scratch file in the new format and read back, and the clips whose
speed changed are named before anything is rendered.
"""
from __future__ import annotations

import tempfile
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

from .clips import time_warp, video_clips
from .timeline import read_timeline, timeline_format, write_timeline

if TYPE_CHECKING:
    import opentimelineio as otio

SPEED_TOLERANCE = 0.005  # an EDL's M2 gives speed as frames per second with one decimal


@dataclass(frozen=True)
class LostSpeed:
    """A retimed clip whose speed the new format's writer does not keep."""

    track: str          # "V1", ...
    record_start: int   # record frame of its first frame on the track
    name: str
    speed: float        # as read
    written: float      # as it reads back from the new format

    @property
    def key(self) -> tuple[str, int]:
        return self.track, self.record_start

    def describe(self) -> str:
        return f"{self.name} ({self.track}, {self.speed:.0%} read back as {self.written:.0%})"


def clip_key(track: str, clip: otio.schema.Clip) -> tuple[str, int]:
    """How a clip is found again after a round trip: its track and record start frame."""
    return track, round(clip.range_in_parent().start_time.value)


def lost_speeds(timeline: otio.schema.Timeline, source: Path, output: Path,
                rate: Fraction | None = None) -> list[LostSpeed]:
    """The retimed clips of ``timeline`` (read from ``source``) whose speed would change when
    written in ``output``'s format; none when both formats are the same (each writer keeps
    its own format's speeds: tests/conform)."""
    if timeline_format(source) == timeline_format(output):
        return []
    before = _speeds(timeline)
    if all(speed == 1 for speed, _ in before.values()):
        return []
    with tempfile.TemporaryDirectory(prefix="slowmo-speeds-") as folder:
        scratch = Path(folder) / f"check{timeline_format(output).suffix}"
        write_timeline(timeline, scratch)
        after = _speeds(read_timeline(scratch, rate or _rate(timeline)))
    lost = []
    for key, (speed, name) in before.items():
        written = after.get(key, (1.0, name))[0]
        if speed != 1 and abs(written - speed) > SPEED_TOLERANCE:
            lost.append(LostSpeed(key[0], key[1], name, speed, written))
    return lost


def _speeds(timeline: otio.schema.Timeline) -> dict[tuple[str, int], tuple[float, str]]:
    speeds = {}
    for track, _, clip in video_clips(timeline):
        warp = time_warp(clip)
        speeds[clip_key(track, clip)] = (1.0 if warp is None else float(warp.speed),
                                         clip.name or "clip")
    return speeds


def _rate(timeline: otio.schema.Timeline) -> Fraction | None:
    """The timeline's frame rate (its first video clip's), for reading an EDL back."""
    for _, _, clip in video_clips(timeline):
        return Fraction(clip.source_range.duration.rate).limit_denominator(1001)
    return None
