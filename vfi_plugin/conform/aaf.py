"""Write a conformed AAF (Avid Media Composer): the original file, each rendered Motion Effect
replaced by a clip of its render.

OTIO's AAF writer cannot write the new timeline: it builds a new file from OTIO clips, needs an
Avid mob ID for each clip and writes no speed effects (clips left as they were would lose
theirs). So the new AAF is a copy of the one conformed, edited with pyaaf2: each conformed
clip's "Motion Control" time warp (an OperationGroup in the sequence, or the only input of
effects on it) gives way to a SourceClip of the same length that plays its render at 100 %,
through a master mob that links the render as Media Composer links a QuickTime file (AMA,
pyaaf2's ``create_ama_link``), with the render's start timecode. The sequence gets a new mob
ID (it is a new sequence); everything else in the file stays as it was.

OTIO's reader reads only part of a Motion Effect (the offset map's slope, else
``SpeedRatio``), so ``check_plans`` looks at the effect itself before a clip is conformed.
"""
from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import UserInputError
from .plan import ClipPlan, output_extension
from .timeline import SIDE_FILE_TAG, timeline_format

if TYPE_CHECKING:
    import aaf2

NOT_FOUND = "not found as a Motion Effect in the AAF's sequence: left as it was"


@dataclass(frozen=True)
class _Place:
    """Where a clip's Motion Effect sits: the picture slot (0-based among the composition's
    picture slots), its index in the slot's sequence, how many effects it is nested under
    (each one's only input), and the record frames it spans before the clip's OTIO record
    range (a transition overlaps it)."""

    slot: int
    index: int
    depth: int
    head: int


def check_output(timeline_path: Path, codec: str) -> None:
    """An AAF is written by editing the AAF conformed, with QuickTime renders (what Media
    Composer links); UserInputError otherwise."""
    if timeline_format(timeline_path).adapter != "AAF":
        raise UserInputError(f"{timeline_path}: a new .aaf is written by editing the AAF it "
                             f"conforms: conform an .aaf exported from Media Composer, or "
                             f"write the new timeline as .edl or .otio")
    if output_extension(codec) != ".mov":
        raise UserInputError(f"codec '{codec}': Media Composer links QuickTime renders; use a "
                             f".mov codec (prores) for an AAF")


def check_plans(timeline_path: Path, plans: list[ClipPlan], writing: bool) -> list[ClipPlan]:
    """The plans, with a ``problem`` for each clip whose Motion Effect is not the constant speed
    OTIO's reader gave it (a ramp, a position graph, a start between source frames), whose
    media rate is not the sequence's, or (``writing`` a new AAF) that cannot be found."""
    import aaf2

    with aaf2.open(str(timeline_path), "r") as f:
        slots = _picture_slots(f)
        result = []
        for plan in plans:
            where = _find(slots, plan) if plan.ok else None
            if where is not None:
                problem = _warp_problem(_motion_effect(slots, where), plan.clip.speed)
                rate = slots[where.slot].edit_rate
                if problem is None and plan.fps != rate:
                    problem = (f"the media runs at {float(plan.fps):g} fps, the sequence at "
                               f"{float(rate):g}: not conformed from an AAF")
                if problem is not None:
                    plan = replace(plan, problem=problem)
            elif plan.ok and writing:
                plan = replace(plan, problem=NOT_FOUND)
            result.append(plan)
    return result


def write_conformed_aaf(timeline_path: Path, plans: list[ClipPlan], output: Path) -> None:
    """Copy ``timeline_path`` to ``output`` with each ok plan's Motion Effect replaced by a clip
    of its render (through a temporary file renamed on success)."""
    import aaf2

    tmp = output.with_name(f".{output.stem}.{SIDE_FILE_TAG}-partial-{uuid.uuid4().hex[:8]}"
                           f"{output.suffix}")
    try:
        shutil.copyfile(timeline_path, tmp)
        with aaf2.open(str(tmp), "rw") as f:
            slots = _picture_slots(f)
            masters: dict[Path, aaf2.mobs.MasterMob] = {}
            for plan in plans:
                if not plan.ok:
                    continue
                where = _find(slots, plan)
                if where is None:  # check_plans found it in the same file
                    raise UserInputError(f"{timeline_path}: {plan.clip.name}: {NOT_FOUND}")
                if plan.output not in masters:
                    masters[plan.output] = link_render(f, plan)
                parent, index = _parent(slots, where)
                clip = masters[plan.output].create_source_clip(
                    1, start=plan.first - where.head, length=parent[index].length,
                    media_kind="picture")
                parent[index] = clip
            sequence = _sequence(f)
            if sequence is not None:  # not to be taken for the sequence it was made from
                sequence.mob_id = aaf2.mobid.MobID.new()
        os.replace(tmp, output)
    except UserInputError:
        raise
    except Exception as exc:  # pyaaf2 raises anything from OSError to its own errors
        text = " ".join(str(exc).split())[:200]
        raise UserInputError(f"{output}: cannot write the AAF: {type(exc).__name__}: "
                             f"{text}") from None
    finally:
        tmp.unlink(missing_ok=True)


