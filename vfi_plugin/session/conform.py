"""What the panel's "Open timeline..." holds between clicks, without Qt or torch: the
conform's choices, one row per slowed clip, and the words its progress and summary show.

The rows come from a listing plan (``list_rows``: ``plan_conform`` into a scratch folder,
nothing rendered), so each row already says why a clip would be left as it is and where
its media and frames are for a thumbnail or a preview.
"""
from __future__ import annotations

import math
import shutil
import tempfile
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from ..conform.plan import DEFAULT_CODEC, ClipPlan, default_media_dir
from ..errors import UserInputError
from .naming import seconds_text

EDL_SUFFIX = ".edl"


def default_output(timeline: Path) -> Path:
    """``<name>_slowmo<suffix>`` next to the timeline, in its format."""
    return timeline.with_name(f"{timeline.stem}_slowmo{timeline.suffix}")


def parse_rate(text: str) -> Fraction:
    """An EDL's frame rate as typed ("24", "25", "29.97", "30000/1001")."""
    try:
        rate = Fraction(text.strip())
    except (ValueError, ZeroDivisionError):
        rate = Fraction(0)
    if rate == Fraction("29.97"):
        rate = Fraction(30000, 1001)
    elif rate == Fraction("23.976"):
        rate = Fraction(24000, 1001)
    if not 1 <= rate <= 1000:
        raise UserInputError(f"bad EDL frame rate '{text}': use a rate such as 24, 25 or "
                             f"30000/1001")
    return rate


@dataclass
class ConformChoices:
    """The dialog's choices: the timeline, the EDL rate, folders to find missing media in,
    where the new timeline and the renders go, handles, codec, overwrite, and the clips left
    unticked."""

    timeline: Path | None = None
    edl_fps: str = "24"
    search: tuple[Path, ...] = ()   # looked in, by file name, for media the timeline misses
    output: Path | None = None      # None: default_output(timeline)
    media_dir: Path | None = None   # None: the core's default (<new timeline>_media)
    handles: int = 0
    codec: str = DEFAULT_CODEC
    overwrite: bool = False
    unchecked: set[int] = field(default_factory=set)

    @property
    def is_edl(self) -> bool:
        return self.timeline is not None and self.timeline.suffix.lower() == EDL_SUFFIX

    def rate(self) -> Fraction | None:
        return parse_rate(self.edl_fps) if self.is_edl else None

    def output_path(self) -> Path | None:
        if self.output is not None:
            return self.output
        return default_output(self.timeline) if self.timeline is not None else None

    def media_path(self) -> Path | None:
        output = self.output_path()
        if self.media_dir is not None:
            return self.media_dir
        return default_media_dir(output) if output is not None else None

    def plan_options(self, chosen: tuple[int, ...]) -> dict[str, Any]:
        """``plan_conform``'s arguments for the ``chosen`` clip numbers (UserInputError
        for a missing timeline or a bad EDL rate)."""
        if self.timeline is None:
            raise UserInputError("open a timeline first")
        if not chosen:
            raise UserInputError("no clip is ticked: tick the clips to render")
        return dict(timeline_path=self.timeline, output=self.output_path(),
                    media_dir=self.media_dir, handles=self.handles, codec=self.codec,
                    rate=self.rate(), search=self.search, chosen=chosen,
                    overwrite=self.overwrite)


@dataclass(frozen=True)
class ConformRow:
    """One slowed clip as the dialog lists it."""

    number: int
    track: str
    name: str
    speed: Fraction
    record_text: str
    source_text: str
    media: Path | None          # the media file found for it (None: not found)
    problem: str | None         # why it is left as it is (None: it can be rendered)
    fps: Fraction = Fraction(0)  # the media's rate (0: not probed)
    first_frame: int = 0        # media frame (from the file's first) its first record frame shows
    start_frame: int = 0        # media frames [start_frame, end_frame) its render uses
    end_frame: int = 0

    @property
    def ok(self) -> bool:
        return self.problem is None

    @property
    def factor(self) -> Fraction:
        return 1 / self.speed

    @property
    def speed_text(self) -> str:
        return f"{float(self.speed) * 100:.4g} %"

    @property
    def media_text(self) -> str:
        return self.media.name if self.media is not None else "(not found)"

    @property
    def can_preview(self) -> bool:
        return self.ok and self.media is not None and self.end_frame - self.start_frame >= 2


