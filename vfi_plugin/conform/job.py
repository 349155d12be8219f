"""Conform a timeline: render its slowed clips, write a timeline that plays the renders at 100 %.

Every render goes through ``vfi_plugin.jobs.RenderJob`` (atomic output, progress, cancel);
the new timeline is written through a temporary file renamed at the end. A cancel or a failure
removes the renders this conform made and writes no timeline; a clip whose render fails on its
own input is listed and left as it was.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import Cancelled, SlowMoError, UserInputError
from ..jobs import CancelToken, ProgressCallback, ProgressMeter, NoticeCallback
from . import aaf, fcpx
from .clips import SlowedClip, find_slowed_clips, remove_time_warp, video_clips
from .plan import (DEFAULT_CODEC, ClipPlan, default_media_dir, output_extension,
                   plan_clip, resolve_media, share_renders, timeline_dir)
from .speeds import lost_speeds
from .timeline import read_timeline, timeline_format, write_timeline

if TYPE_CHECKING:
    import opentimelineio as otio

# clipitem elements an FCP7 writer would copy back from the old clip and that describe the old
# media (Premiere reads pproTicks* before in/out; masterclipid links the old master clip)
_OLD_MEDIA_KEYS = ("masterclipid", "pproTicksIn", "pproTicksOut", "subclipinfo", "duration",
                   "logginginfo")


@dataclass(frozen=True)
class ConformPlan:
    """A read timeline and the plan of every slowed clip in it."""

    timeline_path: Path
    output: Path
    media_dir: Path
    timeline: Any              # opentimelineio.schema.Timeline (as read)
    plans: tuple[ClipPlan, ...]
    made_media_dir: bool = False  # planning made the media folder (removed if left empty)
    notices: tuple[str, ...] = ()  # one-line notes for the user (e.g. an EDL's assumed rate)
    # clips to render whose speed the new format's writer would lose were they left slowed
    # (a failed render): (track, record start frame)
    lost_if_left: tuple[tuple[str, int], ...] = ()

    def discard(self) -> None:
        """Forget a plan that will not run: remove the media folder it made, if empty."""
        if self.made_media_dir:
            remove_if_empty(self.media_dir)

    @property
    def chosen(self) -> tuple[ClipPlan, ...]:
        return tuple(p for p in self.plans if p.ok)

    @property
    def total_frames(self) -> int:
        return sum(p.frames for p in self.chosen if not p.shared)


@dataclass(frozen=True)
class ConformResult:
    """What a conform did: every slowed clip's plan (with ``problem`` for those left as they
    were), the renders it wrote and the new timeline."""

    output: Path
    plans: tuple[ClipPlan, ...]
    rendered: tuple[Path, ...]
    seconds: float


def list_slowed_clips(timeline_path: str | Path, rate: Fraction | None = None) -> list[SlowedClip]:
    """The slowed clips of a timeline file (speed, record range, source start)."""
    return find_slowed_clips(read_timeline(timeline_path, rate))


def plan_conform(timeline_path: str | Path, output: str | Path, *,
                 media_dir: str | Path | None = None, handles: int = 0,
                 codec: str = DEFAULT_CODEC, rate: Fraction | None = None,
                 search: tuple[str | Path, ...] = (), chosen: tuple[int, ...] | None = None,
                 overwrite: bool = False, device: str = "auto", weights: Path | None = None,
                 farm=None) -> ConformPlan:
    """Read the timeline and plan each slowed clip (``chosen``: their numbers, default all).

    Raises ``UserInputError`` for mistakes in what was asked (formats, paths, options); a
    clip that cannot be rendered gets a ``problem`` instead.
    """
    timeline_path, output = Path(timeline_path), Path(output)
    to_aaf = timeline_format(output).adapter == "AAF"
    if to_aaf:
        aaf.check_output(timeline_path, codec)
    if output.resolve() == timeline_path.resolve():
        raise UserInputError(f"{output}: the new timeline must not replace the one it conforms")
    if output.exists() and not overwrite:
        raise UserInputError(f"{output}: already exists (use --overwrite to replace it)")
    if not output.resolve().parent.is_dir():
        raise UserInputError(f"{output.parent}: output folder does not exist")
    if handles < 0:
        raise UserInputError(f"bad handles '{handles}': use 0 or more frames")
    output_extension(codec)
    timeline = read_timeline(timeline_path, rate)
    folders = tuple(Path(s) for s in search)
    for folder in folders:
        if not folder.is_dir():
            raise UserInputError(f"{folder}: no such folder to search for media")
    clips = find_slowed_clips(timeline)
    if chosen is not None:
        unknown = sorted(set(chosen) - {c.number for c in clips})
        if unknown:
            raise UserInputError(f"{timeline_path}: no slowed clip numbered "
                                 f"{', '.join(map(str, unknown))} (it has {len(clips)})")
        clips = [c for c in clips if c.number in chosen]
    media = Path(media_dir) if media_dir else default_media_dir(output)
    if media.exists() and not media.is_dir():
        raise UserInputError(f"{media}: not a folder (the renders go into --media-dir)")
    made_dir = not media.exists()
    if made_dir:
        if not media.resolve().parent.is_dir():
            raise UserInputError(f"{media.parent}: no such folder (for --media-dir)")
        media.mkdir()  # the renders' checks need their folder; removed again if left empty
    options = dict(overwrite=overwrite, device=device, weights=weights, farm=farm)
    here = timeline_dir(timeline_path)
    try:
        plans = [plan_clip(c, resolve_media(c, here, folders), media, handles, codec, options)
                 for c in clips]
        if timeline_format(timeline_path).adapter == "AAF":  # what OTIO's reader does not say
            plans = aaf.check_plans(timeline_path, plans, writing=to_aaf)
        lost = _check_lost_speeds(timeline, timeline_path, output, rate, plans)
    except BaseException:
        if made_dir:
            remove_if_empty(media)
        raise
    if made_dir and not any(p.ok for p in plans):
        remove_if_empty(media)
    notices = _rate_notices(timeline_path, rate, plans) + fcpx.notices(timeline)
    return ConformPlan(timeline_path, output, media, timeline, tuple(share_renders(plans)),
                       made_dir, notices, lost)


class ConformJob:
    """Render a plan's clips one after another, then write the new timeline."""

    def __init__(self, plan: ConformPlan, progress: ProgressCallback | None = None,
                 cancel: CancelToken | None = None, interpolator=None,
                 notice: NoticeCallback | None = None) -> None:
        self.plan = plan
        self.progress = progress
        self.cancel = cancel or CancelToken()
        self.interpolator = interpolator
        self.notice = notice or (lambda text: None)

    def run(self) -> ConformResult:
        started = time.monotonic()
        plans = list(self.plan.plans)
        todo = [i for i, p in enumerate(plans) if p.ok and not p.shared]
        meter = ProgressMeter(self.plan.total_frames, self.progress)
        meter.update(0, "preparing", force=True)
        written: list[Path] = []
        try:
            if todo and not self.plan.media_dir.exists():
                self.plan.media_dir.mkdir()
            farm = plans[todo[0]].request.farm if todo else None
            if farm is not None and farm.enabled:
                self._render_queue(plans, todo, farm, meter, written)
            else:
                self._render_each(plans, todo, meter, written)
            plans = [_drop_orphans(p, plans) for p in plans]
            done = sum(p.frames for p in plans if p.ok and not p.shared)
            meter.update(done, "finishing", force=True)
            self._check_cancel()
            write_conformed(self.plan, plans)
        except BaseException:
            for path in written:
                path.unlink(missing_ok=True)
            self.plan.discard()
            raise
        meter.update(done, "done", force=True)
        return ConformResult(self.plan.output, tuple(plans), tuple(written),
                             time.monotonic() - started)

    def _render_each(self, plans: list[ClipPlan], todo: list[int], meter: ProgressMeter,
                     written: list[Path]) -> None:
        """One render job after the other in this process, sharing one model."""
        from ..jobs import RenderJob, load_interpolator_for

        if todo and self.interpolator is None:
            self.interpolator = load_interpolator_for(plans[todo[0]].request)
        done = 0
        for i in todo:
            self._check_cancel()

            def report(p, offset=done) -> None:
                if p.stage == "rendering":
                    meter.update(offset + p.done)

            job = RenderJob(plans[i].request, report, self.cancel, self.interpolator,
                            notice=self.notice)
            try:
                result = job.run()
            except (Cancelled, KeyboardInterrupt):
                raise
            except SlowMoError as exc:  # this clip's own input: list it, go on
                plans[i] = replace(plans[i], problem=f"render failed: {exc}")
                continue
            written.append(result.output)
            done += plans[i].frames

    def _render_queue(self, plans: list[ClipPlan], todo: list[int], farm,
                      meter: ProgressMeter, written: list[Path]) -> None:
        """All the renders as one queue of segments (``vfi_plugin.farm.queue``): on a Dask
        cluster with ``--workers``/``--scheduler``, else one segment after the other here."""
        from ..farm.queue import run_queue

        def clip_done(k: int, result) -> None:
            if result.ok:
                written.append(result.output)

        results = run_queue([plans[i].request for i in todo], farm,
                            lambda done, total: meter.update(done), self.notice, self.cancel,
                            clip_done)
        for k, i in enumerate(todo):
            if not results[k].ok:
                plans[i] = replace(plans[i], problem=f"render failed: {results[k].error}")

    def _check_cancel(self) -> None:
        if self.cancel.cancelled:
            raise Cancelled("conform cancelled")


