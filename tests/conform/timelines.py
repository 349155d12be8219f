"""Timelines for the conform tests, built with OpenTimelineIO on tiny generated media, and the
form each editor's format gives a speed effect."""
from __future__ import annotations

from pathlib import Path

import opentimelineio as otio
from opentimelineio.opentime import RationalTime, TimeRange

RATE = 24
MEDIA_FRAMES = 40  # frames of the tests' media (conftest.media)


def clip(name: str, media: Path, start: int, frames: int, speed: float | None = None, *,
         freeze: bool = False, media_frames: int = 40) -> otio.schema.Clip:
    """A clip showing ``frames`` record frames from media frame ``start`` at ``speed``."""
    ref = otio.schema.ExternalReference(
        target_url=media.as_uri(),
        available_range=TimeRange(RationalTime(0, RATE), RationalTime(media_frames, RATE)))
    item = otio.schema.Clip(name=name, media_reference=ref,
                            source_range=TimeRange(RationalTime(start, RATE),
                                                   RationalTime(frames, RATE)))
    if freeze:
        item.effects.append(otio.schema.FreezeFrame())
    elif speed is not None:
        item.effects.append(otio.schema.LinearTimeWarp(time_scalar=speed))
    return item


def gap(frames: int) -> otio.schema.Gap:
    return otio.schema.Gap(source_range=TimeRange(RationalTime(0, RATE),
                                                  RationalTime(frames, RATE)))


def dissolve(before: int, after: int) -> otio.schema.Transition:
    return otio.schema.Transition(transition_type=otio.schema.TransitionTypes.SMPTE_Dissolve,
                                  in_offset=RationalTime(before, RATE),
                                  out_offset=RationalTime(after, RATE))


def timeline(*tracks: list) -> otio.schema.Timeline:
    result = otio.schema.Timeline(name="cut")
    for number, items in enumerate(tracks, 1):
        track = otio.schema.Track(name=f"V{number}", kind=otio.schema.TrackKind.Video)
        track.extend(items)
        result.tracks.append(track)
    return result


def as_fcp7_xml(source: otio.schema.Timeline) -> otio.schema.Timeline:
    """What Premiere Pro and Resolve write for a speed change in FCP7 XML: a "Time Remap"
    filter (speed in percent, 0 for a freeze frame), with the clip's in/out counted in frames
    of the retimed clip. The FCP7 adapter writes no speed of its own."""
    new = source.deepcopy()
    for track in new.video_tracks():
        for item in track.find_clips():
            warps = [e for e in item.effects if isinstance(e, otio.schema.LinearTimeWarp)]
            if not warps:
                continue
            speed = warps[0].time_scalar
            del item.effects[:]
            origin = item.media_reference.available_range.start_time
            start = item.source_range.start_time
            retimed = (start - origin).value / speed if speed else (start - origin).value
            item.source_range = TimeRange(origin + RationalTime(retimed, start.rate),
                                          item.source_range.duration)
            params = [{"parameterid": "variablespeed", "name": "variablespeed", "value": "0"},
                      {"parameterid": "speed", "name": "speed", "value": f"{speed * 100:g}"},
                      {"parameterid": "reverse", "name": "reverse", "value": "FALSE"},
                      {"parameterid": "frameblending", "name": "frameblending",
                       "value": "FALSE"}]
            item.metadata["fcp_xml"] = {"filter": {"effect": {
                "name": "Time Remap", "effectid": "timeremap", "effectcategory": "motion",
                "effecttype": "motion", "mediatype": "video", "parameter": params}}}
    return new