def row_of(plan: ClipPlan) -> ConformRow:
    """The row of one clip of a listing plan."""
    clip = plan.clip
    end = clip.record.end_time_exclusive()
    record = f"{timecode(clip.record.start_time)} \u2013 {timecode(end)}"
    source = f"{timecode(clip.source_start)} \u2013 {timecode(clip.source_end())}"
    first = 0
    if plan.ok:  # render frame j shows media frame start_frame + j·speed
        first = math.floor(plan.start_frame + plan.first * clip.speed)
    return ConformRow(clip.number, clip.track, clip.name, clip.speed, record, source,
                      plan.source, plan.problem, plan.fps, first, plan.start_frame,
                      plan.end_frame)


def list_rows(timeline: Path, rate: Fraction | None = None,
              search: tuple[Path, ...] = ()) -> list[ConformRow]:
    """Read ``timeline`` and plan every slowed clip, as a new timeline of its own format,
    into a scratch folder (removed again): one row per clip, with its problem where it would
    be left as it is. Probes the media (ffprobe): call it off the GUI thread."""
    from ..conform import plan_conform

    scratch = Path(tempfile.mkdtemp(prefix="slowmo-listing-"))
    try:
        plan = plan_conform(timeline, scratch / f"listing{timeline.suffix}", media_dir=scratch,
                            rate=rate, search=search, overwrite=True)
        return [row_of(p) for p in plan.plans]
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def timecode(time) -> str:
    """An OTIO time as ``HH:MM:SS:FF`` at its own rate (seconds where that fails)."""
    import opentimelineio as otio

    try:
        return otio.opentime.to_timecode(time, time.rate)
    except (ValueError, TypeError):
        return f"{time.to_seconds():.3f}s"


def clip_of(done: int, plans: tuple[ClipPlan, ...]) -> tuple[int, int]:
    """(i, n): the render of ``done`` frames (of all the plans' renders) is in clip i of n."""
    renders = [p for p in plans if p.ok and not p.shared]
    total = 0
    for i, plan in enumerate(renders, 1):
        total += plan.frames
        if done < total:
            return i, len(renders)
    return len(renders), len(renders)


def progress_text(progress, plans: tuple[ClipPlan, ...]) -> str:
    """"clip 2 of 3 · 40 / 120 frames · 3.1 fps · ETA 12 s" for a ConformJob's Progress."""
    i, n = clip_of(progress.done, plans)
    if progress.stage == "preparing":
        return f"clip {i} of {n} \u00b7 preparing\u2026"
    if progress.stage in ("finishing", "done"):
        return f"{progress.done} / {progress.total} frames \u00b7 writing the timeline\u2026"
    return (f"clip {i} of {n} \u00b7 {progress.done} / {progress.total} frames \u00b7 "
            f"{progress.fps:.1f} fps \u00b7 ETA {seconds_text(progress.eta_s)}")


def outcome(plan: ClipPlan) -> str:
    """What a conform did with one clip: its render, or why it was left."""
    if plan.ok:
        return f"rendered: {plan.output.name}" + (" (shared)" if plan.shared else "")
    return f"left as it was: {plan.problem}"


def result_text(result, media_dir: Path, listed: int | None = None) -> str:
    """One line on a finished conform (``listed``: the timeline's slowed clips, chosen or
    not; default the ones the conform planned)."""
    done = sum(p.ok for p in result.plans)
    left = (len(result.plans) if listed is None else listed) - done
    return (f"Wrote {result.output.name}: {done} clip{'s' * (done != 1)} conformed, {left} left "
            f"as {'it was' if left == 1 else 'they were'}; {len(result.rendered)} "
            f"render{'s' * (len(result.rendered) != 1)} in {media_dir.name}.")
