"""Find the slowed clips of a timeline: constant slow motion, where it sits, what it shows.

Speed comes from OTIO's ``LinearTimeWarp`` (OTIO files, EDL M2 events, AAF, constant FCPXML
``timeMap``s as ``fcpx`` reads them), from the effect ``fcpx`` puts on a Final Cut retime it
cannot conform, or from the FCP7 XML "Time Remap" filter that the FCP7 adapter passes through
as a plain ``Effect``. In FCP7 XML a retimed clip's in/out count frames of the retimed clip,
so the media frame it starts on is ``in * speed``; elsewhere the source range's start is the
media time itself.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Iterator

from .fcpx import effect_problem

if TYPE_CHECKING:
    import opentimelineio as otio

FCP_NAMESPACE = "fcp_xml"
TIMEREMAP = "timeremap"


@dataclass(frozen=True)
class TimeWarp:
    """A clip's speed effect as the timeline gives it."""

    speed: Fraction           # media seconds per record second (0.5: half speed)
    retimed_in: bool = False  # the source range's start counts retimed frames (FCP7 XML)
    problem: str | None = None  # why it cannot be conformed (a ramp, reverse, stacked warps)


@dataclass(frozen=True)
class SlowedClip:
    """One clip with a slow-motion speed effect (0 < speed < 1), or one that cannot be
    conformed as one (a ramp, reversed: ``problem`` says).

    ``record`` is where it sits on its track; ``source_start`` the media time (absolute, as
    the timeline counts it: from the media's start timecode where it knows it) that its first
    record frame shows; ``head``/``tail`` the record time transitions use beyond its cut.
    """

    number: int            # 1-based position among the timeline's slowed clips
    track: str
    name: str
    speed: Fraction
    record: Any            # opentime.TimeRange on the track
    source_start: Any      # opentime.RationalTime
    head: Any              # opentime.RationalTime
    tail: Any              # opentime.RationalTime
    media_url: str | None  # the media reference's target URL, None when it has none
    problem: str | None = None  # set: listed and left as it is
    clip: Any = field(default=None, compare=False, repr=False)  # the otio Clip

    @property
    def factor(self) -> Fraction:
        """The slowdown factor that renders it (1 / speed)."""
        return 1 / self.speed

    @property
    def media_origin(self) -> otio.opentime.RationalTime | None:
        """The media time of the media's first frame, where the timeline says (else None)."""
        ref = self.clip.media_reference if self.clip is not None else None
        available = getattr(ref, "available_range", None)
        return available.start_time if available is not None else None

    def source_end(self) -> otio.opentime.RationalTime:
        """The media time just past the last frame the cut shows (start + duration·speed)."""
        return self.source_start + _scaled(self.record.duration, self.speed)


def time_warp(clip: otio.schema.Clip) -> TimeWarp | None:
    """The clip's speed effect; None when it plays at 100 %."""
    import opentimelineio as otio

    warps: list[TimeWarp] = []
    for effect in clip.effects:
        if isinstance(effect, otio.schema.FreezeFrame):
            warps.append(TimeWarp(Fraction(0)))
        elif isinstance(effect, otio.schema.LinearTimeWarp):
            speed = _speed(effect.time_scalar)
            warps.append(TimeWarp(abs(speed), problem="reversed: not conformed")
                         if speed < 0 else TimeWarp(speed))
        elif (fcpx := effect_problem(effect)) is not None:
            warps.append(TimeWarp(fcpx[0], problem=fcpx[1]))
        else:
            remap = _fcp_timeremap(effect)
            if remap is not None:
                warps.append(remap)
            elif isinstance(effect, otio.schema.TimeEffect):  # e.g. an AAF speed ramp
                warps.append(TimeWarp(Fraction(1), problem="a speed ramp or another time "
                                                           "effect: not a constant slow motion"))
    if not warps:
        return None
    if len(warps) > 1:
        return TimeWarp(warps[0].speed, warps[0].retimed_in, "several speed effects")
    return warps[0]