def conform(timeline: str | Path, output: str | Path, *, progress: ProgressCallback | None = None,
            cancel: CancelToken | None = None, interpolator=None,
            notice: NoticeCallback | None = None, **options) -> ConformResult:
    """Plan (see ``plan_conform`` for the options) and run a conform; returns what it did."""
    plan = plan_conform(timeline, output, **options)
    return ConformJob(plan, progress, cancel, interpolator, notice).run()


def write_conformed(plan: ConformPlan, plans: list[ClipPlan]) -> None:
    """Write ``plan``'s new timeline once its renders exist: each ok clip of ``plans`` plays its
    render, the others stay as they were (refused where the new format would lose the speed
    of one of those)."""
    _refuse_lost_speeds(plan, plans)
    if timeline_format(plan.output).adapter == "AAF":
        aaf.write_conformed_aaf(plan.timeline_path, plans, plan.output)
    else:
        write_timeline(conformed_timeline(plan.timeline, plans), plan.output)


def conformed_timeline(timeline: otio.schema.Timeline,
                       plans: list[ClipPlan]) -> otio.schema.Timeline:
    """A copy of ``timeline`` in which each rendered clip plays its render at 100 %, over the
    same record range."""
    import opentimelineio as otio

    new = timeline.deepcopy()
    originals = [clip for _, _, clip in video_clips(timeline)]
    copies = [clip for _, _, clip in video_clips(new)]
    for plan in plans:
        if not plan.ok:
            continue
        clip = copies[next(i for i, c in enumerate(originals) if c is plan.clip.clip)]
        rate = float(plan.fps)
        origin = otio.opentime.RationalTime(0, rate)
        if plan.timecode:
            origin = otio.opentime.from_timecode(plan.timecode, rate)
        ref = otio.schema.ExternalReference(
            target_url=plan.output.resolve().as_uri(),
            available_range=otio.opentime.TimeRange(
                origin, otio.opentime.RationalTime(plan.frames, rate)))
        ref.name = plan.output.name
        width, height = plan.size  # FCP7 XML: a video-only file (the adapter assumes audio)
        ref.metadata["fcp_xml"] = {"media": {"video": {"samplecharacteristics": {
            "width": str(width), "height": str(height)}}}}
        remove_time_warp(clip)
        clip.media_reference = ref
        clip.source_range = otio.opentime.TimeRange(
            origin + otio.opentime.RationalTime(plan.first, rate),
            clip.source_range.duration)
        if "AAF" in clip.metadata:  # the old master mob's (its mob ID would relink the old media)
            del clip.metadata["AAF"]
        fcp = clip.metadata.get("fcp_xml")
        for key in _OLD_MEDIA_KEYS if fcp is not None else ():
            if key in fcp:
                del fcp[key]
        edl = clip.metadata.get("cmx_3600")
        if edl is not None:  # the EDL writer names the reel after the new file
            if "reel" in edl:
                del edl["reel"]
            if "comments" in edl:
                edl["comments"] = [c for c in edl["comments"] if "REEL NAME FROM" not in str(c)]
    return new