def link_render(f: aaf2.file.AAFFile, plan: ClipPlan) -> aaf2.mobs.MasterMob:
    """A master mob linking the render as Media Composer links a QuickTime file (AMA), its
    tape mob carrying the render's start timecode."""
    from ..media import probe

    info = probe(plan.output)
    rate = f"{info.fps.numerator}/{info.fps.denominator}"
    metadata = {  # the ``ffprobe -show_format -show_streams`` fields create_ama_link reads
        "format": {"format_name": "mov,mp4,m4a,3gp,3g2,mj2",
                   "format_long_name": "QuickTime / MOV"},
        "streams": [{"codec_type": "video", "codec_name": info.codec_name or "prores",
                     "avg_frame_rate": rate, "nb_frames": info.frame_count,
                     "width": info.width, "height": info.height,
                     "pix_fmt": info.pix_fmt or "yuv422p10le"}]}
    master, _source, tape = f.content.create_ama_link(str(plan.output.resolve()), metadata)
    if info.timecode:
        import opentimelineio as otio

        start = otio.opentime.from_timecode(info.timecode, float(info.fps))
        slot = tape.create_timecode_slot(info.fps, round(float(info.fps)),
                                         drop_frame=";" in info.timecode,
                                         length=info.frame_count)
        slot.segment.start = round(start.value)
        slot["PhysicalTrackNumber"].value = 1
    return master


def _sequence(f: aaf2.file.AAFFile):
    """The sequence OTIO's AAF reader reads: the one top-level composition, else the one
    composition; None when there is not one."""
    mobs = list(f.content.toplevel()) or list(f.content.compositionmobs())
    return mobs[0] if len(mobs) == 1 else None


def _picture_slots(f: aaf2.file.AAFFile) -> list:
    """The picture slots of the sequence, in order ([] without one)."""
    import aaf2

    sequence = _sequence(f)
    if sequence is None:
        return []
    return [slot for slot in sequence.slots if isinstance(slot, aaf2.mobslots.TimelineMobSlot)
            and slot.segment is not None and slot.segment.media_kind == "Picture"]


def _components(slot):
    import aaf2

    segment = slot.segment
    return segment.components if isinstance(segment, aaf2.components.Sequence) else None


def _find(slots: list, plan: ClipPlan) -> _Place | None:
    """The Motion Effect the plan's clip was read from: on its track's slot, where its record
    range (widened by the transitions around it) puts it, under the effects on it, if any."""
    import aaf2

    number = int(plan.clip.track.lstrip("V")) - 1
    if not 0 <= number < len(slots):
        return None
    components = _components(slots[number])
    if components is None:
        return None
    head, tail = round(plan.clip.head.value), round(plan.clip.tail.value)
    start = round(plan.clip.record.start_time.value) - head
    length = round(plan.clip.record.duration.value) + head + tail
    position = 0
    for index, component in enumerate(components):
        if isinstance(component, aaf2.components.Transition):
            position -= component.length
            continue
        if position == start and component.length == length:
            depth = 0
            while _is_effect_on_one(component):  # a colour effect on the Motion Effect...
                component, depth = component.segments[0], depth + 1
            return _Place(number, index, depth, head) if _is_time_warp(component) else None
        if position > start:
            return None
        position += component.length
    return None


def _parent(slots: list, where: _Place):
    """The list holding the Motion Effect (a sequence's components or an effect's inputs) and
    its index there."""
    parent, index = _components(slots[where.slot]), where.index
    for _ in range(where.depth):
        parent, index = parent[index].segments, 0
    return parent, index


def _motion_effect(slots: list, where: _Place):
    parent, index = _parent(slots, where)
    return parent[index]


def _warp_problem(group, speed) -> str | None:
    """Why a Motion Effect is not the constant ``speed`` from its source clip's start that OTIO's
    reader made of it, else None. Media Composer keeps the speed graph as an offset map
    (record frame -> source frames from the source clip's start: two points for a constant
    speed) and a speed map; a position graph (``PARAM_OFFSET_MAP_U``) the reader reads from
    ``SpeedRatio``, which is not the speed; nor does it read the offset at the first frame."""
    import aaf2

    params = {p.name: p for p in group.parameters}
    if "PARAM_OFFSET_MAP_U" in params:
        return "an Avid position-graph Motion Effect: its speed is not read, not conformed"
    offsets = params.get("PARAM_SPEED_OFFSET_MAP_U")
    points = list(offsets["PointList"]) if isinstance(offsets, aaf2.misc.VaryingValue) else []
    speeds = params.get("PARAM_SPEED_MAP_U")
    values = {round(p.value, 6) for p in speeds["PointList"]} \
        if isinstance(speeds, aaf2.misc.VaryingValue) else set()
    if len(points) != 2 or len(values) > 1:
        return "a speed ramp (Avid speed graph keyframes): not a constant slow motion"
    (t0, v0), (t1, v1) = ((p.time, p.value) for p in points)
    slope = (v1 - v0) / (t1 - t0)
    start = v0 - slope * t0
    if abs(slope - float(speed)) > 1e-4:
        return f"Motion Effect speed {slope:.4g} read as {float(speed):g}: not conformed"
    if abs(start) > 1e-4:
        return (f"starts {start:.3g} frames into its source clip (a trimmed Motion Effect): "
                f"not conformed")
    return None


def _is_effect_on_one(component) -> bool:
    """An effect (not a time warp) with one input of its own length."""
    import aaf2

    if not isinstance(component, aaf2.components.OperationGroup):
        return False
    operation = component.operation
    inputs = list(component.segments)
    return (operation is not None and not operation["IsTimeWarp"].value and len(inputs) == 1
            and inputs[0].length == component.length)


def _is_time_warp(component) -> bool:
    """A "Motion Control" time warp OperationGroup over one SourceClip (the reader gave its
    speed)."""
    import aaf2

    if not isinstance(component, aaf2.components.OperationGroup):
        return False
    operation = component.operation
    inputs = list(component.segments)
    if len(inputs) == 1 and isinstance(inputs[0], aaf2.components.Sequence):
        inputs = list(inputs[0].components)
    return (operation is not None and bool(operation["IsTimeWarp"].value)
            and operation.name == "Motion Control" and len(inputs) == 1
            and isinstance(inputs[0], aaf2.components.SourceClip))
