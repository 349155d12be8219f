"""Plan the render of each slowed clip: which source frames, which output frames the cut uses.

A clip slowed to speed ``s`` shows, at record frame ``i``, media frame ``m0 + i·step`` with
``step = s · media_fps / record_fps``. The render (slow-motion mode, factor ``F = 1/s``) of
media frames ``[a, b)`` shows media frame ``a + j/F`` at its frame ``j``, so the cut's record
frame ``i`` is the render's frame ``(m0 - a)·F + i·media_fps/record_fps``. ``a`` is chosen so
that ``(m0 - a)·F`` is whole where it can be: the render's frames then fall on the cut's
frames exactly.
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from urllib.parse import unquote, urlparse

from ..errors import SlowMoError, UserInputError
from .clips import SlowedClip

DEFAULT_CODEC = "prores"


@dataclass(frozen=True)
class ClipPlan:
    """How one slowed clip is rendered, or why it is left as it is (``problem``)."""

    clip: SlowedClip
    source: Path | None = None
    output: Path | None = None
    start_frame: int = 0     # render range: media frames [start_frame, end_frame)
    end_frame: int = 0
    first: int = 0           # the render's frame shown at the clip's first record frame
    frames: int = 0          # frames the render writes
    fps: Fraction = Fraction(0)  # the media's (and the render's) frame rate
    origin: Fraction = Fraction(0)  # the timeline's media time of the media's first frame
    problem: str | None = None
    request: object = None   # the vfi_plugin.jobs.RenderRequest
    shared: bool = False     # another plan renders the same output
    timecode: str | None = None  # the render's start timecode (the source's at start_frame)
    size: tuple[int, int] = (0, 0)  # the render's width and height

    @property
    def ok(self) -> bool:
        return self.problem is None

    @property
    def record_frames(self) -> int:
        return round(self.clip.record.duration.value)


def resolve_media(clip: SlowedClip, timeline_dir: Path, search: tuple[Path, ...]) -> Path | None:
    """The clip's media file: the timeline's path (relative ones from the timeline's folder),
    else a file of the same name (or the clip's name) in one of the ``search`` folders."""
    names: list[str] = []
    if clip.media_url:
        path = url_to_path(clip.media_url)
        full = path if path.is_absolute() else timeline_dir / path
        if full.is_file():
            return full
        names.append(path.name)
    ref = clip.clip.media_reference if clip.clip is not None else None
    names += [n for n in (getattr(ref, "name", None), clip.clip.name if clip.clip else None) if n]
    for folder in search:
        for name in names:
            if (folder / name).is_file():
                return folder / name
    return None


def url_to_path(url: str) -> Path:
    """A media reference's target URL (file://... or a plain path) as a path."""
    if url.startswith("file:"):
        parsed = urlparse(url)
        path = unquote(parsed.path)
        if len(path) > 2 and path[0] == "/" and path[2] == ":":  # file:///C:/...
            path = path[1:]
        if parsed.netloc and parsed.netloc != "localhost":
            path = f"//{parsed.netloc}{path}"  # a UNC share
        return Path(path)
    return Path(url)


def output_extension(codec: str) -> str:
    """Editors read the renders as QuickTime where the codec allows."""
    from ..media import CODECS

    spec = CODECS.get(codec)
    if spec is None:
        raise UserInputError(f"unknown codec '{codec}': use one of {', '.join(file_codecs())}")
    if spec.extensions == ("",):
        raise UserInputError(f"codec '{codec}' writes a folder of images; a conformed timeline "
                             f"needs movie files: use one of {', '.join(file_codecs())}")
    return ".mov" if ".mov" in spec.extensions else spec.extensions[0]


def file_codecs() -> tuple[str, ...]:
    from ..media import CODECS

    return tuple(name for name, spec in CODECS.items() if spec.extensions != ("",))


def plan_clip(clip: SlowedClip, source: Path | None, media_dir: Path, handles: int,
              codec: str, request_options: dict) -> ClipPlan:
    """The render plan of one clip, or a ClipPlan with ``problem`` saying why it is left."""
    from ..engine.timing import parse_factor
    from ..jobs import RenderRequest, plan_render
    from ..media import probe

    if clip.problem:
        return ClipPlan(clip, source, problem=clip.problem)
    if source is None:
        where = clip.media_url or "no media path in the timeline"
        return ClipPlan(clip, problem=f"media not found ({where})")
    try:
        factor = parse_factor(1 / clip.speed)
        info = probe(source)
    except SlowMoError as exc:
        return ClipPlan(clip, source, problem=f"unreadable: {exc}")
    fps, total = info.fps, info.frame_count
    record_fps = _rate(clip.record.duration.rate)
    origin = _origin_frames(clip, info)
    start = _media_frames(clip.source_start, fps) - origin
    jstep = fps / record_fps                    # render frames per record frame
    step = clip.speed * jstep                   # media frames per record frame
    frames = round(clip.record.duration.value)
    head = round(clip.head.value) if clip.head is not None else 0
    tail = round(clip.tail.value) if clip.tail is not None else 0
    low = start - head * step                   # media frames the cut must have
    high = start + (frames - 1 + tail) * step
    if low < 0:
        return ClipPlan(clip, source, fps=fps, problem=f"the cut starts before the media's "
                                                       f"first frame (media frame {float(low):g})")
    if math.ceil(high) > total - 1:
        return ClipPlan(clip, source, fps=fps, problem=(
            f"the cut runs past the media's last frame (needs media frame "
            f"{math.ceil(high)}, the media has {total})"))
    a = _aligned_start(max(0, math.floor(low - handles * step)), start, factor)
    b = min(total - 1, math.ceil(high + handles * step)) + 1
    if b - a < 2:
        if a + 2 > total:
            return ClipPlan(clip, source, fps=fps, problem="too short: slow motion needs 2 "
                                                           "media frames")
        b = a + 2
    written = math.floor((b - 1 - a) * factor) + 1
    first = round((start - a) * factor)
    if first - head * jstep < 0 or first + (frames - 1 + tail) * jstep > written - 1:
        return ClipPlan(clip, source, fps=fps, problem="the render would not cover the cut "
                                                       "(mixed frame rates)")
    output = media_dir / render_name(source, factor, a, b, output_extension(codec))
    request = RenderRequest(source, output, factor, f"{a}f", f"{b}f", "slowmo", codec,
                            "drop", fields="progressive", **request_options)
    if output.exists() and not request.overwrite:
        raise UserInputError(f"{output}: already exists (use --overwrite to replace it)")
    try:
        render = plan_render(request, info)
    except UserInputError as exc:
        return ClipPlan(clip, source, fps=fps, problem=str(exc))
    return ClipPlan(clip, source, output, a, b, first, written, fps, origin, request=request,
                    timecode=render.output_timecode, size=info.display_size)


def _aligned_start(latest: int, start: Fraction, factor: Fraction) -> int:
    """The render's first media frame, at most ``latest``: one from which the cut's start is a
    whole number of render frames away ((start - a)·F whole) where there is one, else one with
    a·F whole (the render's frames then fall as near the cut's as they can)."""
    for a in range(latest, max(-1, latest - factor.denominator), -1):
        if ((start - a) * factor).denominator == 1:
            return a
    return latest - latest % factor.denominator


def render_name(source: Path, factor: Fraction, start: int, end: int, ext: str) -> str:
    """``take_x2_f10-19.mov``: the source's name, the factor and the media frames rendered."""
    return f"{source.stem}_x{float(factor):g}_f{start}-{end - 1}{ext}"


def share_renders(plans: list[ClipPlan]) -> list[ClipPlan]:
    """Plans rendering the same frames of the same media at the same factor render once."""
    from dataclasses import replace

    seen: set[Path] = set()
    result = []
    for plan in plans:
        if plan.ok and plan.output in seen:
            plan = replace(plan, shared=True)
        elif plan.ok:
            seen.add(plan.output)
        result.append(plan)
    return result


def _rate(value: float) -> Fraction:
    return Fraction(value).limit_denominator(1001)


def _media_frames(time, fps: Fraction) -> Fraction:
    """A RationalTime as media frames (exact for the usual rates)."""
    seconds = Fraction(time.value).limit_denominator(10**6) / _rate(time.rate)
    return (seconds * fps).limit_denominator(10**4)


def _origin_frames(clip: SlowedClip, info) -> Fraction:
    """The media frame count of the media's first frame in the timeline's media times: its
    available range's start where the timeline gives it, else its timecode (EDL) when the
    cut's source times are at or past it, else 0."""
    if clip.media_origin is not None:
        return _media_frames(clip.media_origin, info.fps)
    if info.timecode:
        import opentimelineio as otio
        try:
            origin = _media_frames(otio.opentime.from_timecode(info.timecode, float(info.fps)),
                                   info.fps)
        except (ValueError, TypeError):
            return Fraction(0)
        if _media_frames(clip.source_start, info.fps) >= origin:
            return origin
    return Fraction(0)


def default_media_dir(output_timeline: Path) -> Path:
    """Renders go next to the new timeline, in ``<its name>_media``."""
    return output_timeline.with_name(f"{output_timeline.stem}_media")


def timeline_dir(path: Path) -> Path:
    return Path(os.path.abspath(path)).parent