def _check_lost_speeds(timeline, source: Path, output: Path, rate: Fraction | None,
                       plans: list[ClipPlan]) -> tuple[tuple[str, int], ...]:
    """Refuse a new format whose writer loses the speed of a retimed clip left as it is;
    return the keys of the clips to render whose speed it would lose if left."""
    lost = lost_speeds(timeline, source, output, rate)
    rendered = {_key(p) for p in plans if p.ok}
    left = [c for c in lost if c.key not in rendered]
    if left:
        names = "; ".join(c.describe() for c in left[:3]) + ("; ..." if len(left) > 3 else "")
        raise UserInputError(
            f"{output}: the {timeline_format(output).label} writer would lose the speed of "
            f"{len(left)} retimed clip(s) that stay as they are: {names}; write the new "
            f"timeline as {source.suffix} (or .otio)")
    return tuple(c.key for c in lost)


def _refuse_lost_speeds(plan: ConformPlan, plans: list[ClipPlan]) -> None:
    """A render that failed leaves its clip slowed: refuse to write a format that loses it."""
    failed = [p for p in plans if not p.ok and _key(p) in plan.lost_if_left]
    if failed:
        raise UserInputError(
            f"{plan.output}: not written: {failed[0].clip.name} could not be rendered "
            f"({failed[0].problem}) and the {timeline_format(plan.output).label} writer "
            f"cannot keep its speed; write the new timeline as {plan.timeline_path.suffix}")