def find_slowed_clips(timeline: otio.schema.Timeline) -> list[SlowedClip]:
    """Every clip on the timeline's video tracks slowed by a constant speed below 100 %
    (freeze frames and faster or reversed clips are not slow motion and are left out)."""
    import opentimelineio as otio

    found: list[SlowedClip] = []
    for track_name, track, clip in video_clips(timeline):
        warp = time_warp(clip)
        if warp is None or warp.speed == 0 or (warp.speed >= 1 and warp.problem is None):
            continue  # 100 %, a freeze frame or faster: not slow motion
        head, tail = track.handles_of_child(clip)
        zero = otio.opentime.RationalTime(0, clip.source_range.duration.rate)
        found.append(SlowedClip(
            len(found) + 1, track_name, clip.name or _url_name(clip), warp.speed,
            clip.range_in_parent(), _real_start(clip, warp), head or zero, tail or zero,
            getattr(clip.media_reference, "target_url", None) or None, warp.problem, clip))
    return found


def video_clips(timeline: otio.schema.Timeline
                ) -> Iterator[tuple[str, otio.schema.Track, otio.schema.Clip]]:
    """(track name, track, clip) for every clip of the top-level video tracks, in order."""
    import opentimelineio as otio

    for number, track in enumerate(timeline.video_tracks(), 1):
        name = f"V{number}"
        for child in track:
            if isinstance(child, otio.schema.Clip) and child.source_range is not None:
                yield name, track, child


def remove_time_warp(clip: otio.schema.Clip) -> None:
    """Drop the clip's speed effects (and the FCP7 Time Remap filter the writer would put
    back from the clip's metadata)."""
    import opentimelineio as otio

    kept = [e for e in clip.effects if not isinstance(e, otio.schema.LinearTimeWarp)
            and _fcp_timeremap(e) is None and effect_problem(e) is None]
    del clip.effects[:]
    clip.effects.extend(kept)
    fcp = clip.metadata.get(FCP_NAMESPACE)
    if fcp is None or "filter" not in fcp:
        return
    filters = fcp["filter"]
    many = isinstance(filters, (list, tuple)) or type(filters).__name__ == "AnyVector"
    rest = [f for f in (filters if many else [filters]) if not _is_timeremap_filter(f)]
    if rest:
        fcp["filter"] = rest if many else rest[0]
    else:
        del fcp["filter"]


def _fcp_timeremap(effect) -> TimeWarp | None:
    """The speed of an FCP7 XML Time Remap filter read as a plain Effect, else None."""
    data = effect.metadata.get(FCP_NAMESPACE) if effect.metadata else None
    if not data or str(data.get("effectid", "")).lower() != TIMEREMAP:
        return None
    params = _parameters(data)
    try:
        speed = _speed(float(params.get("speed", "100")) / 100)
    except ValueError:
        return TimeWarp(Fraction(1), True, "unreadable Time Remap speed")
    problem = None
    if str(params.get("variablespeed", "0")).strip() not in ("0", "", "FALSE"):
        problem = "a speed ramp (variable speed): not a constant slow motion"
    elif str(params.get("reverse", "FALSE")).strip().upper() == "TRUE" or speed < 0:
        problem = "reversed: not conformed"
        speed = abs(speed)
    return TimeWarp(speed, True, problem)


def _is_timeremap_filter(data) -> bool:
    effect = data.get("effect") if hasattr(data, "get") else None
    return bool(effect) and str(effect.get("effectid", "")).lower() == TIMEREMAP


def _parameters(effect_data) -> dict[str, str]:
    params = effect_data.get("parameter", [])
    if hasattr(params, "get"):  # one parameter comes as a dict, several as a list
        params = [params]
    values: dict[str, str] = {}
    for param in params:
        key = param.get("parameterid") or param.get("name")
        if key is not None and "value" in param:
            values[str(key).lower()] = str(param["value"])
    return values


def _speed(value: float) -> Fraction:
    return Fraction(value).limit_denominator(1000)


def _scaled(duration, speed: Fraction):
    """A RationalTime times a speed (same rate)."""
    import opentimelineio as otio

    return otio.opentime.RationalTime(duration.value * float(speed), duration.rate)


def _real_start(clip, warp: TimeWarp):
    """The media time the clip's first record frame shows."""
    import opentimelineio as otio

    start = clip.source_range.start_time
    if not warp.retimed_in:
        return start
    available = getattr(clip.media_reference, "available_range", None)
    origin = (available.start_time if available is not None
              else otio.opentime.RationalTime(0, start.rate))
    return origin + _scaled(start - origin, warp.speed)


def _url_name(clip) -> str:
    url = getattr(clip.media_reference, "target_url", "") or ""
    return url.rstrip("/").rsplit("/", 1)[-1] or "clip"