def _key(plan: ClipPlan) -> tuple[str, int]:
    return plan.clip.track, round(plan.clip.record.start_time.value)


def _rate_notices(path: Path, rate: Fraction | None, plans: list[ClipPlan]) -> tuple[str, ...]:
    """An EDL read at the default rate whose media run at another: say how to give it."""
    from .timeline import EDL_DEFAULT_RATE

    if rate is not None or timeline_format(path).adapter != "cmx_3600":
        return ()
    rates = sorted({p.fps for p in plans if p.fps and p.fps != EDL_DEFAULT_RATE})
    if not rates:
        return ()
    shown = ", ".join(f"{float(r):g}" for r in rates)
    return (f"{path}: read at {EDL_DEFAULT_RATE} fps (an EDL does not say) but its media run "
            f"at {shown} fps: if the timeline runs at that rate, pass --edl-fps",)


def _drop_orphans(plan: ClipPlan, plans: list[ClipPlan]) -> ClipPlan:
    """A clip sharing a render that failed is left as it was too."""
    if plan.ok and plan.shared:
        owner = next(p for p in plans if p.output == plan.output and not p.shared)
        if not owner.ok:
            return replace(plan, problem=owner.problem)
    return plan


def remove_if_empty(folder: Path) -> None:
    try:
        folder.rmdir()
    except OSError:
        pass
